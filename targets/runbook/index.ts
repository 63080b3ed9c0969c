import type { Target } from "../types.js";

export const runbookTarget: Target = {
  name: "runbook",
  description: "(not yet implemented)",
  generate: () => [],
};
