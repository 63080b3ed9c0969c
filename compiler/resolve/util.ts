import { parseDuration } from "../../spec/units.js";

/** Small helpers every resolve module shares. */
export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
export const byName = <T extends { name: string }>(a: T, b: T) => cmp(a.name, b.name);
export const sorted = (items: Iterable<string>) => [...new Set(items)].sort();
/** A duration the schema has already validated, in seconds. */
export const seconds = (text: string) => parseDuration(text)!;

export function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]!]));
}

export function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export type Amounts = { cpu?: string | number; memory?: string | number };

export const amounts = (a: Amounts) => ({ ...(a.cpu !== undefined && { cpu: String(a.cpu) }), ...(a.memory !== undefined && { memory: String(a.memory) }) });

export function stringifyResources(r: { requests?: Amounts; limits?: Amounts }) {
  return { ...(r.requests && { requests: amounts(r.requests) }), ...(r.limits && { limits: amounts(r.limits) }) };
}

/**
 * An environment's override over the base resources, amount by amount: overriding a cpu request
 * keeps the base's memory request and its limits.
 */
export function mergeResources(
  base: { requests?: Amounts; limits?: Amounts } | undefined,
  override: { requests?: Amounts; limits?: Amounts } | undefined,
): { requests?: Amounts; limits?: Amounts } | undefined {
  if (!override) return base;
  const requests = { ...base?.requests, ...override.requests };
  const limits = { ...base?.limits, ...override.limits };
  return {
    ...(Object.keys(requests).length > 0 && { requests }),
    ...(Object.keys(limits).length > 0 && { limits }),
  };
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    // Indexed and keyed loops rather than Object.values: a large Model has millions of objects,
    // and a copy of each one's values is most of the cost.
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) if (typeof value[i] === "object") deepFreeze(value[i]);
    } else {
      for (const key in value) if (typeof value[key] === "object") deepFreeze(value[key]);
    }
  }
  return value;
}

/** Path of a generated file or folder inside the GitOps repository; gitopsPath "." is the repository root. */
export function gitopsRepoPath(gitopsPath: string, path: string): string {
  const base = gitopsBase(gitopsPath);
  return base === "" ? path : `${base}/${path}`;
}

// One spec has one gitopsPath, asked once per deployment: normalised once.
let lastGitopsPath: string | undefined;
let lastBase = "";
function gitopsBase(gitopsPath: string): string {
  if (gitopsPath !== lastGitopsPath) {
    lastBase = gitopsPath
      .split("/")
      .filter((segment) => segment !== "" && segment !== ".")
      .join("/");
    lastGitopsPath = gitopsPath;
  }
  return lastBase;
}
