import { describe, expect, it } from "vitest";
import { parseQuantity, quantity } from "../spec/units.js";

describe("Kubernetes quantities", () => {
  it.each([
    ["500m", 0.5],
    ["2", 2],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["1e3", 1000],
    ["1E3", 1000],
    ["5e-1", 0.5],
    ["1E", 1e18],
    ["2Ei", 2 * 2 ** 60],
    [".5", 0.5],
    [3, 3],
  ] as const)("%s is %d", (text, value) => {
    expect(parseQuantity(text)).toBe(value);
    expect(quantity.safeParse(text).success).toBe(true);
  });

  it.each(["", "1Gb", "-1Gi", "1e", "e3", "1.2.3", "Gi"])("%j is refused", (text) => {
    expect(parseQuantity(text)).toBeUndefined();
    expect(quantity.safeParse(text).success).toBe(false);
  });
});
