/**
 * Indexes over a Model, built once per Model on first use, so targets look things up by name instead
 * of scanning a collection inside a loop over another (which made large platforms quadratic).
 * Each lookup returns exactly what the `find`/`filter` it replaces returned: the first match, and
 * lists in the Model's order. Pure: the only state is a cache keyed by the (immutable) Model itself.
 */
import { getOrMake, groupBy } from "./collections.js";
import type { DeployNode, Model, ModelAnalysis, ModelCluster, ModelDataService, ModelDeployment, ModelEnvironment, ModelExternalSecret, ModelRollout, ModelSecretStore, ModelService } from "./model.js";

export interface ModelLookup {
  service(name: string): ModelService | undefined;
  dataService(name: string): ModelDataService | undefined;
  cluster(name: string): ModelCluster | undefined;
  environment(name: string): ModelEnvironment | undefined;
  rollout(name: string): ModelRollout | undefined;
  analysis(name: string): ModelAnalysis | undefined;
  secretStore(name: string): ModelSecretStore | undefined;
  /** The deployment of a service in an environment. */
  deployment(service: string, environment: string): ModelDeployment | undefined;
  /** Deployments of one service, in the Model's order. */
  deploymentsOfService(service: string): readonly ModelDeployment[];
  /** Deployments into one environment, in the Model's order. */
  deploymentsOfEnvironment(environment: string): readonly ModelDeployment[];
  /** Position of a deployment in `model.deployments` (to merge per-service lists back into Model order). */
  deploymentIndex(deployment: ModelDeployment): number;
  /** A node of the deploy graph by its id. */
  deployNode(id: string): DeployNode | undefined;
  /** The ExternalSecret named `name` in a cluster's namespace for one environment. */
  externalSecret(cluster: string, namespace: string, name: string, environment: string | undefined): ModelExternalSecret | undefined;
}

/** A Model, or one whose deploy graph is still being resolved (resolve/deploy.ts looks things up too). */
type Indexed = Omit<Model, "deploy"> & { deploy?: Model["deploy"] };

const cache = new WeakMap<Indexed, ModelLookup>();

/** First element per key, like `find` would return. */
function firstBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    if (!map.has(k)) map.set(k, item);
  }
  return map;
}

function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

const byName = <T extends { name: string }>(items: readonly T[]) => lazy(() => firstBy(items, (i) => i.name));
const externalSecretKey = (cluster: string, namespace: string, name: string, environment: string | undefined) => `${cluster}\0${namespace}\0${name}\0${environment ?? ""}\0${environment === undefined ? 0 : 1}`;
const NONE: readonly never[] = [];
/** Lookups of deploy nodes answered by a scan before the index is built. */
const DEPLOY_NODE_SCANS = 64;

export function lookup(model: Indexed): ModelLookup {
  const known = cache.get(model);
  if (known) return known;
  const services = byName(model.services);
  const dataServices = byName(model.dataServices);
  const clusters = byName(model.clusters);
  const environments = byName(model.environments);
  const rollouts = byName(model.rollouts);
  const analyses = byName(model.analyses);
  const secretStores = byName(model.secretStores);
  // By service, then environment: looked up by the Model's own names, not by a key joined per lookup.
  const deployments = lazy(() => {
    const byService = new Map<string, Map<string, ModelDeployment>>();
    for (const d of model.deployments) {
      const byEnvironment = getOrMake(byService, d.service, () => new Map<string, ModelDeployment>());
      if (!byEnvironment.has(d.environment)) byEnvironment.set(d.environment, d);
    }
    return byService;
  });
  const deploymentsByService = lazy(() => groupBy(model.deployments, (d) => d.service));
  const deploymentsByEnvironment = lazy(() => groupBy(model.deployments, (d) => d.environment));
  const deploymentPositions = lazy(() => new Map(model.deployments.map((d, i) => [d, i])));
  const deployNodes = lazy(() => firstBy(model.deploy?.nodes ?? NONE, (n) => n.id));
  let deployNodeLookups = 0;
  const externalSecrets = lazy(() => firstBy(model.externalSecrets, (e) => externalSecretKey(e.cluster, e.namespace, e.name, e.environment)));
  const made: ModelLookup = {
    service: (name) => services().get(name),
    dataService: (name) => dataServices().get(name),
    cluster: (name) => clusters().get(name),
    environment: (name) => environments().get(name),
    rollout: (name) => rollouts().get(name),
    analysis: (name) => analyses().get(name),
    secretStore: (name) => secretStores().get(name),
    deployment: (service, environment) => deployments().get(service)?.get(environment),
    deploymentsOfService: (service) => deploymentsByService().get(service) ?? NONE,
    deploymentsOfEnvironment: (environment) => deploymentsByEnvironment().get(environment) ?? NONE,
    deploymentIndex: (deployment) => deploymentPositions().get(deployment) ?? -1,
    // A target asks for a few nodes of a graph of tens of thousands: found by a scan until asked often.
    deployNode: (id) => (++deployNodeLookups > DEPLOY_NODE_SCANS ? deployNodes().get(id) : (model.deploy?.nodes ?? NONE).find((n) => n.id === id)),
    externalSecret: (cluster, namespace, name, environment) => externalSecrets().get(externalSecretKey(cluster, namespace, name, environment)),
  };
  cache.set(model, made);
  return made;
}
