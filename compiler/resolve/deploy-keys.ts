/**
 * Keys of the deploy graph's resources: one spelling per thing, so a need and what provides it meet
 * exactly. Every key names its kind first, then where it is.
 */
export const deployKey = {
  cluster: (cluster: string) => `Cluster ${cluster}`,
  argocd: (cluster: string) => `ArgoCD ${cluster}`,
  namespace: (cluster: string, name: string) => `Namespace ${cluster}/${name}`,
  secret: (cluster: string, namespace: string, name: string) => `Secret ${cluster}/${namespace}/${name}`,
  storageClass: (cluster: string, name: string) => `StorageClass ${cluster}/${name}`,
  defaultStorageClass: (cluster: string) => `StorageClass ${cluster}/(default)`,
  volumeSnapshotClass: (cluster: string, name: string) => `VolumeSnapshotClass ${cluster}/${name}`,
  /** A custom resource kind, as `<group>/<Kind>`. */
  crd: (cluster: string, groupKind: string) => `CRD ${cluster}/${groupKind}`,
  /** Addresses for LoadBalancer Services (ServiceLB, a cloud load balancer, a MetalLB pool). */
  ipPool: (cluster: string) => `IPPool ${cluster}`,
  /** A cloud workload identity reaching the pods of a service account. */
  identity: (cluster: string, namespace: string, serviceAccount: string) => `Identity ${cluster}/${namespace}/${serviceAccount}`,
  registryCredential: (cluster: string, host: string) => `RegistryCredential ${cluster}/${host}`,
  bucket: (name: string) => `Bucket ${name}`,
  appProject: (cluster: string, name: string) => `AppProject ${cluster}/${name}`,
  /** A SecretStore (namespace) or ClusterSecretStore (namespace "*"). */
  secretStore: (cluster: string, namespace: string, name: string) => `SecretStore ${cluster}/${namespace}/${name}`,
  analysisTemplate: (cluster: string, namespace: string, name: string) => `AnalysisTemplate ${cluster}/${namespace}/${name}`,
  /** A path of a secret store that ExternalSecrets read: it must exist before they can sync. */
  secretPath: (store: string, key: string) => `SecretPath ${store}/${key}`,
  /** The Gateway services' HTTPRoutes attach to. */
  gateway: (cluster: string, namespace: string, name: string) => `Gateway ${cluster}/${namespace}/${name}`,
  service: (cluster: string, namespace: string, name: string) => `Service ${cluster}/${namespace}/${name}`,
  /** A Vault server that is initialised, unsealed and answering. */
  vaultReady: (server: string) => `VaultReady ${server}`,
  /** A shell logged in to a Vault server (VAULT_ADDR and a token), for the steps that write to it. */
  vaultSession: (server: string) => `VaultSession ${server}`,
  /** An OpenTofu stack that has been applied: its outputs can be read through remote state. */
  stackApplied: (stack: string) => `StackApplied ${stack}`,
  /** The bucket or endpoint an OpenTofu state backend keeps state in. */
  stateBackend: (location: string) => `StateBackend ${location}`,
  /** A Secrets Manager secret that exists (without a value) for a secret path to be put into. */
  secretsManagerSecret: (store: string, key: string) => `SecretsManagerSecret ${store}/${key}`,
  vaultMount: (server: string, mount: string) => `VaultMount ${server}/${mount}`,
  vaultAuth: (cluster: string, mount: string) => `VaultAuth ${cluster}/${mount}`,
  tokenReview: (cluster: string) => `TokenReview ${cluster}`,
} as const;

export type DeployKeys = typeof deployKey;

/**
 * deployKey with each key made once: the graph asks for a hundred thousand keys of a few tens of
 * thousands of resources, and a key made afresh is a new string to flatten and hash (to intern it).
 * Found by its parts instead (the Model's own strings, hashed at their first lookup). One per
 * graph, so nothing outlives it.
 */
export function memoizedDeployKeys(): DeployKeys {
  const memoized: Record<string, (...parts: string[]) => string> = {};
  for (const [name, make] of Object.entries(deployKey) as [string, (...parts: string[]) => string][]) {
    const made = new Map<string, unknown>();
    memoized[name] = (...parts: string[]) => {
      // Written out rather than through getOrMake: the hottest lookup of a build, kept to one kind of map.
      let level = made;
      for (let i = 0; i < parts.length - 1; i++) {
        let next = level.get(parts[i]!) as Map<string, unknown> | undefined;
        if (next === undefined) level.set(parts[i]!, (next = new Map()));
        level = next;
      }
      const last = parts[parts.length - 1]!;
      let key = level.get(last) as string | undefined;
      if (key === undefined) level.set(last, (key = make(...parts)));
      return key;
    };
  }
  return memoized as unknown as DeployKeys;
}
