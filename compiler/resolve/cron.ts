import { parseCron } from "../../spec/cron.js";

/**
 * The longest gap between two runs of a cron schedule, in seconds, so a backup's schedule can be
 * checked against an RPO. Enumerates the minutes of a year: exact for every standard expression.
 * Returns undefined for an expression it cannot read.
 */
export function cronMaxGapSeconds(expression: string): number | undefined {
  // Remembered per expression: a large platform's backups share a handful of schedules, and each
  // is asked for more than once (schedule, RPO check, runbook).
  if (gaps.has(expression)) return gaps.get(expression);
  const gap = enumerateMaxGap(expression);
  gaps.set(expression, gap);
  return gap;
}

const gaps = new Map<string, number | undefined>();

function enumerateMaxGap(expression: string): number | undefined {
  const parsed = parseCron(expression);
  if (!parsed) return undefined;
  const { fields, minutes, hours, days, months, weekdays } = parsed;
  const dayRestricted = fields[2] !== "*";
  const weekdayRestricted = fields[4] !== "*";
  // A non-leap year starting on a Monday (2029), plus a wrap-around to the first run of the next.
  const start = Date.UTC(2029, 0, 1);
  const runs: number[] = [];
  for (let day = 0; day < 365; day++) {
    const date = new Date(start + day * 86400000);
    if (!months.has(date.getUTCMonth() + 1)) continue;
    const domMatch = days.has(date.getUTCDate());
    const dowMatch = weekdays.has(date.getUTCDay());
    // cron: when both day fields are restricted, either may match.
    const dayMatches = dayRestricted && weekdayRestricted ? domMatch || dowMatch : domMatch && dowMatch;
    if (!dayMatches) continue;
    for (const hour of [...hours].sort((a, b) => a - b))
      for (const minute of [...minutes].sort((a, b) => a - b)) runs.push(day * 1440 + hour * 60 + minute);
  }
  if (runs.length === 0) return undefined;
  let gap = runs[0]! + 365 * 1440 - runs[runs.length - 1]!;
  for (let i = 1; i < runs.length; i++) gap = Math.max(gap, runs[i]! - runs[i - 1]!);
  return gap * 60;
}
