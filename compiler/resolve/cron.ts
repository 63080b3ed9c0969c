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
  // Every matching day runs at the same minutes of the day: the longest gap is the longest within
  // a day or the one from a matching day's last run to the next matching day's first.
  const sortedMinutes = [...minutes].sort((a, b) => a - b);
  const times = [...hours].sort((a, b) => a - b).flatMap((hour) => sortedMinutes.map((minute) => hour * 60 + minute));
  if (times.length === 0) return undefined;
  let withinDay = 0;
  for (let i = 1; i < times.length; i++) withinDay = Math.max(withinDay, times[i]! - times[i - 1]!);
  const first = times[0]!;
  const last = times[times.length - 1]!;
  // A non-leap year starting on a Monday (2029), plus a wrap-around to the first run of the next.
  const start = Date.UTC(2029, 0, 1);
  const runDays: number[] = [];
  for (let day = 0; day < 365; day++) {
    const date = new Date(start + day * 86400000);
    if (!months.has(date.getUTCMonth() + 1)) continue;
    const domMatch = days.has(date.getUTCDate());
    const dowMatch = weekdays.has(date.getUTCDay());
    // cron: when both day fields are restricted, either may match.
    const dayMatches = dayRestricted && weekdayRestricted ? domMatch || dowMatch : domMatch && dowMatch;
    if (dayMatches) runDays.push(day);
  }
  if (runDays.length === 0) return undefined;
  let gap = Math.max(withinDay, (runDays[0]! + 365 - runDays[runDays.length - 1]!) * 1440 + first - last);
  for (let i = 1; i < runDays.length; i++) gap = Math.max(gap, (runDays[i]! - runDays[i - 1]!) * 1440 + first - last);
  return gap * 60;
}
