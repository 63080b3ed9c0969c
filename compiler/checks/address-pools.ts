import type { Diagnostic } from "../diagnostics.js";
import type { ModelRule } from "./types.js";

/** An IPv4 address as a number, or undefined for anything else (IPv6 is not checked). */
function ipv4(text: string): number | undefined {
  const parts = text.trim().split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** The first and last address of a pool range: a CIDR or `start-end`; undefined if not IPv4. */
export function ipv4Range(range: string): [number, number] | undefined {
  if (range.includes("/")) {
    const [base, bits] = range.split("/");
    const start = ipv4(base!);
    const prefix = Number(bits);
    if (start === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined;
    const size = 2 ** (32 - prefix);
    const first = Math.floor(start / size) * size;
    return [first, first + size - 1];
  }
  const [from, to] = range.split("-");
  const start = ipv4(from!);
  const end = to === undefined ? start : ipv4(to);
  return start === undefined || end === undefined || end < start ? undefined : [start, end];
}

/**
 * A fixed LoadBalancer address on a cluster with MetalLB pools must lie in one of them, or MetalLB
 * never assigns it and the Service stays pending.
 */
export const addressPoolsRule: ModelRule = {
  id: "network/address-outside-pool",
  severity: "error",
  stage: "model",
  description: "A fixed LoadBalancer address lies outside every MetalLB pool of its cluster, or a pool range is not an address range.",
  check(model) {
    const out: Diagnostic[] = [];
    for (const cluster of model.clusters) {
      if (cluster.ipPools.length === 0) continue;
      const ranges: [number, number][] = [];
      cluster.ipPools.forEach((pool, i) =>
        pool.addresses.forEach((range, j) => {
          const parsed = ipv4Range(range);
          if (parsed) ranges.push(parsed);
          else if (!range.includes(":")) {
            out.push({ rule: this.id, severity: this.severity, path: [...cluster.at, "ipPools", i, "addresses", j], message: `'${range}' is neither a CIDR nor a start-end range of IPv4 addresses` });
          }
        }),
      );
      for (const [name, address] of Object.entries(cluster.loadBalancerIPs)) {
        const value = ipv4(address);
        if (value === undefined || ranges.some(([a, b]) => value >= a && value <= b)) continue;
        out.push({
          rule: this.id,
          severity: this.severity,
          path: [...cluster.at, "loadBalancerIPs", name],
          message: `${name}'s address ${address} lies in none of ${cluster.name}'s MetalLB pools (${cluster.ipPools.flatMap((p) => p.addresses).join(", ")}): it would never be assigned`,
          hint: "widen a pool to include it, or pick an address inside one",
        });
      }
    }
    return out;
  },
};
