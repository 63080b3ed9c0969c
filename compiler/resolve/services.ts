import type { Spec } from "../../spec/schema.js";
import type { ModelDataRuntime, ModelDataService, ModelJob, ModelEnvironment, ModelNamespace, ModelPlatform, ModelService, Tier } from "../model.js";
import { ENGINE_DEFAULTS } from "./components.js";
import { dataConnection, dataRuntime } from "./data-engines.js";
import { parseDuration } from "../../spec/units.js";
import { mergeResources, sortKeys, sorted, stringifyResources } from "./util.js";

export const TIERS: Tier[] = ["lite", "standard", "full"];
/** Where the CloudNativePG operand images (Postgres with barman-cloud) of each Postgres version are published. */
const CNPG_IMAGE = "ghcr.io/cloudnative-pg/postgresql";

/** Services with their chart source, ports, probes and dependencies resolved. */
export function resolveServices(spec: Spec, repositories: ModelPlatform["repositories"]): ModelService[] {
  const serviceNames = new Set(spec.services.map((x) => x.name));
  const services: ModelService[] = spec.services.map((s, i) => {
    const portNumber = (name: string) => s.ports.find((p) => p.name === name)?.port ?? 0;
    const probe = (p: (typeof s.probes)["liveness"]) => p && { ...p, portNumber: portNumber(p.port) };
    return {
      name: s.name,
      ...(typeof s.image === "string" ? { image: s.image } : { image: `${registryBase(spec.profiles[0]?.registry.url ?? "")}/${s.image.path}`, imagePath: s.image.path }),
      chart: s.chart?.repoURL
        ? {
            kind: s.chart.name ? "repository" : "path",
            repoURL: s.chart.repoURL,
            ...(s.chart.path && { path: s.chart.path }),
            ...(s.chart.name && { name: s.chart.name }),
            ...(s.chart.version && { version: s.chart.version }),
            // A chart repository's unpinned chart tracks its newest version; a Git path tracks the platform revision.
            targetRevision: s.chart.version ?? (s.chart.name ? "*" : spec.revision),
          }
        : s.chart?.path
          ? { kind: "path", repoURL: repositories.app, path: s.chart.path, ...(s.chart.version && { version: s.chart.version }), targetRevision: s.chart.version ?? spec.revision }
          : { kind: "plinth-service", repoURL: repositories.gitops, targetRevision: spec.revision },
      ports: s.ports,
      env: sortKeys(s.env),
      secretEnv: Object.keys(s.secrets)
        .sort()
        .map((name) => {
          const { store, key, property } = s.secrets[name]!;
          return { name, ref: { ...(store !== undefined && { store }), key, ...(property !== undefined && { property }) } };
        }),
      ...(s.resources && { resources: stringifyResources(s.resources) }),
      probes: {
        ...(s.probes.liveness && { liveness: probe(s.probes.liveness)! }),
        ...(s.probes.readiness && { readiness: probe(s.probes.readiness)! }),
      },
      dependsOn: {
        services: sorted(s.dependsOn.filter((d) => serviceNames.has(d))),
        dataServices: sorted(s.dependsOn.filter((d) => !serviceNames.has(d))),
      },
      ...(s.ingress && { ingress: s.ingress }),
      tiers: s.tiers ?? TIERS,
      ...(s.command && { command: s.command }),
      caches: s.caches.map((c) => ({ name: c.name, mountPath: c.mountPath, size: String(c.size) })),
      state: s.state.map((v) => ({ name: v.name, mountPath: v.mountPath, size: String(v.size) })),
      preRelease: s.preRelease.map((job) => ({ name: job.name, ...modelJob(job) })),
      ...(s.seedData && { seedData: modelJob(s.seedData) }),
      cronJobs: s.cronJobs.map((job) => ({ name: job.name, schedule: job.schedule, ...modelJob(job) })),
      overrideEnvironments: Object.keys(s.overrides).sort(),
      at: ["services", i],
    };
  });

  return services;
}

function modelJob(job: Omit<Spec["services"][number]["preRelease"][number], "name">): Omit<ModelJob, "name"> {
  return {
    command: job.command,
    ...(job.args && { args: job.args }),
    backoffLimit: job.retries,
    ...(job.timeout !== undefined && { activeDeadlineSeconds: parseDuration(job.timeout)! }),
  };
}

