import type { Spec } from "../../spec/schema.js";
import type { LockedReleases } from "../../spec/releases.js";
import type { ModelCluster, ModelDeployment, ModelEnvironment, ModelExternalSecret, ModelNamespace, ModelProfile, ModelScale, ModelService, ModelServiceChartVersion } from "../model.js";
import { getOrMake } from "../collections.js";
import { deploymentChart } from "./charts.js";
import { registryHost } from "./clusters.js";
import { registryBase } from "./services.js";
import { storeKindOf } from "./secrets.js";
import { cmp, gitopsRepoPath, mergeResources, sortKeys, stringifyResources } from "./util.js";

/** The name of the data-seeding Job among a deployment's pre-release Jobs. */
export const SEED_JOB = "seed-data";

/**
 * A preview's Jobs start beside their pull request's new database: at least six retries (the Job
 * controller's back-off, 10 s doubling, waits about ten and a half minutes over six) and ten more
 * minutes on their deadline, during which a pod may also wait for the database's credentials Secret.
 */
export const PREVIEW_JOB_RETRIES = 6;
export const PREVIEW_JOB_EXTRA_SECONDS = 600;

/** The bindings of a deployment until resolveBindings gives it its own. */
const NO_BINDINGS: ModelDeployment["bindings"] = Object.freeze({ env: Object.freeze([]) as unknown as ModelDeployment["bindings"]["env"], secretMounts: Object.freeze([]) as unknown as ModelDeployment["bindings"]["secretMounts"] });

/** A spec scale (fixed replicas or an autoscaling range) as the Model holds it. */
export function toScale(scale: Spec["services"][number]["scale"]): ModelScale | undefined {
  if (scale === undefined) return undefined;
  return "replicas" in scale ? { kind: "fixed", replicas: scale.replicas } : { kind: "autoscale", min: scale.min, max: scale.max, targetCPU: scale.targetCPU };
}

/**
 * One deployment per service and Kubernetes environment, and the ExternalSecret of each deployment
 * that reads secrets (added to `externalSecrets`; previews' charts create their own).
 */
