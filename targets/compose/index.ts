import type { Target } from "../types.js";

export const composeTarget: Target = {
  name: "compose",
  description: "(not yet implemented)",
  generate: () => [],
};
