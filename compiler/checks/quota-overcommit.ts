import { formatBytes } from "../../spec/units.js";
import type { Diagnostic } from "../diagnostics.js";
import type { ModelRule } from "./types.js";

const formatCores = (cores: number) => `${Number(cores.toFixed(3))}`;

/**
 * The namespace quotas of a cluster must fit its capacity. Seed 001 calls 6Gi + 1.5Gi + 4Gi of
 * quota on a 10Gi node "safe headroom"; it is 1.5Gi overcommitted. A cluster may accept
 * overcommit explicitly, with a reason: then this is a note, not an error.
 */
export const quotaOvercommitRule: ModelRule = {
  id: "quota/overcommit",
  severity: "error",
  stage: "model",
  description: "Namespace quotas on a cluster add up to more memory or CPU than the cluster has.",
  check(model) {
    const out: Diagnostic[] = [];
    for (const cluster of model.clusters) {
      const namespaces = model.namespaces.filter((n) => n.cluster === cluster.name && n.quota);
      const resources = [
        { key: "memory", total: cluster.capacity.memoryBytes, shown: cluster.capacity.memory, pick: (n: (typeof namespaces)[number]) => n.quota?.memoryBytes, format: formatBytes },
        { key: "cpu", total: cluster.capacity.cpuCores, shown: cluster.capacity.cpu, pick: (n: (typeof namespaces)[number]) => n.quota?.cpuCores, format: formatCores },
      ] as const;
      for (const resource of resources) {
        const parts = namespaces.filter((n) => resource.pick(n) !== undefined);
        const sum = parts.reduce((acc, n) => acc + resource.pick(n)!, 0);
        if (sum <= resource.total) continue;
        const accepted = cluster.capacity.overcommit;
        const breakdown = parts.map((n) => `${n.name} ${n.quota![resource.key]}`).join(" + ");
        out.push({
          rule: this.id,
          severity: accepted ? "note" : "error",
          path: [...cluster.at, "capacity", resource.key],
          message:
            `namespace ${resource.key} quotas on cluster '${cluster.name}' add up to ${resource.format(sum)} (${breakdown}) ` +
            `but the cluster has ${resource.shown}: overcommitted by ${resource.format(sum - resource.total)}` +
            (accepted ? ` — accepted: ${accepted.reason}` : ""),
          ...(!accepted && {
            hint: "lower the quotas, raise capacity, or accept it with capacity.overcommit: { accepted: true, reason: \"…\" }",
          }),
        });
      }
    }
    return out;
  },
};
