import type { Diagnostic } from "../diagnostics.js";
import type { ModelRule } from "./types.js";

/**
 * A cluster whose environments promise an RTO but whose OpenTofu state is a local file: the disaster
 * recovery runbook starts from a fresh clone, where that file is not (it is git-ignored), so the
 * restore re-creates or conflicts with what the lost state tracked.
 */
export const localStateRule: ModelRule = {
  id: "state/local-with-rto",
  severity: "warning",
  stage: "model",
  description: "A cluster whose environments promise an RTO keeps its OpenTofu state in a local file, which a restore from a fresh clone does not have.",
  check(model) {
    const out: Diagnostic[] = [];
    for (const cluster of model.clusters) {
      const promising = model.environments.filter((e) => e.cluster === cluster.name && e.recovery !== undefined).map((e) => e.name);
      if (promising.length === 0) continue;
      const local = (["infra", "bootstrap"] as const).filter((stack) => cluster.stateBackends[stack].type === "local").map((stack) => cluster.stacks[stack]);
      if (local.length === 0) continue;
      const profile = model.profiles.find((p) => p.name === cluster.profile)!;
      out.push({
        rule: this.id,
        severity: this.severity,
        path: [...profile.at, "stateBackend"],
        message: `${promising.join(", ")} promise${promising.length === 1 ? "s" : ""} an RTO, but the state of ${local.join(" and ")} is a local file on the machine that last applied it: a restore from a fresh clone starts without it`,
        hint: 'keep the state remote: stateBackend: { type: "s3", bucket: "…", region: "…" } (or an http backend)',
      });
    }
    return out;
  },
};
