import type TSNS from "typescript";

type TS = typeof TSNS;

/**
 * Every spec file parsed once per run: the import scan of the transpile and every location lookup
 * (one per warning or error) share the same syntax tree, as long as the text is the same.
 */
const parsed = new Map<string, { text: string; sourceFile: TSNS.SourceFile }>();

export function parseSource(ts: TS, file: string, text: string): TSNS.SourceFile {
  const known = parsed.get(file);
  if (known !== undefined && known.text === text) return known.sourceFile;
  const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  parsed.set(file, { text, sourceFile });
  return sourceFile;
}
