/** Cron expressions: five fields (minute hour day-of-month month day-of-week) or an @-macro. */
const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** The values one field selects, or undefined when it is not a valid field within [min, max]. */
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

export interface ParsedCron {
  fields: string[];
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
}

/** A five-field expression (or macro) with every field in range, or undefined. */
export function parseCron(expression: string): ParsedCron | undefined {
  const text = MACROS[expression.trim()] ?? expression.trim();
  const fields = text.split(/\s+/);
  if (fields.length !== 5) return undefined;
  const minutes = parseField(fields[0]!, 0, 59);
  const hours = parseField(fields[1]!, 0, 23);
  const days = parseField(fields[2]!, 1, 31);
  const months = parseField(fields[3]!, 1, 12);
  const weekdays = parseField(fields[4]!.replace(/\b7\b/g, "0"), 0, 6);
  if (!minutes || !hours || !days || !months || !weekdays) return undefined;
  return { fields, minutes, hours, days, months, weekdays };
}
