import type { Target } from "../types.js";
import { bootstrapStack } from "./bootstrap.js";
import { infraStack } from "./infra.js";

/**
 * Two OpenTofu stacks per cluster, applied in order: infra (what exists outside Kubernetes, per the
 * profile's adapters) and bootstrap (ArgoCD and the root Application, which hands over to GitOps).
 */
export const opentofuTarget: Target = {
  name: "opentofu",
  description: "OpenTofu stacks per cluster: cloud infrastructure, then the ArgoCD bootstrap",
  generate: (model) => model.clusters.flatMap((cluster) => [...infraStack(model, cluster).files(), ...bootstrapStack(model, cluster).files()]),
};
