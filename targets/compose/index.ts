import type { Model, ModelTier } from "../../compiler/model.js";
import type { OutputFile, Target } from "../types.js";
import { renderComposeFile } from "./compose-file.js";
import { renderEnvExample, renderReadme, renderSecretsReadme, SECRETS_GITIGNORE } from "./docs.js";
import { planBundle } from "./plan.js";

/**
 * One tier's self-host bundle, paths relative to the bundle folder. `plinth compose` writes exactly
 * these; the target puts them under compose/<tier>/.
 */
export function composeBundleFiles(model: Model, tier: ModelTier): OutputFile[] {
  const plan = planBundle(model, tier);
  return [
    { path: ".env.example", content: renderEnvExample(plan) },
    { path: "README.md", content: renderReadme(model, plan) },
    { path: "compose.yaml", content: renderComposeFile(plan) },
    { path: "secrets/.gitignore", content: SECRETS_GITIGNORE },
    { path: "secrets/README.md", content: renderSecretsReadme(plan) },
  ];
}

export const composeTarget: Target = {
  name: "compose",
  description: "Docker Compose self-host bundles, one per dependency tier: compose.yaml, .env.example, README.md and a secrets/ note",
  generate: (model) =>
    model.tiers.flatMap((tier) => composeBundleFiles(model, tier).map((file) => ({ path: `compose/${tier.name}/${file.path}`, content: file.content }))),
};
