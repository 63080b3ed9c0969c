/**
 * Every service account that calls AWS is bound to its IAM role in the generated tree: an EKS Pod
 * Identity association in the infra stack, or (IRSA) the role's ARN on the service account in the
 * manifest plus a role of that name trusting the cluster's OIDC issuer.
 */
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import type { Model } from "../compiler/model.js";
import type { OutputFile } from "../targets/types.js";
import { buildExample, EXAMPLES } from "./helpers.js";
import { parseHcl } from "./support/terraform.js";

type Json = Record<string, any>;

/** What is wrong with the identity wiring of a built tree; empty when every identity is bound. */
async function identityProblems(model: Model, files: readonly OutputFile[]): Promise<string[]> {
  const problems: string[] = [];
  for (const cluster of model.clusters) {
    if (cluster.workloadIdentities.length === 0) continue;
    const file = files.find((f) => f.path === `opentofu/${cluster.stacks.infra}/main.tf`);
    const main = (file ? await parseHcl("main.tf", file.content) : {}) as Json;
    const roles = Object.values(main.resource?.aws_iam_role ?? {}).map((r: any) => r[0].name as string);
    const associations = Object.values(main.resource?.aws_eks_pod_identity_association ?? {}).map((a: any) => a[0] as Json);
    const manifests = files
      .filter((f) => f.path.startsWith(`kubernetes/${cluster.name}/`) || f.path.startsWith(`argocd/${cluster.name}/`))
      .flatMap((f) => parseAllDocuments(f.content).map((d) => JSON.stringify(d.toJS())));
    for (const identity of cluster.workloadIdentities) {
      const who = `${cluster.name} ${identity.purpose} ${identity.serviceAccount.namespace}/${identity.serviceAccount.name}`;
      if (!roles.includes(identity.role)) problems.push(`${who}: no IAM role ${identity.role} in ${cluster.stacks.infra}`);
      if (identity.mechanism === "pod-identity") {
        const bound = associations.some((a) => a.namespace === identity.serviceAccount.namespace && a.service_account === identity.serviceAccount.name);
        if (!bound) problems.push(`${who}: no Pod Identity association`);
      } else if (identity.roleArn === undefined || !manifests.some((m) => m.includes(`"eks.amazonaws.com/role-arn":"${identity.roleArn}"`))) {
        problems.push(`${who}: no manifest names its role ARN`);
      }
    }
  }
  return problems;
}

describe.each(EXAMPLES)("%s: AWS identities", (example) => {
  it("binds every service account that calls AWS to its role", async () => {
    const { model, files } = await buildExample(example);
    expect(await identityProblems(model, files)).toEqual([]);
  });
});

describe("a planted omission is caught", () => {
  it("bitvault without Velero's Pod Identity association", async () => {
    const { model, files } = await buildExample("bitvault");
    const planted = files.map((f) =>
      f.path === "opentofu/prod-infra/main.tf" ? { ...f, content: f.content.replace(/resource "aws_eks_pod_identity_association" "velero" \{[\s\S]*?\n\}\n/, "") } : f,
    );
    expect(planted).not.toEqual(files);
    expect(await identityProblems(model, planted)).toEqual(["prod velero velero/velero-server: no Pod Identity association"]);
  });

  it("catalyst-forge without the IRSA annotation of its production database", async () => {
    const { model, files } = await buildExample("catalyst-forge");
    const planted = files.map((f) => ({ ...f, content: f.content.replace(/\n  serviceAccountTemplate:\n    metadata:\n      annotations:\n        eks\.amazonaws\.com\/role-arn: [^\n]+/g, "") }));
    expect(await identityProblems(model, planted)).toEqual(["forge-aws database-backup forge-production/postgres: no manifest names its role ARN"]);
  });

  it("counts the identities it checks (bitvault: External Secrets, Velero, external-dns and three databases)", async () => {
    const { model } = await buildExample("bitvault");
    const purposes = model.clusters.flatMap((c) => c.workloadIdentities.map((i) => `${c.name}:${i.purpose}`)).sort();
    expect(purposes).toEqual([
      "nonprod:database-backup",
      "nonprod:database-backup",
      "nonprod:external-dns",
      "nonprod:velero",
      "prod:database-backup",
      "prod:external-dns",
      "prod:external-secrets",
      "prod:velero",
    ]);
  });
});
