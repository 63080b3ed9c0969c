import type { Spec } from "../../spec/schema.js";
import type { Diagnostic, Severity } from "../diagnostics.js";
import type { Model } from "../model.js";

interface RuleInfo {
  /** Stable id users can search for, e.g. "quota/overcommit". */
  id: string;
  severity: Severity;
  description: string;
}

/** Runs on the raw default export, before schema validation (so it sees what the schema would reject). */
export interface RawRule extends RuleInfo {
  stage: "raw";
  check(raw: unknown): Diagnostic[];
}
/** Runs on the validated spec, before resolve (references must hold for resolve to run). */
export interface SpecRule extends RuleInfo {
  stage: "spec";
  check(spec: Spec, lock: Record<string, Record<string, string>>): Diagnostic[];
}
/** Runs on the resolved Model. */
export interface ModelRule extends RuleInfo {
  stage: "model";
  check(model: Model): Diagnostic[];
}

export type Rule = RawRule | SpecRule | ModelRule;
