import type { IClusterSecretStore } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore";
import type { ISecretStore } from "@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore";
import type { ISecretStoreProvider } from "@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStoreProvider";
import type { IAWSAuth } from "@kubernetes-models/external-secrets/external-secrets.io/v1/AWSAuth";
import type { ICAProvider } from "@kubernetes-models/external-secrets/external-secrets.io/v1/CAProvider";
import type { IExternalSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret";
import type { IClusterExternalSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterExternalSecret";
import { REGISTRY_PULL_PROPERTIES } from "../../compiler/resolve/clusters.js";
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { IRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import type { IRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import type { IClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import type { Model, ModelCluster, ModelExternalSecret, ModelSecretStore } from "../../compiler/model.js";
import { toGoDuration } from "../shared/go-duration.js";
import { clusterMeta, namespacedMeta, type Placed } from "./objects.js";

/** ConfigMap the API server publishes in every namespace with the cluster's CA bundle. */
const ROOT_CA: ICAProvider = { type: "ConfigMap", name: "kube-root-ca.crt", key: "ca.crt" };

function missing(store: ModelSecretStore, field: string): never {
  throw new Error(`secret store "${store.name}" (backend ${store.backend}) has no ${field} settings in the Model`);
}

/**
 * The provider block of a store placed in `namespace` (undefined: a ClusterSecretStore).
 * A SecretStore may only reference service accounts in its own namespace, so where the cluster-wide
 * store names the External Secrets service account, the namespaced one relies on the controller's
 * own identity (AWS) or on a service account of its own (Kubernetes).
 */
function provider(store: ModelSecretStore, cluster: ModelCluster, namespace: string | undefined, vaultAuthMount: string | undefined): ISecretStoreProvider {
  const controller = cluster.externalSecretsServiceAccount;
  switch (store.backend) {
    case "vault": {
      const vault = store.vault ?? missing(store, "vault");
      return {
        vault: {
          server: vault.server,
          path: vault.mount,
          version: vault.kvVersion,
          // Each cluster logs in through its own auth mount (the opentofu infra stack creates it).
          auth: { kubernetes: { mountPath: vaultAuthMount ?? vault.auth.mountPath, role: vault.auth.role } },
        },
      };
    }
    case "aws-secrets-manager": {
      const aws = store.aws ?? missing(store, "aws");
      // With IRSA the store assumes the role annotated on the controller's service account; with EKS Pod
      // Identity (no annotation) the controller's own credentials are the role's, so no auth block.
      const irsa = cluster.workloadIdentities.some((i) => i.purpose === "external-secrets" && i.mechanism === "irsa");
      const auth: IAWSAuth | undefined = namespace === undefined && irsa ? { jwt: { serviceAccountRef: { name: controller.name, namespace: controller.namespace } } } : undefined;
      return { aws: { service: "SecretsManager", region: aws.region, ...(auth && { auth }) } };
    }
    case "kubernetes": {
      const kubernetes = store.kubernetes ?? missing(store, "kubernetes");
      return {
        kubernetes: {
          remoteNamespace: kubernetes.namespace,
          server: { caProvider: namespace === undefined ? { ...ROOT_CA, namespace: controller.namespace } : { ...ROOT_CA } },
          auth: {
            serviceAccount: namespace === undefined ? { name: controller.name, namespace: controller.namespace } : { name: store.name },
          },
        },
      };
    }
  }
}

/** Every store object of every placement, plus the identity a namespaced Kubernetes store reads with. */
export function secretStoreObjects(model: Model): Placed[] {
  const clusters = new Map(model.clusters.map((c) => [c.name, c]));
  const placed: Placed[] = [];
  for (const store of model.secretStores) {
    for (const placement of store.placements) {
      const cluster = clusters.get(placement.cluster);
      if (!cluster) throw new Error(`secret store "${store.name}" is placed on unknown cluster "${placement.cluster}"`);
      if (store.kind === "ClusterSecretStore") {
        const object: IClusterSecretStore = {
          apiVersion: "external-secrets.io/v1",
          kind: "ClusterSecretStore",
          metadata: clusterMeta(model, store.name),
          spec: { provider: provider(store, cluster, undefined, placement.vaultAuthMount) },
        };
        placed.push({ cluster: cluster.name, object });
      } else {
        const namespace = placement.namespace ?? missing(store, "placement namespace");
        const object: ISecretStore = {
          apiVersion: "external-secrets.io/v1",
          kind: "SecretStore",
          metadata: namespacedMeta(model, store.name, namespace),
          spec: { provider: provider(store, cluster, namespace, placement.vaultAuthMount) },
        };
        placed.push({ cluster: cluster.name, namespace, object });
        if (store.backend === "kubernetes") {
          const serviceAccount: IServiceAccount = { apiVersion: "v1", kind: "ServiceAccount", metadata: namespacedMeta(model, store.name, namespace) };
          placed.push({ cluster: cluster.name, namespace, object: serviceAccount });
        }
      }
    }
    if (store.backend === "kubernetes" && store.kind === "SecretStore") placed.push(...remoteReadAccess(model, store));
  }
  // Vault's Kubernetes auth reviews the login token with the TokenReview API, as the service account
  // that logs in (no reviewer JWT is configured): that account needs system:auth-delegator.
  const vaultClusters = new Set(model.secretStores.filter((s) => s.backend === "vault").flatMap((s) => s.placements.map((p) => p.cluster)));
  for (const name of [...vaultClusters].sort()) {
    const cluster = clusters.get(name)!;
    const account = cluster.externalSecretsServiceAccount;
    const binding: IClusterRoleBinding = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: clusterMeta(model, `${account.name}-vault-auth-delegator`),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
      subjects: [{ kind: "ServiceAccount", name: account.name, namespace: account.namespace }],
    };
    placed.push({ cluster: name, object: binding });
  }
  return placed;
}

/**
 * A namespaced Kubernetes store reads secrets as its own service account: a Role in the remote
 * namespace grants read on secrets, and one RoleBinding per cluster binds it to the service
 * account of every namespace the store is placed in.
 */
function remoteReadAccess(model: Model, store: ModelSecretStore): Placed[] {
  const remote = store.kubernetes!.namespace;
  const byCluster = new Map<string, string[]>();
  for (const p of store.placements) byCluster.set(p.cluster, [...(byCluster.get(p.cluster) ?? []), p.namespace!]);
  return [...byCluster].flatMap(([cluster, namespaces]) => {
    const role: IRole = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: namespacedMeta(model, store.name, remote),
      rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }],
    };
    const binding: IRoleBinding = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: namespacedMeta(model, store.name, remote),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: store.name },
      subjects: [...new Set(namespaces)].sort().map((namespace) => ({ kind: "ServiceAccount", name: store.name, namespace })),
    };
    return [
      { cluster, namespace: remote, object: role },
      { cluster, namespace: remote, object: binding },
    ];
  });
}

