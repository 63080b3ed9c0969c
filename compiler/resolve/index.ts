/**
 * resolve: Spec → Model. One module per spec concern (as spec/ is split); this file only orders them.
 * Every default is applied and every reference resolved here, so targets never compute either.
 * Assumes references were checked (checks/references) before it runs.
 */
import type { Spec } from "../../spec/schema.js";
import type { Model } from "../model.js";
import { resolveProjects, resolveRoles } from "./access.js";
import { resolveBackups, resolveBuckets } from "./backups.js";
import { resolveClusters } from "./clusters.js";
import { resolveComponent, withClusterDefaults } from "./components.js";
import { resolveDeployGraph, resolvePrerequisites } from "./deploy.js";
import { resolveDeployments } from "./deployments.js";
import { inherit, resolveEnvironments } from "./environments.js";
import { resolveWorkloadIdentities } from "./identity.js";
import { admitPlatformControllers, resolveNamespaces } from "./namespaces.js";
import { assignPerformers } from "./performers.js";
import { objectStoreUserSecrets, resolveObjectStoreUsers } from "./object-store-users.js";
import { resolveProfiles } from "./profiles.js";
import { planRecovery, planRestoreDrills } from "./recovery.js";
import { passAnalysisArgs, resolveAnalyses, resolveRollouts } from "./rollouts.js";
import { assignSecretOwners, labelPreviewTokens, resolveDnsCredentialSecrets, resolvePlatformSecrets, resolveSecretStores } from "./secrets.js";
import { resolveBindings } from "./bindings.js";
import { placeDataServices, resolveDataServices, resolveServices } from "./services.js";
import { resolveTiers } from "./tiers.js";
import { byName, cmp, deepFreeze, sortKeys, sorted } from "./util.js";
import { lockedDigests, type LockedReleases } from "../../spec/releases.js";
import type { ModelServiceChartVersion } from "../model.js";

export { inherit } from "./environments.js";
export { ANALYSIS_ARGS } from "./rollouts.js";
export { DEFAULT_LIMIT_RANGE } from "./namespaces.js";
export { gitopsRepoPath, mergeResources } from "./util.js";

export interface ResolveOptions {
  /**
   * Deep-freeze the Model, so a target that mutates it throws (default true). Tests run with it on;
   * a CLI run skips it (compiler/pipeline.ts), where on a large platform it costs a few percent of
   * the build and guards nothing the tests have not.
   */
  freeze?: boolean;
}

