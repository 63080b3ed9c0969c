import type { Target } from "../types.js";

export const opentofuTarget: Target = {
  name: "opentofu",
  description: "(not yet implemented)",
  generate: () => [],
};