export function resolveDeployments(
  spec: Spec,
  environments: readonly ModelEnvironment[],
  services: readonly ModelService[],
  namespaces: readonly ModelNamespace[],
  releases: Record<string, Record<string, string>>,
  externalSecrets: ModelExternalSecret[],
  clusters: readonly ModelCluster[],
  profiles: readonly ModelProfile[],
  lock: LockedReleases = {},
  serviceCharts: readonly ModelServiceChartVersion[] = [],
): ModelDeployment[] {
  // Where each cluster pulls images from: its profile's registry, with the pull Secret when it needs one.
  const registryOf = (cluster: string) => {
    const c = clusters.find((x) => x.name === cluster);
    return { base: registryBase(profiles.find((p) => p.name === c?.profile)?.registry.url ?? ""), pull: c?.registryPull };
  };
  const storageClassOf = (cluster: string) => profiles.find((p) => p.name === clusters.find((x) => x.name === cluster)?.profile)?.storageClass ?? "";
  const storeKind = storeKindOf(spec);
  // An environment deploys through the first project that lists its namespace, else through ArgoCD's
  // built-in "default" project. A preview without a namespace of its own goes with the first rung of
  // the ladder on its cluster.
  const projectOf = (env: ModelEnvironment) => {
    const namespace = env.namespace ?? (env.preview ? environments.find((e) => e.promotable && e.cluster === env.cluster)?.namespace : undefined);
    const onCluster = namespaces.some((n) => n.name === namespace && n.cluster === env.cluster);
    return (onCluster && spec.projects.find((p) => p.namespaces.includes(namespace!))?.name) || "default";
  };
  const deployments: ModelDeployment[] = [];
  const serviceByName = new Map(services.map((s) => [s.name, s]));
  // A service's environment and resources where no override changes them: made once, shared by its
  // deployments (the Model is immutable).
  const defaultEnv = new Map<ModelService, ModelDeployment["env"]>();
  const serviceEnv = (service: ModelService) => {
    let env = defaultEnv.get(service);
    if (!env) defaultEnv.set(service, (env = sortKeys({ ...service.env })));
    return env;
  };
  // One name per service, shared by its deployments (and hashed once where it is looked up).
  const secretNames = new Map<ModelService, string>();
  const serviceSecretName = (service: ModelService) => getOrMake(secretNames, service, () => `${service.name}-secrets`);
  const defaultResources = new Map<ModelService, ModelDeployment["resources"]>();
  const serviceResources = (service: ModelService, specService: Spec["services"][number]) => {
    if (!defaultResources.has(service)) defaultResources.set(service, stringifyResources(mergeResources(specService.resources, undefined)!));
    return defaultResources.get(service);
  };
  const repoPath = (p: string) => gitopsRepoPath(spec.gitopsPath, p);
  // A service's chart (per locked chart version) and a spec scale read the same in every
  // environment that does not override them: made once, shared by the immutable Model.
  const charts = new Map<ModelService, Map<string, ModelDeployment["chart"]>>();
  const chartOf = (service: ModelService, locked: LockedReleases[string][string] | undefined) =>
    getOrMake(getOrMake(charts, service, () => new Map()), locked?.chart ?? "", () => deploymentChart(service, locked, serviceCharts, repoPath));
  const scales = new Map<object, ModelScale | undefined>();
  const scaleOf = (scale: Spec["services"][number]["scale"]) => (scale === undefined ? undefined : getOrMake(scales, scale, () => toScale(scale)));
  for (const env of environments) {
    const project = projectOf(env);
    if (env.runtime !== "kubernetes" || env.cluster === undefined) continue;
    // The same for every service of the environment.
    const registry = registryOf(env.cluster);
    const storageClass = storageClassOf(env.cluster);
    for (const serviceName of env.services) {
      const service = serviceByName.get(serviceName)!;
      const specService = spec.services[service.at[1] as number]!;
      const override = specService.overrides[env.name];
      const namespace = env.preview ? `${env.preview.namespacePrefix}{number}` : env.namespace!;
      const secretName = service.secretEnv.length > 0 ? serviceSecretName(service) : undefined;
      // An image given by path comes from the registry of the cluster's profile.
      const repository = service.imagePath !== undefined ? `${registry.base}/${service.imagePath}` : service.image;
      const digest = releases[service.name]?.[env.name];
      const rollout = override?.rollout ?? env.rollout;
      const valuesPath = `helm/${env.name}/${service.name}.values.yaml`;
      const secretData = () => {
        // The environment's prefix applies to every key read from the environment's own store.
        const keyFor = (ref: { store?: string; key: string }) =>
          env.secrets && env.secrets.store === (ref.store ?? env.secrets.store) ? `${env.secrets.prefix}/${ref.key}` : ref.key;
        return service.secretEnv.map((s) => ({ secretKey: s.name, key: keyFor(s.ref), ...(s.ref.property !== undefined && { property: s.ref.property }) }));
      };
      // One store per deployment (checks/secret-stores makes sure the references agree).
      const secretStore = service.secretEnv.length > 0 ? (service.secretEnv[0]!.ref.store ?? env.secrets?.store) : undefined;
      // Built key by key, in the Model's key order: a literal with optional keys spread into it is
      // copied as it grows, ten thousand times at scale.
      const deployment: ModelDeployment = {
        environment: env.name,
        service: service.name,
        cluster: env.cluster,
        namespace,
        releaseName: service.name,
        application: env.preview ? `${env.name}-{number}-${service.name}` : `${env.name}-${service.name}`,
        project,
        valuesPath,
        valuesRepoPath: gitopsRepoPath(spec.gitopsPath, valuesPath),
        image: digest !== undefined ? { repository, digest } : { repository },
        imagePullSecrets: pullSecretsFor(repository, registry.pull),
        chart: chartOf(service, lock[service.name]?.[env.name]),
        scale: override?.replicas !== undefined ? { kind: "fixed", replicas: override.replicas } : scaleOf(override?.scale ?? specService.scale) ?? env.scale,
      } as ModelDeployment;
      if (override?.resources ?? service.resources) deployment.resources = override?.resources ? stringifyResources(mergeResources(specService.resources, override.resources)!) : serviceResources(service, specService);
      deployment.env = override?.env ? sortKeys({ ...service.env, ...override.env }) : serviceEnv(service);
      deployment.featureFlags = env.featureFlags;
      deployment.hosts = env.preview?.host ? [env.preview.host] : env.hosts;
      if (rollout !== undefined) {
        deployment.rollout = rollout;
        deployment.rolloutAt = override?.rollout !== undefined ? [...service.at, "overrides", env.name, "rollout"] : [...env.at, "rollout"];
      }
      if (secretName !== undefined) deployment.secretName = secretName;
      deployment.caches = service.caches.length > 0 ? service.caches.map((c) => ({ ...c, storageClass })) : [];
      deployment.state = service.state.length > 0 ? service.state.map((v) => ({ ...v, storageClass })) : [];
      // Migrations, then seed data where the data policy asks for it (seed 002: dev's synthetic
      // dataset, previews' fixtures). A preview's Jobs run in sync waves (preReleaseInSyncWaves) and
      // retry while its own database starts, which the same pull request creates.
      const seeded = service.seedData !== undefined && (env.data === "fixtures" || env.data === "synthetic");
      const jobs = seeded ? service.preRelease.concat([{ name: SEED_JOB, ...service.seedData! }]) : service.preRelease;
      deployment.preRelease = env.preview
        ? jobs.map((job) => ({
            ...job,
            backoffLimit: Math.max(job.backoffLimit, PREVIEW_JOB_RETRIES),
            ...(job.activeDeadlineSeconds !== undefined && { activeDeadlineSeconds: job.activeDeadlineSeconds + PREVIEW_JOB_EXTRA_SECONDS }),
          }))
        : jobs.slice();
      deployment.preReleaseInSyncWaves = env.preview !== undefined;
      // Filled in by resolveBindings (compiler/resolve/bindings.ts), which gives every deployment its own.
      deployment.bindings = NO_BINDINGS;
      // A preview's namespace exists only per pull request, so its chart creates the ExternalSecret.
      if (secretName !== undefined && env.preview) deployment.chartExternalSecret = { store: secretStore!, storeKind: storeKind(secretStore!), refreshInterval: "1h", data: secretData() };
      deployments.push(deployment);
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

  return deployments;
}

/** The pull Secret a pod names: the cluster's, when the image comes from the registry it is for. */
function pullSecretsFor(repository: string, pull: ModelCluster["registryPull"]): string[] {
  return pull !== undefined && registryHost(repository) === pull.host ? [pull.secretName] : [];
}
