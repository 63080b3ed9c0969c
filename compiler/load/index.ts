import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { LOCK_FILE } from "../../spec/releases.js";
import { UserError } from "../diagnostics.js";
import { DEFAULT_LIMITS, type EvaluationLimits } from "./evaluate.js";
import { loadTypeScriptFile, prepareLocator } from "./typescript.js";
import type { LoadedDocument } from "./types.js";
import { loadYamlFile } from "./yaml.js";

export type { LoadedDocument, SourcePosition } from "./types.js";
export { DEFAULT_LIMITS, type EvaluationLimits } from "./evaluate.js";
export { prepareLocator, LOCK_FILE };

export const SPEC_FILES = ["platform.ts", "platform.yaml", "platform.yml", "platform.json"];

/** A spec argument may name the file or the folder holding platform.ts / .yaml / .json. */
export function resolveSpecPath(input: string): string {
  const absolute = path.resolve(input);
  if (existsSync(absolute) && statSync(absolute).isDirectory()) {
    const found = SPEC_FILES.map((name) => path.join(absolute, name)).filter((candidate) => existsSync(candidate));
    if (found.length > 1) {
      throw new UserError([
        { rule: "load/ambiguous-spec", severity: "error", message: `${input} holds ${found.map((f) => path.basename(f)).join(" and ")}: name the one to use` },
      ]);
    }
    if (found[0]) return found[0];
    throw new UserError([{ rule: "load/no-spec", severity: "error", message: `no ${SPEC_FILES.join(", ")} in ${input}` }]);
  }
  if (!existsSync(absolute)) throw new UserError([{ rule: "load/no-spec", severity: "error", message: `spec not found: ${input}` }]);
  return absolute;
}

export async function loadSpecFile(file: string, limits: EvaluationLimits = DEFAULT_LIMITS): Promise<LoadedDocument> {
  if (/\.(m?ts)$/.test(file)) return loadTypeScriptFile(file, limits);
  if (/\.(ya?ml|json)$/.test(file)) return loadYamlFile(file);
  throw new UserError([{ rule: "load/unsupported-file", severity: "error", message: `cannot load ${path.basename(file)}: expected .ts, .yaml or .json` }]);
}

/** releases.lock.yaml beside the spec, if there is one. */
export function loadReleaseLock(specFile: string): LoadedDocument | undefined {
  const lockPath = path.join(path.dirname(specFile), LOCK_FILE);
  return existsSync(lockPath) ? loadYamlFile(lockPath, "lock") : undefined;
}

export interface CompileOptions {
  /** Run a full TypeScript type-check of a .ts spec first. */
  typecheck?: boolean;
  /** Time limit for evaluating a .ts spec, in milliseconds. */
  timeoutMs?: number;
}

/** A spec whose loading has begun: its evaluation runs in a worker while the caller goes on. */
export interface StartedSpec {
  specFile: string;
  options: CompileOptions;
  loaded: Promise<{ doc: LoadedDocument; lockDoc: LoadedDocument | undefined }>;
}

/**
 * Starts loading a spec: its evaluation begins at once (in its worker) and the release lock is read
 * meanwhile. Loads nothing of the schemas, so a command can load them, and its targets, while the
 * spec evaluates. Failures surface where `loaded` is awaited, the spec's own before the lock's.
 */
export function startSpec(input: string, options: CompileOptions = {}): StartedSpec {
  const specFile = resolveSpecPath(input);
  const loading = loadSpecFile(specFile, { ...DEFAULT_LIMITS, ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }) });
  const loaded = (async () => {
    let lockDoc: LoadedDocument | undefined;
    try {
      lockDoc = loadReleaseLock(specFile);
    } catch (error) {
      await loading;
      throw error;
    }
    return { doc: await loading, lockDoc };
  })();
  // Awaited by compileSpec; until then a failure is not an unhandled rejection.
  loaded.catch(() => undefined);
  return { specFile, options, loaded };
}
