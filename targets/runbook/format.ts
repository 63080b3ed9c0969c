import { formatDuration } from "../../spec/units.js";
import type { ModelEnvironment, ModelScale } from "../../compiler/model.js";

/** A number of seconds as the spec writes durations: 5400 → "1h30m". */
export const duration = (seconds: number): string => formatDuration(seconds);

/** What stands between two rungs of the ladder, as people say it. */
export function gateLabel(approval: ModelEnvironment["approval"]): string {
  switch (approval) {
    case "none":
      return "auto";
    case "pr":
      return "PR";
    case "pr+manual":
      return "PR + manual";
  }
}

export function scaleText(scale: ModelScale): string {
  return scale.kind === "fixed"
    ? `${scale.replicas} ${scale.replicas === 1 ? "replica" : "replicas"}`
    : `${scale.min}–${scale.max} replicas (target ${scale.targetCPU}% CPU)`;
}

export const yesNo = (value: boolean): string => (value ? "yes" : "no");

/**
 * Up to this many like items (commands per service, secret paths of a store, resources of a kind)
 * are written out one by one; more (a large platform: services × environments) become one command
 * over a list, a table, or a count, so a runbook grows with what its reader reads.
 */
export const LISTED_IN_FULL = 20;

/**
 * One command per item while there are at most LISTED_IN_FULL; beyond, one loop that reads the
 * items' fields (`variables`, space-separated, one item a line) and runs `command` with them.
 */
export function commandPerItem<T>(items: readonly T[], exact: (item: T) => string, variables: readonly string[], fields: (item: T) => readonly string[], command: string): string[] {
  if (items.length <= LISTED_IN_FULL) return items.map(exact);
  return [`while read -r ${variables.join(" ")}; do ${command}; done <<'EOF'`, ...items.map((item) => fields(item).join(" ")), "EOF"];
}
