import { existsSync } from "node:fs";
import path from "node:path";
import type { Diagnostic } from "./diagnostics.js";
import { packageRoot } from "./load/package-root.js";

/** `--typecheck`: a real TypeScript Program over the spec; its errors as file:line:col diagnostics. */
export async function typecheckSpec(entry: string): Promise<Diagnostic[]> {
  const ts = ((await import("typescript")) as unknown as { default: typeof import("typescript") }).default;
  const root = packageRoot();
  const plinthTypes = [path.join(root, "spec", "index.ts"), path.join(root, "dist", "spec", "index.d.ts")].find((f) => existsSync(f));
  const program = ts.createProgram([entry], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    allowImportingTsExtensions: true,
    types: [],
    baseUrl: path.dirname(entry),
    ...(plinthTypes && { paths: { plinth: [plinthTypes] } }),
  });
  const userFiles = (file: string | undefined) => file !== undefined && !file.includes("node_modules") && !file.startsWith(path.join(root, "spec") + path.sep);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => userFiles(d.file?.fileName))
    .map((d) => {
      const pos = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      return {
        rule: "load/type-error",
        severity: "error" as const,
        message: `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`,
        location: { file: d.file!.fileName, line: pos.line + 1, column: pos.character + 1 },
      };
    });
}
