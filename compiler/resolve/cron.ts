/**
 * The longest gap between two runs of a cron schedule, in seconds, so a backup's schedule can be
 * checked against an RPO. Enumerates the minutes of a year: exact for every standard expression.
 */
const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

function parseField(field: string, min: number, max: number): Set<number> | undefined {
  const values = new Set<number>();
  for (const part of field.split(",")) {
    const match = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part);
    if (!match) return undefined;
    const step = match[2] === undefined ? 1 : Number(match[2]);
    if (step < 1) return undefined;
    let from = min;
    let to = max;
    if (match[1] !== "*") {
      const [a, b] = match[1]!.split("-").map(Number) as [number, number | undefined];
      from = a;
      to = b ?? (match[2] === undefined ? a : max);
    }
    if (from < min || to > max || from > to) return undefined;
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return values;
}

/** Returns undefined for an expression it cannot read. */
export function cronMaxGapSeconds(expression: string): number | undefined {
  const text = MACROS[expression.trim()] ?? expression.trim();
  const fields = text.split(/\s+/);
  if (fields.length !== 5) return undefined;
  const minutes = parseField(fields[0]!, 0, 59);
  const hours = parseField(fields[1]!, 0, 23);
  const days = parseField(fields[2]!, 1, 31);
  const months = parseField(fields[3]!, 1, 12);
  const weekdays = parseField(fields[4]!.replace(/\b7\b/g, "0"), 0, 6);
  if (!minutes || !hours || !days || !months || !weekdays) return undefined;
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
