import type { Diagnostic } from "../diagnostics.js";
import type { ModelRule } from "./types.js";

/**
 * A namespace that denies egress (it lists egress peers) but holds a database archiving to object
 * storage: the WAL never leaves, so the RPO the backup promises cannot hold. plinth cannot express
 * "the object store's endpoints" as a peer yet, so it says so rather than guess an address range.
 */
export const egressBackupsRule: ModelRule = {
  id: "network/egress-blocks-backups",
  severity: "warning",
  stage: "model",
  description: "A namespace denies egress but holds a data service that archives to object storage.",
  check(model) {
    const out: Diagnostic[] = [];
    for (const ns of model.namespaces) {
      if (!ns.networkPolicy?.denyEgress) continue;
      const archived = model.backups.filter((b) => b.cluster === ns.cluster && b.dataService !== undefined && b.destinationPath !== undefined && b.namespaces.includes(ns.name));
      if (archived.length === 0) continue;
      const reaches = ns.networkPolicy.allowEgressTo.some((p) => p.cidr !== undefined);
      if (reaches) continue;
      out.push({
        rule: this.id,
        severity: "warning",
        path: [...ns.at, "networkPolicy", "allowEgressTo"],
        message: `${ns.cluster}/${ns.name} denies egress, but ${archived.map((b) => b.name).join(", ")} archive${archived.length === 1 ? "s" : ""} to ${archived[0]!.destinationPath}: nothing can leave to reach it (nor the Kubernetes API the operator's instance manager needs)`,
        hint: "add the object store's and API server's address ranges: allowEgressTo: [{ cidr: \"…\" }]",
      });
    }
    return out;
  },
};
