/**
 * Adapters carried through, read from the generated tree as the operator applying it would: every
 * service account that calls AWS is bound to a role, every external-dns has its provider, zone and
 * credentials, every MinIO consumer's Secret has something that writes its keys, every image is
 * pullable by its cluster, and the OpenTofu stages apply in order. Each check runs on the examples
 * and on test/specs/every-adapter (one cluster per profile, every adapter), and fails on a planted
 * omission.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { Model } from "../compiler/model.js";
import { compileSpec } from "../compiler/pipeline.js";
import { emit } from "../compiler/emit.js";
import type { OutputFile } from "../targets/types.js";
import { buildExample, ROOT } from "./helpers.js";
import { rmSync } from "node:fs";
import { checkManifestFile, parseYamlDocuments } from "./support/k8s-check.js";
import { parseHcl, runTerraform, TERRAFORM, writeTempTree } from "./support/terraform.js";

type Doc = Record<string, any>;
type Tree = { model: Model; files: OutputFile[] };

const EVERY_ADAPTER = path.join(ROOT, "test", "specs", "every-adapter");
const TREES = ["bitvault", "catalyst-forge", "gitops-monorepo", "k3s-homelab", "every-adapter"] as const;

const trees = new Map<string, Promise<Tree>>();
function tree(name: (typeof TREES)[number]): Promise<Tree> {
  if (!trees.has(name)) {
    trees.set(name, name === "every-adapter" ? compileSpec(EVERY_ADAPTER).then(({ model }) => ({ model, files: emit(model) })) : buildExample(name));
  }
  return trees.get(name)!;
}

const file = (files: OutputFile[], p: string) => files.find((f) => f.path === p)?.content;
const docs = (files: OutputFile[], prefix: string): Doc[] => files.filter((f) => f.path.startsWith(prefix) && f.path.endsWith(".yaml")).flatMap((f) => parseYamlDocuments(f.content) as Doc[]);
const hcl = async (files: OutputFile[], p: string): Promise<Doc> => {
  const content = file(files, p);
  return content === undefined ? {} : ((await parseHcl(p, content)) as Doc);
};
const blocks = (parsed: Doc, kind: "resource" | "data", type: string): Doc[] => Object.values((parsed[kind]?.[type] ?? {}) as Record<string, Doc[]>).flat();
/** The values an ArgoCD Application passes to its chart. */
const helmValues = (app: Doc): Doc => ({ ...(app.spec.source?.helm?.values ? parseYaml(app.spec.source.helm.values) : {}), ...(app.spec.source?.helm?.valuesObject ?? {}) });
const componentApp = (files: OutputFile[], cluster: string, name: string): Doc | undefined => {
  const content = file(files, `argocd/${cluster}/components/${name}.yaml`);
  return content === undefined ? undefined : (parseYamlDocuments(content)[0] as Doc);
};
const registryHost = (repository: string) => repository.split("/")[0]!;

