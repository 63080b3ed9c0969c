import type { Spec } from "../../spec/schema.js";
import { formatDuration, parseDuration, parseQuantity } from "../../spec/units.js";
import type {
  Model,
  ModelBackup,
  ModelBucket,
  ModelCluster,
  ModelDeployment,
  ModelEnvironment,
  ModelExternalSecret,
  ModelNamespace,
  ModelProfile,
  ModelStateBackend,
  ModelRollout,
  ModelSecretStore,
  ModelService,
  ModelDataService,
  ModelServiceChartVersion,
  Tier,
} from "../model.js";
import { ENGINE_DEFAULTS, resolveComponent, withClusterDefaults } from "./components.js";
import { cronMaxGapSeconds } from "./cron.js";
import { planRecovery } from "./recovery.js";
import { resolveTiers } from "./tiers.js";
import { deploymentChart } from "./charts.js";
import { lockedDigests, type LockedReleases } from "../../spec/releases.js";

const TIERS: Tier[] = ["lite", "standard", "full"];
const ACME_SERVERS = {
  letsencrypt: "https://acme-v02.api.letsencrypt.org/directory",
  "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

/** The `{{args.NAME}}` an analysis query may use: plinth fills these for every deployment. */
export const ANALYSIS_ARGS = ["service-name", "namespace", "environment"] as const;
const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const sorted = (items: Iterable<string>) => [...new Set(items)].sort();
const seconds = (text: string) => parseDuration(text)!;
/** Default WAL archive_timeout of a CloudNativePG cluster. */
const DEFAULT_ARCHIVE_TIMEOUT = "5m";
/** Where the CloudNativePG operand images (Postgres with barman-cloud) of each Postgres version are published. */
const CNPG_IMAGE = "ghcr.io/cloudnative-pg/postgresql";

type SpecEnvironment = Spec["environments"][number];

/** Environment fields after `extends` is applied (base first, own fields win). */
export function inherit(spec: Spec): SpecEnvironment[] {
  const byEnvName = new Map(spec.environments.map((e) => [e.name, e]));
  const done = new Map<string, SpecEnvironment>();
  const visit = (env: SpecEnvironment, seen: Set<string>): SpecEnvironment => {
    const cached = done.get(env.name);
    if (cached) return cached;
    let merged = env;
    if (env.extends && !seen.has(env.name)) {
      const base = byEnvName.get(env.extends);
      if (base) {
        const resolvedBase = visit(base, new Set([...seen, env.name]));
        const { name: _n, extends: _e, preview: _p, promoteFrom: _f, ...inheritable } = resolvedBase;
        merged = { ...inheritable, ...stripUndefined(env) } as SpecEnvironment;
      }
    }
    done.set(env.name, merged);
    return merged;
  };
  return spec.environments.map((env) => visit(env, new Set()));
}

/** An environment's ArgoCD sync settings with their defaults applied. */
function syncSettings(e: SpecEnvironment): { sync: "auto" | "manual"; prune: boolean; selfHeal: boolean } {
  const sync = e.sync ?? "manual";
  return { sync, prune: e.prune ?? false, selfHeal: e.selfHeal ?? sync === "auto" };
}

/**
 * Sync policy of a cluster's root app-of-apps. The root only creates ArgoCD objects (projects, component
 * applications, ApplicationSets); each environment's own policy still gates its workloads. So the root is
 * automated if any environment on the cluster syncs automatically, self-heals only if every automated one
 * does, and prunes only if every environment prunes (pruning the root deletes whole ApplicationSets).
 * A cluster without environments runs only platform components: automated and self-healing, never pruned.
 */
function rootSyncPolicy(environments: SpecEnvironment[]): { automated: boolean; prune: boolean; selfHeal: boolean } {
  const settings = environments.map(syncSettings);
  if (settings.length === 0) return { automated: true, prune: false, selfHeal: true };
  const automatedOnes = settings.filter((s) => s.sync === "auto");
  return {
    automated: automatedOnes.length > 0,
    prune: settings.every((s) => s.prune),
    selfHeal: automatedOnes.length > 0 && automatedOnes.every((s) => s.selfHeal),
  };
}

/**
 * One stack's state in the profile's backend: every stack needs a state of its own, so the S3 key and an
 * absolute local path get the stack folder before the file name, and an HTTP address gets it appended
 * (the state name is the last path segment in GitLab-style endpoints). A relative local path already
 * lives in the stack's own folder.
 */
function stackStateBackend(backend: ModelStateBackend, stack: string): ModelStateBackend {
  const inFolder = (path: string) => {
    const slash = path.lastIndexOf("/");
    return slash < 0 ? `${stack}/${path}` : `${path.slice(0, slash)}/${stack}/${path.slice(slash + 1)}`;
  };
  switch (backend.type) {
    case "s3":
      return { ...backend, key: inFolder(backend.key) };
    case "local":
      return backend.path.startsWith("/") ? { type: "local", path: inFolder(backend.path) } : backend;
    case "http":
      return { type: "http", address: `${backend.address.replace(/\/+$/, "")}/${stack}` };
  }
}

/** Path of a generated file or folder inside the GitOps repository; gitopsPath "." is the repository root. */
export function gitopsRepoPath(gitopsPath: string, path: string): string {
  const base = gitopsPath
    .split("/")
    .filter((segment) => segment !== "" && segment !== ".")
    .join("/");
  return base === "" ? path : `${base}/${path}`;
}

/** IngressClass of the ingress controller a cluster runs, when plinth knows it (k3s ships Traefik). */
function ingressClassFor(kind: string, components: readonly { name: string }[]): string | undefined {
  if (components.some((c) => c.name === "ingress-nginx")) return "nginx";
  return kind === "k3s" ? "traefik" : undefined;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Spec → Model. Assumes references were checked (checks/references) before it runs. */
export function resolve(spec: Spec, lock: LockedReleases = {}, serviceCharts: readonly ModelServiceChartVersion[] = []): Model {
  const releases = lockedDigests(lock);
  const platformName = spec.name;
  const repositories =
    "monorepo" in spec.repositories
      ? { app: spec.repositories.monorepo, gitops: spec.repositories.monorepo, infra: spec.repositories.monorepo, monorepo: true }
      : { ...spec.repositories, monorepo: false };

  const profiles: ModelProfile[] = spec.profiles.map((p, i) => ({
    name: p.name,
    cloud: p.cloud,
    ...(p.region !== undefined && { region: p.region }),
    ...(p.accountId !== undefined && { accountId: p.accountId }),
    dns: p.dns,
    secrets: p.secrets,
    objectStorage: p.objectStorage,
    registry: p.registry,
    storageClass: p.storageClass,
    stateBackend:
      p.stateBackend === undefined
        ? { type: "local", path: "terraform.tfstate" }
        : p.stateBackend.type === "s3"
          ? { ...p.stateBackend, key: p.stateBackend.key ?? `${platformName}/terraform.tfstate` }
          : p.stateBackend.type === "local"
            ? { type: "local", path: p.stateBackend.path ?? "terraform.tfstate" }
            : p.stateBackend,
    at: ["profiles", i],
  }));
  const profileByName = new Map(profiles.map((p) => [p.name, p]));

  const environmentsSpec = inherit(spec);
  const namespaceEnvironment = new Map<string, string>();
  environmentsSpec.forEach((e) => {
    if (e.cluster && e.namespace && !e.preview) namespaceEnvironment.set(`${e.cluster}/${e.namespace}`, e.name);
  });

  const namespaces: ModelNamespace[] = spec.namespaces.map((n, i) => {
    const environment = namespaceEnvironment.get(`${n.cluster}/${n.name}`);
    const quota = n.quota && {
      ...(n.quota.cpu !== undefined && { cpu: String(n.quota.cpu), cpuCores: parseQuantity(n.quota.cpu)! }),
      ...(n.quota.memory !== undefined && { memory: String(n.quota.memory), memoryBytes: parseQuantity(n.quota.memory)! }),
      ...(n.quota.pods !== undefined && { pods: n.quota.pods }),
    };
    const limitRange = containerDefaults(quota, n.limitRange);
    return {
      name: n.name,
      cluster: n.cluster,
      ...(n.purpose !== undefined && { purpose: n.purpose }),
      ...(n.team !== undefined && { team: n.team }),
      ...(environment !== undefined && { environment }),
      ...(quota && { quota }),
      ...(limitRange && { limitRange }),
      ...(n.networkPolicy && {
        networkPolicy: { ...n.networkPolicy, denyEgress: n.networkPolicy.defaultDeny && n.networkPolicy.allowEgressTo.length > 0 },
      }),
      podSecurity: n.podSecurity,
      labels: sortKeys({
        ...n.labels,
        "app.kubernetes.io/managed-by": "plinth",
        "app.kubernetes.io/part-of": platformName,
        ...(environment !== undefined && { "plinth.dev/environment": environment }),
        ...(n.team !== undefined && { "plinth.dev/team": n.team }),
      }),
      at: ["namespaces", i],
    };
  });

  // Platform applications go to their own AppProject; "plinth-platform" if the spec already has a "platform".
  const platformProject = spec.projects.some((p) => p.name === "platform") ? "plinth-platform" : "platform";
  const clusters: ModelCluster[] = spec.clusters.map((c, i) => {
    const profile = profileByName.get(c.profile)!;
    const region = c.region ?? profile.region;
    const components = c.components.map(resolveComponent).sort((a, b) => a.syncWave - b.syncWave || byName(a, b));
    const ingressClassName = ingressClassFor(c.kind, components);
    const stacks = { infra: `${c.name}-infra`, bootstrap: `${c.name}-bootstrap` };
    const clusterEnvironments = environmentsSpec.filter((e) => e.cluster === c.name && (e.runtime ?? "kubernetes") === "kubernetes");
    return {
      name: c.name,
      profile: c.profile,
      cloud: profile.cloud,
      kind: c.kind,
      ...(region !== undefined && { region }),
      kubernetesVersion: c.kubernetesVersion,
      nodePools: c.nodePools.map((pool) => ({ ...pool, labels: sortKeys(pool.labels) })),
      capacity: {
        cpu: String(c.capacity.cpu),
        memory: String(c.capacity.memory),
        cpuCores: parseQuantity(c.capacity.cpu)!,
        memoryBytes: parseQuantity(c.capacity.memory)!,
        ...(c.capacity.overcommit && { overcommit: { reason: c.capacity.overcommit.reason } }),
      },
      components,
      argocdNamespace: c.argocdNamespace,
      loadBalancerIPs: sortKeys(c.loadBalancerIPs),
      server: c.server ?? "https://kubernetes.default.svc",
      namespaces: sorted(namespaces.filter((n) => n.cluster === c.name).map((n) => n.name)),
      stacks,
      iam: { externalSecretsRole: `${platformName}-${c.name}-external-secrets`, veleroRole: `${platformName}-${c.name}-velero` },
      // The operator's service account lives wherever the cluster installs the component.
      externalSecretsServiceAccount: {
        name: "external-secrets",
        namespace: c.components.map(resolveComponent).find((x) => x.name === "external-secrets")?.namespace ?? "external-secrets",
      },
      // The velero chart names the server's account `<fullname>-server`; the release is `velero`.
      veleroServiceAccount: { name: "velero-server", namespace: components.find((x) => x.name === "velero")?.namespace ?? resolveComponent("velero").namespace },
      resourcePrefix: `${platformName}-${c.name}`,
      stateBackends: { infra: stackStateBackend(profile.stateBackend, stacks.infra), bootstrap: stackStateBackend(profile.stateBackend, stacks.bootstrap) },
      argocd: { ...(components.find((x) => x.name === "argocd") ?? resolveComponent("argocd")), namespace: c.argocdNamespace },
      rootApplication: `${platformName}-${c.name}-root`,
      rootSync: rootSyncPolicy(clusterEnvironments),
      platformProject,
      gitopsPaths: { argocd: gitopsRepoPath(spec.gitopsPath, `argocd/${c.name}`), kubernetes: gitopsRepoPath(spec.gitopsPath, `kubernetes/${c.name}`) },
      ...(ingressClassName !== undefined && { ingressClassName }),
      ...(spec.certificates &&
        ingressClassName !== undefined &&
        components.some((x) => x.name === "cert-manager") && {
          certificateIssuer: {
            name: spec.certificates.server,
            server: ACME_SERVERS[spec.certificates.server],
            email: spec.certificates.acmeEmail,
            ingressClassName,
          },
        }),
      at: ["clusters", i],
    };
  });
  const clusterByName = new Map(clusters.map((c) => [c.name, c]));

  const services: ModelService[] = spec.services.map((s, i) => {
    const portNumber = (name: string) => s.ports.find((p) => p.name === name)?.port ?? 0;
    const probe = (p: (typeof s.probes)["liveness"]) => p && { ...p, portNumber: portNumber(p.port) };
    const serviceNames = new Set(spec.services.map((x) => x.name));
    return {
      name: s.name,
      image: s.image,
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
      secretEnv: Object.keys(s.secrets).sort().map((name) => ({ name, ref: s.secrets[name]! })),
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
      overrideEnvironments: Object.keys(s.overrides).sort(),
      at: ["services", i],
    };
  });

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
    placements: [],
    overrideEnvironments: Object.keys(d.overrides).sort(),
    at: ["dataServices", i],
  }));

  // The promotion path: kubernetes environments that are not previews, in ladder order.
  let previousRung: string | undefined;
  const environments: ModelEnvironment[] = environmentsSpec.map((e, index) => {
    const runtime = e.runtime ?? (e.cluster ? "kubernetes" : "compose");
    const promotable = runtime === "kubernetes" && !e.preview;
    const promoteFrom = promotable ? (e.promoteFrom ?? previousRung) : e.promoteFrom;
    if (promotable) previousRung = e.name;
    const tier = e.tier ?? "standard";
    const { sync, prune, selfHeal } = syncSettings(e);
    const production = e.production ?? false;
    const inTier = (item: { tiers: Tier[]; namespace?: string }) => item.tiers.includes(tier);
    return {
      name: e.name,
      index,
      runtime,
      ...(e.cluster !== undefined && { cluster: e.cluster }),
      ...(e.namespace !== undefined && { namespace: e.namespace }),
      ...((e.dataNamespace ?? e.namespace) !== undefined && { dataNamespace: e.dataNamespace ?? e.namespace }),
      promotable,
      ...(promoteFrom !== undefined && { promoteFrom }),
      production,
      sync,
      prune,
      selfHeal,
      approval: e.approval ?? "none",
      scale:
        e.scale === undefined
          ? { kind: "fixed", replicas: 1 }
          : "replicas" in e.scale
            ? { kind: "fixed", replicas: e.scale.replicas }
            : { kind: "autoscale", min: e.scale.min, max: e.scale.max, targetCPU: e.scale.targetCPU },
      tier,
      hosts: e.hosts ?? [],
      featureFlags: sortKeys(e.featureFlags ?? {}),
      ...(e.secrets && { secrets: e.secrets }),
      ...(e.rollout !== undefined && { rollout: e.rollout }),
      data: e.data ?? "synthetic",
      ...(e.preview && {
        preview: {
          repository: e.preview.repository,
          owner: e.preview.repository.split("/")[0]!,
          repo: e.preview.repository.split("/")[1] ?? "",
          namespacePrefix: e.preview.namespacePrefix,
          labels: e.preview.labels,
          requeueAfterSeconds: seconds(e.preview.requeueAfter),
          ...(e.preview.host !== undefined && { host: e.preview.host }),
        },
      }),
      ...(e.recovery && {
        recovery: { ...e.recovery, rtoSeconds: seconds(e.recovery.rto), rpoSeconds: seconds(e.recovery.rpo) },
      }),
      restoreEstimates: Object.fromEntries(Object.entries(e.restoreEstimates ?? {}).map(([k, v]) => [k, seconds(v)])),
      services: sorted(services.filter(inTier).map((s) => s.name)),
      dataServices: sorted(dataServices.filter((d) => inTier(d) && d.namespace === undefined).map((d) => d.name)),
      at: ["environments", index],
    };
  });

  // Where each data service runs, sized per environment where the spec says so.
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
      return {
        cluster: p.cluster,
        namespace: p.namespace,
        ...(p.environment !== undefined && { environment: p.environment }),
        instances: override?.instances ?? source.instances,
        ...(storage !== undefined && { storage: String(storage) }),
        ...(resources && { resources: stringifyResources(resources) }),
      };
    });
  });

  // Default-deny would also shut out the platform's own controllers. Open each namespace to the
  // ones that must reach into it: the ingress controller and Prometheus where services run, the
  // CloudNativePG operator where its clusters run.
  for (const ns of namespaces) {
    if (!ns.networkPolicy?.defaultDeny) continue;
    const cluster = clusterByName.get(ns.cluster);
    if (!cluster) continue;
    const componentNamespace = (name: string) => cluster.components.find((c) => c.name === name)?.namespace;
    const hostedEnvironments = environments.filter((e) => e.cluster === ns.cluster && e.runtime === "kubernetes");
    const runsServices = hostedEnvironments.some((e) => e.namespace === ns.name && e.services.length > 0);
    const runsPostgres =
      hostedEnvironments.some((e) => e.dataNamespace === ns.name && e.dataServices.some((d) => dataServices.find((x) => x.name === d)?.engine === "postgres")) ||
      dataServices.some((d) => d.engine === "postgres" && d.namespace === ns.name);
    // Where the controller that serves this cluster's Ingress class runs (k3s' Traefik: kube-system).
    const ingressNamespace =
      cluster.ingressClassName === "nginx" ? componentNamespace("ingress-nginx") : cluster.ingressClassName === "traefik" ? "kube-system" : componentNamespace("envoy-gateway");
    const implied = [
      ...(runsServices ? [ingressNamespace, componentNamespace("monitoring")] : []),
      ...(runsPostgres ? [componentNamespace("cloudnative-pg")] : []),
    ].filter((n): n is string => n !== undefined && n !== ns.name);
    const present = new Set(ns.networkPolicy.allowFrom.map((p) => p.namespace));
    const added = sorted(implied.filter((n) => !present.has(n)));
    if (added.length > 0) ns.networkPolicy = { ...ns.networkPolicy, allowFrom: [...ns.networkPolicy.allowFrom, ...added.map((namespace) => ({ namespace }))] };
  }

  const storeSpec = new Map(spec.secretStores.map((s) => [s.name, s]));
  const storeKind = (name: string) => (storeSpec.get(name)?.scope === "namespace" ? "SecretStore" : "ClusterSecretStore");
  const refreshFor = (rotation?: string, explicit?: string) =>
    explicit ?? (rotation ? formatDuration(Math.min(3600, Math.max(60, seconds(rotation) / 24))) : "1h");

  const namespaceCluster = new Map(namespaces.map((n) => [n.name, n.cluster]));
  const externalSecrets: ModelExternalSecret[] = spec.secrets.map((s, i) => ({
    name: s.name,
    cluster: s.cluster ?? namespaceCluster.get(s.namespace)!,
    namespace: s.namespace,
    store: s.data[0]!.ref.store,
    storeKind: storeKind(s.data[0]!.ref.store),
    refreshInterval: refreshFor(s.rotation, s.refreshInterval),
    ...(s.rotation !== undefined && { rotation: s.rotation }),
    ...(s.purpose !== undefined && { purpose: s.purpose }),
    data: s.data.map((d) => ({ secretKey: d.secretKey, key: d.ref.key, ...(d.ref.property !== undefined && { property: d.ref.property }) })),
    at: ["secrets", i],
  }));

  // An environment deploys through the first project that lists its namespace, else through ArgoCD's
  // built-in "default" project. A preview without a namespace of its own goes with the first rung of
  // the ladder on its cluster.
  const projectOf = (env: ModelEnvironment) => {
    const namespace = env.namespace ?? (env.preview ? environments.find((e) => e.promotable && e.cluster === env.cluster)?.namespace : undefined);
    const onCluster = namespaces.some((n) => n.name === namespace && n.cluster === env.cluster);
    return (onCluster && spec.projects.find((p) => p.namespaces.includes(namespace!))?.name) || "default";
  };
  const deployments: ModelDeployment[] = [];
  for (const env of environments) {
    if (env.runtime !== "kubernetes" || env.cluster === undefined) continue;
    for (const serviceName of env.services) {
      const service = services.find((s) => s.name === serviceName)!;
      const specService = spec.services[service.at[1] as number]!;
      const override = specService.overrides[env.name];
      const namespace = env.preview ? `${env.preview.namespacePrefix}{number}` : env.namespace!;
      const secretName = service.secretEnv.length > 0 ? `${service.name}-secrets` : undefined;
      const digest = releases[service.name]?.[env.name];
      const secretData = () => {
        // The environment's prefix applies to every key read from the environment's own store.
        const keyFor = (ref: { store?: string; key: string }) =>
          env.secrets && env.secrets.store === (ref.store ?? env.secrets.store) ? `${env.secrets.prefix}/${ref.key}` : ref.key;
        return service.secretEnv.map((s) => ({ secretKey: s.name, key: keyFor(s.ref), ...(s.ref.property !== undefined && { property: s.ref.property }) }));
      };
      // One store per deployment (checks/secret-stores makes sure the references agree).
      const secretStore = service.secretEnv.length > 0 ? (service.secretEnv[0]!.ref.store ?? env.secrets?.store) : undefined;
      deployments.push({
        environment: env.name,
        service: service.name,
        cluster: env.cluster,
        namespace,
        releaseName: service.name,
        application: env.preview ? `${env.name}-{number}-${service.name}` : `${env.name}-${service.name}`,
        project: projectOf(env),
        valuesPath: `helm/${env.name}/${service.name}.values.yaml`,
        valuesRepoPath: gitopsRepoPath(spec.gitopsPath, `helm/${env.name}/${service.name}.values.yaml`),
        image: { repository: service.image, ...(digest !== undefined && { digest }) },
        chart: deploymentChart(service, lock[service.name]?.[env.name], serviceCharts, (p) => gitopsRepoPath(spec.gitopsPath, p)),
        scale: override?.replicas !== undefined ? { kind: "fixed", replicas: override.replicas } : env.scale,
        ...((override?.resources ?? service.resources) && { resources: stringifyResources(mergeResources(specService.resources, override?.resources)!) }),
        env: sortKeys({ ...service.env, ...(override?.env ?? {}) }),
        featureFlags: env.featureFlags,
        hosts: env.preview?.host ? [env.preview.host] : env.hosts,
        ...(env.rollout !== undefined && { rollout: env.rollout }),
        ...(secretName !== undefined && { secretName }),
        // A preview's namespace exists only per pull request, so its chart creates the ExternalSecret.
        ...(secretName !== undefined &&
          env.preview && {
            chartExternalSecret: { store: secretStore!, storeKind: storeKind(secretStore!), refreshInterval: "1h", data: secretData() },
          }),
      });
      if (secretName !== undefined && !env.preview) {
        const store = secretStore!;
        externalSecrets.push({
          name: secretName,
          cluster: env.cluster,
          namespace,
          store,
          storeKind: storeKind(store),
          refreshInterval: "1h",
          purpose: `environment of ${service.name} in ${env.name}`,
          environment: env.name,
          service: service.name,
          data: secretData(),
          at: service.at,
        });
      }
    }
  }
  externalSecrets.sort((a, b) => cmp(a.cluster, b.cluster) || cmp(a.namespace, b.namespace) || cmp(a.name, b.name));

  const secretStores: ModelSecretStore[] = spec.secretStores.map((s, i) => {
    const users = externalSecrets.filter((e) => e.store === s.name);
    const placements =
      s.scope === "cluster"
        ? sorted(users.map((u) => u.cluster)).map((cluster) => ({ cluster }))
        : sorted(users.map((u) => `${u.cluster}/${u.namespace}`)).map((key) => {
            const [cluster, namespace] = key.split("/") as [string, string];
            return { cluster, namespace };
          });
    // One Kubernetes auth mount per cluster in Vault: a spec path already ending in -<cluster> is kept.
    const vaultAuthMount = (cluster: string) =>
      s.vault && (s.vault.auth.mountPath.endsWith(`-${cluster}`) ? s.vault.auth.mountPath : `${s.vault.auth.mountPath}-${cluster}`);
    return {
      name: s.name,
      kind: storeKind(s.name),
      backend: s.backend,
      ...(s.vault && { vault: s.vault }),
      ...(s.aws && { aws: s.aws }),
      ...(s.kubernetes && { kubernetes: s.kubernetes }),
      placements: placements.map((p) => ({ ...p, ...(s.vault && { vaultAuthMount: vaultAuthMount(p.cluster)! }) })),
      at: ["secretStores", i],
    };
  });

  const rollouts: ModelRollout[] = spec.rollouts.map((r, i) => {
    const at = ["rollouts", i];
    switch (r.strategy) {
      case "canary": {
        const steps = r.steps.map((step) =>
          "setWeight" in step ? { setWeight: step.setWeight } : "pause" in step ? { pause: step.pause === undefined ? {} : { duration: step.pause } } : { analysis: { templates: (step as { analysis: string[] }).analysis } },
        );
        const analyses = sorted([...r.backgroundAnalysis, ...r.steps.flatMap((s) => ("analysis" in s ? s.analysis : []))]);
        return { ...r, steps, analyses, at };
      }
      case "blueGreen":
        return { ...r, analyses: sorted(r.prePromotionAnalysis), at };
      default:
        return { ...r, analyses: [], at };
    }
  });

  // What a deployment passes for each argument its rollout's AnalysisTemplates declare.
  for (const deployment of deployments) {
    const names = sorted(
      (rollouts.find((r) => r.name === deployment.rollout)?.analyses ?? []).flatMap((name) => {
        const analysis = spec.analyses.find((a) => a.name === name);
        return analysis ? analysisArgs(analysis) : [];
      }),
    );
    const known: Record<(typeof ANALYSIS_ARGS)[number], string> = { "service-name": deployment.releaseName, namespace: deployment.namespace, environment: deployment.environment };
    const values = names.filter((name): name is keyof typeof known => Object.hasOwn(known, name)).map((name) => [name, known[name]] as const);
    if (values.length > 0) deployment.analysisArgs = Object.fromEntries(values);
  }

  // Buckets: one backup bucket per cluster that has anything to back up.
  const bucketName = (cluster: string) => `${platformName}-${cluster}-backups`;
  const backups: ModelBackup[] = [];
  spec.backups.forEach((b, i) => {
    const cluster = clusterByName.get(b.cluster)!;
    const covered = b.namespaces ?? cluster.namespaces;
    backups.push({
      name: b.name,
      method: b.method,
      cluster: b.cluster,
      namespaces: sorted(covered),
      schedule: b.schedule,
      retention: b.retention,
      retentionDays: Math.ceil(seconds(b.retention) / 86400),
      ...(b.method === "velero" && { bucket: b.bucket ?? bucketName(b.cluster) }),
      prefix: b.method === "velero" ? "velero" : `etcd/${b.name}`,
      ...(cronMaxGapSeconds(b.schedule) !== undefined && { maxDataLossSeconds: cronMaxGapSeconds(b.schedule)! }),
      at: ["backups", i],
    });
  });
  // One backup per place a data service runs (cluster and namespace): each instance writes its own
  // archive, so the prefix carries the namespace. Two instances sharing a prefix (dev and staging in
  // one bucket) would mix their WAL archives. Names get the environment (or, for a fixed namespace on
  // several clusters, the cluster) only when the data service runs in more than one place.
  spec.dataServices.forEach((d, i) => {
    if (!d.backup) return;
    const seen = new Set<string>();
    const placements = dataServices.find((x) => x.name === d.name)!.placements
      .filter((p) => !seen.has(`${p.cluster}/${p.namespace}`) && seen.add(`${p.cluster}/${p.namespace}`))
      .sort((a, b) => cmp(a.cluster, b.cluster) || cmp(a.namespace, b.namespace));
    const pitr = d.backup.method === "cnpg-pitr";
    const archiveTimeout = pitr ? seconds(d.backup.archiveTimeout ?? DEFAULT_ARCHIVE_TIMEOUT) : undefined;
    const maxDataLoss = archiveTimeout ?? cronMaxGapSeconds(d.backup.schedule);
    for (const placement of placements.length > 0 ? placements : [undefined]) {
      const base = `${d.name}-${d.backup.method}`;
      backups.push({
        name: placements.length > 1 ? `${base}-${placement!.environment ?? placement!.cluster}` : base,
        method: d.backup.method,
        ...(placement !== undefined && { cluster: placement.cluster }),
        dataService: d.name,
        namespaces: placement !== undefined ? [placement.namespace] : [],
        schedule: d.backup.schedule,
        retention: d.backup.retention,
        retentionDays: Math.ceil(seconds(d.backup.retention) / 86400),
        ...(placement !== undefined && { bucket: d.backup.bucket ?? bucketName(placement.cluster) }),
        prefix: placement !== undefined ? `${d.engine}/${placement.namespace}/${d.name}` : `${d.engine}/${d.name}`,
        ...(maxDataLoss !== undefined && { maxDataLossSeconds: maxDataLoss }),
        ...(archiveTimeout !== undefined && { archiveTimeoutSeconds: archiveTimeout }),
        at: ["dataServices", i, "backup"],
      });
    }
  });
  backups.sort((a, b) => cmp(a.cluster ?? "", b.cluster ?? "") || byName(a, b));
  // Object-store location of each bucket-backed backup: its writer and the restore runbook share it.
  for (const backup of backups) {
    // CSI snapshots stay on the cluster's storage, not in a bucket.
    if (!backup.bucket || !backup.cluster || backup.method === "volume-snapshot") continue;
    const storage = profileByName.get(clusterByName.get(backup.cluster)!.profile)!.objectStorage;
    backup.destinationPath = `s3://${backup.bucket}/${backup.prefix}`;
    if (storage.provider === "minio") {
      if (storage.endpoint !== undefined) backup.endpoint = storage.endpoint;
      if (backup.dataService !== undefined) backup.credentialsSecret = `${backup.dataService}-backup-s3`;
    }
  }

  const bucketMap = new Map<string, ModelBucket>();
  for (const backup of backups) {
    if (!backup.bucket || !backup.cluster) continue;
    const existing = bucketMap.get(backup.bucket);
    const retentionDays = Math.max(existing?.retentionDays ?? 0, backup.retentionDays);
    bucketMap.set(backup.bucket, {
      name: backup.bucket,
      cluster: backup.cluster,
      profile: clusterByName.get(backup.cluster)!.profile,
      purpose: "backups",
      retentionDays,
    });
  }
  const buckets = [...bucketMap.values()].sort(byName);

  // Component values that depend on the buckets, backups, profile and service accounts (user values still win).
  for (const cluster of clusters) {
    Object.assign(cluster, withClusterDefaults({ cluster, profile: profileByName.get(cluster.profile)!, backups, buckets, externalSecrets, secretStores }));
  }

  const roles = spec.roles.map((r, i) => ({
    name: r.name,
    ...(r.description !== undefined && { description: r.description }),
    groups: r.groups,
    environments: r.environments ?? environments.map((e) => e.name),
    actions: r.actions,
    at: ["roles", i],
  }));

  const projects = spec.projects.map((p, i) => {
    const own = deployments.filter((d) => d.project === p.name);
    // Previews deploy into `<prefix><number>` namespaces the project must allow by pattern.
    const previewDestinations = environments
      .filter((e) => e.preview && e.cluster && own.some((d) => d.environment === e.name))
      .map((e) => ({ cluster: e.cluster!, server: clusterByName.get(e.cluster!)!.server, namespace: `${e.preview!.namespacePrefix}*` }));
    return {
      name: p.name,
      ...(p.description !== undefined && { description: p.description }),
      destinations: [
        ...p.namespaces.flatMap((ns) =>
          namespaces
            .filter((n) => n.name === ns)
            .map((n) => ({ cluster: n.cluster, server: clusterByName.get(n.cluster)!.server, namespace: n.name })),
        ),
        ...previewDestinations,
      ],
      // Charts of the services deployed through the project come from their own repositories.
      sourceRepos: sorted([repositories.app, repositories.gitops, ...p.sourceRepos, ...own.map((d) => services.find((s) => s.name === d.service)!.chart.repoURL)]),
      roles: p.roles,
      clusterResources: p.clusterResources,
      at: ["projects", i],
    };
  });

  const tiers = resolveTiers(spec.tiers, services, dataServices, environments, releases);

  const model: Omit<Model, "recovery"> = {
    platform: {
      name: platformName,
      organisation: spec.organisation,
      ...(spec.domain !== undefined && { domain: spec.domain }),
      repositories,
      revision: spec.revision,
      gitopsPath: spec.gitopsPath,
      decisions: spec.decisions,
    },
    profiles,
    clusters,
    namespaces: namespaces.sort((a, b) => cmp(a.cluster, b.cluster) || byName(a, b)),
    environments,
    services: services.sort(byName),
    deployments,
    dataServices: dataServices.sort(byName),
    secretStores: secretStores.sort(byName),
    externalSecrets,
    analyses: spec.analyses.map((a, i) => ({ ...a, args: analysisArgs(a), at: ["analyses", i] })).sort(byName),
    rollouts: rollouts.sort(byName),
    backups,
    buckets,
    drills: spec.drills,
    roles,
    projects,
    tiers,
    releases: sortKeys(Object.fromEntries(Object.entries(releases).map(([k, v]) => [k, sortKeys(v)]))),
    releaseLock: sortKeys(Object.fromEntries(Object.entries(lock).map(([k, v]) => [k, sortKeys(v)]))),
    // Only the versions some environment renders with are written into the generated tree.
    serviceCharts: serviceCharts.filter((c) => deployments.some((d) => d.chart.kind === "plinth-service" && d.chart.version === c.version)),
  };
  return deepFreeze({ ...model, recovery: planRecovery(model) });
}


