// markdownlint-cli2 re-exports markdownlint's promise API without type declarations; its shape is typed below.
// @ts-expect-error -- no declaration file for this entry point
import { lint as untypedLint } from "markdownlint-cli2/markdownlint/promise";

export interface LintError {
  lineNumber: number;
  ruleNames: string[];
  ruleDescription: string;
  errorDetail: string | null;
}

const lint = untypedLint as (options: { strings: Record<string, string>; config: Record<string, unknown> }) => Promise<Record<string, LintError[]>>;

/**
 * markdownlint's defaults, without MD013 (line length): generated tables and exact commands are
 * as long as their content, and wrapping a shell command or a table row would change it.
 */
export const MARKDOWNLINT_CONFIG = { default: true, MD013: false };

/** Every markdownlint finding in the given documents (name → Markdown), one line each. */
export async function markdownProblems(files: Record<string, string>, config: Record<string, unknown> = MARKDOWNLINT_CONFIG): Promise<string[]> {
  const results = await lint({ strings: files, config });
  return Object.entries(results).flatMap(([name, issues]) =>
    issues.map((i) => `${name}:${i.lineNumber} ${i.ruleNames.join("/")} ${i.ruleDescription}${i.errorDetail ? ` (${i.errorDetail})` : ""}`),
  );
}
