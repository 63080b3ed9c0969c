import { dataRuntime } from "../resolve/data-engines.js";
import { SEED_JOB } from "../resolve/deployments.js";
import { previewBase, previewDataApplicationSetName } from "../resolve/environments.js";
import type { Diagnostic } from "../diagnostics.js";
import type { SpecPath } from "../model.js";
import type { SpecRule } from "./types.js";

/** Lists whose names become file paths or object names, beyond those the references rule checks. */
const NAMED_LISTS = [
  ["tiers", "tier"],
  ["projects", "project"],
  ["roles", "role"],
  ["backups", "backup"],
] as const;

/**
 * What each field's grammar cannot see: names unique in every list that becomes files (tiers,
 * projects, roles, secrets, backups, a cluster's components and node pools), a service's ports
 * unique by name and number, no service depending on itself, and every min at most its max.
 */
export const specConsistencyRule: SpecRule = {
  id: "spec/consistency",
  severity: "error",
  stage: "spec",
  description: "Duplicate ports, a self-dependency, or a minimum above its maximum.",
  check(spec) {
    const out: Diagnostic[] = [];
    /** Names must differ within their scope (a secret's is its cluster and namespace). */
    const unique = (kind: string, names: string[], at: (i: number) => SpecPath, scopes?: string[]) => {
      const seen = new Set<string>();
      names.forEach((name, i) => {
        const key = `${scopes?.[i] ?? ""}\0${name}`;
        if (seen.has(key)) out.push({ rule: "ref/duplicate-name", severity: "error", path: at(i), message: `duplicate ${kind} name '${name}'${scopes ? ` in ${scopes[i]}` : ""}` });
        seen.add(key);
      });
    };
    for (const [key, kind] of NAMED_LISTS) unique(kind, (spec[key] as { name: string }[]).map((item) => item.name), (i) => [key, i, "name"]);
    unique(
      "secret",
      spec.secrets.map((secret) => secret.name),
      (i) => ["secrets", i, "name"],
      spec.secrets.map((secret) => `namespace '${secret.namespace}'${secret.cluster ? ` of cluster '${secret.cluster}'` : ""}`),
    );
    spec.clusters.forEach((cluster, i) => {
      unique("component", cluster.components.map((c) => (typeof c === "string" ? c : c.name)), (j) => ["clusters", i, "components", j]);
      unique("node pool", cluster.nodePools.map((p) => p.name), (j) => ["clusters", i, "nodePools", j, "name"]);
    });
    // A preview's own ApplicationSets sit beside the environments' (named after them) in ArgoCD's namespace.
    const environmentNames = new Map(spec.environments.map((e, i) => [e.name, i]));
    spec.environments.forEach((environment) => {
      if (!environment.preview) return;
      const chartRun = spec.dataServices.filter((d) => dataRuntime(d.engine)?.kind === "chart").map((d) => previewDataApplicationSetName(environment.name, d.name));
      for (const name of [previewBase(environment).applicationSet, ...chartRun]) {
        const clash = environmentNames.get(name);
        if (clash === undefined) continue;
        out.push({
          rule: "ref/duplicate-name",
          severity: "error",
          path: ["environments", clash, "name"],
          message: `duplicate ApplicationSet name '${name}': environment '${name}' and preview '${environment.name}' (its pull requests' namespaces and data services) would both write it`,
        });
      }
    });
    spec.services.forEach((service, i) => {
      // Volumes share the pod, Jobs the names `<service>-<job>`; the seed-data Job is the last pre-release Job.
      const volumes = [...service.caches.map((v, j) => ({ name: v.name, at: ["caches", j, "name"] })), ...service.state.map((v, j) => ({ name: v.name, at: ["state", j, "name"] }))];
      const scope = (list: unknown[]) => list.map(() => `service '${service.name}'`);
      unique("volume", volumes.map((v) => v.name), (j) => ["services", i, ...volumes[j]!.at], scope(volumes));
      const jobs = [
        ...service.preRelease.map((job, j) => ({ name: job.name, at: ["preRelease", j, "name"] })),
        ...(service.seedData ? [{ name: SEED_JOB, at: ["seedData"] }] : []),
        ...service.cronJobs.map((job, j) => ({ name: job.name, at: ["cronJobs", j, "name"] })),
      ];
      unique("job", jobs.map((job) => job.name), (j) => ["services", i, ...jobs[j]!.at], scope(jobs));
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
