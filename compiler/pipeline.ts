import { createHash } from "node:crypto";
import { platformSchema, type Spec } from "../spec/schema.js";
import { lockedDigests, lockedReleases, releaseLock, type LockedReleases } from "../spec/releases.js";
import { loadServiceCharts } from "./charts.js";
import { ownChartDiagnostics } from "./own-charts.js";
import { RULES } from "./checks/index.js";
import { providerTokenDiagnostics } from "./checks/secret-literal.js";
import { didYouMean, hasErrors, UserError, type Diagnostic } from "./diagnostics.js";
import { RULE_DOCS, ruleDoc } from "./rule-docs.js";
import { prepareLocator, startSpec, type CompileOptions, type LoadedDocument, type StartedSpec } from "./load/index.js";
import type { Model } from "./model.js";
import { resolve } from "./resolve/index.js";
import { schemaDiagnostics } from "./validate.js";

/**
 * One parse per run: zod's generated fast path costs more to build (code generated and compiled on
 * every run, where the code cache cannot help) than it saves. Asked per parse: zod reads its global
 * `jitless` setting when a schema is constructed, before any code here runs.
 */
const PARSE = { reportInput: true, jitless: true } as const;

/** Tests set PLINTH_FREEZE_MODEL=1 (vitest.config.ts), for every run in and under them: see ResolveOptions.freeze. */
const FREEZE_MODEL = process.env.PLINTH_FREEZE_MODEL === "1";

export type { CompileOptions };

export interface CompileResult {
  model: Model;
  /** Warnings and notes (errors throw). */
  diagnostics: Diagnostic[];
  /** Absolute path of the spec file. */
  specFile: string;
  /** sha256 over every source file and the release lock. */
  specHash: string;
}

/**
 * load → validate → check → resolve → check. Throws UserError (with locations) on any error. The
 * input is a spec path, or a spec startSpec began loading (its evaluation ran meanwhile).
 */
export async function compileSpec(input: string | StartedSpec, options: CompileOptions = {}): Promise<CompileResult> {
  const started = typeof input === "string" ? startSpec(input, options) : input;
  const { doc, lockDoc } = await started.loaded;
  if (started.options.typecheck && /\.m?ts$/.test(started.specFile)) {
    const { typecheckSpec } = await import("./typecheck.js");
    const typeErrors = await typecheckSpec(started.specFile);
    if (typeErrors.length > 0) throw new UserError(await locate(typeErrors, doc, lockDoc));
  }
  return compileLoaded(doc, lockDoc);
}

/** validate → check → resolve → check, over a spec already loaded (the fuzzer feeds mutants here). */
export async function compileLoaded(doc: LoadedDocument, lockDoc: LoadedDocument | undefined): Promise<CompileResult> {
  const specFile = doc.file;
  const fail = async (diagnostics: Diagnostic[]): Promise<never> => {
    throw new UserError(await locate(diagnostics, doc, lockDoc));
  };

  const diagnostics: Diagnostic[] = [];
  for (const rule of RULES) if (rule.stage === "raw") diagnostics.push(...rule.check(doc.value));
  diagnostics.push(...(await providerTokenDiagnostics(doc.value, diagnostics, doc.memo)));
  // A literal secret must not outlive the run in the transpile cache either, and must not be
  // echoed by a later stage's message: it stops the run here.
  if (diagnostics.some((d) => d.secret !== undefined)) {
    doc.forget?.();
    await fail(diagnostics);
  }

  // Independent stages report together, so one run lists every error: raw checks, the spec's
  // schema, the lock's schema, and (once the spec parses) the spec's own rules.
  const parsed = platformSchema.safeParse(doc.value, PARSE);
  if (!parsed.success) diagnostics.push(...schemaDiagnostics(parsed.error));

  let lock: LockedReleases = {};
  if (lockDoc) {
    const parsedLock = releaseLock.safeParse(lockDoc.value ?? {}, PARSE);
    if (!parsedLock.success) diagnostics.push(...schemaDiagnostics(parsedLock.error, releaseLock, "lock"));
    else lock = lockedReleases(parsedLock.data ?? {});
  }
  if (!parsed.success) await fail(diagnostics);
  const spec = parsed.data as Spec;

  for (const rule of RULES) if (rule.stage === "spec") diagnostics.push(...rule.check(spec, lockedDigests(lock)));
  diagnostics.push(...unknownAcknowledgements(spec));
  diagnostics.splice(0, diagnostics.length, ...acknowledged(diagnostics, spec));
  if (hasErrors(diagnostics)) await fail(diagnostics);

  const model = resolve(spec, lock, loadServiceCharts(), { freeze: FREEZE_MODEL });
  for (const rule of RULES) if (rule.stage === "model") diagnostics.push(...rule.check(model));
  diagnostics.push(...(await ownChartDiagnostics(model, specFile)));
  diagnostics.splice(0, diagnostics.length, ...acknowledged(diagnostics, spec));
  if (hasErrors(diagnostics)) await fail(diagnostics);

  const hash = createHash("sha256");
  for (const [file, text] of [...doc.sources, ...(lockDoc?.sources ?? [])].sort(([a], [b]) => (a < b ? -1 : 1))) {
    hash.update(file.slice(file.lastIndexOf("/") + 1)).update("\0").update(text).update("\0");
  }
  return { model, diagnostics: await locate(diagnostics, doc, lockDoc), specFile, specHash: hash.digest("hex") };
}

/**
 * Warnings of a rule the spec acknowledges (`acknowledge: [{ rule, reason }]`) become notes that
 * carry the reason; errors cannot be acknowledged.
 */
function acknowledged(diagnostics: readonly Diagnostic[], spec: Spec): Diagnostic[] {
  const reasons = new Map((spec.acknowledge ?? []).map((a) => [a.rule, a.reason]));
  if (reasons.size === 0) return [...diagnostics];
  return diagnostics.map((d) => {
    const reason = d.severity === "warning" ? reasons.get(d.rule) : undefined;
    return reason === undefined ? d : { ...d, severity: "note" as const, message: `${d.message} (acknowledged: ${reason})` };
  });
}

/** An acknowledgement must name a rule plinth has (a typo would silently acknowledge nothing). */
function unknownAcknowledgements(spec: Spec): Diagnostic[] {
  return (spec.acknowledge ?? []).flatMap((a, i) => {
    if (ruleDoc(a.rule) !== undefined) return [];
    const hint = didYouMean(a.rule, RULE_DOCS.flatMap((d) => d.ids));
    return [{ rule: "ref/unknown-rule", severity: "error" as const, path: ["acknowledge", i, "rule"], message: `acknowledge[${i}]: no rule '${a.rule}'${hint ? ` — ${hint}` : ""}`, hint: "`plinth explain` lists the rules" }];
  });
}

async function locate(diagnostics: Diagnostic[], doc: LoadedDocument, lockDoc: LoadedDocument | undefined): Promise<Diagnostic[]> {
  const paths = diagnostics.filter((d) => !d.location && d.path && d.source !== "lock").map((d) => d.path!);
  if (paths.length > 0 && (doc.needsCompiler?.(paths) ?? false)) await prepareLocator();
  return diagnostics.map((d) => {
    if (d.location) return d;
    const target = d.source === "lock" ? lockDoc : doc;
    const location = target && d.path ? target.locate(d.path) : target ? { file: target.file, line: 1, column: 1 } : undefined;
    return location ? { ...d, location } : d;
  });
}
