import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { didYouMean, UserError, type Diagnostic } from "../diagnostics.js";
import type { SpecPath } from "../model.js";
import { privateCacheRoot, pruneCache, sha } from "./cache.js";
import { DEFAULT_LIMITS, describeValueProblem, evaluateModule, type Evaluation, type EvaluationLimits } from "./evaluate.js";
import { importModule } from "./import-module.js";
import { loadTypeScriptWithCodeCache, saveTypeScriptCodeCache } from "./compiler-cache.js";
import { locateInTypeScript } from "./locate-ts.js";
import { parseSource } from "./source-files.js";
import { readSourceText } from "./yaml.js";
import { authoringEntry, packageRoot, packageVersion } from "./package-root.js";
import type { LoadedDocument, SourcePosition } from "./types.js";

type TS = typeof import("typescript");

interface CacheManifest {
  /** Hash of plinth's version and every local file's path and content. */
  key: string;
  /** Each local file: its content hash, and what each of its imports resolved to (null: nothing). */
  files: { path: string; sha: string; imports: Record<string, string | null> }[];
  /** Each transpiled module in the key folder and its content hash, checked before it is imported. */
  modules: Record<string, string>;
}

/** Bump when the transpiled form changes, so old cache entries are not reused. */
const CACHE_FORMAT = 6;
/** Names "plinth" exports as types only: importing them never needs the schemas at run time. */
const TYPE_ONLY_EXPORTS = ["PlatformInput", "Spec", "ReleaseLock", "Duration", "Quantity", "z"];

const moduleName = (file: string) => `${sha(file).slice(0, 16)}.mjs`;

/**
 * Loads platform.ts and the local .ts files it imports. Each file is transpiled on its own
 * (no type check) into a content-addressed folder of the user's private cache, with relative imports
 * pointing at their transpiled siblings and "plinth" at this package; the entry is then evaluated in
 * a worker (see evaluate.ts). A warm run checks file hashes against the cache manifest, and the
 * transpiled files against theirs, and never loads the TypeScript compiler.
 */
export async function loadTypeScriptFile(entry: string, limits: EvaluationLimits = DEFAULT_LIMITS): Promise<LoadedDocument> {
  const root = privateCacheRoot();
  const manifestPath = path.join(root, `${sha(entry).slice(0, 24)}.json`);
  const sources = new Map<string, string>();
  let key = warmKey(root, manifestPath, sources);
  if (key === undefined) {
    sources.clear();
    key = await compileToCache(root, entry, sources, manifestPath);
  }
  const moduleUrl = pathToFileURL(path.join(root, key, moduleName(entry))).href;
  const outcome = await evaluateModule(moduleUrl, limits);
  if (outcome.kind !== "value") throw new UserError([await evaluationFailure(outcome, entry, limits, root, key, sources)]);
  // Positions found once are kept beside the transpiled files (same content, same answer), so a
  // warm run that reports the same warnings again does not load the TypeScript compiler.
  const locationsFile = path.join(root, key, "locations.json");
  let known: Record<string, SourcePosition> | undefined;
  const remembered = () => (known ??= readLocations(locationsFile));
  let ts: TS | undefined;
  const locate = (specPath: SpecPath) => {
    const id = JSON.stringify(specPath);
    const hit = remembered()[id];
    if (hit) return hit;
    ts ??= loadTypeScriptCompilerSync();
    const found = locateInTypeScript(ts, entry, sources, specPath);
    if (found) {
      remembered()[id] = found;
      try {
        const temp = `${locationsFile}.${process.pid}.${Date.now()}.tmp`;
        writeFileSync(temp, JSON.stringify(known), { flag: "wx", mode: 0o600 });
        renameSync(temp, locationsFile);
      } catch {
        // A read-only cache (or a concurrent run writing the same answer) only costs speed.
      }
    }
    return found;
  };
  const needsCompiler = (paths: SpecPath[]) => paths.some((p) => remembered()[JSON.stringify(p)] === undefined);
  const forget = () => {
    rmSync(path.join(root, key), { recursive: true, force: true });
    rmSync(manifestPath, { force: true });
  };
  const memoFile = (name: string) => path.join(root, key, `${name.replace(/[^a-z0-9-]/g, "")}.memo`);
  const memo = {
    get: (name: string) => {
      try {
        return readFileSync(memoFile(name), "utf8");
      } catch {
        return undefined;
      }
    },
    set: (name: string, value: string) => {
      try {
        const temp = `${memoFile(name)}.${process.pid}.${Date.now()}.tmp`;
        writeFileSync(temp, value, { flag: "wx", mode: 0o600 });
        renameSync(temp, memoFile(name));
      } catch {
        // Only costs speed.
      }
    },
  };
  return { value: outcome.value, file: entry, sources, locate, needsCompiler, forget, memo };
}

