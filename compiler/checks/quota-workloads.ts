import { formatBytes, parseQuantity } from "../../spec/units.js";
import type { Diagnostic } from "../diagnostics.js";
import type { ModelRule } from "./types.js";
import { getOrMake, groupBy } from "../collections.js";

/** Most named in a message: beyond that, the largest requesters and a count of the rest. */
const MOST_LISTED = 8;

/** A workload as the message names it: "svc ×2". */
const what = (part: { name: string; count: number }) => `${part.name} ×${part.count}`;

function listed<T extends { name: string; count: number }>(parts: readonly T[], amount: (part: T) => number): string {
  if (parts.length <= MOST_LISTED) return parts.map(what).join(", ");
  const largest = parts
    .map((part, i) => ({ part, i, amount: amount(part) }))
    .sort((a, b) => b.amount - a.amount || a.i - b.i)
    .slice(0, MOST_LISTED)
    .map(({ part }) => what(part));
  return `${largest.join(", ")} and ${thousands(parts.length - MOST_LISTED)} others`;
}

/**
 * A count with its thousands separated by commas, as toLocaleString("en") writes it, without
 * setting up ICU (the first Intl call of a process costs tens of milliseconds).
 */
export function thousands(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * What plinth itself deploys into a namespace — services (replicas, or the autoscaler's minimum)
 * and data-service instances — must fit its ResourceQuota, or pods stay Pending from day one.
 */
export const quotaWorkloadsRule: ModelRule = {
  id: "quota/workloads-exceed",
  severity: "warning",
  stage: "model",
  description: "The requests of what plinth deploys into a namespace exceed its ResourceQuota.",
  check(model) {
    const out: Diagnostic[] = [];
    // Thousands of deployments request a handful of distinct amounts: each parsed once.
    const parsed = new Map<string | number, number>();
    const quantity = (amount: string | number) => getOrMake(parsed, amount, () => parseQuantity(amount)!);
    // Deployments by cluster and namespace, grouped once (not a scan of all of them per namespace).
    const deploymentsIn = groupBy(model.deployments, (d) => `${d.cluster}\u0000${d.namespace}`);
    for (const ns of model.namespaces) {
      if (!ns.quota || (ns.quota.cpuCores === undefined && ns.quota.memoryBytes === undefined)) continue;
      const parts: { name: string; count: number; cpu: number; memory: number }[] = [];
      // What the API server charges a container: its request, else its limit, else the LimitRange default.
      type Amounts = { cpu?: string; memory?: string };
      const charged = (resources: { requests?: Amounts; limits?: Amounts } | undefined, key: "cpu" | "memory") =>
        quantity(resources?.requests?.[key] ?? resources?.limits?.[key] ?? ns.limitRange?.defaultRequest?.[key] ?? 0);
      for (const d of deploymentsIn.get(`${ns.cluster}\u0000${ns.name}`) ?? []) {
        const count = d.scale.kind === "fixed" ? d.scale.replicas : d.scale.min;
        parts.push({ name: d.service, count, cpu: charged(d.resources, "cpu"), memory: charged(d.resources, "memory") });
      }
      for (const data of model.dataServices) {
        const here = data.placements.find((p) => p.cluster === ns.cluster && p.namespace === ns.name);
        if (!here) continue;
        parts.push({ name: data.name, count: here.instances, cpu: charged(here.resources, "cpu"), memory: charged(here.resources, "memory") });
      }
      const checks = [
        { key: "memory", limit: ns.quota.memoryBytes, sum: parts.reduce((s, p) => s + p.count * p.memory, 0), format: formatBytes },
        { key: "cpu", limit: ns.quota.cpuCores, sum: parts.reduce((s, p) => s + p.count * p.cpu, 0), format: (n: number) => `${Number(n.toFixed(3))}` },
      ] as const;
      for (const check of checks) {
        if (check.limit === undefined || check.sum <= check.limit) continue;
        out.push({
          rule: this.id,
          severity: "warning",
          path: [...ns.at, "quota", check.key],
          message: `${ns.cluster}/${ns.name} requests ${check.format(check.sum)} ${check.key} for ${listed(parts.filter((p) => p[check.key] > 0), (p) => p.count * p[check.key])}, more than its quota of ${ns.quota[check.key]}`,
          hint: "raise the quota, or lower replicas, instances or requests for this environment",
        });
      }
    }
    return out;
  },
};