/**
 * The image pull Secret of a cluster whose registry needs credentials: one ClusterExternalSecret makes
 * it in every namespace that carries an environment label (fixed environments and previews alike), as
 * a kubernetes.io/dockerconfigjson Secret rendered from the stored username and password.
 */
export function registryPullSecrets(model: Model): Placed[] {
  return model.clusters.flatMap((cluster): Placed[] => {
    const pull = cluster.registryPull;
    if (pull === undefined) return [];
    const object: IClusterExternalSecret = {
      apiVersion: "external-secrets.io/v1",
      kind: "ClusterExternalSecret",
      metadata: clusterMeta(model, pull.secretName),
      spec: {
        externalSecretName: pull.secretName,
        namespaceSelectors: [{ matchExpressions: [{ key: "plinth.dev/environment", operator: "Exists" }] }],
        refreshTime: "1h",
        externalSecretSpec: {
          refreshInterval: "1h",
          secretStoreRef: { name: pull.store, kind: "ClusterSecretStore" },
          target: {
            name: pull.secretName,
            creationPolicy: "Owner",
            template: {
              engineVersion: "v2",
              type: "kubernetes.io/dockerconfigjson",
              // toJson quotes each value, so a robot account name like robot$team+ci stays valid JSON.
              data: {
                ".dockerconfigjson": `{"auths":{${JSON.stringify(pull.host)}:{"username":{{ .username | toJson }},"password":{{ .password | toJson }},"auth":{{ printf "%s:%s" .username .password | b64enc | toJson }}}}}`,
              },
            },
          },
          data: REGISTRY_PULL_PROPERTIES.map((property) => ({ secretKey: property, remoteRef: { key: pull.key, property } })),
        },
      },
    };
    return [{ cluster: cluster.name, object }];
  });
}

/** The ExternalSecret that materialises one Model secret as a Kubernetes Secret of the same name. */
export function externalSecret(model: Model, secret: ModelExternalSecret): IExternalSecret {
  const labels: Record<string, string> = {};
  if (secret.environment !== undefined) labels["plinth.dev/environment"] = secret.environment;
  if (secret.service !== undefined) labels["plinth.dev/service"] = secret.service;
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: namespacedMeta(model, secret.name, secret.namespace, labels),
    spec: {
      refreshInterval: toGoDuration(secret.refreshInterval),
      secretStoreRef: { name: secret.store, kind: secret.storeKind },
      target: { name: secret.name, creationPolicy: "Owner", ...(secret.secretLabels && { template: { metadata: { labels: { ...secret.secretLabels } } } }) },
      data: secret.data.map((d) => ({
        secretKey: d.secretKey,
        remoteRef: { key: d.key, ...(d.property !== undefined && { property: d.property }) },
      })),
    },
  };
}
