import { rmSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Model } from "../../compiler/model.js";
import { rootApplication } from "../../targets/argocd/applications.js";
import { opentofuTarget } from "../../targets/opentofu/index.js";
import { PROVIDERS } from "../../targets/opentofu/versions.js";
import type { OutputFile } from "../../targets/types.js";
import { fixtureModel, withDeployGraph } from "../fixtures/model.js";
import { STATEFUL_RESOURCE_TYPES } from "../../compiler/formats/stateful.js";
import { buildExample, EXAMPLES } from "../helpers.js";
import { mirroredProviders, parseHcl, PLUGIN_MIRROR, runTerraform, TERRAFORM, writeTempTree } from "../support/terraform.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const STACK_FILES = ["backend.tf", "main.tf", "outputs.tf", "providers.tf", "variables.tf", "versions.tf"];

/** The fixture with what the opentofu target reads beyond it: backup buckets and an on-prem host. */
function opentofuFixture(): Model {
  const model = fixtureModel();
  model.buckets.push(
    { name: "acme-cloud-backups", cluster: "cloud", profile: "cloud", purpose: "backups", expireAfterDays: 35 },
    { name: "acme-homelab-backups", cluster: "homelab", profile: "onprem", purpose: "backups", expireAfterDays: 14 },
  );
  // One host in the on-prem zone, one outside it (no record can be made there).
  model.environments.find((e) => e.name === "homelab")!.hosts = ["grafana.acme.internal", "status.elsewhere.example"];
  // Velero runs on the EKS cluster (it backs up to the S3 bucket there).
  model.clusters[0]!.components.push({
    name: "velero",
    namespace: "velero",
    chart: { repoURL: "https://vmware-tanzu.github.io/helm-charts", name: "velero", version: "8.1.0" },
    values: {},
  });
  model.clusters[0]!.veleroServiceAccount = { name: "velero-server", namespace: "velero" };
  // What resolve adds to a vault store's placements.
  model.secretStores.find((s) => s.backend === "vault")!.placements = [{ cluster: "homelab", vaultAuthMount: "kubernetes-homelab" }];
  return withDeployGraph(model);
}

/**
 * The fixture with its Vault store read by both clusters: an ExternalSecret on the EKS cluster and
 * the chart-made one of its preview environment read keys of their own.
 */
function sharedVaultFixture(): Model {
  const model = opentofuFixture();
  model.secretStores.find((s) => s.backend === "vault")!.placements = [
    { cluster: "cloud", vaultAuthMount: "kubernetes-cloud" },
    { cluster: "homelab", vaultAuthMount: "kubernetes-homelab" },
  ];
  model.externalSecrets.push({
    name: "api-vault",
    cluster: "cloud",
    namespace: "prod",
    store: "vault",
    storeKind: "ClusterSecretStore",
    refreshInterval: "1h",
    data: [{ secretKey: "TOKEN", key: "prod/api/token" }],
    at: ["secrets", 9],
  });
  model.deployments.find((d) => d.environment === "preview")!.chartExternalSecret = {
    store: "vault",
    storeKind: "ClusterSecretStore",
    refreshInterval: "1h",
    data: [{ secretKey: "TOKEN", key: "preview/api/token" }],
  };
  return withDeployGraph(model);
}

/**
 * The name the velero chart (vmware-tanzu/helm-charts, velero 8.x templates/_helpers.tpl) gives the
 * server's service account: serviceAccount.server.name, else `<fullname>-server`, where fullname is
 * fullnameOverride, else the release name if it contains the chart name, else `<release>-<chart>`.
 */
function veleroServerServiceAccount(release: string, values: Json): string {
  if (values.serviceAccount?.server?.name) return values.serviceAccount.server.name;
  const name = values.nameOverride ?? "velero";
  const fullname = values.fullnameOverride ?? (release.includes(name) ? release : `${release}-${name}`);
  return `${fullname.slice(0, 63).replace(/-+$/, "")}-server`;
}

/** The Kubernetes auth mounts a Vault stack creates, by path, and the roles on each. */
function vaultAuth(main: Json): { mounts: Record<string, string>; roleBackends: string[] } {
  const backends = (main.resource?.vault_auth_backend ?? {}) as Record<string, Json[]>;
  const mounts = Object.fromEntries(Object.entries(backends).map(([label, [body]]) => [body!.path as string, label]));
  const roles = Object.values((main.resource?.vault_kubernetes_auth_backend_role ?? {}) as Record<string, Json[]>).map(([role]) => role!.backend as string);
  return { mounts, roleBackends: roles };
}

/** The paths a Vault policy (HCL in a string) grants, with their capabilities. */
async function policyPaths(policy: string): Promise<Record<string, string[]>> {
  const parsed = (await parseHcl("policy.hcl", literal(policy))) as Json;
  return Object.fromEntries(Object.entries((parsed.path ?? {}) as Record<string, Json[]>).map(([path, [body]]) => [path, body!.capabilities]));
}

/** hcl2json keeps Terraform JSON syntax: a literal `${` in a string comes back as `$${`. */
const literal = (value: string) => value.replaceAll("$${", "${").replaceAll("%%{", "%{");

