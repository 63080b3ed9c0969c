import type { Target } from "../types.js";

export const argocdTarget: Target = {
  name: "argocd",
  description: "(not yet implemented)",
  generate: () => [],
};
