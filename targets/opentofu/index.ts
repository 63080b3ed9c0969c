import type { Target } from "../types.js";
import { bootstrapStack } from "./bootstrap.js";
import { infraStack } from "./infra.js";

/**
 * Two OpenTofu stacks per cluster: infra (what exists outside Kubernetes, per the profile's adapters)
 * and bootstrap (ArgoCD and the root Application, which hands over to GitOps), applied in the order
 * the deploy graph gives (runbooks/first-install.md). A .gitignore keeps OpenTofu's working folders,
 * state and plans out of the GitOps repository.
 */
export const opentofuTarget: Target = {
  name: "opentofu",
  description: "OpenTofu stacks per cluster: cloud infrastructure, then the ArgoCD bootstrap",
  generate: (model) =>
    model.clusters.length === 0
      ? []
      : [
          { path: "opentofu/.gitignore", content: GITIGNORE },
          ...model.clusters.flatMap((cluster) => [...infraStack(model, cluster).files(), ...bootstrapStack(model, cluster).files()]),
        ],
};

/** Never committed: provider downloads, local state (it may hold credentials), saved plans, crash logs. */
const GITIGNORE = `# Written by plinth. OpenTofu's working files, state and plans never belong in Git.
.terraform/
*.tfstate
*.tfstate.*
*.tfplan
crash.log
`;
