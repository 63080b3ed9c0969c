/**
 * How each data-service engine runs on Kubernetes, and how services reach it there: one table, read
 * by resolve (runtime and connection of each placement), the deploy graph and the targets.
 *
 * - postgres: a CloudNativePG `Cluster`; services connect to `<name>-rw` and read the `<name>-app`
 *   Secret CNPG generates (keys username, password; database `app`).
 * - redis: the OT-Container-Kit redis-operator's `Redis` (one instance) or `RedisReplication`
 *   (several, the master Service `<name>-master`); no password (the namespace's network policy
 *   admits only its peers).
 * - opensearch: the OpenSearch operator's `OpenSearchCluster`; HTTPS on 9200 with the admin
 *   credentials the operator generates into `<name>-admin-password` (keys username, password).
 * - nats: the NATS project's own chart, an Application per placement (no operator runs the server).
 * - vault: the cluster's `vault` platform component, in its namespace.
 * - minio: not deployed on Kubernetes by plinth (object storage is a profile adapter there).
 */
import type { ModelDataConnection, ModelDataRuntime, ModelDataService } from "../model.js";

/** The NATS server chart (github.com/nats-io/k8s, helm/charts/nats). */
export const NATS_CHART = { repoURL: "https://nats-io.github.io/k8s/helm/charts/", name: "nats", version: "2.14.2" } as const;

type Engine = ModelDataService["engine"];

export function dataRuntime(engine: Engine): ModelDataRuntime | undefined {
  switch (engine) {
    case "postgres":
      return { kind: "operator", component: "cloudnative-pg" };
    case "redis":
      return { kind: "operator", component: "redis-operator" };
    case "opensearch":
      return { kind: "operator", component: "opensearch-operator" };
    case "nats":
      return { kind: "chart", chart: { ...NATS_CHART } };
    case "vault":
      return { kind: "component", component: "vault" };
    case "minio":
      return undefined;
  }
}

/** The custom resource an operator runs one placement with (`apiVersion`, and `<group>/<Kind>` for the graph). */
export function dataCustomResource(engine: Engine, instances: number): { apiVersion: string; kind: string; crd: string } | undefined {
  const of = (group: string, version: string, kind: string) => ({ apiVersion: `${group}/${version}`, kind, crd: `${group}/${kind}` });
  switch (engine) {
    case "postgres":
      return of("postgresql.cnpg.io", "v1", "Cluster");
    case "redis":
      return of("redis.redis.opstreelabs.in", "v1beta2", instances > 1 ? "RedisReplication" : "Redis");
    case "opensearch":
      return of("opensearch.opster.io", "v1", "OpenSearchCluster");
    default:
      return undefined;
  }
}

/**
 * How services reach one placement of a data service, by its in-cluster Service: its name in
 * `namespace`, or its short name when `namespace` is undefined (the services' own namespace).
 */
export function dataConnection(ds: Pick<ModelDataService, "name" | "engine" | "port">, namespace: string | undefined, instances: number): ModelDataConnection {
  const host = (service: string) => (namespace === undefined ? service : `${service}.${namespace}.svc`);
  switch (ds.engine) {
    case "postgres":
      return { host: host(`${ds.name}-rw`), port: ds.port, database: "app", secret: { name: `${ds.name}-app`, usernameKey: "username", passwordKey: "password" } };
    case "redis":
      return { host: host(instances > 1 ? `${ds.name}-master` : ds.name), port: ds.port };
    case "opensearch":
      return { host: host(ds.name), port: ds.port, scheme: "https", secret: { name: `${ds.name}-admin-password`, usernameKey: "username", passwordKey: "password" } };
    case "nats":
    case "vault":
    case "minio":
      return { host: host(ds.engine === "vault" ? "vault" : ds.name), port: ds.port };
  }
}

/**
 * The Redis images the redis-operator runs (its own builds, which carry the entrypoint the operator
 * drives), by Redis minor version: the one its chart 0.26.0 pins.
 */
export const REDIS_OPERATOR_IMAGES: Record<string, string> = { "7.0": "quay.io/opstree/redis:v7.0.15" };

/** The PVC label the data service's volumes carry (volume snapshots select them by it). */
export const DATA_INSTANCE_LABEL = "app.kubernetes.io/instance";

/** The ArgoCD Application that installs a chart-run data service in one namespace. */
export const dataApplicationName = (dataService: string, namespace: string) => `data-${namespace}-${dataService}`;

/**
 * Whether a cnpg-pitr backup places this Postgres's Cluster (with its archive) in that namespace; the
 * other placements get a Cluster without one from the data-service path.
 */
export const clusterPlacedByBackup = (
  backups: readonly { method: string; dataService?: string; cluster?: string; namespaces: readonly string[] }[],
  dataService: string,
  cluster: string,
  namespace: string,
): boolean => backups.some((b) => b.method === "cnpg-pitr" && b.dataService === dataService && b.cluster === cluster && b.namespaces.includes(namespace));

/** The copies of data services a preview environment runs per pull request. */
export function previewDataCopies(
  model: { dataServices: readonly ModelDataService[] },
  environment: { name: string },
): { dataService: ModelDataService; placement: ModelDataService["previewPlacements"][number] }[] {
  return model.dataServices.flatMap((dataService) => dataService.previewPlacements.filter((p) => p.environment === environment.name).map((placement) => ({ dataService, placement })));
}