/** Names an Argo Rollouts analysis references as `{{args.NAME}}` (in its query or conditions), sorted. */
function analysisArgs(a: { query: string; successCondition: string; failureCondition?: string }): string[] {
  const text = [a.query, a.successCondition, a.failureCondition ?? ""].join("\n");
  return sorted([...text.matchAll(/\{\{\s*args\.([A-Za-z0-9_.-]+?)\s*\}\}/g)].map((m) => m[1]!));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]!]));
}

type Amounts = { cpu?: string | number; memory?: string | number };

/**
 * An environment's override over the base resources, amount by amount: overriding a cpu request
 * keeps the base's memory request and its limits.
 */
export function mergeResources(
  base: { requests?: Amounts; limits?: Amounts } | undefined,
  override: { requests?: Amounts; limits?: Amounts } | undefined,
): { requests?: Amounts; limits?: Amounts } | undefined {
  if (!override) return base;
  const requests = { ...base?.requests, ...override.requests };
  const limits = { ...base?.limits, ...override.limits };
  return {
    ...(Object.keys(requests).length > 0 && { requests }),
    ...(Object.keys(limits).length > 0 && { limits }),
  };
}
const amounts = (a: Amounts) => ({ ...(a.cpu !== undefined && { cpu: String(a.cpu) }), ...(a.memory !== undefined && { memory: String(a.memory) }) });

