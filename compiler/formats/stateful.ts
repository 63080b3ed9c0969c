/**
 * OpenTofu resource types that hold state no plan may destroy (data, keys, clusters, secrets): the
 * opentofu target gives them prevent_destroy, and `plinth diff`/`check` warn when one disappears from a
 * stack without a `removed` block that forgets it.
 */
export const STATEFUL_RESOURCE_TYPES = ["aws_s3_bucket", "aws_kms_key", "aws_eks_cluster", "minio_s3_bucket", "vault_mount", "aws_secretsmanager_secret"] as const;

const RESOURCE = /^resource "([a-z0-9_]+)" "([^"]+)"/gm;
const REMOVED = /^removed \{\s*\n\s*from\s*=\s*([a-z0-9_]+\.[A-Za-z0-9_-]+)/gm;

/**
 * Stateful resource addresses (`<stack>: type.name`) that a stack's main.tf declared before and no
 * longer declares nor forgets with a `removed` block: applying the new tree would destroy them.
 */
export function lostStatefulAddresses(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const lost: string[] = [];
  for (const [file, content] of before) {
    if (!file.startsWith("opentofu/") || !/^opentofu\/[^/]+\/main\.tf$/.test(file)) continue;
    const next = after.get(file) ?? "";
    // An unchanged stack loses nothing.
    if (next === content) continue;
    const kept = new Set([...next.matchAll(RESOURCE)].map((m) => `${m[1]}.${m[2]}`));
    const forgotten = new Set([...next.matchAll(REMOVED)].map((m) => m[1]!));
    for (const m of content.matchAll(RESOURCE)) {
      const address = `${m[1]}.${m[2]}`;
      if ((STATEFUL_RESOURCE_TYPES as readonly string[]).includes(m[1]!) && !kept.has(address) && !forgotten.has(address)) lost.push(`${file.split("/")[1]}: ${address}`);
    }
  }
  return lost.sort();
}
