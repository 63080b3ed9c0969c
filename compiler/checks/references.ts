import type { Spec } from "../../spec/schema.js";
import { didYouMean, type Diagnostic } from "../diagnostics.js";
import type { SpecPath } from "../model.js";
import { resolveComponent } from "../resolve/components.js";
import type { SpecRule } from "./types.js";

/**
 * Every name that points at something else must resolve: cluster, namespace, profile, environment,
 * secret store, service, data service, rollout, analysis, role. Also duplicate names, and release
 * lock entries for services or environments that do not exist.
 */
export const referencesRule: SpecRule = {
  id: "ref/unknown",
  severity: "error",
  stage: "spec",
  description: "A reference to a cluster, namespace, environment, store, service, rollout, analysis or role that is not defined.",
  check(spec, lock) {
    const out: Diagnostic[] = [];
    const names = (items: { name: string }[]) => new Set(items.map((i) => i.name));
    const profiles = names(spec.profiles);
    const clusters = names(spec.clusters);
    const namespaces = names(spec.namespaces);
    const environments = names(spec.environments);
    const stores = names(spec.secretStores);
    const services = names(spec.services);
    const dataServices = names(spec.dataServices);
    const rollouts = names(spec.rollouts);
    const analyses = names(spec.analyses);
    const roles = names(spec.roles);
    const tiers = new Set(spec.tiers.map((t) => t.name as string));

    const ref = (kind: string, value: string | undefined, known: Set<string>, path: SpecPath, source: "spec" | "lock" = "spec") => {
      if (value === undefined || known.has(value)) return;
      const hint = didYouMean(value, known);
      out.push({
        rule: `ref/unknown-${kind.replace(/ /g, "-")}`,
        severity: "error",
        path,
        source,
        message: `unknown ${kind} '${value}'${hint ? ` — ${hint}` : ""}`,
        ...(known.size > 0 && !hint && { hint: `defined: ${listed([...known].sort())}` }),
      });
    };
    const duplicates = (kind: string, items: { name: string }[], at: string, scope?: (item: { name: string }) => string) => {
      const seen = new Set<string>();
      items.forEach((item, i) => {
        const key = scope ? `${scope(item)}/${item.name}` : item.name;
        if (seen.has(key)) out.push({ rule: "ref/duplicate-name", severity: "error", path: [at, i, "name"], message: `duplicate ${kind} name '${item.name}'` });
        seen.add(key);
      });
    };

    duplicates("profile", spec.profiles, "profiles");
    duplicates("cluster", spec.clusters, "clusters");
    duplicates("namespace", spec.namespaces, "namespaces", (n) => (n as Spec["namespaces"][number]).cluster);
    duplicates("environment", spec.environments, "environments");
    duplicates("service", [...spec.services, ...spec.dataServices], "services");
    duplicates("secret store", spec.secretStores, "secretStores");
    duplicates("rollout", spec.rollouts, "rollouts");
    duplicates("analysis", spec.analyses, "analyses");

    spec.profiles.forEach((p, i) => {
      ref("secret store", p.dns.credentials?.store, stores, ["profiles", i, "dns", "credentials", "store"]);
      ref("secret store", p.objectStorage.credentialsStore, stores, ["profiles", i, "objectStorage", "credentialsStore"]);
    });
    spec.clusters.forEach((c, i) => ref("profile", c.profile, profiles, ["clusters", i, "profile"]));
    // Peers may also be namespaces that components and Kubernetes itself create.
    const peerNamespaces = new Set([
      ...namespaces,
      "kube-system",
      ...spec.clusters.flatMap((c) => [c.argocdNamespace, ...c.components.map((x) => resolveComponent(x).namespace)]),
    ]);
    spec.namespaces.forEach((n, i) => {
      ref("cluster", n.cluster, clusters, ["namespaces", i, "cluster"]);
      for (const key of ["allowFrom", "allowEgressTo"] as const) {
        n.networkPolicy?.[key].forEach((peer, j) => {
          if ("namespace" in peer) ref("namespace", peer.namespace, peerNamespaces, ["namespaces", i, "networkPolicy", key, j, "namespace"]);
        });
      }
    });
    const clusterNamespaces = (cluster: string | undefined) => new Set(spec.namespaces.filter((n) => n.cluster === cluster).map((n) => n.name));
    spec.environments.forEach((e, i) => {
      const at = (key: string): SpecPath => ["environments", i, key];
      ref("environment", e.extends, environments, at("extends"));
      ref("environment", e.promoteFrom, environments, at("promoteFrom"));
      ref("cluster", e.cluster, clusters, at("cluster"));
      if (e.cluster && clusters.has(e.cluster)) {
        ref(`namespace on cluster ${e.cluster}`, e.namespace, clusterNamespaces(e.cluster), at("namespace"));
        ref(`namespace on cluster ${e.cluster}`, e.dataNamespace, clusterNamespaces(e.cluster), at("dataNamespace"));
      }
      ref("secret store", e.secrets?.store, stores, ["environments", i, "secrets", "store"]);
      ref("rollout", e.rollout, rollouts, at("rollout"));
      if (e.tier !== undefined && tiers.size > 0) ref("tier", e.tier, tiers, at("tier"));
      if ((e.runtime ?? (e.cluster ? "kubernetes" : "compose")) === "kubernetes" && !e.cluster && !e.extends) {
        out.push({ rule: "ref/missing-cluster", severity: "error", path: ["environments", i], message: `environment '${e.name}' runs on kubernetes but names no cluster` });
      }
    });
    // extends cycles
    spec.environments.forEach((e, i) => {
      const chain = [e.name];
      let next = e.extends;
      while (next !== undefined) {
        if (chain.includes(next)) {
          out.push({ rule: "ref/extends-cycle", severity: "error", path: ["environments", i, "extends"], message: `environment inheritance cycle: ${[...chain, next].join(" → ")}` });
          break;
        }
        chain.push(next);
        next = spec.environments.find((x) => x.name === next)?.extends;
      }
    });
    const dependable = new Set([...services, ...dataServices]);
    spec.services.forEach((s, i) => {
      s.dependsOn.forEach((d, j) => ref("service or data service", d, dependable, ["services", i, "dependsOn", j]));
      for (const [env, secretRef] of Object.entries(s.secrets)) ref("secret store", secretRef.store, stores, ["services", i, "secrets", env, "store"]);
      for (const [env, override] of Object.entries(s.overrides)) ref("rollout", override.rollout, rollouts, ["services", i, "overrides", env, "rollout"]);
      for (const env of Object.keys(s.overrides)) ref("environment", env, environments, ["services", i, "overrides", env]);
      const ports = new Set(s.ports.map((p) => p.name));
      if (s.ingress) ref("port", s.ingress.port, ports, ["services", i, "ingress", "port"]);
      for (const kind of ["liveness", "readiness"] as const) {
        const probe = s.probes[kind];
        if (probe) ref("port", probe.port, ports, ["services", i, "probes", kind, "port"]);
      }
    });
    spec.dataServices.forEach((d, i) => {
      ref("namespace", d.namespace, namespaces, ["dataServices", i, "namespace"]);
      for (const env of Object.keys(d.overrides)) ref("environment", env, environments, ["dataServices", i, "overrides", env]);
    });
    spec.secrets.forEach((s, i) => {
      if (s.cluster !== undefined) {
        ref("cluster", s.cluster, clusters, ["secrets", i, "cluster"]);
        if (clusters.has(s.cluster)) ref(`namespace on cluster ${s.cluster}`, s.namespace, clusterNamespaces(s.cluster), ["secrets", i, "namespace"]);
      } else {
        ref("namespace", s.namespace, namespaces, ["secrets", i, "namespace"]);
        const owners = spec.namespaces.filter((n) => n.name === s.namespace).map((n) => n.cluster);
        if (owners.length > 1) {
          out.push({
            rule: "ref/ambiguous-namespace",
            severity: "error",
            path: ["secrets", i, "namespace"],
            message: `namespace '${s.namespace}' exists on clusters ${owners.join(" and ")}: say which with cluster`,
            hint: `cluster: "${owners[0]}"`,
          });
        }
      }
      s.data.forEach((d, j) => ref("secret store", d.ref.store, stores, ["secrets", i, "data", j, "ref", "store"]));
    });
    spec.rollouts.forEach((r, i) => {
      const used: [string, SpecPath][] = [];
      if (r.strategy === "canary") {
        r.steps.forEach((step, j) => {
          if ("analysis" in step) (step.analysis as string[]).forEach((a, k) => used.push([a, ["rollouts", i, "steps", j, "analysis", k]]));
        });
        r.backgroundAnalysis.forEach((a, k) => used.push([a, ["rollouts", i, "backgroundAnalysis", k]]));
      }
      if (r.strategy === "blueGreen") r.prePromotionAnalysis.forEach((a, k) => used.push([a, ["rollouts", i, "prePromotionAnalysis", k]]));
      for (const [name, path] of used) ref("analysis", name, analyses, path);
    });
    spec.backups.forEach((b, i) => {
      ref("cluster", b.cluster, clusters, ["backups", i, "cluster"]);
      b.namespaces?.forEach((n, j) => ref("namespace", n, namespaces, ["backups", i, "namespaces", j]));
    });
    spec.drills.forEach((d, i) => ref("environment", d.environment, environments, ["drills", i, "environment"]));
    spec.roles.forEach((r, i) => r.environments?.forEach((e, j) => ref("environment", e, environments, ["roles", i, "environments", j])));
    spec.projects.forEach((p, i) => {
      p.namespaces.forEach((n, j) => ref("namespace", n, namespaces, ["projects", i, "namespaces", j]));
      p.roles.forEach((r, j) => ref("role", r, roles, ["projects", i, "roles", j]));
    });
    for (const [service, byEnv] of Object.entries(lock)) {
      ref("service", service, services, [service], "lock");
      for (const env of Object.keys(byEnv)) ref("environment", env, environments, [service, env], "lock");
    }
    return out;
  },
};

/** At most a dozen names, so a hint stays one readable line. */
function listed(names: string[]): string {
  return names.length <= 12 ? names.join(", ") : `${names.slice(0, 12).join(", ")}, … (${names.length - 12} more)`;
}
