import type { Diagnostic } from "../diagnostics.js";
import type { SpecRule } from "./types.js";

/**
 * What each field's grammar cannot see: a service's ports are unique by name and number, a service
 * does not depend on itself, and every min is at most its max.
 */
export const specConsistencyRule: SpecRule = {
  id: "spec/consistency",
  severity: "error",
  stage: "spec",
  description: "Duplicate ports, a self-dependency, or a minimum above its maximum.",
  check(spec) {
    const out: Diagnostic[] = [];
    spec.services.forEach((service, i) => {
      const names = new Set<string>();
      const numbers = new Set<string>();
      service.ports.forEach((port, j) => {
        const number = `${port.port}/${port.protocol}`;
        if (names.has(port.name)) out.push({ rule: "service/duplicate-port", severity: "error", path: ["services", i, "ports", j, "name"], message: `service '${service.name}' has two ports named '${port.name}'` });
        else if (numbers.has(number)) out.push({ rule: "service/duplicate-port", severity: "error", path: ["services", i, "ports", j, "port"], message: `service '${service.name}' lists port ${number} twice` });
        names.add(port.name);
        numbers.add(number);
      });
      service.dependsOn.forEach((dependency, j) => {
        if (dependency === service.name) out.push({ rule: "ref/self-dependency", severity: "error", path: ["services", i, "dependsOn", j], message: `service '${service.name}' depends on itself` });
      });
    });
    spec.clusters.forEach((cluster, i) =>
      cluster.nodePools.forEach((pool, j) => {
        if (pool.min > pool.max) out.push({ rule: "spec/min-exceeds-max", severity: "error", path: ["clusters", i, "nodePools", j, "min"], message: `node pool '${pool.name}' has min ${pool.min} above max ${pool.max}` });
      }),
    );
    spec.environments.forEach((environment, i) => {
      const scale = environment.scale;
      if (scale && "min" in scale && scale.min > scale.max) {
        out.push({ rule: "spec/min-exceeds-max", severity: "error", path: ["environments", i, "scale", "min"], message: `environment '${environment.name}' scales from min ${scale.min}, above max ${scale.max}` });
      }
    });
    return out;
  },
};
