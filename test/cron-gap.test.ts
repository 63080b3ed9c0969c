import { describe, expect, it } from "vitest";
import { cronMaxGapSeconds } from "../compiler/resolve/cron.js";
import { parseCron } from "../spec/cron.js";

/** The reference: every minute of 2029 (and the first of 2030's runs) checked one by one. */
function bruteForceGapSeconds(expression: string): number | undefined {
  const cron = parseCron(expression)!;
  const dayRestricted = cron.fields[2] !== "*";
  const weekdayRestricted = cron.fields[4] !== "*";
  const start = Date.UTC(2029, 0, 1);
  const runs: number[] = [];
  for (let minute = 0; minute < 365 * 1440; minute++) {
    const date = new Date(start + minute * 60000);
    if (!cron.minutes.has(date.getUTCMinutes()) || !cron.hours.has(date.getUTCHours()) || !cron.months.has(date.getUTCMonth() + 1)) continue;
    const dom = cron.days.has(date.getUTCDate());
    const dow = cron.weekdays.has(date.getUTCDay());
    if (dayRestricted && weekdayRestricted ? dom || dow : dom && dow) runs.push(minute);
  }
  if (runs.length === 0) return undefined;
  let gap = runs[0]! + 365 * 1440 - runs[runs.length - 1]!;
  for (let i = 1; i < runs.length; i++) gap = Math.max(gap, runs[i]! - runs[i - 1]!);
  return gap * 60;
}

describe("cronMaxGapSeconds", () => {
  const expressions = ["*/5 * * * *", "0 * * * *", "30 2 * * *", "0 3,15 * * *", "0 1 * * 0", "15 4 1 * *", "0 0 1 1 *", "0 2 1,15 * 1", "0 */6 * 2 *", "45 23 31 * *", "0 0 29 2 *", "10,50 8-17 * * 1-5"];
  it.each(expressions)("%s: the longest gap between runs, as a minute-by-minute enumeration finds it", (expression) => {
    expect(cronMaxGapSeconds(expression)).toBe(bruteForceGapSeconds(expression));
  });
  it("reads nothing it cannot parse", () => {
    expect(cronMaxGapSeconds("not a cron")).toBeUndefined();
  });
});