export function resolve(spec: Spec, lock: LockedReleases = {}, serviceCharts: readonly ModelServiceChartVersion[] = [], options: ResolveOptions = {}): Model {
  const releases = lockedDigests(lock);
  const repositories =
    "monorepo" in spec.repositories
      ? { app: spec.repositories.monorepo, gitops: spec.repositories.monorepo, infra: spec.repositories.monorepo, monorepo: true }
      : { ...spec.repositories, monorepo: false };

  const profiles = resolveProfiles(spec);
  const environmentsSpec = inherit(spec);
  const namespaces = resolveNamespaces(spec, environmentsSpec);
  const clusters = resolveClusters(spec, profiles, namespaces, environmentsSpec);
  const services = resolveServices(spec, repositories);
  const dataServices = resolveDataServices(spec);
  const environments = resolveEnvironments(environmentsSpec, services, dataServices);
  placeDataServices(spec, dataServices, namespaces, environments);
  admitPlatformControllers(namespaces, clusters, environments, dataServices);

  const backups = resolveBackups(spec, clusters, profiles, dataServices);
  const buckets = resolveBuckets(backups, clusters);
  const objectStoreUsers = resolveObjectStoreUsers(spec, clusters, profiles, backups);
  const externalSecrets = [
    ...resolvePlatformSecrets(spec, namespaces),
    ...resolveDnsCredentialSecrets(spec, clusters, profiles),
    ...objectStoreUserSecrets(spec, objectStoreUsers),
  ];
  // Component namespaces that hold such a Secret are created by plinth, before the component reads it.
  for (const cluster of clusters) {
    const holding = [
      ...externalSecrets.filter((e) => e.cluster === cluster.name).map((e) => e.namespace),
      // A Secret OpenTofu writes directly also needs its namespace before the component that reads it.
      ...objectStoreUsers.filter((u) => u.cluster === cluster.name && u.placement.kind === "secret").map((u) => u.secret.namespace),
    ];
    cluster.componentNamespaces = sorted(holding.filter((namespace) => !cluster.namespaces.includes(namespace)));
  }
  labelPreviewTokens(environments, clusters, externalSecrets);
  const deployments = resolveDeployments(spec, environments, services, namespaces, releases, externalSecrets, clusters, profiles, lock, serviceCharts);
  const specStores = resolveSecretStores(spec, externalSecrets, clusters);
  resolveBindings(deployments, services, dataServices, environments, externalSecrets, specStores);
  const secretStores = assignSecretOwners(specStores, externalSecrets, deployments, clusters);
  const rollouts = resolveRollouts(spec);
  passAnalysisArgs(spec, deployments, rollouts);

  // Who takes each backup: some performers log in to Vault through the stores' auth mounts.
  assignPerformers(backups, clusters, profiles, dataServices, secretStores);
  // Scheduled volume snapshots are SnapScheduler's SnapshotSchedules: a cluster taking them gets the operator.
  for (const cluster of clusters) {
    const snapshots = backups.some((b) => b.cluster === cluster.name && b.method === "volume-snapshot" && b.performer.kind === "objects");
    if (snapshots && !cluster.components.some((c) => c.name === "snapscheduler")) cluster.components = [...cluster.components, resolveComponent("snapscheduler")].sort(byName);
  }
  // Component values that depend on the buckets, backups, profile and service accounts (user values still win).
  const profileByName = new Map(profiles.map((p) => [p.name, p]));
  for (const cluster of clusters) {
    cluster.workloadIdentities = resolveWorkloadIdentities(spec.name, cluster, profileByName.get(cluster.profile)!, backups, buckets, externalSecrets, secretStores);
    Object.assign(cluster, withClusterDefaults({ platformName: spec.name, cluster, profile: profileByName.get(cluster.profile)!, backups, buckets, externalSecrets, secretStores }));
  }

  const roles = resolveRoles(spec, environments);
  const projects = resolveProjects(spec, repositories, clusters, namespaces, environments, services, deployments);
  const tiers = resolveTiers(spec.tiers, services, dataServices, environments, releases);

  const model: Omit<Model, "recovery" | "restoreDrills" | "deploy"> = {
    platform: {
      name: spec.name,
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
    analyses: resolveAnalyses(spec, environments, deployments, rollouts),
    rollouts,
    backups,
    buckets,
    objectStoreUsers,
    drills: spec.drills,
    roles,
    projects,
    tiers,
    prerequisites: resolvePrerequisites(spec),
    releases: sortKeys(Object.fromEntries(Object.entries(releases).map(([k, v]) => [k, sortKeys(v)]))),
    // A copy: the Model is frozen, the caller's lock is not.
    releaseLock: sortKeys(Object.fromEntries(Object.entries(structuredClone(lock)).map(([k, v]) => [k, sortKeys(v)]))),
    // Only the versions some environment renders with are written into the generated tree.
    serviceCharts: serviceCharts.filter((c) => deployments.some((d) => d.chart.kind === "plinth-service" && d.chart.version === c.version)),
  };
  const withRecovery = { ...model, recovery: planRecovery(model), restoreDrills: planRestoreDrills(model) };
  const resolved: Model = { ...withRecovery, deploy: resolveDeployGraph(withRecovery) };
  return options.freeze === false ? resolved : deepFreeze(resolved);
}