/** The located diagnostic for an evaluation that did not end with a plain-data default export. */
async function evaluationFailure(outcome: Exclude<Evaluation, { kind: "value" }>, entry: string, limits: EvaluationLimits, root: string, key: string, sources: Map<string, string>): Promise<Diagnostic> {
  const atFile = { file: entry, line: 1, column: 1 };
  switch (outcome.kind) {
    case "no-default":
      return { rule: "load/no-default-export", severity: "error", message: "the spec has no default export: end it with `export default definePlatform({ ... })`", location: atFile };
    case "timeout":
      return {
        rule: "load/timeout",
        severity: "error",
        message: `evaluating the spec took longer than ${limits.timeoutMs / 1000}s (an endless loop, or a promise that never settles?)`,
        location: atFile,
        hint: "a spec only computes a value; if yours really needs longer, pass --timeout <seconds>",
      };
    case "memory":
      return { rule: "load/out-of-memory", severity: "error", message: `evaluating the spec used more than ${limits.memoryMb} MB of memory`, location: atFile };
    case "shape": {
      const ts = await loadTypeScriptCompiler();
      return { ...describeValueProblem(outcome), severity: "error", location: locateInTypeScript(ts, entry, sources, outcome.path) ?? atFile };
    }
    case "exit":
      return {
        rule: "load/process-exit",
        severity: "error",
        message: `the spec called process.exit(${outcome.code ?? ""}) while it was evaluated: a spec only computes a value`,
        location: stackLocation(outcome.stack, entry, sources),
      };
    default: {
      const error = Object.assign(new Error(outcome.message), { stack: outcome.stack });
      if (outcome.kind === "import") return linkDiagnostic(error, sources) ?? evaluationDiagnostic(error, entry, root, key, sources);
      const diagnostic = evaluationDiagnostic(error, entry, root, key, sources);
      return outcome.kind === "rejection" ? { ...diagnostic, rule: "load/unhandled-rejection" } : diagnostic;
    }
  }
}

function readLocations(file: string): Record<string, SourcePosition> {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, SourcePosition>;
  } catch {
    return {};
  }
}

function warmKey(root: string, manifestPath: string, sources: Map<string, string>): string | undefined {
  if (!existsSync(manifestPath)) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as CacheManifest;
    for (const file of manifest.files) {
      const text = readFileSync(file.path, "utf8");
      if (sha(text) !== file.sha) return undefined;
      // An import may resolve differently now (a package installed, a file added) with no source changed.
      for (const [request, resolved] of Object.entries(file.imports ?? {})) if (resolveImport(file.path, request) !== resolved) return undefined;
      sources.set(file.path, text);
    }
    // The key covers plinth's version and the cache format too: a new plinth never reuses old output.
    if (manifest.key !== cacheKey(manifest.files)) return undefined;
    const dir = path.join(root, manifest.key);
    if (!holdsModules(dir, manifest.modules)) return undefined;
    // Recently used entries survive pruning.
    utimesSync(dir, new Date(), new Date());
    return manifest.key;
  } catch {
    return undefined;
  }
}