const withRuntime = (runtime: ModelDataRuntime | undefined) => (runtime ? { kubernetes: runtime } : {});

/** Data services with their images and ports; placements are filled in once the environments exist. */
export function resolveDataServices(spec: Spec): ModelDataService[] {
  const dataServices: ModelDataService[] = spec.dataServices.map((d, i) => ({
    name: d.name,
    engine: d.engine,
    version: d.version,
    stateful: d.stateful,
    ...(d.storage !== undefined && { storage: String(d.storage) }),
    instances: d.instances,
    tiers: d.tiers ?? TIERS,
    ...(d.namespace !== undefined && { namespace: d.namespace }),
    ...(d.resources && { resources: stringifyResources(d.resources) }),
    composeImage: d.composeImage ?? ENGINE_DEFAULTS[d.engine]!.image(d.version),
    ...(d.engine === "postgres" && { cnpgImage: `${CNPG_IMAGE}:${d.version}` }),
    port: ENGINE_DEFAULTS[d.engine]!.port,
    ...withRuntime(dataRuntime(d.engine)),
    placements: [],
    previewPlacements: [],
    overrideEnvironments: Object.keys(d.overrides).sort(),
    at: ["dataServices", i],
  }));

  return dataServices;
}

/** A preview copy's volume when the spec does not size one for the preview: fixtures, not production data. */
const PREVIEW_STORAGE = "1Gi";

/** Where each data service runs, sized per environment where the spec says so. */
export function placeDataServices(spec: Spec, dataServices: ModelDataService[], namespaces: readonly ModelNamespace[], environments: readonly ModelEnvironment[]): void {
  dataServices.forEach((data) => {
    const source = spec.dataServices[data.at[1] as number]!;
    const where = data.namespace !== undefined
      ? namespaces.filter((n) => n.name === data.namespace).map((n) => ({ cluster: n.cluster, namespace: n.name, environment: undefined as string | undefined }))
      : environments
          .filter((e) => e.runtime === "kubernetes" && !e.preview && e.dataServices.includes(data.name) && e.cluster && e.dataNamespace)
          .map((e) => ({ cluster: e.cluster!, namespace: e.dataNamespace!, environment: e.name as string | undefined }));
    data.placements = where.map((p) => {
      const override = p.environment !== undefined ? source.overrides[p.environment] : undefined;
      const storage = override?.storage ?? source.storage;
      const resources = mergeResources(source.resources, override?.resources);
      const instances = override?.instances ?? source.instances;
      return {
        cluster: p.cluster,
        namespace: p.namespace,
        ...(p.environment !== undefined && { environment: p.environment }),
        instances,
        ...(storage !== undefined && { storage: String(storage) }),
        ...(resources && { resources: stringifyResources(resources) }),
        connection: dataConnection(data, p.namespace, instances),
      };
    });
    // Previews: a small copy per pull request (one instance unless the spec sizes it for the preview), in
    // the pull request's namespace. A platform component's engine (vault) is the cluster's, shared.
    if (data.kubernetes?.kind === "component") return;
    data.previewPlacements = environments
      .filter((e) => e.runtime === "kubernetes" && e.preview && e.cluster && e.dataServices.includes(data.name))
      .map((e) => {
        const override = source.overrides[e.name];
        const storage = override?.storage ?? (source.storage !== undefined ? PREVIEW_STORAGE : undefined);
        const resources = override?.resources && stringifyResources(override.resources);
        const instances = override?.instances ?? 1;
        return {
          cluster: e.cluster!,
          namespace: `${e.preview!.namespacePrefix}{number}`,
          environment: e.name,
          instances,
          ...(storage !== undefined && { storage: String(storage) }),
          ...(resources && { resources }),
          // Same namespace as the services: the Service's short name.
          connection: dataConnection(data, undefined, instances),
        };
      });
  });

}

/** A registry URL as an image repository prefix: no scheme, no trailing slash. */
export function registryBase(url: string): string {
  return url.replace(/^[a-z]+:\/\//, "").replace(/\/+$/, "");
}
