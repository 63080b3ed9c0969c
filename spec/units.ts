import { parseCron } from "./cron.js";
import { z } from "zod";

/** A duration such as "90s", "15m", "4h", "30d", "1h30m". */
export type Duration = `${number}${"s" | "m" | "h" | "d" | "w"}${string}`;
/** A Kubernetes quantity such as "500m", "2", "6Gi", "1.5Gi". */
export type Quantity = string | number;

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
const DURATION_WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Seconds in a duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION_WHOLE.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(DURATION_PART)) total += Number(match[1]) * UNIT_SECONDS[match[2]!]!;
  return total;
}

/** Canonical short form of a number of seconds: 5400 → "1h30m". */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return "0s";
  let rest = Math.round(seconds);
  let out = "";
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out;
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
/** Kubernetes' quantity grammar (unsigned): a number, then a binary or decimal SI suffix or a decimal exponent ("1e3"). */
const QUANTITY = /^(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

/** The numeric value of a Kubernetes quantity ("1.5Gi" → 1610612736, "500m" → 0.5), or undefined. */
export function parseQuantity(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = QUANTITY.exec(value.trim());
  if (!match) return undefined;
  if (match[3] !== undefined) return Number(match[1]) * 10 ** Number(match[3]);
  const suffix = match[2] ?? "";
  return Number(match[1]) * (BINARY[suffix] ?? DECIMAL[suffix]!);
}

/** Human form of a byte count using binary suffixes: 12348030976 → "11.5Gi". */
export function formatBytes(bytes: number): string {
  for (const suffix of ["Pi", "Ti", "Gi", "Mi", "Ki"]) {
    const size = BINARY[suffix]!;
    if (bytes >= size) return `${Number((bytes / size).toFixed(2))}${suffix}`;
  }
  return String(bytes);
}

export const duration = z
  .string()
  .refine((text) => parseDuration(text) !== undefined, {
    message: 'expected a duration such as "90s", "15m", "4h" or "30d"',
  });

export const quantity = z
  .union([z.string(), z.number()])
  .refine((value) => parseQuantity(value) !== undefined, {
    message: 'expected a Kubernetes quantity such as "500m", "2", "512Mi" or "6Gi"',
  });

/** A five-field cron expression or an @-macro (@hourly, @daily, @weekly), every field in range. */
export const cron = z.string().refine((value) => parseCron(value) !== undefined, {
  message: 'expected a five-field cron expression (minute hour day-of-month month day-of-week) with every field in range, such as "0 3 * * *", or @hourly, @daily, @weekly, @monthly',
});

export const resourceAmounts = z.strictObject({
  cpu: quantity.optional().describe("CPU, e.g. \"500m\" or \"2\"."),
  memory: quantity.optional().describe("Memory, e.g. \"512Mi\" or \"2Gi\"."),
});
