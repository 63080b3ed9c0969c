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