/** Who writes a Secret the tree consumes: an ExternalSecret (whose key a stack or a step fills), or a stack directly. */
async function secretProducer(tree: Tree, cluster: string, namespace: string, name: string, writtenByStack: boolean): Promise<string | undefined> {
  const { model, files } = tree;
  const c = model.clusters.find((x) => x.name === cluster)!;
  const config = await hcl(files, `opentofu/${c.stacks.config}/main.tf`);
  const direct = blocks(config, "resource", "kubernetes_secret_v1").find((s) => s.metadata?.[0]?.name === name && s.metadata?.[0]?.namespace === namespace);
  if (direct) return `${c.stacks.config} writes it`;
  const external = docs(files, `kubernetes/${cluster}/`).find((d) => d.kind === "ExternalSecret" && d.metadata.namespace === namespace && d.spec.target.name === name);
  if (!external) return undefined;
  if (!writtenByStack) return `ExternalSecret ${namespace}/${name}`;
  // Keys plinth made (MinIO users): the config stack must write every key the ExternalSecret reads.
  const keys = new Set<string>(external.spec.data.map((d: Doc) => d.remoteRef.key));
  const written = new Set([...blocks(config, "resource", "vault_kv_secret_v2").map((s) => s.name), ...blocks(config, "resource", "vault_kv_secret").map((s) => String(s.path).replace(/^[^/]+\//, ""))]);
  return [...keys].every((k) => written.has(k)) ? `ExternalSecret ${namespace}/${name} from keys ${c.stacks.config} writes` : undefined;
}

/** Everything the adapters must wire, as problems found in the tree. */
async function adapterProblems(tree: Tree): Promise<string[]> {
  const { model, files } = tree;
  const problems: string[] = [];
  for (const cluster of model.clusters) {
    const profile = model.profiles.find((p) => p.name === cluster.profile)!;
    const c = cluster.name;
    const infra = await hcl(files, `opentofu/${cluster.stacks.infra}/main.tf`);
    const objects = docs(files, `kubernetes/${c}/`);
    const eks = profile.cloud === "aws" && cluster.kind === "eks";

    // AWS identity: every pod that calls AWS runs as a service account bound to a role.
    if (eks) {
      const associations = blocks(infra, "resource", "aws_eks_pod_identity_association").map((a) => `${a.namespace}/${a.service_account}`);
      const trusted = JSON.stringify(infra.data?.aws_iam_policy_document ?? {});
      const bound = (namespace: string, account: string) => associations.includes(`${namespace}/${account}`) || trusted.includes(`system:serviceaccount:${namespace}:${account}`);
      const callers: { what: string; namespace: string; account: string }[] = [];
      const velero = componentApp(files, c, "velero");
      if (velero && profile.objectStorage.provider === "s3") callers.push({ what: "Velero", namespace: velero.spec.destination.namespace, account: cluster.veleroServiceAccount.name });
      const dns = componentApp(files, c, "external-dns");
      if (dns && profile.dns.provider === "route53") callers.push({ what: "external-dns", namespace: dns.spec.destination.namespace, account: helmValues(dns).serviceAccount?.name ?? "external-dns" });
      const readsSecretsManager = objects.some((d) => d.kind === "ClusterSecretStore" && d.spec.provider?.aws);
      const eso = componentApp(files, c, "external-secrets");
      if (eso && readsSecretsManager) callers.push({ what: "External Secrets", namespace: eso.spec.destination.namespace, account: helmValues(eso).serviceAccount?.name ?? "external-secrets" });
      for (const database of objects.filter((d) => d.kind === "Cluster" && d.spec.backup?.barmanObjectStore?.s3Credentials?.inheritFromIAMRole)) {
        const annotated = database.spec.serviceAccountTemplate?.metadata?.annotations?.["eks.amazonaws.com/role-arn"];
        if (!annotated) problems.push(`${c}: CloudNativePG ${database.metadata.namespace}/${database.metadata.name} archives with its IAM role, but its service account names none`);
        callers.push({ what: `CloudNativePG ${database.metadata.name}`, namespace: database.metadata.namespace, account: database.metadata.name });
      }
      for (const caller of callers) if (!bound(caller.namespace, caller.account)) problems.push(`${c}: ${caller.what} (${caller.namespace}/${caller.account}) calls AWS, but no role is bound to its service account`);
      const ebs = blocks(infra, "resource", "aws_eks_addon").find((a) => a.addon_name === "aws-ebs-csi-driver");
      if (ebs && !ebs.service_account_role_arn && !bound("kube-system", "ebs-csi-controller-sa")) problems.push(`${c}: the EBS CSI driver has no role`);
    }

    // DNS per adapter: provider, the profile's zone, an owner id, and credentials.
    const dns = componentApp(files, c, "external-dns");
    if (dns) {
      const values = helmValues(dns);
      const expected = { route53: "aws", cloudflare: "cloudflare", powerdns: "pdns" }[profile.dns.provider];
      if (values.provider?.name !== expected) problems.push(`${c}: external-dns provider is ${JSON.stringify(values.provider)}, not ${expected}`);
      if (!(values.domainFilters ?? []).includes(profile.dns.zone)) problems.push(`${c}: external-dns is not filtered to ${profile.dns.zone}`);
      if (!values.txtOwnerId) problems.push(`${c}: external-dns has no txtOwnerId`);
      if (profile.dns.provider !== "route53") {
        const refs = (values.env ?? []).map((e: Doc) => e.valueFrom?.secretKeyRef?.name).filter(Boolean) as string[];
        if (refs.length === 0) problems.push(`${c}: external-dns (${profile.dns.provider}) reads no API credentials`);
        for (const name of refs) if (!(await secretProducer(tree, c, dns.spec.destination.namespace, name, false))) problems.push(`${c}: external-dns reads Secret ${name}, which nothing makes`);
      }
    }

    // Object storage on MinIO: every consumer's Secret is made from keys a stack writes.
    if (profile.objectStorage.provider === "minio") {
      const consumers: { what: string; namespace: string; name: string }[] = [];
      for (const database of objects.filter((d) => d.kind === "Cluster" && d.spec.backup?.barmanObjectStore)) {
        const name = database.spec.backup.barmanObjectStore.s3Credentials?.accessKeyId?.name;
        if (!name) problems.push(`${c}: CloudNativePG ${database.metadata.name} archives to MinIO without credentials`);
        else consumers.push({ what: `CloudNativePG ${database.metadata.namespace}/${database.metadata.name}`, namespace: database.metadata.namespace, name });
      }
      const velero = componentApp(files, c, "velero");
      if (velero) {
        const credentials = helmValues(velero).credentials ?? {};
        if (credentials.useSecret !== true || !credentials.existingSecret) problems.push(`${c}: Velero writes to MinIO without credentials`);
        else consumers.push({ what: "Velero", namespace: velero.spec.destination.namespace, name: credentials.existingSecret });
      }
      for (const consumer of consumers) {
        if (!(await secretProducer(tree, c, consumer.namespace, consumer.name, true))) problems.push(`${c}: ${consumer.what} reads Secret ${consumer.namespace}/${consumer.name}, whose keys nothing writes`);
      }
    }

    // Registry: every image of every environment on this cluster is pullable by its nodes.
    const pullSecrets = objects.filter((d) => d.kind === "ClusterExternalSecret" && d.spec.externalSecretSpec.target.template?.type === "kubernetes.io/dockerconfigjson");
    const prerequisites = model.prerequisites.filter((p) => p.kind === "registryCredential" && p.cluster === c).map((p) => p.name);
    for (const env of model.environments.filter((e) => e.cluster === c && e.runtime === "kubernetes")) {
      for (const deployment of model.deployments.filter((d) => d.environment === env.name)) {
        const values = parseYaml(file(files, deployment.valuesPath) ?? "{}") as Doc;
        const host = registryHost(values.image.repository);
        const owns = (p: Model["profiles"][number]) => registryHost(p.registry.url.replace(/^[a-z]+:\/\//, "")) === host;
        const owner = owns(profile) ? profile : model.profiles.find(owns);
        if (!owner || prerequisites.includes(host)) continue; // a public registry, or credentials the team provides
        if (owner.registry.provider === "ecr") {
          const nodeRole = JSON.stringify(infra.resource?.aws_iam_role_policy_attachment ?? {});
          if (!(eks && owner.name === profile.name && nodeRole.includes("AmazonEC2ContainerRegistryReadOnly"))) problems.push(`${c}: ${deployment.valuesPath} pulls ${values.image.repository} from ECR, which the nodes of ${c} cannot read`);
          continue;
        }
        if (owner.registry.credentials === undefined && owner.registry.provider === "ghcr") continue; // public packages
        const names = (values.imagePullSecrets ?? []).map((s: Doc) => s.name);
        const made = pullSecrets.find((d) => names.includes(d.spec.externalSecretSpec.target.name) && String(d.spec.externalSecretSpec.target.template.data[".dockerconfigjson"]).includes(JSON.stringify(host)));
        if (!made) problems.push(`${c}: ${deployment.valuesPath} pulls ${values.image.repository} with no pull Secret for ${host}`);
      }
    }
  }
  return problems;
}

/** The tree with one file's text changed, to plant an omission. */
function planted(source: Tree, p: string, from: RegExp, to: string): Tree {
  const files = source.files.map((f) => {
    if (f.path !== p) return f;
    const content = f.content.replace(from, to);
    expect(content, `the planted edit applies to ${p}`).not.toBe(f.content);
    return { ...f, content };
  });
  return { model: source.model, files };
}

describe("adapters carried through to the generated tree", () => {
  for (const name of TREES) {
    it(`${name}: every AWS caller has a role, every external-dns its provider, every MinIO consumer its keys, every image a way in`, async () => {
      expect(await adapterProblems(await tree(name))).toEqual([]);
    });
  }

  it("the every-adapter spec really uses every adapter", async () => {
    const { model } = await tree("every-adapter");
    const used = (pick: (p: Model["profiles"][number]) => string) => new Set(model.profiles.map(pick));
    expect(used((p) => p.dns.provider)).toEqual(new Set(["route53", "cloudflare", "powerdns"]));
    expect(used((p) => p.secrets.backend)).toEqual(new Set(["aws-secrets-manager", "vault", "kubernetes"]));
    expect(used((p) => p.objectStorage.provider)).toEqual(new Set(["s3", "minio"]));
    expect(used((p) => p.registry.provider)).toEqual(new Set(["ecr", "harbor", "ghcr"]));
    expect(used((p) => p.storageClass)).toEqual(new Set(["gp3", "longhorn", "openebs-lvmpv", "local-path"]));
    expect(model.objectStoreUsers.map((u) => u.placement.kind).sort()).toEqual(expect.arrayContaining(["secret", "store"]));
  });

  it("the every-adapter tree passes its consumers: manifests their schemas, HCL HashiCorp's parser and terraform fmt", async () => {
    const { files } = await tree("every-adapter");
    let manifests = 0;
    for (const f of files.filter((x) => /^(kubernetes|argocd)\/.*\.yaml$/.test(x.path))) manifests += checkManifestFile(f.path, f.content).length;
    expect(manifests).toBeGreaterThan(40);
    const tf = files.filter((f) => f.path.endsWith(".tf"));
    for (const f of tf) await parseHcl(f.path, f.content);
    if (!TERRAFORM) {
      console.log("terraform fmt skipped: no terraform or tofu binary on the PATH");
      return;
    }
    const dir = writeTempTree("plinth-adapters-", tf.map((f) => [f.path, f.content] as [string, string]));
    try {
      const fmt = runTerraform(["fmt", "-check", "-recursive", "-diff"], dir);
      expect(fmt.output).toBe("");
      expect(fmt.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("fails on a planted omission", () => {
    it("a Pod Identity association removed (Velero on EKS)", async () => {
      const t = planted(await tree("every-adapter"), "opentofu/cloud-infra/main.tf", /resource "aws_eks_pod_identity_association" "velero" \{[\s\S]*?\n\}\n/, "");
      expect(await adapterProblems(t)).toEqual([expect.stringContaining("Velero (velero/velero-server) calls AWS, but no role is bound")]);
    });

    it("the role annotation of a CloudNativePG service account removed", async () => {
      const t = planted(await tree("bitvault"), "kubernetes/prod/bitvault-data.yaml", /\n  serviceAccountTemplate:\n    metadata:\n      annotations:\n        eks\.amazonaws\.com\/role-arn: \S+/, "");
      expect(await adapterProblems(t)).toEqual([expect.stringContaining("archives with its IAM role, but its service account names none")]);
    });

    it("external-dns without its zone filter", async () => {
      const t = planted(await tree("catalyst-forge"), "argocd/forge-onprem/components/external-dns.yaml", /\n        domainFilters:\n          - \S+/, "");
      expect(await adapterProblems(t)).toEqual([expect.stringContaining("external-dns is not filtered to forge-hetzner.projectcatalyst.io")]);
    });

    it("the Vault write of a MinIO user's keys removed", async () => {
      const t = planted(await tree("catalyst-forge"), "opentofu/forge-onprem-config/main.tf", /resource "vault_kv_secret_v2" "minio_postgres-cnpg-pitr-dev" \{[\s\S]*?\n\}\n/, "");
      expect(await adapterProblems(t)).toEqual([expect.stringContaining("reads Secret forge-dev/postgres-backup-s3, whose keys nothing writes")]);
    });

    it("the Secret the config stack writes for Velero removed (kubernetes backend)", async () => {
      const t = planted(await tree("gitops-monorepo"), "opentofu/main-config/main.tf", /resource "kubernetes_secret_v1" "minio_velero" \{[\s\S]*?\n\}\n/, "");
      expect(await adapterProblems(t)).toEqual([expect.stringContaining("Velero reads Secret velero/velero-s3-credentials, whose keys nothing writes")]);
    });

    it("the image pull Secret of a Harbor registry removed", async () => {
      const t = planted(await tree("catalyst-forge"), "helm/dev/api-server.values.yaml", /\nimagePullSecrets:\n  - name: registry-pull/, "");
      expect(await adapterProblems(t)).toEqual([expect.stringContaining("pulls harbor.forge-hetzner.projectcatalyst.io/catalyst-forge/api-server with no pull Secret")]);
    });
  });

  describe("OpenTofu stages apply in order on an empty account", () => {
    /** Providers that talk to something inside a cluster (its API, or a Vault it runs). */
    const IN_CLUSTER = ["helm", "kubernetes", "vault"];
    for (const name of TREES) {
      it(`${name}: infra uses no in-cluster provider; bootstrap only helm; config reads infra through remote state; stacks ordered infra → bootstrap → config`, async () => {
        const { model, files } = await tree(name);
        for (const cluster of model.clusters) {
          const providers = async (stack: string) => Object.keys(((await hcl(files, `opentofu/${stack}/providers.tf`)).provider ?? {}) as Doc);
          expect((await providers(cluster.stacks.infra)).filter((p) => IN_CLUSTER.includes(p)), `${cluster.stacks.infra}`).toEqual([]);
          expect(await providers(cluster.stacks.bootstrap), cluster.stacks.bootstrap).toEqual(["helm"]);
          const config = await hcl(files, `opentofu/${cluster.stacks.config}/main.tf`);
          if (JSON.stringify(config).includes("terraform_remote_state.infra")) expect(blocks(config, "data", "terraform_remote_state"), cluster.stacks.config).toHaveLength(1);
          const level = (id: string) => model.deploy.nodes.find((n) => n.id === `${cluster.name}/stack/${id}`)?.level;
          expect(level("infra")!).toBeLessThan(level("bootstrap")!);
          if (level("config") !== undefined) expect(level("infra")!).toBeLessThan(level("config")!);
        }
      });
    }
  });
});