function stringifyAmounts(limits: { default?: Amounts; defaultRequest?: Amounts }) {
  return { ...(limits.default && { default: amounts(limits.default) }), ...(limits.defaultRequest && { defaultRequest: amounts(limits.defaultRequest) }) };
}

/**
 * Container defaults a namespace gets when its spec sets no limitRange but its quota caps CPU or
 * memory: the quota caps the sum of requests, and the API server then rejects every pod whose
 * containers set no request for a capped resource — which platform charts that leave resources empty
 * (ArgoCD, External Secrets, kube-prometheus-stack) do. The memory limit gives every container one, so
 * the quota may cap limits.memory too. A documented plinth default, applied here and nowhere else.
 */
export const DEFAULT_LIMIT_RANGE = { default: { memory: "512Mi" }, defaultRequest: { cpu: "100m", memory: "128Mi" } } as const;

/**
 * The namespace's LimitRange: the spec's, or DEFAULT_LIMIT_RANGE when its quota caps CPU or memory and
 * the spec sets none. A spec limitRange that neither requests nor limits a capped resource gets the
 * default request for it, for the same reason (a default limit already implies an equal request).
 */
function containerDefaults(
  quota: { cpu?: string; memory?: string } | undefined,
  limitRange: { default?: Amounts; defaultRequest?: Amounts } | undefined,
): { default?: { cpu?: string; memory?: string }; defaultRequest?: { cpu?: string; memory?: string } } | undefined {
  const capped = (["cpu", "memory"] as const).filter((resource) => quota?.[resource] !== undefined);
  if (!limitRange) {
    return capped.length > 0 ? { default: { ...DEFAULT_LIMIT_RANGE.default }, defaultRequest: { ...DEFAULT_LIMIT_RANGE.defaultRequest } } : undefined;
  }
  const own = stringifyAmounts(limitRange);
  const missing = capped.filter((resource) => own.default?.[resource] === undefined && own.defaultRequest?.[resource] === undefined);
  if (missing.length === 0) return own;
  const defaultRequest = { ...own.defaultRequest, ...Object.fromEntries(missing.map((resource) => [resource, DEFAULT_LIMIT_RANGE.defaultRequest[resource]])) };
  return { ...own, defaultRequest: { ...(defaultRequest.cpu !== undefined && { cpu: defaultRequest.cpu }), ...(defaultRequest.memory !== undefined && { memory: defaultRequest.memory }) } };
}

function stringifyResources(r: { requests?: Amounts; limits?: Amounts }) {
  return { ...(r.requests && { requests: amounts(r.requests) }), ...(r.limits && { limits: amounts(r.limits) }) };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
