import type { IStorageClass } from "kubernetes-models/storage.k8s.io/v1/StorageClass";
import type { Model } from "../../compiler/model.js";
import { clusterMeta, namespacedMeta, type IObjectMeta, type Placed } from "./objects.js";

/** The StorageClasses the Model says plinth creates for each cluster's storage adapter. */
export function storageClasses(model: Model): Placed[] {
  return model.clusters.flatMap((cluster) =>
    cluster.storageClasses.map((sc) => {
      const object: IStorageClass = {
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: { ...clusterMeta(model, sc.name), ...(sc.isDefault && { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } }) },
        provisioner: sc.provisioner,
        parameters: { ...sc.parameters },
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
        reclaimPolicy: "Delete",
      };
      return { cluster: cluster.name, object };
    }),
  );
}

/** metallb.io/v1beta1 IPAddressPool and L2Advertisement: the fields plinth sets. */
export interface MetallbPool {
  apiVersion: "metallb.io/v1beta1";
  kind: "IPAddressPool";
  metadata: IObjectMeta;
  spec: { addresses: string[] };
}
export interface MetallbL2Advertisement {
  apiVersion: "metallb.io/v1beta1";
  kind: "L2Advertisement";
  metadata: IObjectMeta;
  spec: { ipAddressPools: string[] };
}

/** Each MetalLB pool of the spec, announced on layer 2, in the metallb component's namespace. */
export function ipAddressPools(model: Model): Placed[] {
  return model.clusters.flatMap((cluster) =>
    cluster.ipPools.flatMap((pool) => {
      const addressPool: MetallbPool = { apiVersion: "metallb.io/v1beta1", kind: "IPAddressPool", metadata: namespacedMeta(model, pool.name, pool.namespace), spec: { addresses: [...pool.addresses] } };
      const advertisement: MetallbL2Advertisement = {
        apiVersion: "metallb.io/v1beta1",
        kind: "L2Advertisement",
        metadata: namespacedMeta(model, pool.name, pool.namespace),
        spec: { ipAddressPools: [pool.name] },
      };
      return [
        { cluster: cluster.name, namespace: pool.namespace, object: addressPool },
        { cluster: cluster.name, namespace: pool.namespace, object: advertisement },
      ];
    }),
  );
}
