import type { IStorageClass } from "kubernetes-models/storage.k8s.io/v1/StorageClass";
import type { Model } from "../../compiler/model.js";
import { clusterMeta, type Placed } from "./objects.js";

/** EBS volume types an EKS StorageClass can name directly. */
const EBS_TYPES = new Set(["gp3", "gp2", "io1", "io2", "st1", "sc1"]);

/**
 * EKS ships only a gp2 class for the in-tree driver: the profile's class (gp3 in the examples) has to
 * exist for the EBS CSI driver the infra stack installs, or every PVC that names it stays Pending.
 * Other kinds bring their own classes (local-path, longhorn, openebs) with the component.
 */
export function storageClasses(model: Model): Placed[] {
  const profiles = new Map(model.profiles.map((p) => [p.name, p]));
  return model.clusters.flatMap((cluster) => {
    const name = profiles.get(cluster.profile)?.storageClass;
    if (cluster.kind !== "eks" || name === undefined || !EBS_TYPES.has(name)) return [];
    const object: IStorageClass = {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { ...clusterMeta(model, name), annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      provisioner: "ebs.csi.aws.com",
      parameters: { type: name, encrypted: "true" },
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
      reclaimPolicy: "Delete",
    };
    return [{ cluster: cluster.name, object }];
  });
}
