import { z } from "zod";
import { platformSchema } from "../spec/schema.js";
import { didYouMean, formatPath, type Diagnostic } from "./diagnostics.js";

type Issue = z.core.$ZodIssue;

/** zod issues → diagnostics with stable rule ids and, where it helps, a did-you-mean. */
export function schemaDiagnostics(error: z.ZodError, schema: z.ZodType = platformSchema, source: "spec" | "lock" = "spec"): Diagnostic[] {
  return error.issues.flatMap((issue) => {
    const picked = pickBranch(issue);
    // Every unknown key of an object is its own finding (each has its own did-you-mean).
    if (picked.code === "unrecognized_keys") return picked.keys.map((key) => toDiagnostic({ ...picked, keys: [key] }, schema, source));
    return [toDiagnostic(picked, schema, source)];
  });
}

/** For a union, report the branch that got furthest instead of "invalid input". */
function pickBranch(issue: Issue): Issue {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return issue;
  const branches = issue.errors.filter((branch) => branch.length > 0);
  // The closest branch: fewest problems, a missing key counting double (a user who wrote `min`
  // meant the min/max branch, not the one that wants `replicas`), then the deepest path.
  const score = (branch: Issue[]) =>
    -branch.reduce((sum, i) => sum + (i.code === "invalid_type" && i.input === undefined ? 2 : 1), 0) * 1000 + Math.max(...branch.map((i) => i.path.length));
  const best = branches.sort((a, b) => score(b) - score(a))[0];
  if (!best || best.length === 0) return issue;
  const inner = pickBranch(best[0]!);
  return { ...inner, path: [...issue.path, ...inner.path] } as Issue;
}

function toDiagnostic(issue: Issue, schema: z.ZodType, source: "spec" | "lock"): Diagnostic {
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  const where = path.length > 0 ? `${formatPath(path)}: ` : "";
  switch (issue.code) {
    case "unrecognized_keys": {
      const key = issue.keys[0]!;
      const known = knownKeys(schema, path);
      const hint = known ? didYouMean(key, known) : undefined;
      return {
        rule: "schema/unknown-key",
        severity: "error",
        source,
        path: [...path, key],
        message: `${where}unknown key '${key}'${hint ? ` — ${hint}` : ""}`,
        ...(known && !hint && { hint: `allowed keys: ${[...known].join(", ")}` }),
      };
    }
    case "invalid_type":
      return {
        rule: issue.input === undefined ? "schema/missing" : "schema/wrong-type",
        severity: "error",
        source,
        path,
        message: issue.input === undefined ? `${where}required ${issue.expected} is missing` : `${where}expected ${issue.expected}, got ${describe(issue.input)}`,
      };
    case "invalid_value": {
      if (issue.input === undefined) {
        return { rule: "schema/missing", severity: "error", source, path, message: `${where}required value is missing (one of ${issue.values.map((v) => `"${String(v)}"`).join(", ")})` };
      }
      const values = issue.values.map(String);
      const hint = typeof issue.input === "string" ? didYouMean(issue.input, values) : undefined;
      return {
        rule: "schema/invalid-value",
        severity: "error",
        source,
        path,
        message: `${where}${describe(issue.input)} is not one of ${values.map((v) => `"${v}"`).join(", ")}${hint ? ` — ${hint}` : ""}`,
      };
    }
    case "invalid_union": {
      // A discriminated union whose discriminator matched no option ("strategy": "canery").
      const discriminator = (issue as { discriminator?: string }).discriminator;
      if (discriminator !== undefined) {
        const options = discriminatorValues(schema, path, discriminator);
        const input = (issue as { input?: unknown }).input as Record<string, unknown> | undefined;
        const given = input && typeof input === "object" ? input[discriminator] : undefined;
        const hint = typeof given === "string" ? didYouMean(given, options) : undefined;
        return {
          rule: given === undefined ? "schema/missing" : "schema/invalid-value",
          severity: "error",
          source,
          path: [...path, discriminator],
          message:
            given === undefined
              ? `${formatPath([...path, discriminator])}: required, one of ${options.map((o) => `"${o}"`).join(", ")}`
              : `${formatPath([...path, discriminator])}: ${describe(given)} is not one of ${options.map((o) => `"${o}"`).join(", ")}${hint ? ` — ${hint}` : ""}`,
        };
      }
      return { rule: "schema/invalid-value", severity: "error", source, path, message: `${where}${issue.message}` };
    }
    case "invalid_key": {
      // A record key that breaks its grammar (an env name, a label key): say which rule it breaks.
      const reason = issue.issues[0]?.message;
      return { rule: "schema/invalid-key", severity: "error", source, path, message: `${where}invalid key${reason ? `: ${reason}` : ""}` };
    }
    default:
      return { rule: "schema/invalid-value", severity: "error", source, path, message: `${where}${issue.message}` };
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

/** The literal values a discriminated union accepts for its discriminator at a path. */
function discriminatorValues(schema: z.ZodType, path: readonly (string | number)[], key: string): string[] {
  const values = new Set<string>();
  for (const option of objectsAt(schema, path)) {
    const field = unwrap((option.shape as Record<string, z.ZodType>)[key]!);
    if (field instanceof z.ZodLiteral) for (const v of field.values) values.add(String(v));
  }
  return [...values];
}

/** The keys an object schema accepts at a path, for "did you mean". */
function knownKeys(schema: z.ZodType, path: readonly (string | number)[]): string[] | undefined {
  const candidates = objectsAt(schema, path);
  const keys = new Set(candidates.flatMap((s) => Object.keys(s.shape)));
  return keys.size > 0 ? [...keys] : undefined;
}

function objectsAt(schema: z.ZodType, path: readonly (string | number)[]): z.ZodObject[] {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodUnion) return (inner.options as z.ZodType[]).flatMap((option) => objectsAt(option, path));
  if (path.length === 0) return inner instanceof z.ZodObject ? [inner] : [];
  const [head, ...rest] = path;
  if (inner instanceof z.ZodObject) {
    const child = (inner.shape as Record<string, z.ZodType>)[String(head)];
    return child ? objectsAt(child, rest) : [];
  }
  if (inner instanceof z.ZodArray) return objectsAt(inner.element as z.ZodType, rest);
  if (inner instanceof z.ZodRecord) return objectsAt(inner.valueType as z.ZodType, rest);
  return [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodNullable) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
}
