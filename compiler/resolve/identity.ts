/**
 * Workload identities on AWS: every pod that calls an AWS API gets an IAM role bound to its service
 * account. EKS Pod Identity needs no account id and nothing in the manifests; where a component
 * supports only IRSA (CloudNativePG's in-tree barman backups) or the cluster is not EKS, the role ARN
 * is written into the manifest, and it exists only when the profile names the account.
 */
import type { ModelBackup, ModelBucket, ModelCluster, ModelExternalSecret, ModelProfile, ModelSecretStore, ModelWorkloadIdentity } from "../model.js";

/** ARN of an IAM role the infra stack creates, when the profile names its AWS account. */
export function iamRoleArn(profile: ModelProfile, region: string | undefined, role: string): string | undefined {
  if (profile.cloud !== "aws" || profile.accountId === undefined) return undefined;
  const partition = region?.startsWith("cn-") ? "aws-cn" : region?.startsWith("us-gov-") ? "aws-us-gov" : "aws";
  return `arn:${partition}:iam::${profile.accountId}:role/${role}`;
}

/** IAM role names are at most 64 characters: a long one is cut and keeps a short hash of the whole. */
function roleName(name: string): string {
  if (name.length <= 64) return name;
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `${name.slice(0, 55)}-${hash.toString(36).padStart(7, "0").slice(0, 8)}`;
}

/** The service account a snapshot CronJob runs as: named after its backup, in kube-system for etcd. */
export function backupJobServiceAccount(backup: ModelBackup): { name: string; namespace: string } {
  return { name: backup.name, namespace: backup.method === "etcd-snapshot" ? "kube-system" : backup.namespaces[0]! };
}

export function resolveWorkloadIdentities(
  platformName: string,
  cluster: ModelCluster,
  profile: ModelProfile,
  backups: readonly ModelBackup[],
  buckets: readonly ModelBucket[],
  externalSecrets: readonly ModelExternalSecret[],
  secretStores: readonly ModelSecretStore[],
): ModelWorkloadIdentity[] {
  if (profile.cloud !== "aws") return [];
  const region = cluster.region ?? profile.region;
  const podIdentity = cluster.kind === "eks";
  const identity = (purpose: ModelWorkloadIdentity["purpose"], role: string, serviceAccount: { name: string; namespace: string }, onlyIrsa = false, extra: Partial<ModelWorkloadIdentity> = {}): ModelWorkloadIdentity => {
    const mechanism = podIdentity && !onlyIrsa ? "pod-identity" : "irsa";
    const arn = mechanism === "irsa" ? iamRoleArn(profile, region, role) : undefined;
    return { role, serviceAccount, purpose, mechanism, ...(arn !== undefined && { roleArn: arn }), ...extra };
  };
  const out: ModelWorkloadIdentity[] = [];
  const readsSecretsManager = externalSecrets.some((e) => e.cluster === cluster.name && secretStores.some((s) => s.name === e.store && s.backend === "aws-secrets-manager"));
  if (readsSecretsManager) out.push(identity("external-secrets", cluster.iam.externalSecretsRole, cluster.externalSecretsServiceAccount));
  const onS3 = profile.objectStorage.provider === "s3";
  const mine = backups.filter((b) => b.cluster === cluster.name && b.bucket !== undefined);
  const runsVelero = cluster.components.some((c) => c.name === "velero") || mine.some((b) => b.method === "velero");
  // Velero writes to the cluster's buckets (its storage locations fall back to the backup bucket).
  if (onS3 && runsVelero && buckets.some((b) => b.cluster === cluster.name)) out.push(identity("velero", cluster.iam.veleroRole, cluster.veleroServiceAccount));
  const externalDns = cluster.components.find((c) => c.name === "external-dns");
  if (externalDns && profile.dns.provider === "route53") {
    out.push(identity("external-dns", roleName(`${platformName}-${cluster.name}-external-dns`), { name: "external-dns", namespace: externalDns.namespace }));
  }
  if (onS3) {
    // Snapshot CronJobs (Vault raft, etcd) upload as their own service account, named after the backup.
    for (const backup of mine.filter((b) => b.performer.kind === "objects" && (b.method === "vault-raft-snapshot" || b.method === "etcd-snapshot"))) {
      const serviceAccount = backupJobServiceAccount(backup);
      out.push(identity("backup-job", roleName(`${platformName}-${cluster.name}-${backup.name}-backup`), serviceAccount, false, { bucket: backup.bucket!, prefix: backup.prefix }));
    }
    // CloudNativePG runs each Cluster as a service account named after it; its barman backups use IRSA only.
    for (const backup of mine.filter((b) => b.method === "cnpg-pitr" && b.dataService !== undefined)) {
      for (const namespace of backup.namespaces) {
        out.push(
          identity("database-backup", roleName(`${platformName}-${cluster.name}-${namespace}-${backup.dataService}-backup`), { name: backup.dataService!, namespace }, true, {
            bucket: backup.bucket!,
            prefix: backup.prefix,
          }),
        );
      }
    }
  }
  return out;
}
