import type { Target, TargetName } from "./types.js";
import { opentofuTarget } from "./opentofu/index.js";
import { kubernetesTarget } from "./kubernetes/index.js";
import { argocdTarget } from "./argocd/index.js";
import { helmTarget } from "./helm/index.js";
import { composeTarget } from "./compose/index.js";
import { runbookTarget } from "./runbook/index.js";

export type { OutputFile, Target, TargetName } from "./types.js";

/** Every target, in the order their files are listed. */
export const TARGETS: readonly Target[] = [opentofuTarget, kubernetesTarget, argocdTarget, helmTarget, composeTarget, runbookTarget];

export const TARGET_NAMES = TARGETS.map((t) => t.name) as TargetName[];

/** The top folder each target owns in the output tree: a build of some targets touches only theirs. */
export const TARGET_FOLDERS: Readonly<Record<TargetName, string>> = {
  opentofu: "opentofu",
  kubernetes: "kubernetes",
  argocd: "argocd",
  helm: "helm",
  compose: "compose",
  runbook: "runbooks",
};