/** Whether a key folder holds these modules: regular files, each with the recorded content hash. */
function holdsModules(dir: string, modules: Record<string, string> | undefined): boolean {
  if (!modules || Object.keys(modules).length === 0) return false;
  try {
    if (!lstatSync(dir).isDirectory()) return false;
    for (const [name, hash] of Object.entries(modules)) {
      const file = path.join(dir, name);
      if (!lstatSync(file).isFile() || sha(readFileSync(file, "utf8")) !== hash) return false;
    }
    return true;
  } catch {
    return false;
  }
}

let compilerModule: TS | undefined;
async function loadTypeScriptCompiler(): Promise<TS> {
  compilerModule ??= await loadTypeScriptWithCodeCache();
  return compilerModule;
}
function loadTypeScriptCompilerSync(): TS {
  if (!compilerModule) throw new Error("TypeScript compiler requested before it was loaded");
  return compilerModule;
}

/** Makes sure the compiler is loaded (locating errors needs it, even on a warm run). */
export async function prepareLocator(): Promise<void> {
  await loadTypeScriptCompiler();
}

async function compileToCache(root: string, entry: string, sources: Map<string, string>, manifestPath: string): Promise<string> {
  const ts = await loadTypeScriptCompiler();
  const outputs = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const plinthUrl = pathToFileURL(path.join(packageRoot(), "dist", "spec", "index.js")).href;
  const authoringUrl = pathToFileURL(authoringEntry()).href;
  const authoringNames = new Set([...Object.keys(await importModule<object>(authoringUrl)), ...TYPE_ONLY_EXPORTS]);

  const imports = new Map<string, Record<string, string | null>>();
  const visit = (file: string, stack: string[]) => {
    if (outputs.has(file) || sources.has(file)) return;
    const text = readSourceText(file);
    sources.set(file, text);
    const resolvedImports: Record<string, string | null> = {};
    imports.set(file, resolvedImports);
    const sourceFile = parseSource(ts, file, text);
    const rewrites = new Map<string, string>();
    for (const statement of sourceFile.statements) {
      const specifier =
        (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)
          ? statement.moduleSpecifier
          : undefined;
      if (!specifier) continue;
      const request = specifier.text;
      resolvedImports[request] = resolveImport(file, request);
      const where = () => {
        const pos = sourceFile.getLineAndCharacterOfPosition(specifier.getStart(sourceFile));
        return { file, line: pos.line + 1, column: pos.character + 1 };
      };
      if (request === "plinth") {
        // A file that imports only the authoring helpers (and types) gets the entry without the
        // schemas: the evaluation worker then never loads zod. One other name and it gets all.
        const light =
          ts.isImportDeclaration(statement) &&
          statement.importClause !== undefined &&
          statement.importClause.name === undefined &&
          (statement.importClause.isTypeOnly ||
            (statement.importClause.namedBindings !== undefined &&
              ts.isNamedImports(statement.importClause.namedBindings) &&
              statement.importClause.namedBindings.elements.every((element) => element.isTypeOnly || authoringNames.has((element.propertyName ?? element.name).text))));
        if (!light || rewrites.get(request) === plinthUrl) rewrites.set(request, plinthUrl);
        else rewrites.set(request, authoringUrl);
      } else if (!request.startsWith(".") && !request.startsWith("node:")) {
        // A package the user installed beside the spec: the transpiled copy lives in the cache, so
        // point it at the package as resolved from the spec's own folder.
        try {
          rewrites.set(request, pathToFileURL(createRequire(file).resolve(request)).href);
        } catch {
          // Not resolvable from there: Node reports it at import time (load/missing-import).
        }
      } else if (request.startsWith(".")) {
        const target = resolveLocal(path.dirname(file), request);
        if (!target) {
          diagnostics.push({ rule: "load/missing-import", severity: "error", message: `cannot find '${request}' imported from ${path.basename(file)}`, location: where() });
          continue;
        }
        if (stack.includes(target)) {
          const cycle = [...stack.slice(stack.indexOf(target)), target].map((f) => path.relative(path.dirname(entry), f)).join(" → ");
          diagnostics.push({ rule: "load/import-cycle", severity: "error", message: `import cycle: ${cycle}`, location: where(), hint: "move what both files need into a third file that imports neither" });
          continue;
        }
        rewrites.set(request, `./${moduleName(target)}`);
        visit(target, [...stack, target]);
      }
    }
    const result = ts.transpileModule(text, {
      fileName: file,
      reportDiagnostics: true,
      // Inline source maps let a throw during evaluation point at the user's line.
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, inlineSourceMap: true, sourceRoot: `${pathToFileURL(path.dirname(file)).href}/` },
    });
    // Only the first syntax error per file: the rest are usually the parser losing its footing.
    for (const d of (result.diagnostics ?? []).slice(0, 1)) {
      const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: 0, character: 0 };
      diagnostics.push({
        rule: "load/syntax-error",
        severity: "error",
        message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
        location: { file, line: pos.line + 1, column: pos.character + 1 },
      });
    }
    const js = result.outputText.replace(/(\bfrom\s*|\bimport\s*\(?\s*)(["'])([^"']+)\2/g, (whole, lead: string, quote: string, request: string) =>
      rewrites.has(request) ? `${lead}${quote}${rewrites.get(request)}${quote}` : whole,
    );
    outputs.set(file, js);
  };
  visit(entry, [entry]);
  saveTypeScriptCodeCache();
  if (diagnostics.length > 0) throw new UserError(diagnostics);

  const files = [...sources.entries()].map(([file, text]) => ({ path: file, sha: sha(text), imports: imports.get(file) ?? {} }));
  const key = cacheKey(files);
  const modules = Object.fromEntries([...outputs].map(([file, js]) => [moduleName(file), sha(js)]));
  const dir = path.join(root, key);
  if (!holdsModules(dir, modules)) {
    // Absent, or not what this content transpiles to (tampered with, half-written): replaced.
    const temp = `${dir}.${process.pid}.${Date.now()}.tmp`;
    mkdirSync(temp, { mode: 0o700 });
    for (const [file, js] of outputs) writeFileSync(path.join(temp, moduleName(file)), js, { flag: "wx", mode: 0o600 });
    rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(temp, dir);
    } catch {
      // Another run filled the same folder first; it is used only if it checks out.
      rmSync(temp, { recursive: true, force: true });
      if (!holdsModules(dir, modules)) throw new Error(`the transpile cache folder ${dir} could not be written`);
    }
    pruneCache(root);
  }
  const manifest: CacheManifest = { key, files, modules };
  const temp = `${manifestPath}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temp, JSON.stringify(manifest), { flag: "wx", mode: 0o600 });
  renameSync(temp, manifestPath);
  return key;
}

function cacheKey(files: CacheManifest["files"]): string {
  const plinthUrl = pathToFileURL(path.join(packageRoot(), "dist", "spec", "index.js")).href;
  return sha(JSON.stringify([CACHE_FORMAT, packageVersion(), plinthUrl, files]));
}

/** What an import request resolves to from a file, as recorded in the cache manifest. */
function resolveImport(file: string, request: string): string | null {
  if (request === "plinth" || request.startsWith("node:")) return request;
  if (request.startsWith(".")) return resolveLocal(path.dirname(file), request) ?? null;
  try {
    return createRequire(file).resolve(request);
  } catch {
    return null;
  }
}

function resolveLocal(dir: string, request: string): string | undefined {
  const base = path.resolve(dir, request);
  const candidates = [base, base.replace(/\.(m?js)$/, (_, ext: string) => (ext === "mjs" ? ".mts" : ".ts")), `${base}.ts`, `${base}.mts`, path.join(base, "index.ts")];
  return candidates.find((candidate) => candidate.endsWith("ts") && existsSync(candidate));
}

/**
 * Errors Node raises while linking modules, before any code runs: an import of a name a local file
 * does not export, or of a package that is not installed. Pointed at the import in the user's file.
 */
function linkDiagnostic(error: unknown, sources: Map<string, string>): Diagnostic | undefined {
  const message = error instanceof Error ? error.message : "";
  const missingExport = /does not provide an export named '([^']+)'/.exec(message);
  const missingPackage = /Cannot find (?:package|module) '([^']+)'/.exec(message);
  const find = (pattern: RegExp) => {
    for (const [file, text] of sources) {
      const lines = text.split("\n");
      const index = lines.findIndex((line) => pattern.test(line));
      if (index >= 0) return { file, line: index + 1, column: lines[index]!.search(pattern) + 1 };
    }
    return undefined;
  };
  if (missingExport) {
    const name = missingExport[1]!;
    // Node names the module that lacks the export ('./<hash>.mjs'): the local file behind it.
    const lacking = /requested module '([^']+)'/.exec(message)?.[1];
    const lackingFile = lacking ? [...sources.keys()].find((f) => lacking.endsWith(moduleName(f))) : undefined;
    // The import clause (possibly over several lines) that names it, and where the name stands.
    const clause = new RegExp(`import\\s*(?:type\\s+)?\\{[^}]*\\b${name.replace(/[$]/g, "\\$")}\\b[^}]*\\}\\s*from\\s*["']([^"']+)["']`);
    for (const [file, text] of sources) {
      const match = clause.exec(text);
      if (!match) continue;
      if (lackingFile && resolveLocal(path.dirname(file), match[1]!) !== lackingFile) continue;
      const offset = match.index + match[0].search(new RegExp(`\\b${name.replace(/[$]/g, "\\$")}\\b`));
      const before = text.slice(0, offset).split("\n");
      const target = match[1]!.startsWith(".") ? resolveLocal(path.dirname(file), match[1]!) : undefined;
      const exported = target ? [...(sources.get(target) ?? "").matchAll(/export\s+(?:const|let|function|class)\s+([A-Za-z_$][\w$]*)/g)].map((m) => m[1]!) : [];
      const hint = didYouMean(name, exported);
      return {
        rule: "load/missing-export",
        severity: "error",
        message: `'${name}' is not exported by '${match[1]}'${hint ? ` — ${hint}` : ""}`,
        location: { file, line: before.length, column: before[before.length - 1]!.length + 1 },
      };
    }
    return { rule: "load/missing-export", severity: "error", message: `'${name}' is not exported by the file that imports it` };
  }
  if (missingPackage && !path.isAbsolute(missingPackage[1]!) && !missingPackage[1]!.startsWith("file:")) {
    const request = missingPackage[1]!;
    const location = find(new RegExp(`from\\s+["']${request.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']`));
    return {
      rule: "load/missing-import",
      severity: "error",
      message: `cannot find package '${request}': a spec may import local .ts files and "plinth"; other packages must be installed where the spec can import them (npm install beside it)`,
      ...(location && { location }),
    };
  }
  return undefined;
}

function evaluationDiagnostic(error: Error, entry: string, root: string, key: string, sources: Map<string, string>): Diagnostic {
  return {
    rule: "load/evaluation-error",
    severity: "error",
    message: `evaluating the spec failed: ${error.message.replaceAll(path.join(root, key), "<cache>")}`,
    location: stackLocation(error.stack ?? "", entry, sources),
  };
}

/** The earliest stack frame in one of the user's files (source maps make frames name them). */
function stackLocation(stack: string, entry: string, sources: Map<string, string>): SourcePosition {
  let location = { file: entry, line: 1, column: 1 };
  let earliest = Infinity;
  for (const file of sources.keys()) {
    const at = stack.indexOf(`${file}:`);
    const match = at >= 0 ? /^:(\d+):(\d+)/.exec(stack.slice(at + file.length)) : null;
    if (match && at < earliest) {
      earliest = at;
      location = { file, line: Number(match[1]), column: Number(match[2]) };
    }
  }
  return location;
}