/** The stacks' HCL files (the target also writes opentofu/.gitignore). */
const tfFiles = (files: readonly OutputFile[]) => files.filter((f) => f.path.endsWith(".tf"));

async function parseAll(files: readonly OutputFile[]): Promise<Map<string, Json>> {
  const parsed = new Map<string, Json>();
  for (const file of files) parsed.set(file.path, (await parseHcl(file.path, file.content)) as Json);
  return parsed;
}

/** Every resource and data source type a stack's main.tf declares. */
const typesIn = (main: Json) => [...Object.keys(main.resource ?? {}), ...Object.keys(main.data ?? {})];
const providerOf = (type: string) => type.split("_")[0]!;
const requiredProviders = (versions: Json): Record<string, { source: string; version: string }> =>
  Object.assign({}, ...(versions.terraform[0].required_providers ?? []));

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("opentofu target (fixture model)", () => {
  const model = opentofuFixture();
  const everything = opentofuTarget.generate(model);
  const files = tfFiles(everything);
  const content = (p: string) => files.find((f) => f.path === p)?.content ?? "";

  it("keeps OpenTofu's working folders, state and plans out of Git with opentofu/.gitignore", () => {
    const ignore = everything.find((f) => f.path === "opentofu/.gitignore")?.content ?? "";
    for (const pattern of [".terraform/", "*.tfstate", "*.tfstate.*", "*.tfplan"]) expect(ignore.split("\n")).toContain(pattern);
    expect(everything.filter((f) => !f.path.endsWith(".tf")).map((f) => f.path)).toEqual(["opentofu/.gitignore"]);
  });
  let parsed: Map<string, Json>;
  const json = (p: string) => parsed.get(p) ?? {};
  beforeAll(async () => {
    parsed = await parseAll(files);
  });
  const [cloud, homelab] = model.clusters as [Model["clusters"][number], Model["clusters"][number]];

  it("writes the six files of an infra and a bootstrap stack per cluster, and of a config stack where Vault is configured, in the folders the Model names", () => {
    const withVault = (c: Model["clusters"][number]) => model.secretStores.some((s) => s.backend === "vault" && s.placements.some((p) => p.cluster === c.name));
    const expected = model.clusters
      .flatMap((c) => [c.stacks.infra, c.stacks.bootstrap, ...(withVault(c) ? [c.stacks.config] : [])])
      .flatMap((stack) => STACK_FILES.map((f) => `opentofu/${stack}/${f}`));
    expect(files.map((f) => f.path).sort()).toEqual(expected.sort());
  });

  it("is byte-for-byte deterministic, LF only, with a trailing newline", () => {
    expect(opentofuTarget.generate(opentofuFixture())).toEqual(everything);
    for (const file of everything) {
      expect(file.content.endsWith("\n"), file.path).toBe(true);
      expect(file.content.includes("\r"), file.path).toBe(false);
    }
  });

  it("every file parses with HashiCorp's HCL parser", () => {
    expect([...parsed.keys()].sort()).toEqual(files.map((f) => f.path).sort());
  });

  it("keeps each stack's state apart, with S3-native locking on the S3 backend", () => {
    const infraBackend = json(`opentofu/${cloud.stacks.infra}/backend.tf`).terraform[0].backend.s3[0];
    const bootstrapBackend = json(`opentofu/${cloud.stacks.bootstrap}/backend.tf`).terraform[0].backend.s3[0];
    const modelBackend = cloud.stateBackends.infra as { bucket: string; key: string; region: string };
    expect(infraBackend).toMatchObject({ bucket: modelBackend.bucket, key: modelBackend.key, region: modelBackend.region, use_lockfile: true, encrypt: true });
    expect(bootstrapBackend.key).not.toBe(infraBackend.key);
    expect(json(`opentofu/${homelab.stacks.infra}/backend.tf`).terraform[0].backend.local[0]).toEqual({ path: "terraform.tfstate" });
    expect(content(`opentofu/${homelab.stacks.infra}/backend.tf`)).toMatch(/# Local state: .*keep it out of Git/s);
  });

  it("requires exactly the providers each stack uses, pinned to one version", () => {
    for (const stack of model.clusters.flatMap((c) => [c.stacks.infra, c.stacks.bootstrap, c.stacks.config]).filter((s) => files.some((f) => f.path.startsWith(`opentofu/${s}/`)))) {
      const main = json(`opentofu/${stack}/main.tf`);
      // Resources only forgotten here (removed blocks) still need their provider's schema, not its configuration.
      const forgotten = new Set(((main.removed ?? []) as Json[]).map((r) => providerOf(String(r.from).replace(/^\$\{|\}$/g, ""))));
      const configured = new Set(typesIn(main).map(providerOf));
      // terraform_remote_state comes with OpenTofu itself (the built-in "terraform" provider).
      configured.delete("terraform");
      const used = new Set([...configured, ...forgotten]);
      const required = requiredProviders(json(`opentofu/${stack}/versions.tf`));
      expect(new Set(Object.keys(required)), stack).toEqual(used);
      for (const [name, requirement] of Object.entries(required)) {
        expect(requirement).toEqual(PROVIDERS[name as keyof typeof PROVIDERS]);
        expect(requirement.version).toMatch(/^\d+\.\d+\.\d+$/);
      }
      expect(new Set(Object.keys(json(`opentofu/${stack}/providers.tf`).provider ?? {}))).toEqual(configured);
    }
    expect(requiredProviders(json(`opentofu/${cloud.stacks.infra}/versions.tf`)).aws?.version).toBe("5.100.0");
  });

  it("declares every variable with a type and a description, and every output with a description", () => {
    for (const file of files.filter((f) => f.path.endsWith("variables.tf") || f.path.endsWith("outputs.tf"))) {
      const blocks = json(file.path).variable ?? json(file.path).output ?? {};
      for (const [name, [body]] of Object.entries(blocks as Record<string, Json[]>)) {
        expect(body!.description, `${file.path} ${name}`).toMatch(/\S/);
        if (file.path.endsWith("variables.tf")) expect(body!.type, `${file.path} ${name}`).toMatch(/^\$\{(string|number|bool|list\(.*\)|map\(.*\))\}$/);
      }
    }
  });

  it("provisions an EKS cluster and node groups from the Model on the aws profile", () => {
    const main = json(`opentofu/${cloud.stacks.infra}/main.tf`);
    const eks = main.resource.aws_eks_cluster.this[0];
    expect(eks).toMatchObject({ name: cloud.resourcePrefix, version: cloud.kubernetesVersion });
    expect(eks.encryption_config[0].resources).toEqual(["secrets"]);
    const pools = main.locals[0].node_pools;
    expect(Object.keys(pools)).toEqual(cloud.nodePools.map((p) => p.name));
    expect(pools.general).toMatchObject({ instance_types: ["m6i.large"], min_size: 2, max_size: 6 });
    // A k3s cluster gets no cluster resource.
    expect(typesIn(json(`opentofu/${homelab.stacks.infra}/main.tf`)).filter((t) => t.includes("eks") || t.startsWith("aws_"))).toEqual([]);
  });

  it("makes the Model's backup buckets versioned, KMS-encrypted, private and expiring after their retention", () => {
    const main = json(`opentofu/${cloud.stacks.infra}/main.tf`);
    const r = main.resource;
    expect(main.locals[0].backup_buckets).toEqual({ "acme-cloud-backups": { purpose: "backups", expire_after_days: 35 } });
    expect(r.aws_s3_bucket.backups[0].for_each).toBe("${local.backup_buckets}");
    expect(r.aws_s3_bucket_versioning.backups[0].versioning_configuration[0].status).toBe("Enabled");
    expect(r.aws_s3_bucket_server_side_encryption_configuration.backups[0].rule[0].apply_server_side_encryption_by_default[0]).toEqual({
      sse_algorithm: "aws:kms",
      kms_master_key_id: "${aws_kms_key.this.arn}",
    });
    const rule = r.aws_s3_bucket_lifecycle_configuration.backups[0].rule[0];
    expect(rule.filter).toEqual([{}]);
    expect(rule.expiration[0].days).toBe("${local.backup_buckets[each.key].expire_after_days}");
    expect(r.aws_s3_bucket_public_access_block.backups[0]).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });

    const onprem = json(`opentofu/${homelab.stacks.infra}/main.tf`);
    expect(onprem.locals[0].backup_buckets).toEqual({ "acme-homelab-backups": { purpose: "backups", expire_after_days: 14 } });
    expect(onprem.resource.minio_ilm_policy.backups[0].rule[0].expiration).toBe("${local.backup_buckets[each.key].expire_after_days}d");
    expect(onprem.resource.minio_s3_bucket_versioning.backups[0].versioning_configuration[0].status).toBe("Enabled");
    expect(onprem.resource.minio_iam_user.velero[0].name).toBe(homelab.iam.veleroRole);
  });

  it("binds the External Secrets and Velero roles to exactly their service accounts with EKS Pod Identity", () => {
    const main = json(`opentofu/${cloud.stacks.infra}/main.tf`);
    expect(main.resource.aws_iam_role.external_secrets[0].name).toBe(cloud.iam.externalSecretsRole);
    expect(main.resource.aws_iam_role.velero[0].name).toBe(cloud.iam.veleroRole);
    expect(main.resource.aws_eks_addon.pod_identity_agent[0].addon_name).toBe("eks-pod-identity-agent");
    for (const [label, account] of [
      ["external_secrets", cloud.externalSecretsServiceAccount],
      ["velero", cloud.veleroServiceAccount],
    ] as const) {
      const trust = main.data.aws_iam_policy_document[`${label}_trust`][0].statement[0];
      expect(trust.actions).toEqual(["sts:AssumeRole", "sts:TagSession"]);
      expect(trust.principals[0]).toMatchObject({ type: "Service", identifiers: ["pods.eks.amazonaws.com"] });
      expect(main.resource.aws_eks_pod_identity_association[label][0]).toMatchObject({
        namespace: account.namespace,
        service_account: account.name,
        role_arn: `\${aws_iam_role.${label}.arn}`,
      });
    }
    // Read access to exactly the secrets this cluster's ExternalSecrets reference.
    const keys = model.externalSecrets.filter((s) => s.cluster === cloud.name).flatMap((s) => s.data.map((d) => d.key));
    const resources: string[] = main.data.aws_iam_policy_document.external_secrets[0].statement[0].resources;
    expect(resources.map((arn) => arn.replace(/^.*:secret:/, "").replace(/-\?{6}$/, "")).sort()).toEqual([...new Set(keys)].sort());
  });

  it("makes no Velero role for a cluster that runs no Velero", async () => {
    const changed = opentofuFixture();
    changed.clusters[0]!.components = [];
    const without = withDeployGraph(changed);
    const main = (await parseHcl("main.tf", opentofuTarget.generate(without).find((f) => f.path === `opentofu/${cloud.stacks.infra}/main.tf`)!.content)) as Json;
    expect(main.resource.aws_iam_role.velero).toBeUndefined();
    expect(main.resource.aws_s3_bucket.backups).toBeDefined();
  });

  it("creates records only for the hosts inside the profile's DNS zone", () => {
    const cloudRecords = json(`opentofu/${cloud.stacks.infra}/main.tf`).resource.aws_route53_record.hosts[0];
    expect(cloudRecords.for_each).toBe('${toset(["acme.example", "dev.acme.example"])}');
    const pdns = json(`opentofu/${homelab.stacks.infra}/main.tf`).resource.powerdns_record.hosts[0];
    expect(pdns.for_each).toBe('${toset(["grafana.acme.internal"])}');
    expect(pdns.zone).toBe("acme.internal.");
  });

  it("sets up Vault for the store the cluster reads: KV mount, Kubernetes auth role for External Secrets, read-only policy", async () => {
    const main = json(`opentofu/${homelab.stacks.config}/main.tf`);
    const store = model.secretStores.find((s) => s.backend === "vault")!.vault!;
    expect(main.resource.vault_mount.kv[0]).toMatchObject({ path: store.mount, type: "kv", options: { version: "2" } });
    const role = Object.values(main.resource.vault_kubernetes_auth_backend_role as Record<string, Json[]>)[0]![0]!;
    expect(role).toMatchObject({
      role_name: store.auth.role,
      bound_service_account_names: [homelab.externalSecretsServiceAccount.name],
      bound_service_account_namespaces: [homelab.externalSecretsServiceAccount.namespace],
    });
    const policy = main.resource.vault_policy.external_secrets[0];
    expect(policy.name).toBe(homelab.iam.externalSecretsRole);
    expect(await policyPaths(policy.policy)).toEqual({ [`${store.mount}/data/alerting/discord`]: ["read"] });
  });

  it("takes the Vault address from an input that defaults to VAULT_ADDR, never from in-cluster DNS", () => {
    const providers = json(`opentofu/${homelab.stacks.config}/providers.tf`);
    expect(providers.provider.vault[0].address).toBe("${var.vault_address}");
    const variable = json(`opentofu/${homelab.stacks.config}/variables.tf`).variable.vault_address[0];
    // null leaves the provider's address unset, so it reads VAULT_ADDR.
    expect(variable.default).toBeNull();
    const profile = model.profiles.find((p) => p.name === homelab.profile)!;
    expect(variable.description).toContain(profile.secrets.address ?? model.secretStores.find((s) => s.backend === "vault")!.vault!.server);
  });

  it("gives Vault the cluster's API from a required input and a sensitive token-reviewer input on a non-EKS cluster", () => {
    const main = json(`opentofu/${homelab.stacks.config}/main.tf`);
    const config = Object.values(main.resource.vault_kubernetes_auth_backend_config as Record<string, Json[]>)[0]![0]!;
    expect(config).toMatchObject({
      kubernetes_host: "${var.kubernetes_host}",
      kubernetes_ca_cert: "${var.kubernetes_ca_cert}",
      token_reviewer_jwt: "${var.vault_token_reviewer_jwt}",
      disable_local_ca_jwt: "${var.kubernetes_ca_cert != null}",
    });
    const variables = json(`opentofu/${homelab.stacks.config}/variables.tf`).variable;
    // No default: the in-cluster address would be unreachable from a Vault outside the cluster.
    expect(variables.kubernetes_host[0]).not.toHaveProperty("default");
    expect(variables.vault_token_reviewer_jwt[0]).toMatchObject({ sensitive: true, default: null });
    expect(variables.vault_token_reviewer_jwt[0].description).toContain("system:auth-delegator");
  });

  it("adds the EBS CSI driver add-on with its own IRSA role to the EKS cluster only", () => {
    const main = json(`opentofu/${cloud.stacks.infra}/main.tf`);
    const addon = main.resource.aws_eks_addon.ebs_csi_driver[0];
    expect(addon).toMatchObject({ cluster_name: "${aws_eks_cluster.this.name}", addon_name: "aws-ebs-csi-driver", service_account_role_arn: "${aws_iam_role.ebs_csi_driver.arn}" });
    // The add-on becomes active only once nodes can run its controller.
    expect(addon.depends_on).toContain("${aws_eks_node_group.this}");
    const trust = main.data.aws_iam_policy_document.ebs_csi_driver_trust[0].statement[0];
    expect(trust.condition.find((c: Json) => c.variable.endsWith(":sub")).values).toEqual(["system:serviceaccount:kube-system:ebs-csi-controller-sa"]);
    expect(main.resource.aws_iam_role_policy_attachment.ebs_csi_driver[0].policy_arn).toMatch(/:iam::aws:policy\/service-role\/AmazonEBSCSIDriverPolicy$/);
    expect(typesIn(json(`opentofu/${homelab.stacks.infra}/main.tf`))).not.toContain("aws_eks_addon");
  });

  it("does not wait for ArgoCD's LoadBalancer address at bootstrap, and waits otherwise", () => {
    const withAddress = opentofuFixture();
    withAddress.clusters[1]!.loadBalancerIPs = { argocd: "192.168.1.240" };
    const bootstrap = (cluster: Model["clusters"][number]) =>
      parseHcl("main.tf", opentofuTarget.generate(withAddress).find((f) => f.path === `opentofu/${cluster.stacks.bootstrap}/main.tf`)!.content) as Promise<Json>;
    return Promise.all([bootstrap(homelab), bootstrap(cloud)]).then(([lb, plain]) => {
      const release = lb.resource.helm_release.argocd[0];
      expect(parseYaml(literal(release.values[0])).server.service).toEqual({ type: "LoadBalancer", loadBalancerIP: "192.168.1.240" });
      expect(release.wait).toBe(false);
      expect(plain.resource.helm_release.argocd[0].wait).toBe(true);
    });
  });

  it("configures the bootstrap providers from the infra stack's outputs (EKS) or input variables, never from resources", () => {
    for (const cluster of model.clusters) {
      const text = content(`opentofu/${cluster.stacks.bootstrap}/providers.tf`);
      const references = [...text.matchAll(/(?:=|\(|,)\s*([a-z_]+(?:\.[a-z_]+)?)\./g)].map((m) => m[1]);
      expect(references.length).toBeGreaterThan(0);
      expect(new Set(references)).toEqual(new Set([cluster.kind === "eks" ? "data.terraform_remote_state" : "var"]));
    }
  });

  it("installs the Model's ArgoCD chart and a root Application identical to the argocd target's", () => {
    for (const cluster of model.clusters) {
      const releases = json(`opentofu/${cluster.stacks.bootstrap}/main.tf`).resource.helm_release;
      expect(releases.argocd[0]).toMatchObject({
        namespace: cluster.argocdNamespace,
        repository: cluster.argocd.chart.repoURL,
        chart: cluster.argocd.chart.name,
        version: cluster.argocd.chart.version,
      });
      const root = releases.root[0];
      expect(root.name).toBe(cluster.rootApplication);
      expect(root.depends_on).toEqual(["${helm_release.argocd}"]);
      const values = parseYaml(literal(root.values[0]));
      const expected = rootApplication(model, cluster);
      const app = values.applications[cluster.rootApplication];
      expect(app.sources.map((source: { path: string }) => source.path)).toEqual([cluster.gitopsPaths.argocd, cluster.gitopsPaths.kubernetes]);
      expect(app).toEqual({ namespace: expected.metadata!.namespace, additionalLabels: expected.metadata!.labels, ...expected.spec });
    }
  });

  it("escapes what the spec says: template sequences and quotes survive into the values ArgoCD reads", async () => {
    const hostile = opentofuFixture();
    hostile.platform.repositories.gitops = 'https://git.example/${org}/%{ if x }"gitops"';
    hostile.clusters[0]!.argocd.values = { server: { extraArgs: ["--x=${HOME}", "back\\slash", "multi\nline"] } };
    const bootstrap = opentofuTarget.generate(hostile).find((f) => f.path === `opentofu/${cloud.stacks.bootstrap}/main.tf`)!;
    const releases = ((await parseHcl("main.tf", bootstrap.content)) as Json).resource.helm_release;
    expect(parseYaml(literal(releases.root[0].values[0])).applications[cloud.rootApplication].sources[0].repoURL).toBe(hostile.platform.repositories.gitops);
    expect(parseYaml(literal(releases.argocd[0].values[0]))).toEqual(hostile.clusters[0]!.argocd.values);
  });
});

