import type { Target } from "../types.js";
import { bootstrapStack } from "./bootstrap.js";
import { configStack, infraStack } from "./infra.js";

/**
 * Up to three OpenTofu stacks per cluster: infra (what exists outside Kubernetes, per the profile's
 * adapters), bootstrap (ArgoCD and the root Application, which hands over to GitOps) and config (Vault's
 * mounts, auth and policies, once Vault runs), applied in the order
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
          ...model.clusters.flatMap((cluster) => {
            const config = configStack(model, cluster);
            return [...infraStack(model, cluster).files(), ...bootstrapStack(model, cluster).files(), ...(config.isEmpty() ? [] : config.files())];
          }),
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
