import { existsSync } from "node:fs";
import path from "node:path";
import type { Diagnostic } from "./diagnostics.js";
import { importModule } from "./load/import-module.js";
import { packageRoot } from "./load/package-root.js";

/** `--typecheck`: a real TypeScript Program over the spec; its errors as file:line:col diagnostics. */
export async function typecheckSpec(entry: string): Promise<Diagnostic[]> {
  const ts = (await importModule<{ default: typeof import("typescript") }>("typescript")).default;
  const root = packageRoot();
  const plinthTypes = [path.join(root, "spec", "index.ts"), path.join(root, "dist", "spec", "index.d.ts")].find((f) => existsSync(f));
  const defaults: import("typescript").CompilerOptions = {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
  };
  // The user's own settings (lib, types, strictness) from the nearest tsconfig.json, as tsc would.
  const configFile = ts.findConfigFile(path.dirname(entry), ts.sys.fileExists, "tsconfig.json");
  let options = defaults;
  if (configFile) {
    const read = ts.readConfigFile(configFile, ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(read.config ?? {}, ts.sys, path.dirname(configFile), undefined, configFile);
    const problems = [...(read.error ? [read.error] : []), ...parsed.errors.filter((d) => d.code !== 18003)]; // 18003: no inputs, irrelevant here
    if (problems.length > 0) {
      return problems.map((d) => ({
        rule: "load/type-error",
        severity: "error" as const,
        message: `${path.basename(configFile)}: TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`,
        location: { file: configFile, line: 1, column: 1 },
      }));
    }
    options = parsed.options;
  }
  options = { ...options, noEmit: true, allowImportingTsExtensions: true };
  // A spec inside this package (the examples) or a project that has not installed plinth yet.
  if (plinthTypes && !ts.resolveModuleName("plinth", entry, options, ts.sys).resolvedModule) {
    options = { ...options, baseUrl: options.baseUrl ?? path.dirname(entry), paths: { ...options.paths, plinth: [plinthTypes] } };
  }
  const program = ts.createProgram([entry], options);
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
