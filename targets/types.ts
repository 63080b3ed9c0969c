import type { Model } from "../compiler/model.js";

/** A generated file: a path relative to the output root (POSIX separators) and its exact content. */
export interface OutputFile {
  path: string;
  content: string;
}

export type TargetName = "opentofu" | "kubernetes" | "argocd" | "helm" | "compose" | "runbook";

/** A target is a pure function of the Model: no fs, clock, env or randomness. */
export interface Target {
  name: TargetName;
  description: string;
  generate(model: Model): OutputFile[];
}