describe("opentofu target (one Vault read by two clusters)", () => {
  const model = sharedVaultFixture();
  const files = tfFiles(opentofuTarget.generate(model));
  let parsed: Map<string, Json>;
  const main = (cluster: Model["clusters"][number]) => parsed.get(`opentofu/${cluster.stacks.config}/main.tf`) ?? {};
  beforeAll(async () => {
    parsed = await parseAll(files);
  });
  const [cloud, homelab] = model.clusters as [Model["clusters"][number], Model["clusters"][number]];
  const store = model.secretStores.find((s) => s.backend === "vault")!;

  it("gives each cluster its own Kubernetes auth mount, the one the Model names, with its role on it", () => {
    for (const cluster of [cloud, homelab]) {
      const { mounts, roleBackends } = vaultAuth(main(cluster));
      const expected = store.placements.find((p) => p.cluster === cluster.name)!.vaultAuthMount!;
      expect(Object.keys(mounts), cluster.name).toEqual([expected]);
      expect(roleBackends, cluster.name).toEqual([`\${vault_auth_backend.${mounts[expected]}.path}`]);
    }
  });

  it("points each cluster's auth mount at that cluster's own API", () => {
    const config = (cluster: Model["clusters"][number]) => Object.values(main(cluster).resource.vault_kubernetes_auth_backend_config as Record<string, Json[]>)[0]![0]!;
    expect(config(cloud)).toMatchObject({
      kubernetes_host: "${data.aws_eks_cluster.this.endpoint}",
      kubernetes_ca_cert: "${base64decode(data.aws_eks_cluster.this.certificate_authority[0].data)}",
      token_reviewer_jwt: "${var.vault_token_reviewer_jwt}",
      disable_local_ca_jwt: true,
    });
    expect(config(homelab).kubernetes_host).toBe("${var.kubernetes_host}");
  });

  it("lets each cluster read exactly the keys its ExternalSecrets (and preview charts) name", async () => {
    const grants = async (cluster: Model["clusters"][number]) => policyPaths(main(cluster).resource.vault_policy.external_secrets[0].policy);
    expect(await grants(cloud)).toEqual({ "kv/data/preview/api/token": ["read"], "kv/data/prod/api/token": ["read"] });
    expect(await grants(homelab)).toEqual({ "kv/data/alerting/discord": ["read"] });
  });

  it("manages the shared KV mount in one stack only", () => {
    const withMount = [cloud, homelab].filter((c) => main(c).resource.vault_mount !== undefined).map((c) => c.name);
    expect(withMount).toEqual([cloud.name]);
  });
});

