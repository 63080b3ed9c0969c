import type { SpecPath } from "./model.js";

export type Severity = "error" | "warning" | "note";

/** One finding about the user's input. `path` is resolved to file:line:col by the locator. */
export interface Diagnostic {
  rule: string;
  severity: Severity;
  message: string;
  /** Where in the spec (zod-style path), or in the release lock when `source` is "lock". */
  path?: SpecPath;
  source?: "spec" | "lock";
  /** "did you mean …" and similar, shown under the code frame. */
  hint?: string;
  /** A secret value this finding is about: masked wherever the finding is shown, never printed. */
  secret?: string;
  /** Filled by the locator. */
  location?: { file: string; line: number; column: number };
}

/** A user error that stops the run: exit 1, nothing written. */
export class UserError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join("\n"));
  }
}

export const hasErrors = (diagnostics: readonly Diagnostic[]) => diagnostics.some((d) => d.severity === "error");

/** Closest candidate by edit distance, for "did you mean …?". */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

export const didYouMean = (word: string, candidates: Iterable<string>): string | undefined => {
  const match = closest(word, candidates);
  return match === undefined ? undefined : `did you mean '${match}'?`;
};

/** environments[3].rollout.steps[1] */
export function formatPath(path: SpecPath): string {
  return path.map((segment, i) => (typeof segment === "number" ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join("");
}
