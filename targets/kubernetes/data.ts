/**
 * The data services an operator runs from a custom resource: CloudNativePG Clusters no cnpg-pitr
 * backup archives (the others are placed with their backup in backups.ts), redis-operator's Redis or RedisReplication and the OpenSearch operator's
 * OpenSearchCluster, one per placement, sized for that placement, with persistence on the profile's
 * StorageClass and the `app.kubernetes.io/instance: <name>` label on its volume claims. The shapes
 * follow the CRDs of the pinned charts (redis-operator 0.26.0, opensearch-operator 2.8.0).
 */
import type { Model, ModelDataPlacement, ModelDataService } from "../../compiler/model.js";
import { clusterPlacedByBackup, DATA_INSTANCE_LABEL, dataCustomResource, REDIS_OPERATOR_IMAGES } from "../../compiler/resolve/data-engines.js";
import type { CnpgCluster } from "./backups.js";
import { namespacedMeta, type KubernetesObject, type Placed } from "./objects.js";

type Resources = { requests?: Record<string, string>; limits?: Record<string, string> };

const copyResources = (r: ModelDataPlacement["resources"]): Resources | undefined =>
  r && { ...(r.requests && { requests: { ...r.requests } }), ...(r.limits && { limits: { ...r.limits } }) };

export function dataServiceObjects(model: Model): Placed[] {
  const placed: Placed[] = [];
  for (const ds of model.dataServices) {
    if (ds.kubernetes?.kind !== "operator") continue;
    for (const placement of ds.placements) {
      if (ds.engine === "postgres" && clusterPlacedByBackup(model.backups, ds.name, placement.cluster, placement.namespace)) continue;
      const cluster = model.clusters.find((c) => c.name === placement.cluster)!;
      const storageClass = model.profiles.find((p) => p.name === cluster.profile)!.storageClass;
      placed.push({ cluster: cluster.name, namespace: placement.namespace, object: dataObject(model, ds, placement, storageClass) });
    }
  }
  return placed;
}

/** The custom resource that runs one placement of an operator-run data service. */
export function dataObject(model: Model, ds: ModelDataService, placement: ModelDataPlacement, storageClass: string): KubernetesObject {
  const resource = dataCustomResource(ds.engine, placement.instances)!;
  const metadata = namespacedMeta(model, ds.name, placement.namespace, { [DATA_INSTANCE_LABEL]: ds.name });
  const resources = copyResources(placement.resources);
  switch (ds.engine) {
    case "postgres": {
      // No cnpg-pitr backup archives it (stateless, or backed up otherwise): the same Cluster, without spec.backup.
      if (ds.cnpgImage === undefined) throw new Error(`data service "${ds.name}" has no CloudNativePG image in the Model`);
      const cluster: CnpgCluster = {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "Cluster",
        metadata: namespacedMeta(model, ds.name, placement.namespace),
        spec: {
          instances: placement.instances,
          imageName: ds.cnpgImage,
          inheritedMetadata: { labels: { [DATA_INSTANCE_LABEL]: ds.name } },
          ...(placement.storage !== undefined && { storage: { size: placement.storage, storageClass } }),
          ...(resources && { resources }),
        },
      };
      return cluster;
    }
    case "redis": {
      const image = REDIS_OPERATOR_IMAGES[ds.version];
      if (image === undefined) throw new Error(`redis ${ds.version} has no redis-operator image (checks reject it earlier)`);
      const storage = placement.storage !== undefined && {
        storage: {
          volumeClaimTemplate: {
            metadata: { labels: { [DATA_INSTANCE_LABEL]: ds.name } },
            spec: { accessModes: ["ReadWriteOnce"], storageClassName: storageClass, resources: { requests: { storage: placement.storage } } },
          },
        },
      };
      return {
        apiVersion: resource.apiVersion,
        kind: resource.kind,
        metadata,
        spec: {
          ...(placement.instances > 1 && { clusterSize: placement.instances }),
          kubernetesConfig: { image, imagePullPolicy: "IfNotPresent", ...(resources && { resources }) },
          ...storage,
        },
      } as KubernetesObject;
    }
    case "opensearch":
      return {
        apiVersion: resource.apiVersion,
        kind: resource.kind,
        metadata,
        spec: {
          general: { serviceName: ds.name, version: ds.version, httpPort: ds.port, setVMMaxMapCount: true },
          // The operator writes the admin credentials to <name>-admin-password and serves HTTPS with certificates it generates.
          security: { tls: { transport: { generate: true }, http: { generate: true } } },
          nodePools: [
            {
              component: "nodes",
              replicas: placement.instances,
              roles: ["cluster_manager", "data", "ingest"],
              ...(placement.storage !== undefined && { diskSize: placement.storage, persistence: { pvc: { storageClass, accessModes: ["ReadWriteOnce"] } } }),
              labels: { [DATA_INSTANCE_LABEL]: ds.name },
              ...(resources && { resources }),
            },
          ],
        },
      } as KubernetesObject;
    default:
      throw new Error(`no custom resource for ${ds.engine}`);
  }
}