describe("opentofu target (examples)", () => {
  let stacks: Map<string, Map<string, Json>>;
  let outputs: Map<string, OutputFile[]>;
  beforeAll(async () => {
    stacks = new Map();
    outputs = new Map();
    for (const name of EXAMPLES) {
      const files = tfFiles((await buildExample(name)).files.filter((f) => f.path.startsWith("opentofu/")));
      outputs.set(name, files);
      stacks.set(name, await parseAll(files));
    }
  }, 120_000);

  it("applies in stages: no Vault resource in an infra stack; each config stack after the cluster exists and after the Vault it configures is initialised", async () => {
    let checked = 0;
    for (const name of EXAMPLES) {
      const { model } = await buildExample(name);
      const level = (id: string) => model.deploy.nodes.find((n) => n.id === id)?.level;
      for (const cluster of model.clusters) {
        const infra = stacks.get(name)!.get(`opentofu/${cluster.stacks.infra}/main.tf`)!;
        expect(typesIn(infra).filter((t) => t.startsWith("vault_") || t.startsWith("kubernetes_") || t.startsWith("helm_")), `${name} ${cluster.stacks.infra}`).toEqual([]);
        const config = level(`${cluster.name}/stack/config`);
        if (config === undefined) continue;
        // The cluster's API (token reviews) exists: after the infra stack that creates an EKS cluster.
        if (cluster.kind === "eks") expect(config, `${name} ${cluster.stacks.config} after ${cluster.stacks.infra}`).toBeGreaterThan(level(`${cluster.name}/stack/infra`)!);
        const inCluster = level(`${cluster.name}/step/vault-init`);
        if (inCluster !== undefined) {
          expect(config, `${name} ${cluster.stacks.config} after Vault's initialisation`).toBeGreaterThan(inCluster);
          expect(config, `${name} ${cluster.stacks.config} after bootstrap`).toBeGreaterThan(level(`${cluster.name}/stack/bootstrap`)!);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it("keeps every Vault resource across the stage split: forgotten by infra (removed, destroy = false) and imported by config, never destroyed", async () => {
    let moved = 0;
    for (const [name, files] of outputs) {
      for (const configMain of files.filter((f) => /-config\/main\.tf$/.test(f.path))) {
        const infraPath = configMain.path.replace(/-config\/main\.tf$/, "-infra/main.tf");
        const config = stacks.get(name)!.get(configMain.path)!;
        const removed = ((stacks.get(name)!.get(infraPath)!.removed ?? []) as Json[]).map((r) => ({ from: String(r.from).replace(/^\$\{|\}$/g, ""), destroy: r.lifecycle?.[0]?.destroy }));
        // The KV secrets holding MinIO keys were born in the config stack: only what infra once held moves.
        for (const type of Object.keys(config.resource ?? {}).filter((t) => t.startsWith("vault_") && !t.startsWith("vault_kv_secret"))) {
          for (const label of Object.keys(config.resource[type])) {
            const address = `${type}.${label}`;
            expect(removed.find((r) => r.from === address), `${name} ${infraPath} forgets ${address}`).toEqual({ from: address, destroy: false });
            expect(configMain.content, `${name} ${configMain.path} imports ${address}`).toMatch(new RegExp(`import ${address.replace(/[.]/g, "\\.")} \\S+`));
            moved++;
          }
        }
      }
    }
    expect(moved).toBeGreaterThanOrEqual(10);
  });

  it("refuses to destroy stateful resources: buckets, KMS keys, EKS clusters and Vault KV mounts carry prevent_destroy", () => {
    const stateful = STATEFUL_RESOURCE_TYPES;
    let checked = 0;
    for (const [name, parsed] of stacks) {
      for (const [file, hcl] of parsed) {
        for (const type of stateful) {
          for (const [label, instances] of Object.entries((hcl.resource?.[type] ?? {}) as Record<string, Json[]>)) {
            expect(instances[0]!.lifecycle?.[0]?.prevent_destroy, `${name} ${file} ${type}.${label}`).toBe(true);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  it("there are examples to check", () => {
    expect(EXAMPLES.length).toBeGreaterThan(0);
  });

  it("every example's .tf files parse with HashiCorp's HCL parser, two stacks per cluster and a config stack per cluster reading Vault or placing MinIO keys", async () => {
    for (const name of EXAMPLES) {
      const { model } = await buildExample(name);
      const paths = [...stacks.get(name)!.keys()];
      const configs = model.clusters.filter(
        (c) => model.secretStores.some((s) => s.backend === "vault" && s.placements.some((p) => p.cluster === c.name)) || model.objectStoreUsers.some((u) => u.cluster === c.name),
      ).length;
      expect(paths.length, name).toBe((model.clusters.length * 2 + configs) * STACK_FILES.length);
      expect(paths.every((p) => p.endsWith(".tf")), name).toBe(true);
    }
  });

  it("binds each Velero role to the service account the velero chart really creates", async () => {
    let checked = 0;
    for (const name of EXAMPLES) {
      const { model, files } = await buildExample(name);
      for (const cluster of model.clusters) {
        const association = stacks.get(name)!.get(`opentofu/${cluster.stacks.infra}/main.tf`)?.resource?.aws_eks_pod_identity_association?.velero;
        if (!association) continue;
        // A role for Velero only where Velero runs: the argocd target installs it as a component.
        const component = files.find((f) => f.path === `argocd/${cluster.name}/components/velero.yaml`);
        expect(component, `${name}/${cluster.name} has a Velero role but no Velero`).toBeDefined();
        const app = parseYaml(component!.content);
        const helm = app.spec.source.helm ?? {};
        const values = { ...(helm.values ? parseYaml(helm.values) : {}), ...(helm.valuesObject ?? {}) };
        const account = veleroServerServiceAccount(helm.releaseName ?? app.metadata.name, values);
        expect(association[0], `${name}/${cluster.name}`).toMatchObject({ namespace: app.spec.destination.namespace, service_account: account });
        expect(cluster.veleroServiceAccount, `${name}/${cluster.name}`).toEqual({ name: account, namespace: app.spec.destination.namespace });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it("gives every cluster reading a Vault store its own auth mount, as the Model names it, and no wildcard reads", async () => {
    let checked = 0;
    for (const name of EXAMPLES) {
      const { model } = await buildExample(name);
      const mountsByCluster = new Map<string, Set<string>>();
      for (const store of model.secretStores.filter((s) => s.backend === "vault")) {
        for (const placement of store.placements) {
          expect(placement.vaultAuthMount, `${name} ${store.name} on ${placement.cluster}`).toMatch(new RegExp(`-${placement.cluster}$`));
          mountsByCluster.set(placement.cluster, (mountsByCluster.get(placement.cluster) ?? new Set()).add(placement.vaultAuthMount!));
        }
      }
      const all = [...mountsByCluster.values()].flatMap((set) => [...set]);
      expect(new Set(all).size, name).toBe(all.length);
      for (const [clusterName, mounts] of mountsByCluster) {
        const cluster = model.clusters.find((c) => c.name === clusterName)!;
        const main = stacks.get(name)!.get(`opentofu/${cluster.stacks.config}/main.tf`)!;
        expect(Object.keys(vaultAuth(main).mounts).sort(), `${name}/${clusterName}`).toEqual([...mounts].sort());
        const grants = await policyPaths(main.resource.vault_policy.external_secrets[0].policy);
        expect(Object.keys(grants).length).toBeGreaterThan(0);
        for (const [path, capabilities] of Object.entries(grants)) {
          expect(path, `${name}/${clusterName}`).not.toMatch(/[*+]/);
          expect(capabilities).toEqual(["read"]);
        }
        const providers = stacks.get(name)!.get(`opentofu/${cluster.stacks.config}/providers.tf`)!;
        expect(providers.provider.vault[0].address, `${name}/${clusterName}`).toBe("${var.vault_address}");
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1);
  });

  it("never waits at bootstrap for a LoadBalancer address ArgoCD's own components would provide", async () => {
    let checked = 0;
    for (const name of EXAMPLES) {
      const { model } = await buildExample(name);
      for (const cluster of model.clusters) {
        const release = stacks.get(name)!.get(`opentofu/${cluster.stacks.bootstrap}/main.tf`)!.resource.helm_release.argocd[0];
        const values = release.values ? parseYaml(literal(release.values[0])) : {};
        if (values.server?.service?.type !== "LoadBalancer") continue;
        expect(release.wait, `${name}/${cluster.name}`).toBe(false);
        checked++;
      }
    }
    if (EXAMPLES.includes("gitops-monorepo")) expect(checked).toBeGreaterThan(0);
  });

  it("adds the EBS CSI driver add-on to every EKS cluster", async () => {
    for (const name of EXAMPLES) {
      const { model } = await buildExample(name);
      for (const cluster of model.clusters.filter((c) => c.kind === "eks" && c.cloud === "aws")) {
        const main = stacks.get(name)!.get(`opentofu/${cluster.stacks.infra}/main.tf`)!;
        expect(main.resource.aws_eks_addon?.ebs_csi_driver?.[0]?.addon_name, `${name}/${cluster.name}`).toBe("aws-ebs-csi-driver");
      }
    }
  });

  it("catalyst-forge yields an aws stack and an on-prem stack from one spec", async () => {
    if (!EXAMPLES.includes("catalyst-forge")) return expect.fail("the catalyst-forge example is missing");
    const { model } = await buildExample("catalyst-forge");
    const parsed = stacks.get("catalyst-forge")!;
    const clouds = new Map(model.clusters.map((c) => [c.cloud, c]));
    const aws = clouds.get("aws")!;
    const onprem = clouds.get("onprem")!;
    expect(Object.keys(requiredProviders(parsed.get(`opentofu/${aws.stacks.infra}/versions.tf`)!))).toContain("aws");
    expect(parsed.get(`opentofu/${aws.stacks.infra}/main.tf`)!.resource.aws_eks_cluster).toBeDefined();
    const onpremProviders = Object.keys(requiredProviders(parsed.get(`opentofu/${onprem.stacks.infra}/versions.tf`)!));
    expect(onpremProviders).toContain("minio");
    expect(onpremProviders).not.toContain("aws");
  });
});

/** The fixture's and every example's stacks, as (folder in one tree → files). */
async function everyStackTree(): Promise<Map<string, OutputFile[]>> {
  const trees = new Map<string, OutputFile[]>([["fixture", tfFiles(opentofuTarget.generate(opentofuFixture()))]]);
  for (const name of EXAMPLES) trees.set(name, tfFiles((await buildExample(name)).files.filter((f) => f.path.startsWith("opentofu/"))));
  return trees;
}

describe.skipIf(!TERRAFORM)(`terraform fmt${TERRAFORM ? "" : " (skipped: no terraform or tofu binary on PATH)"}`, () => {
  it("terraform fmt -check -recursive changes nothing in any generated stack", async () => {
    const trees = await everyStackTree();
    const dir = writeTempTree(
      "plinth-tofu-fmt-",
      [...trees.entries()].flatMap(([tree, files]) => files.map((f): [string, string] => [path.join(tree, f.path), f.content])),
    );
    tempDirs.push(dir);
    const { status, output } = runTerraform(["fmt", "-check", "-diff", "-recursive", "."], dir);
    expect(output).toBe("");
    expect(status).toBe(0);
  }, 120_000);
});

const mirrorNote = !TERRAFORM ? " (skipped: no terraform or tofu binary on PATH)" : !PLUGIN_MIRROR ? " (skipped: no provider mirror folder holding registry.terraform.io; set PLINTH_TF_PLUGIN_DIR)" : "";
describe.skipIf(!TERRAFORM || !PLUGIN_MIRROR)(`terraform init + validate against the local provider mirror${mirrorNote}`, () => {
  it("every stack whose providers are all in the mirror initialises and validates", async () => {
    const available = mirroredProviders(PLUGIN_MIRROR!);
    const trees = await everyStackTree();
    const checked: string[] = [];
    const notValidated: string[] = [];
    const failures: string[] = [];
    for (const [tree, files] of trees) {
      const folders = [...new Set(files.map((f) => f.path.split("/")[1]!))];
      for (const folder of folders) {
        const stackFiles = files.filter((f) => f.path.startsWith(`opentofu/${folder}/`));
        const versions = (await parseHcl("versions.tf", stackFiles.find((f) => f.path.endsWith("/versions.tf"))!.content)) as Json;
        const required = Object.values(requiredProviders(versions));
        const absent = required.filter((p) => !available.has(`${p.source}@${p.version}`));
        if (required.length === 0 || absent.length > 0) {
          notValidated.push(`${tree}/${folder} (needs ${absent.map((p) => `${p.source} ${p.version}`).join(", ")})`);
          continue;
        }
        const dir = writeTempTree("plinth-tofu-validate-", stackFiles.map((f): [string, string] => [path.basename(f.path), f.content]));
        tempDirs.push(dir);
        const init = runTerraform(["init", "-backend=false", "-input=false", `-plugin-dir=${PLUGIN_MIRROR}`], dir);
        if (init.status !== 0) {
          failures.push(`${tree}/${folder}: init failed\n${init.output}`);
          continue;
        }
        const validate = runTerraform(["validate"], dir);
        if (validate.status !== 0 || /Warning/.test(validate.output)) failures.push(`${tree}/${folder}: validate\n${validate.output}`);
        checked.push(`${tree}/${folder}`);
      }
    }
    // Said out loud: stacks whose providers the mirror lacks were only parsed and fmt-checked.
    if (notValidated.length > 0) console.warn(`terraform validate skipped for ${notValidated.length} stack(s), providers not in ${PLUGIN_MIRROR}:\n  ${notValidated.join("\n  ")}`);
    expect(failures).toEqual([]);
    // The fixture's aws infra stack needs only the aws provider: with it mirrored, it must have been checked.
    if (available.has(`${PROVIDERS.aws.source}@${PROVIDERS.aws.version}`)) expect(checked).toContain(`fixture/${fixtureModel().clusters[0]!.stacks.infra}`);
    else expect.soft(checked, `the mirror has no ${PROVIDERS.aws.source} ${PROVIDERS.aws.version}: no stack could be validated`).not.toEqual([]);
  }, 600_000);
});
