import { describe, expect, it } from "vitest";
import { toGoDuration } from "../targets/shared/go-duration.js";

/** What Go's time.ParseDuration accepts. */
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

describe("toGoDuration", () => {
  it("leaves durations Go already parses unchanged", () => {
    for (const text of ["30s", "1m", "1h30m", "500ms", "1.5h"]) expect(toGoDuration(text)).toBe(text);
  });

  it("rewrites days and weeks in hours, minutes and seconds", () => {
    expect(toGoDuration("1d")).toBe("24h");
    expect(toGoDuration("1w")).toBe("168h");
    expect(toGoDuration("1d2h3m4s")).toBe("26h3m4s");
    expect(toGoDuration("1.5d")).toBe("36h");
    for (const text of ["1d", "2w", "1d1s", "7d12h"]) expect(toGoDuration(text)).toMatch(GO_DURATION);
  });

  it("rejects what is not a duration", () => {
    expect(() => toGoDuration("daily")).toThrow(/not a duration/);
  });
});
