import type { Target } from "../types.js";

export const helmTarget: Target = {
  name: "helm",
  description: "(not yet implemented)",
  generate: () => [],
};
