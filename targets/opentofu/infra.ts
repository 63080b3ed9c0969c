import type { Model, ModelBucket, ModelCluster, ModelObjectStoreUser, ModelProfile, ModelSecretStore, ModelWorkloadIdentity } from "../../compiler/model.js";
import { attr, blank, block, call, comment, expr, list, obj, printHcl, tpl, type HclBodyItem, type HclValue } from "./hcl.js";
import { infraOutputs, kubernetesAccess } from "./cluster-access.js";
import { labelFor, Stack, stageOrderText } from "./stack.js";
import { secretsCreatedBy } from "../../compiler/resolve/secrets.js";
import { vaultSnapshotLogin } from "../../compiler/resolve/performers.js";

/**
 * The infra stack of one cluster: what exists outside Kubernetes. Each part follows one adapter of the
 * cluster's profile (ports and adapters): the cloud (aws: VPC, EKS, KMS), object storage (s3 or minio:
 * backup buckets), secrets (aws-secrets-manager: an IRSA role; vault: mount, policy, auth role) and
 * DNS (route53, cloudflare or powerdns records for the environments' hosts).
 */
export function infraStack(model: Model, cluster: ModelCluster): Stack {
  const profile = model.profiles.find((p) => p.name === cluster.profile)!;
  const stack = new Stack(cluster.stacks.infra, cluster.stateBackends.infra, `the ${cluster.name} cluster's infrastructure (profile ${profile.name})`);
  stack.intro(
    `What the ${cluster.name} cluster needs outside Kubernetes, per the adapters of profile ${profile.name} (cloud ${profile.cloud}, DNS ${profile.dns.provider}, secrets ${profile.secrets.backend}, object storage ${profile.objectStorage.provider}). ${stageOrderText(model, cluster, "infra")}`,
  );
  const infra = new Infra(model, cluster, profile, stack);
  if (profile.cloud === "aws" && cluster.kind === "eks") {
    infra.network();
    infra.eks();
    infra.ebsCsiDriver();
    infra.snapshotController();
  }
  infra.buckets();
  infra.secretsManagerSecrets();
  infra.externalSecretsRole();
  infra.veleroRole();
  infra.externalDnsRole();
  infra.databaseBackupRoles();
  infra.dns();
  infra.movedToConfig(configStack(model, cluster));
  return stack;
}

/**
 * The in-cluster configuration of one cluster: Vault's KV mounts, the cluster's Kubernetes auth mount,
 * the External Secrets policy and role. Separate from infra because Vault may run in the cluster the
 * infra stack creates: it applies after bootstrap, once Vault is initialised (runbooks/first-install.md).
 */
export function configStack(model: Model, cluster: ModelCluster): Stack {
  const profile = model.profiles.find((p) => p.name === cluster.profile)!;
  const stack = new Stack(cluster.stacks.config, cluster.stateBackends.config, `the ${cluster.name} cluster's in-cluster configuration`);
  stack.intro(
    `How the services of the ${cluster.name} cluster are configured once they run: ${[
      model.secretStores.some((s) => s.backend === "vault" && s.placements.some((p) => p.cluster === cluster.name)) && "Vault's mounts, auth and policies for External Secrets",
      model.objectStoreUsers.some((u) => u.cluster === cluster.name) && `the keys of the MinIO users ${cluster.stacks.infra} made, placed where their consumers read them`,
    ]
      .filter(Boolean)
      .join("; ")}. ${stageOrderText(model, cluster, "config")}`,
  );
  const infra = new Infra(model, cluster, profile, stack);
  infra.vault();
  infra.objectStoreKeys();
  const imports = vaultImports(stack);
  if (imports.length > 0) {
    stack.section(
      `Trees from before this stack existed kept these resources in ${cluster.stacks.infra}, which now forgets them without destroying them (its removed blocks). Move them into this state once, before the first apply here:`,
      [comment(imports.map((i) => `tofu -chdir=opentofu/${cluster.stacks.config} import ${i.address} ${i.id}`).join("\n"))],
    );
  }
  return stack;
}

/** The import id of each Vault resource of a stack, as the vault provider documents it. */
export function vaultImports(stack: Stack): { address: string; id: string }[] {
  const resources = stack.resources("vault_");
  const authPath = (reference: string | undefined) => resources.find((r) => r.type === "vault_auth_backend" && reference === `vault_auth_backend.${r.name}.path`)?.strings.path;
  return resources.flatMap((r) => {
    const address = `${r.type}.${r.name}`;
    switch (r.type) {
      case "vault_mount":
      case "vault_auth_backend":
        return [{ address, id: r.strings.path! }];
      case "vault_policy":
        return r.strings.name !== undefined ? [{ address, id: r.strings.name }] : [];
      case "vault_kubernetes_auth_backend_config":
        return [{ address, id: `auth/${authPath(r.references.backend)}/config` }];
      case "vault_kubernetes_auth_backend_role":
        return [{ address, id: `auth/${authPath(r.references.backend)}/role/${r.strings.role_name}` }];
      default:
        return [];
    }
  });
}

/**
 * Stateful resources (buckets, keys, clusters, secret mounts) refuse to be destroyed by a plan: a
 * rename or a stack split must move them, never recreate them.
 */
const KEEP = block("lifecycle", [], [attr("prevent_destroy", true)]);

/** Tags every AWS resource carries (provider default_tags). */
const tagsFor = (model: Model, cluster: ModelCluster) =>
  obj({ "app.kubernetes.io/managed-by": "plinth", "app.kubernetes.io/part-of": model.platform.name, "plinth.dev/cluster": cluster.name });

const statement = (items: (HclBodyItem | false)[]) => block("statement", [], items);
const principals = (type: string, identifiers: HclValue) => block("principals", [], [attr("type", type), attr("identifiers", identifiers)]);
const condition = (test: string, variable: HclValue, values: HclValue) =>
  block("condition", [], [attr("test", test), attr("variable", variable), attr("values", values)]);
const partitionArn = (rest: string) => tpl`arn:${expr("data.aws_partition.current.partition")}${rest}`;

class Infra {
  /** Labels of the vault_mount resources this stack declares, by mount path. */
  private readonly mountLabels = new Map<string, string>();
  private readonly prefix: string;
  private readonly buckets_: ModelBucket[];
  private kmsReady = false;
  private identityReady = false;
  /** IRSA trust: the OIDC provider's ARN and its issuer host, as expressions. */
  private oidc?: { providerArn: HclValue; issuer: string };

  constructor(
    private readonly model: Model,
    private readonly cluster: ModelCluster,
    private readonly profile: ModelProfile,
    private readonly stack: Stack,
  ) {
    this.prefix = cluster.resourcePrefix;
    this.buckets_ = model.buckets.filter((b) => b.cluster === cluster.name);
  }

  /** The aws provider, in the cluster's region (or an input when the spec names none). */
  private aws(): void {
    if (this.stack.uses("aws")) return;
    const region = this.cluster.region ?? this.profile.region;
    this.stack.provider("aws", [
      attr(
        "region",
        region ?? this.stack.variable({ name: "aws_region", type: "string", description: `AWS region of the ${this.cluster.name} cluster (the spec names none).` }),
      ),
      blank,
      block("default_tags", [], [attr("tags", tagsFor(this.model, this.cluster))]),
    ]);
  }

  /** Account and partition, for ARNs built in policies. */
  private identity(): void {
    if (this.identityReady) return;
    this.identityReady = true;
    this.aws();
    this.stack.section("Account and partition the ARNs below are built in.", [
      block("data", ["aws_caller_identity", "current"], []),
      block("data", ["aws_partition", "current"], []),
    ]);
  }

  /** One customer-managed key for EKS secrets and the backup buckets. */
  private kms(): HclValue {
    if (!this.kmsReady) {
      this.kmsReady = true;
      this.aws();
      this.stack.section("Customer-managed KMS key: EKS secret encryption and the backup buckets (SSE-KMS).", [
        block("resource", ["aws_kms_key", "this"], [
          attr("description", `${this.prefix}: EKS secrets and backup buckets`),
          attr("enable_key_rotation", true),
          attr("deletion_window_in_days", 30),
          blank,
          KEEP,
        ]),
        block("resource", ["aws_kms_alias", "this"], [attr("name", `alias/${this.prefix}`), attr("target_key_id", expr("aws_kms_key.this.key_id"))]),
      ]);
      this.stack.output({ name: "kms_key_arn", description: "ARN of the KMS key that encrypts EKS secrets and the backup buckets.", value: expr("aws_kms_key.this.arn") });
    }
    return expr("aws_kms_key.this.arn");
  }

  network(): void {
    this.aws();
    this.stack.variable({
      name: "vpc_cidr",
      type: "string",
      description: "CIDR block of the cluster VPC; public subnets take the first /20s, private ones start at the ninth.",
      default: "10.0.0.0/16",
    });
    const azCount = this.stack.variable({ name: "availability_zone_count", type: "number", description: "How many availability zones the subnets span.", default: 3 });
    this.stack.local("availability_zones", call("slice", expr("data.aws_availability_zones.available.names"), 0, azCount));
    const clusterTag = `kubernetes.io/cluster/${this.prefix}`;
    const subnet = (kind: "public" | "private") =>
      block("resource", ["aws_subnet", kind], [
        attr("count", expr("length(local.availability_zones)")),
        blank,
        attr("vpc_id", expr("aws_vpc.this.id")),
        attr("availability_zone", expr("local.availability_zones[count.index]")),
        attr("cidr_block", expr(kind === "public" ? "cidrsubnet(var.vpc_cidr, 4, count.index)" : "cidrsubnet(var.vpc_cidr, 4, count.index + 8)")),
        kind === "public" && attr("map_public_ip_on_launch", true),
        attr(
          "tags",
          obj([
            ["Name", tpl`${this.prefix}-${kind}-${expr("local.availability_zones[count.index]")}`],
            [kind === "public" ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb", "1"],
            [clusterTag, "shared"],
          ]),
        ),
      ]);
    const routeTable = (kind: "public" | "private") =>
      block("resource", ["aws_route_table", kind], [
        attr("vpc_id", expr("aws_vpc.this.id")),
        attr("tags", obj({ Name: `${this.prefix}-${kind}` })),
        blank,
        block("route", [], [
          attr("cidr_block", "0.0.0.0/0"),
          kind === "public" ? attr("gateway_id", expr("aws_internet_gateway.this.id")) : attr("nat_gateway_id", expr("aws_nat_gateway.this.id")),
        ]),
      ]);
    const association = (kind: "public" | "private") =>
      block("resource", ["aws_route_table_association", kind], [
        attr("count", expr(`length(aws_subnet.${kind})`)),
        blank,
        attr("subnet_id", expr(`aws_subnet.${kind}[count.index].id`)),
        attr("route_table_id", expr(`aws_route_table.${kind}.id`)),
      ]);
    this.stack.section("Network: a VPC with public subnets (load balancers) and private subnets (nodes) in each zone.", [
      block("data", ["aws_availability_zones", "available"], [attr("state", "available")]),
      block("resource", ["aws_vpc", "this"], [
        attr("cidr_block", expr("var.vpc_cidr")),
        attr("enable_dns_support", true),
        attr("enable_dns_hostnames", true),
        attr("tags", obj({ Name: this.prefix })),
      ]),
      block("resource", ["aws_internet_gateway", "this"], [attr("vpc_id", expr("aws_vpc.this.id")), attr("tags", obj({ Name: this.prefix }))]),
      subnet("public"),
      subnet("private"),
      comment("One NAT gateway for all private subnets: cheaper, but egress depends on its zone."),
      block("resource", ["aws_eip", "nat"], [attr("domain", "vpc"), attr("tags", obj({ Name: `${this.prefix}-nat` }))]),
      block("resource", ["aws_nat_gateway", "this"], [
        attr("allocation_id", expr("aws_eip.nat.id")),
        attr("subnet_id", expr("aws_subnet.public[0].id")),
        attr("tags", obj({ Name: this.prefix })),
        blank,
        attr("depends_on", [expr("aws_internet_gateway.this")]),
      ]),
      routeTable("public"),
      routeTable("private"),
      association("public"),
      association("private"),
    ]);
    this.stack.output({ name: "vpc_id", description: "ID of the cluster VPC.", value: expr("aws_vpc.this.id") });
    this.stack.output({ name: "private_subnet_ids", description: "Subnets the nodes run in.", value: expr("aws_subnet.private[*].id") });
  }

  eks(): void {
    this.identity();
    const kmsArn = this.kms();
    const trust = (name: string, service: string) =>
      block("data", ["aws_iam_policy_document", name], [
        statement([attr("actions", ["sts:AssumeRole"]), blank, principals("Service", list([service]))]),
      ]);
    const managedPolicy = (name: string) => partitionArn(`:iam::aws:policy/${name}`);
    const pools = this.cluster.nodePools.map((pool) => [
      pool.name,
      obj({
        instance_types: pool.instanceType === undefined ? null : [pool.instanceType],
        min_size: pool.min,
        max_size: pool.max,
        labels: obj(pool.labels),
      }),
    ] as const);
    this.stack.section(`EKS cluster ${this.prefix} (Kubernetes ${this.cluster.kubernetesVersion}) and its IAM roles.`, [
      trust("eks_cluster_trust", "eks.amazonaws.com"),
      block("resource", ["aws_iam_role", "eks_cluster"], [
        attr("name", `${this.prefix}-eks-cluster`),
        attr("assume_role_policy", expr("data.aws_iam_policy_document.eks_cluster_trust.json")),
      ]),
      block("resource", ["aws_iam_role_policy_attachment", "eks_cluster"], [
        attr("role", expr("aws_iam_role.eks_cluster.name")),
        attr("policy_arn", managedPolicy("AmazonEKSClusterPolicy")),
      ]),
      block("resource", ["aws_eks_cluster", "this"], [
        attr("name", this.prefix),
        attr("version", this.cluster.kubernetesVersion),
        attr("role_arn", expr("aws_iam_role.eks_cluster.arn")),
        blank,
        block("access_config", [], [attr("authentication_mode", "API"), attr("bootstrap_cluster_creator_admin_permissions", true)]),
        block("vpc_config", [], [
          attr("subnet_ids", expr("concat(aws_subnet.private[*].id, aws_subnet.public[*].id)")),
          attr("endpoint_private_access", true),
          attr("endpoint_public_access", true),
        ]),
        block("encryption_config", [], [attr("resources", ["secrets"]), blank, block("provider", [], [attr("key_arn", kmsArn)])]),
        blank,
        attr("depends_on", [expr("aws_iam_role_policy_attachment.eks_cluster")]),
        KEEP,
      ]),
      comment("The cluster's OIDC issuer, so service accounts can assume IAM roles (IRSA)."),
      block("resource", ["aws_iam_openid_connect_provider", "eks"], [
        attr("url", expr("aws_eks_cluster.this.identity[0].oidc[0].issuer")),
        attr("client_id_list", ["sts.amazonaws.com"]),
      ]),
      trust("eks_node_trust", "ec2.amazonaws.com"),
      block("resource", ["aws_iam_role", "eks_node"], [
        attr("name", `${this.prefix}-eks-node`),
        attr("assume_role_policy", expr("data.aws_iam_policy_document.eks_node_trust.json")),
      ]),
      block("resource", ["aws_iam_role_policy_attachment", "eks_node"], [
        attr("for_each", call("toset", ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"])),
        blank,
        attr("role", expr("aws_iam_role.eks_node.name")),
        attr("policy_arn", tpl`arn:${expr("data.aws_partition.current.partition")}:iam::aws:policy/${expr("each.value")}`),
      ]),
      ...(pools.length === 0
        ? []
        : [
            comment("Node pools from the spec, keyed by pool name."),
            block("resource", ["aws_eks_node_group", "this"], [
              attr("for_each", this.stack.local("node_pools", obj(pools))),
              blank,
              attr("cluster_name", expr("aws_eks_cluster.this.name")),
              attr("node_group_name", expr("each.key")),
              attr("node_role_arn", expr("aws_iam_role.eks_node.arn")),
              attr("subnet_ids", expr("aws_subnet.private[*].id")),
              attr("instance_types", expr("each.value.instance_types")),
              attr("labels", expr("each.value.labels")),
              blank,
              block("scaling_config", [], [
                attr("desired_size", expr("each.value.min_size")),
                attr("min_size", expr("each.value.min_size")),
                attr("max_size", expr("each.value.max_size")),
              ]),
              blank,
              comment("Autoscalers change the desired size; OpenTofu keeps only the bounds."),
              block("lifecycle", [], [attr("ignore_changes", [expr("scaling_config[0].desired_size")])]),
              blank,
              attr("depends_on", [expr("aws_iam_role_policy_attachment.eks_node")]),
            ]),
          ]),
    ]);
    this.oidc = { providerArn: expr("aws_iam_openid_connect_provider.eks.arn"), issuer: 'replace(aws_eks_cluster.this.identity[0].oidc[0].issuer, "https://", "")' };
    this.stack.output({ name: "cluster_name", description: "Name of the EKS cluster (aws eks update-kubeconfig --name).", value: expr("aws_eks_cluster.this.name") });
    this.stack.output({ name: "cluster_endpoint", description: "Kubernetes API endpoint of the EKS cluster.", value: expr("aws_eks_cluster.this.endpoint") });
    this.stack.output({
      name: "cluster_certificate_authority",
      description: "Base64 CA certificate of that endpoint (the bootstrap and config stacks connect with it).",
      value: expr("aws_eks_cluster.this.certificate_authority[0].data"),
    });
    this.stack.output({ name: "oidc_provider_arn", description: "IAM OIDC provider of the cluster, for IRSA trust policies.", value: expr("aws_iam_openid_connect_provider.eks.arn") });
  }

  /** The OIDC provider IRSA roles trust: the EKS cluster's, or inputs for clusters made elsewhere. */
  private irsa(): { providerArn: HclValue; issuer: string } {
    if (!this.oidc) {
      const providerArn = this.stack.variable({
        name: "oidc_provider_arn",
        type: "string",
        description: `ARN of the IAM OIDC provider of the ${this.cluster.kind} cluster ${this.cluster.name} (made outside this stack), trusted by its IRSA roles.`,
      });
      this.stack.variable({ name: "oidc_issuer", type: "string", description: "Issuer of that OIDC provider without https://, e.g. oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE." });
      this.oidc = { providerArn, issuer: "var.oidc_issuer" };
    }
    return this.oidc;
  }

  /**
   * An IAM role a Kubernetes service account assumes through the cluster's OIDC provider, with an
   * inline policy of the given statements or an AWS-managed policy attached.
   */
  private irsaRole(
    label: string,
    roleName: string,
    serviceAccount: { name: string; namespace: string },
    permissions: HclBodyItem[] | { managedPolicyArn: HclValue },
    description: string,
  ): HclBodyItem[] {
    const oidc = this.irsa();
    const subject = `system:serviceaccount:${serviceAccount.namespace}:${serviceAccount.name}`;
    return [
      block("data", ["aws_iam_policy_document", `${label}_trust`], [
        statement([
          attr("actions", ["sts:AssumeRoleWithWebIdentity"]),
          blank,
          principals("Federated", list([oidc.providerArn])),
          condition("StringEquals", tpl`${expr(oidc.issuer)}:sub`, list([subject])),
          condition("StringEquals", tpl`${expr(oidc.issuer)}:aud`, list(["sts.amazonaws.com"])),
        ]),
      ]),
      block("resource", ["aws_iam_role", label], [
        attr("name", roleName),
        attr("description", description),
        attr("assume_role_policy", expr(`data.aws_iam_policy_document.${label}_trust.json`)),
      ]),
      ...(Array.isArray(permissions)
        ? [
            block("data", ["aws_iam_policy_document", label], permissions),
            block("resource", ["aws_iam_role_policy", label], [
              attr("name", roleName),
              attr("role", expr(`aws_iam_role.${label}.id`)),
              attr("policy", expr(`data.aws_iam_policy_document.${label}.json`)),
            ]),
          ]
        : [
            block("resource", ["aws_iam_role_policy_attachment", label], [
              attr("role", expr(`aws_iam_role.${label}.name`)),
              attr("policy_arn", permissions.managedPolicyArn),
            ]),
          ]),
    ];
  }

  /**
   * The IAM role of a workload identity and what binds it to its service account: with EKS Pod Identity
   * a role trusting pods.eks.amazonaws.com and an association (the agent add-on delivers the
   * credentials, nothing goes into the manifests); with IRSA a role trusting the cluster's OIDC issuer,
   * whose ARN the manifest names.
   */
  private workloadRole(identity: ModelWorkloadIdentity, label: string, permissions: HclBodyItem[], description: string): HclBodyItem[] {
    if (identity.mechanism === "irsa") return this.irsaRole(label, identity.role, identity.serviceAccount, permissions, description);
    this.podIdentityAgent();
    return [
      block("data", ["aws_iam_policy_document", `${label}_trust`], [
        statement([attr("actions", ["sts:AssumeRole", "sts:TagSession"]), blank, principals("Service", list(["pods.eks.amazonaws.com"]))]),
      ]),
      block("resource", ["aws_iam_role", label], [
        attr("name", identity.role),
        attr("description", description),
        attr("assume_role_policy", expr(`data.aws_iam_policy_document.${label}_trust.json`)),
      ]),
      block("data", ["aws_iam_policy_document", label], permissions),
      block("resource", ["aws_iam_role_policy", label], [
        attr("name", identity.role),
        attr("role", expr(`aws_iam_role.${label}.id`)),
        attr("policy", expr(`data.aws_iam_policy_document.${label}.json`)),
      ]),
      block("resource", ["aws_eks_pod_identity_association", label], [
        attr("cluster_name", expr("aws_eks_cluster.this.name")),
        attr("namespace", identity.serviceAccount.namespace),
        attr("service_account", identity.serviceAccount.name),
        attr("role_arn", expr(`aws_iam_role.${label}.arn`)),
        blank,
        attr("depends_on", [expr("aws_eks_addon.pod_identity_agent")]),
      ]),
    ];
  }

  private podIdentityReady = false;

  /** The EKS Pod Identity agent add-on, which hands each associated pod its role's credentials. */
  private podIdentityAgent(): void {
    if (this.podIdentityReady) return;
    this.podIdentityReady = true;
    this.stack.section("EKS Pod Identity agent (add-on): pods of associated service accounts get their IAM role's credentials.", [
      block("resource", ["aws_eks_addon", "pod_identity_agent"], [
        attr("cluster_name", expr("aws_eks_cluster.this.name")),
        attr("addon_name", "eks-pod-identity-agent"),
        attr("resolve_conflicts_on_create", "OVERWRITE"),
        attr("resolve_conflicts_on_update", "OVERWRITE"),
        ...(this.cluster.nodePools.length > 0 ? [blank, attr("depends_on", [expr("aws_eks_node_group.this")])] : []),
      ]),
    ]);
  }

  /** The identity of a purpose on this cluster, if it has one. */
  private identityFor(purpose: ModelWorkloadIdentity["purpose"]): ModelWorkloadIdentity | undefined {
    return this.cluster.workloadIdentities.find((i) => i.purpose === purpose);
  }

  /** Route53 changes in the profile's zone for external-dns, through its workload identity. */
  externalDnsRole(): void {
    const identity = this.identityFor("external-dns");
    if (!identity) return;
    this.identity();
    const zone = this.profile.dns.zone;
    this.stack.section(`IAM role ${identity.role}: external-dns (${identity.serviceAccount.namespace}/${identity.serviceAccount.name}) keeps the records of ${zone}.`, [
      block("data", ["aws_route53_zone", "external_dns"], [attr("name", zone)]),
      ...this.workloadRole(
        identity,
        "external_dns",
        [
          statement([attr("sid", "ChangeRecords"), attr("actions", ["route53:ChangeResourceRecordSets"]), attr("resources", list([expr("data.aws_route53_zone.external_dns.arn")]))]),
          statement([attr("sid", "ListZones"), attr("actions", ["route53:ListHostedZones", "route53:ListResourceRecordSets", "route53:ListTagsForResource"]), attr("resources", ["*"])]),
        ],
        `external-dns on ${this.cluster.name}: records of ${zone}`,
      ),
    ]);
  }

  /**
   * One IRSA role per CloudNativePG cluster that archives to S3 (barman supports only IRSA): read and
   * write under its own prefix, and the bucket key.
   */
  /**
   * One IAM role per backup writer on S3, limited to its prefix: each CloudNativePG Cluster (WAL and
   * base backups) and each snapshot CronJob (Vault raft, etcd).
   */
  databaseBackupRoles(): void {
    const writers = (["database-backup", "backup-job"] as const).flatMap((purpose) =>
      this.cluster.workloadIdentities.filter((i) => i.purpose === purpose).map((identity, index) => ({ identity, label: `${purpose.replace("-", "_")}_${index}` })),
    );
    if (writers.length === 0) return;
    this.identity();
    for (const { identity, label } of writers) {
      const bucketArn = partitionArn(`:s3:::${identity.bucket}`);
      const objects = partitionArn(`:s3:::${identity.bucket}/${identity.prefix}/*`);
      const who = `${identity.purpose === "database-backup" ? "CloudNativePG" : "Snapshot CronJob"} ${identity.serviceAccount.namespace}/${identity.serviceAccount.name}`;
      this.stack.section(
        `IAM role ${identity.role}: ${who} ${identity.purpose === "database-backup" ? "archives WAL and base backups" : "uploads snapshots"} to s3://${identity.bucket}/${identity.prefix}.`,
        this.workloadRole(
          identity,
          label,
          [
            statement([attr("sid", "Objects"), attr("actions", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]), attr("resources", list([objects]))]),
            statement([
              attr("sid", "Bucket"),
              attr("actions", ["s3:ListBucket", "s3:GetBucketLocation"]),
              attr("resources", list([bucketArn])),
            ]),
            statement([attr("sid", "BucketKey"), attr("actions", ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]), attr("resources", list([this.kms()]))]),
          ],
          `${who} on ${this.cluster.name}: its backup prefix`,
        ),
      );
    }
  }

  /**
   * The EBS CSI driver as an EKS add-on, with its IRSA role: EKS ships no driver for EBS volumes of
   * type gp3, so without it every PersistentVolumeClaim on such a StorageClass stays Pending. The
   * add-on waits for nodes to run on, hence after the node groups.
   */
  ebsCsiDriver(): void {
    const serviceAccount = { name: "ebs-csi-controller-sa", namespace: "kube-system" };
    const roleName = `${this.prefix}-ebs-csi-driver`;
    const nodeGroups = this.cluster.nodePools.length > 0;
    this.stack.section(`EBS CSI driver (EKS add-on) and IAM role ${roleName}: volumes for PersistentVolumeClaims (${this.profile.storageClass}).`, [
      ...this.irsaRole(
        "ebs_csi_driver",
        roleName,
        serviceAccount,
        { managedPolicyArn: partitionArn(":iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy") },
        `EBS CSI driver on ${this.cluster.name}: creates, attaches and snapshots EBS volumes`,
      ),
      block("resource", ["aws_eks_addon", "ebs_csi_driver"], [
        attr("cluster_name", expr("aws_eks_cluster.this.name")),
        attr("addon_name", "aws-ebs-csi-driver"),
        attr("service_account_role_arn", expr("aws_iam_role.ebs_csi_driver.arn")),
        attr("resolve_conflicts_on_create", "OVERWRITE"),
        attr("resolve_conflicts_on_update", "OVERWRITE"),
        blank,
        attr("depends_on", [expr("aws_iam_role_policy_attachment.ebs_csi_driver"), ...(nodeGroups ? [expr("aws_eks_node_group.this")] : [])]),
      ]),
    ]);
  }

  /**
   * The raft-snapshot CronJob of each Vault backup on this cluster logs in through the cluster's
   * Kubernetes auth mount as its own service account, with a policy that can only read snapshots.
   */
  private raftSnapshotAccess(auths: Map<string, string>): HclBodyItem[] {
    const jobs = this.model.backups.filter((b) => b.cluster === this.cluster.name && b.method === "vault-raft-snapshot" && b.performer.kind === "objects");
    return jobs.flatMap((backup) => {
      const namespace = backup.namespaces[0]!;
      const login = vaultSnapshotLogin(this.cluster, namespace, this.model.secretStores);
      const label = auths.get(login?.authMount ?? "");
      if (!login || label === undefined) throw new Error(`backup "${backup.name}" has no Kubernetes auth mount on cluster "${this.cluster.name}" in the Model`);
      const id = backup.name.replace(/[^a-zA-Z0-9_]/g, "_");
      return [
        block("resource", ["vault_policy", id], [attr("name", backup.name), attr("policy", printHcl([block("path", ["sys/storage/raft/snapshot"], [attr("capabilities", ["read"])])]))]),
        block("resource", ["vault_kubernetes_auth_backend_role", id], [
          attr("backend", expr(`vault_auth_backend.${label}.path`)),
          attr("role_name", backup.name),
          attr("bound_service_account_names", [backup.name]),
          attr("bound_service_account_namespaces", [namespace]),
          attr("token_policies", [expr(`vault_policy.${id}.name`)]),
          attr("token_ttl", 900),
        ]),
      ];
    });
  }

  /**
   * The snapshot-controller EKS add-on: the CSI snapshot CRDs and their controller, which the
   * VolumeSnapshotClass and the scheduled snapshots of this cluster need.
   */
  snapshotController(): void {
    if (!this.cluster.volumeSnapshotClass) return;
    this.stack.section("CSI snapshot controller (EKS add-on): the VolumeSnapshot CRDs and the controller that takes the scheduled volume snapshots.", [
      block("resource", ["aws_eks_addon", "snapshot_controller"], [
        attr("cluster_name", expr("aws_eks_cluster.this.name")),
        attr("addon_name", "snapshot-controller"),
        attr("resolve_conflicts_on_create", "OVERWRITE"),
        attr("resolve_conflicts_on_update", "OVERWRITE"),
        blank,
        attr("depends_on", [expr("aws_eks_addon.ebs_csi_driver")]),
      ]),
    ]);
  }

  buckets(): void {
    if (this.buckets_.length === 0) return;
    const buckets = this.stack.local(
      "backup_buckets",
      obj(this.buckets_.map((b) => [b.name, obj({ purpose: b.purpose, expire_after_days: b.expireAfterDays })] as const)),
    );
    const noncurrentDays = 7;
    if (this.profile.objectStorage.provider === "s3") {
      const kmsArn = this.kms();
      const perBucket = (type: string, body: (HclBodyItem | false)[]) =>
        block("resource", [type, "backups"], [attr("for_each", expr("aws_s3_bucket.backups")), blank, attr("bucket", expr("each.value.id")), ...body]);
      this.stack.section(
        `Backup buckets: versioned, encrypted with the KMS key, never public, and expired once no backup they hold needs an object: the longest retention plus one schedule interval (the oldest restorable point needs the base backup taken before it; deleted versions stay ${noncurrentDays} more days).`,
        [
          block("resource", ["aws_s3_bucket", "backups"], [attr("for_each", buckets), blank, attr("bucket", expr("each.key")), attr("tags", obj({ purpose: expr("each.value.purpose") })), blank, KEEP]),
          perBucket("aws_s3_bucket_versioning", [blank, block("versioning_configuration", [], [attr("status", "Enabled")])]),
          perBucket("aws_s3_bucket_server_side_encryption_configuration", [
            blank,
            block("rule", [], [
              attr("bucket_key_enabled", true),
              blank,
              block("apply_server_side_encryption_by_default", [], [attr("sse_algorithm", "aws:kms"), attr("kms_master_key_id", kmsArn)]),
            ]),
          ]),
          perBucket("aws_s3_bucket_lifecycle_configuration", [
            blank,
            block("rule", [], [
              attr("id", "expire-after-recovery-window"),
              attr("status", "Enabled"),
              blank,
              block("filter", [], []),
              block("expiration", [], [attr("days", expr("local.backup_buckets[each.key].expire_after_days"))]),
              block("noncurrent_version_expiration", [], [attr("noncurrent_days", noncurrentDays)]),
              block("abort_incomplete_multipart_upload", [], [attr("days_after_initiation", 7)]),
            ]),
            blank,
            attr("depends_on", [expr("aws_s3_bucket_versioning.backups")]),
          ]),
          perBucket("aws_s3_bucket_public_access_block", [
            attr("block_public_acls", true),
            attr("block_public_policy", true),
            attr("ignore_public_acls", true),
            attr("restrict_public_buckets", true),
          ]),
        ],
      );
      this.stack.output({ name: "backup_buckets", description: "Backup buckets of this cluster.", value: expr("[for bucket in aws_s3_bucket.backups : bucket.id]") });
      return;
    }
    this.minio();
    const perBucket = (type: string, body: HclBodyItem[]) =>
      block("resource", [type, "backups"], [attr("for_each", expr("minio_s3_bucket.backups")), blank, attr("bucket", expr("each.value.bucket")), blank, ...body]);
    this.stack.section(
      `Backup buckets on MinIO: versioned and expired once no backup they hold needs an object: the longest retention plus one schedule interval (the oldest restorable point needs the base backup taken before it; deleted versions stay ${noncurrentDays} more days).`,
      [
        block("resource", ["minio_s3_bucket", "backups"], [attr("for_each", buckets), blank, attr("bucket", expr("each.key")), attr("acl", "private"), blank, KEEP]),
        perBucket("minio_s3_bucket_versioning", [block("versioning_configuration", [], [attr("status", "Enabled")])]),
        perBucket("minio_ilm_policy", [
          block("rule", [], [
            attr("id", "expire-after-recovery-window"),
            attr("expiration", expr('"${local.backup_buckets[each.key].expire_after_days}d"')),
            blank,
            block("noncurrent_expiration", [], [attr("days", `${noncurrentDays}d`)]),
          ]),
          blank,
          attr("depends_on", [expr("minio_s3_bucket_versioning.backups")]),
        ]),
      ],
    );
    this.stack.output({ name: "backup_buckets", description: "Backup buckets of this cluster.", value: expr("[for bucket in minio_s3_bucket.backups : bucket.bucket]") });
    this.minioUsers();
  }

  /**
   * One MinIO user per consumer (the Model's objectStoreUsers): read and write on its own bucket
   * prefix only. Its secret key stays in this state (which is why a local state must be encrypted,
   * state/credentials-in-local-state) and reaches the config stack through a sensitive output.
   */
  private minioUsers(): void {
    const users = this.model.objectStoreUsers.filter((u) => u.cluster === this.cluster.name && u.placement.kind !== "none");
    if (users.length === 0) return;
    const labels = new Set<string>();
    const labelOf = new Map(users.map((u) => [u.consumer, labelFor(u.consumer, labels)]));
    for (const user of users) {
      const label = labelOf.get(user.consumer)!;
      const objects = user.grants.map((g) => `arn:aws:s3:::${g.bucket}/${g.prefix !== undefined ? `${g.prefix}/*` : "*"}`);
      const scoped = user.grants.filter((g) => g.prefix !== undefined);
      this.stack.section(
        `MinIO user ${user.name} for ${user.consumer === "velero" ? "Velero" : `backup ${user.consumer}`} (Secret ${user.secret.namespace}/${user.secret.name}): ${scoped.length > 0 ? `only ${scoped.map((g) => `${g.bucket}/${g.prefix}/`).join(", ")}` : `the buckets ${user.grants.map((g) => g.bucket).join(", ")}`}.`,
        [
          block("resource", ["minio_iam_policy", label], [
            attr("name", user.name),
            attr(
              "policy",
              call(
                "jsonencode",
                obj({
                  Version: "2012-10-17",
                  Statement: [
                    obj({
                      Effect: "Allow",
                      Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                      Resource: user.grants.map((g) => `arn:aws:s3:::${g.bucket}`),
                      ...(scoped.length > 0 && { Condition: obj({ StringLike: obj({ "s3:prefix": scoped.flatMap((g) => [g.prefix!, `${g.prefix}/*`]) }) }) }),
                    }),
                    obj({
                      Effect: "Allow",
                      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                      Resource: objects,
                    }),
                  ],
                }),
              ),
            ),
          ]),
          block("resource", ["minio_iam_user", label], [attr("name", user.name)]),
          block("resource", ["minio_iam_user_policy_attachment", label], [
            attr("user_name", expr(`minio_iam_user.${label}.name`)),
            attr("policy_name", expr(`minio_iam_policy.${label}.name`)),
          ]),
        ],
      );
    }
    this.stack.output({
      name: "object_store_credentials",
      description: `Access key and secret key of each MinIO user, by consumer: ${this.cluster.stacks.config} writes them where the consumers' Secrets come from.`,
      value: obj(Object.fromEntries(users.map((u) => [u.consumer, obj({ access_key_id: expr(`minio_iam_user.${labelOf.get(u.consumer)!}.name`), secret_access_key: expr(`minio_iam_user.${labelOf.get(u.consumer)!}.secret`) })]))),
      sensitive: true,
    });
  }

  private minio(): void {
    const endpoint = this.profile.objectStorage.endpoint;
    const url = endpoint === undefined ? undefined : parseUrl(endpoint);
    const credential = (name: string, what: string) =>
      this.stack.variable({
        name,
        type: "string",
        description: `MinIO ${what} OpenTofu manages buckets and users with; null reads MINIO_${what.toUpperCase()} from the environment.`,
        default: null,
        sensitive: true,
      });
    this.stack.provider("minio", [
      attr(
        "minio_server",
        url?.host ?? this.stack.variable({ name: "minio_server", type: "string", description: "MinIO host and port (the spec names no endpoint)." }),
      ),
      attr("minio_ssl", url ? url.protocol === "https:" : true),
      attr("minio_user", credential("minio_user", "user")),
      attr("minio_password", credential("minio_password", "password")),
    ]);
  }

  /** IRSA role for External Secrets, when a store on this cluster reads AWS Secrets Manager. */
  externalSecretsRole(): void {
    const stores = this.storesOn("aws-secrets-manager");
    const regionOf = (store: ModelSecretStore) => store.aws?.region ?? this.cluster.region ?? this.profile.region ?? "*";
    // Only what this cluster's ExternalSecrets reference; Secrets Manager appends six random
    // characters to a secret's name in its ARN.
    const arns = stores.flatMap((store) =>
      this.keysRead(store).map(
        (key) => tpl`arn:${expr("data.aws_partition.current.partition")}:secretsmanager:${regionOf(store)}:${expr("data.aws_caller_identity.current.account_id")}:secret:${key}-??????`,
      ),
    );
    const identity = this.identityFor("external-secrets");
    if (arns.length === 0 || !identity) return;
    this.identity();
    const sa = identity.serviceAccount;
    this.stack.section(
      `IAM role ${identity.role}: External Secrets (${sa.namespace}/${sa.name}) reads the secrets this cluster's ExternalSecrets name.`,
      this.workloadRole(
        identity,
        "external_secrets",
        [
          statement([
            attr("sid", "ReadReferencedSecrets"),
            attr("actions", ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"]),
            attr("resources", list(arns)),
          ]),
        ],
        `External Secrets on ${this.cluster.name}: read-only on the secrets it syncs`,
      ),
    );
    this.stack.output({ name: "external_secrets_role_arn", description: "IAM role External Secrets runs as.", value: expr("aws_iam_role.external_secrets.arn") });
  }

  /**
   * The Secrets Manager secrets this cluster is the first to read, created without a value so the
   * ExternalSecrets never read a path that does not exist; the first-install runbook puts the values.
   */
  secretsManagerSecrets(): void {
    const keys = this.model.secretStores.flatMap((s) => secretsCreatedBy(s, this.cluster, this.profile));
    if (keys.length === 0) return;
    this.aws();
    this.stack.section("Secrets Manager secrets the ExternalSecrets read, without values (runbooks/first-install.md puts them); other clusters reading one leave it to the first.", [
      block("resource", ["aws_secretsmanager_secret", "referenced"], [
        attr("for_each", call("toset", [...new Set(keys)].sort())),
        blank,
        attr("name", expr("each.value")),
        attr("recovery_window_in_days", 30),
        blank,
        KEEP,
      ]),
    ]);
  }

  /** Velero's role, when the cluster runs it (a component or velero backups) and its buckets are in S3. */
  veleroRole(): void {
    const identity = this.identityFor("velero");
    if (!identity) return;
    this.identity();
    const sa = identity.serviceAccount;
    this.stack.section(
      `IAM role ${identity.role}: Velero (${sa.namespace}/${sa.name}) writes backups to the buckets and snapshots EBS volumes.`,
      this.workloadRole(
        identity,
        "velero",
        [
          statement([
            attr("sid", "Volumes"),
            attr("actions", ["ec2:DescribeVolumes", "ec2:DescribeSnapshots", "ec2:CreateTags", "ec2:CreateVolume", "ec2:CreateSnapshot", "ec2:DeleteSnapshot"]),
            attr("resources", ["*"]),
          ]),
          statement([
            attr("sid", "Objects"),
            attr("actions", ["s3:GetObject", "s3:DeleteObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]),
            attr("resources", expr('[for bucket in aws_s3_bucket.backups : "${bucket.arn}/*"]')),
          ]),
          statement([attr("sid", "Buckets"), attr("actions", ["s3:ListBucket"]), attr("resources", expr("[for bucket in aws_s3_bucket.backups : bucket.arn]"))]),
          statement([
            attr("sid", "BucketKey"),
            attr("actions", ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]),
            attr("resources", list([this.kms()])),
          ]),
        ],
        `Velero on ${this.cluster.name}: backup buckets and volume snapshots`,
      ),
    );
    this.stack.output({ name: "velero_role_arn", description: "IAM role Velero runs as.", value: expr("aws_iam_role.velero.arn") });
  }

  private storesOn(backend: ModelSecretStore["backend"]): ModelSecretStore[] {
    return this.model.secretStores.filter((s) => s.backend === backend && s.placements.some((p) => p.cluster === this.cluster.name));
  }

  /**
   * Keys of a store this cluster's ExternalSecrets read, sorted: the kubernetes target's and those
   * preview charts create per pull request.
   */
  private keysRead(store: ModelSecretStore): string[] {
    const mine = (item: { cluster: string }) => item.cluster === this.cluster.name;
    return [
      ...new Set([
        ...this.model.externalSecrets.filter((s) => mine(s) && s.store === store.name).flatMap((s) => s.data.map((d) => d.key)),
        ...(this.cluster.registryPull?.store === store.name ? [this.cluster.registryPull.key] : []),
        ...this.model.deployments
          .filter((d) => mine(d) && d.chartExternalSecret?.store === store.name)
          .flatMap((d) => d.chartExternalSecret!.data.map((item) => item.key)),
      ]),
    ].sort();
  }

  /**
   * Vault objects for the stores this cluster reads. Per cluster: a Kubernetes auth mount of its own
   * (the Model's vaultAuthMount, which the store objects name too), since Vault reviews a login
   * against the API of the cluster it came from; a role for External Secrets on it; and a policy that
   * reads exactly the keys this cluster's ExternalSecrets name. A KV mount is shared by every
   * cluster reading it, so only the first of them (by name) manages it, never two stacks.
   */
  vault(): void {
    const stores = this.storesOn("vault").filter((s) => s.vault);
    if (stores.length === 0) return;
    const servers = [...new Set(stores.map((s) => this.profile.secrets.address ?? s.vault!.server))].sort();
    const address = this.stack.variable({
      name: "vault_address",
      type: "string",
      description: `Address of Vault as reachable from where OpenTofu runs: the spec names ${servers.join(", ")}; when that is in-cluster DNS, e.g. http://127.0.0.1:8200 through kubectl port-forward. null: the provider reads VAULT_ADDR.`,
      default: null,
    });
    this.stack.provider("vault", [
      comment("Authenticates with VAULT_TOKEN (or a token helper): never a token in the configuration."),
      attr("address", address),
    ]);
    const sa = this.cluster.externalSecretsServiceAccount;
    const authLabels = new Set<string>();
    const roleLabels = new Set<string>();
    const mountLabels = new Set<string>();
    const auths = new Map<string, string>();
    const roles = new Map<string, { label: string; auth: string; role: string }>();
    for (const store of stores) {
      const v = store.vault!;
      for (const placement of store.placements.filter((p) => p.cluster === this.cluster.name)) {
        if (placement.vaultAuthMount === undefined) throw new Error(`vault store "${store.name}" has no vaultAuthMount for cluster "${this.cluster.name}" in the Model`);
        if (!auths.has(placement.vaultAuthMount)) auths.set(placement.vaultAuthMount, labelFor(placement.vaultAuthMount, authLabels));
        const roleKey = `${placement.vaultAuthMount}\u0000${v.auth.role}`;
        if (!roles.has(roleKey)) roles.set(roleKey, { label: labelFor(v.auth.role, roleLabels), auth: placement.vaultAuthMount, role: v.auth.role });
      }
    }
    // KV mounts this stack manages: those the Model gives this cluster (their first reader).
    const ownerOf = (mount: string) => this.model.secretStores.find((s) => s.vault?.mount === mount && s.mountOwner !== undefined)?.mountOwner;
    const mounts = new Map<string, "v1" | "v2">();
    for (const store of stores) if (store.mountOwner === this.cluster.name) mounts.set(store.vault!.mount, store.vault!.kvVersion);
    const elsewhere = [...new Set(stores.map((s) => s.vault!.mount))]
      .filter((mount) => !mounts.has(mount))
      .sort()
      .map((mount) => `${mount} (in ${this.model.clusters.find((c) => c.name === ownerOf(mount))?.stacks.config ?? ownerOf(mount)})`);
    // KV v2 serves a secret's data under <mount>/data/<key>; v1 at <mount>/<key>. Read only: External Secrets never writes.
    const paths = [
      ...new Set(stores.flatMap((store) => this.keysRead(store).map((key) => (store.vault!.kvVersion === "v2" ? `${store.vault!.mount}/data/${key}` : `${store.vault!.mount}/${key}`)))),
    ].sort();
    const policyText = printHcl(paths.map((path) => block("path", [path], [attr("capabilities", ["read"])])));

    // Vault calls the cluster's API to review service-account tokens (TokenReview): the EKS endpoint
    // made above, or inputs. With the CA given, Vault is told not to fall back on the CA and token of
    // a pod it may run in, which belong to another cluster.
    const eks = this.cluster.kind === "eks" && this.profile.cloud === "aws";
    if (eks) {
      this.aws();
      this.stack.section(`The EKS cluster ${this.prefix}, made by ${this.cluster.stacks.infra}: its API endpoint and CA for Vault's token reviews.`, [
        block("data", ["aws_eks_cluster", "this"], [attr("name", this.prefix)]),
      ]);
    }
    const reviewerJwt = this.stack.variable({
      name: "vault_token_reviewer_jwt",
      type: "string",
      description: `Long-lived token (e.g. of a kubernetes.io/service-account-token Secret) of a service account on ${this.cluster.name} bound to the ClusterRole system:auth-delegator: Vault presents it to the cluster's TokenReview API to check logins. null: Vault presents each login's own token, so External Secrets' service account (${sa.namespace}/${sa.name}) needs that binding${eks ? "" : " (or, when Vault runs in a pod of this cluster and kubernetes_ca_cert is null, Vault's own token)"}.`,
      default: null,
      sensitive: true,
    });
    const kubernetesApi: HclBodyItem[] = eks
      ? [
          attr("kubernetes_host", expr("data.aws_eks_cluster.this.endpoint")),
          attr("kubernetes_ca_cert", expr("base64decode(data.aws_eks_cluster.this.certificate_authority[0].data)")),
          attr("token_reviewer_jwt", reviewerJwt),
          attr("disable_local_ca_jwt", true),
        ]
      : [
          attr(
            "kubernetes_host",
            this.stack.variable({
              name: "kubernetes_host",
              type: "string",
              description: `Kubernetes API of ${this.cluster.name} as Vault reaches it, e.g. https://<server>:6443. https://kubernetes.default.svc works only when Vault runs inside this cluster.`,
            }),
          ),
          attr(
            "kubernetes_ca_cert",
            this.stack.variable({
              name: "kubernetes_ca_cert",
              type: "string",
              description: "PEM CA certificate of that API. null: the CA of the pod Vault runs in (when inside this cluster), else Vault's system trust store.",
              default: null,
            }),
          ),
          attr("token_reviewer_jwt", reviewerJwt),
          attr("disable_local_ca_jwt", expr("var.kubernetes_ca_cert != null")),
        ];
    this.stack.section(
      `Vault for External Secrets (${sa.namespace}/${sa.name}) on ${this.cluster.name}: ${mounts.size > 0 ? "KV mounts, " : ""}this cluster's Kubernetes auth mount and a policy reading only the keys its ExternalSecrets name.${elsewhere.length > 0 ? ` Shared KV mounts are managed by the stack of the first cluster reading them: ${elsewhere.join(", ")}.` : ""} Vault must be reachable and unsealed.`,
      [
        ...[...mounts.entries()].map(([path, kvVersion]) =>
          block("resource", ["vault_mount", this.mountLabel(path, mountLabels)], [
            attr("path", path),
            attr("type", "kv"),
            attr("options", obj({ version: kvVersion === "v2" ? "2" : "1" })),
            attr("description", `Secrets External Secrets syncs into ${this.model.platform.name}`),
            blank,
            KEEP,
          ]),
        ),
        ...[...auths.entries()].flatMap(([path, label]) => [
          block("resource", ["vault_auth_backend", label], [attr("type", "kubernetes"), attr("path", path), attr("description", `Service accounts of the ${this.cluster.name} cluster`)]),
          block("resource", ["vault_kubernetes_auth_backend_config", label], [attr("backend", expr(`vault_auth_backend.${label}.path`)), ...kubernetesApi]),
        ]),
        block("resource", ["vault_policy", "external_secrets"], [attr("name", this.cluster.iam.externalSecretsRole), attr("policy", policyText)]),
        ...[...roles.values()].map((role) =>
          block("resource", ["vault_kubernetes_auth_backend_role", role.label], [
            attr("backend", expr(`vault_auth_backend.${auths.get(role.auth)!}.path`)),
            attr("role_name", role.role),
            attr("bound_service_account_names", [sa.name]),
            attr("bound_service_account_namespaces", [sa.namespace]),
            attr("token_policies", [expr("vault_policy.external_secrets.name")]),
            attr("token_ttl", 3600),
          ]),
        ),
        ...this.raftSnapshotAccess(auths),
      ],
    );
    this.stack.output({ name: "external_secrets_vault_policy", description: "Vault policy External Secrets reads with.", value: expr("vault_policy.external_secrets.name") });
    this.stack.output({
      name: "vault_auth_mounts",
      description: `Kubernetes auth mounts of ${this.cluster.name} in Vault (the stores' auth.kubernetes.mountPath).`,
      value: expr(`[${[...auths.values()].map((label) => `vault_auth_backend.${label}.path`).join(", ")}]`),
    });
  }

  private mountLabel(path: string, used: Set<string>): string {
    const label = labelFor(path, used);
    this.mountLabels.set(path, label);
    return label;
  }

  /**
   * The keys of the MinIO users the infra stack made, placed where each consumer's Secret comes from:
   * a path of the vault store its ExternalSecret reads, or (kubernetes secrets backend) the Secret
   * itself. Read from the infra stack's outputs, so no key passes through a person.
   */
  objectStoreKeys(): void {
    const users = this.model.objectStoreUsers.filter((u) => u.cluster === this.cluster.name && u.placement.kind !== "none");
    if (users.length === 0) return;
    const outputs = infraOutputs(this.stack, this.cluster);
    const labels = new Set<string>();
    for (const user of users) {
      const label = labelFor(user.consumer, labels);
      const credential = (field: string) => expr(`${outputs}.object_store_credentials[${JSON.stringify(user.consumer)}].${field}`);
      const data =
        user.secret.format === "aws-credentials-file"
          ? obj({ cloud: tpl`[default]\naws_access_key_id=${credential("access_key_id")}\naws_secret_access_key=${credential("secret_access_key")}\n` })
          : obj({ ACCESS_KEY_ID: credential("access_key_id"), ACCESS_SECRET_KEY: credential("secret_access_key") });
      const placement = user.placement;
      if (placement.kind === "store") {
        const store = this.model.secretStores.find((s) => s.name === placement.store)!;
        const v = store.vault!;
        const managed = this.mountLabels.get(v.mount);
        const mount = managed !== undefined ? expr(`vault_mount.${managed}.path`) : v.mount;
        this.stack.section(
          `Keys of MinIO user ${user.name} at ${v.mount}/${placement.key} of store ${store.name}: ExternalSecret ${user.secret.namespace}/${user.secret.name} makes the Secret ${consumerName(user)} reads from them.`,
          [
            v.kvVersion === "v2"
              ? block("resource", ["vault_kv_secret_v2", `minio_${label}`], [attr("mount", mount), attr("name", placement.key), attr("data_json", call("jsonencode", data))])
              : block("resource", ["vault_kv_secret", `minio_${label}`], [attr("path", managed !== undefined ? tpl`${expr(`vault_mount.${managed}.path`)}/${placement.key}` : `${v.mount}/${placement.key}`), attr("data_json", call("jsonencode", data))]),
          ],
        );
      } else {
        this.stack.provider("kubernetes", kubernetesAccess(this.stack, this.model, this.cluster));
        this.stack.section(
          `Keys of MinIO user ${user.name} as Secret ${user.secret.namespace}/${user.secret.name}, which ${consumerName(user)} reads (the kubernetes secrets backend: no store in between).`,
          [
            block("resource", ["kubernetes_secret_v1", `minio_${label}`], [
              block("metadata", [], [
                attr("name", user.secret.name),
                attr("namespace", user.secret.namespace),
                attr("labels", obj({ "app.kubernetes.io/managed-by": "plinth", "app.kubernetes.io/part-of": this.model.platform.name })),
              ]),
              blank,
              attr("data", data),
            ]),
          ],
        );
      }
    }
  }

  /**
   * Resources that earlier trees kept here and the config stack now owns: forgotten by this state
   * (`removed`, never destroyed) so the config stack can import them; the config stack's header lists
   * the exact imports.
   */
  movedToConfig(config: Stack): void {
    const moved = vaultImports(config).map((i) => i.address);
    if (moved.length === 0) return;
    this.stack.require("vault");
    this.stack.section(
      `Moved to ${this.cluster.stacks.config}: forgotten here without being destroyed (a state from before the split keeps working; the imports are in ${this.cluster.stacks.config}/main.tf).`,
      moved.map((address) => block("removed", [], [attr("from", expr(address)), blank, block("lifecycle", [], [attr("destroy", false)])])),
    );
  }

  /**
   * Records for the hosts of this cluster's environments inside the profile's zone. When the cluster
   * runs ExternalDNS it owns them (from Ingress objects), so none are made here. Preview hosts are
   * per pull request and left to ExternalDNS too.
   */
  dns(): void {
    if (this.cluster.components.some((c) => c.name === "external-dns")) return;
    const zone = this.profile.dns.zone;
    const hosts = [
      ...new Set(
        this.model.environments
          .filter((e) => e.cluster === this.cluster.name && e.runtime === "kubernetes" && !e.preview)
          .flatMap((e) => e.hosts)
          .filter((host) => host === zone || host.endsWith(`.${zone}`)),
      ),
    ].sort();
    if (hosts.length === 0) return;
    const title = `DNS records in ${zone} for the environments' hosts, pointing at the ingress load balancer.`;
    const forEach = attr("for_each", call("toset", hosts));
    switch (this.profile.dns.provider) {
      case "route53": {
        this.aws();
        const lbName = this.stack.variable({ name: "ingress_load_balancer_dns_name", type: "string", description: "DNS name of the ingress controller's load balancer." });
        const lbZone = this.stack.variable({ name: "ingress_load_balancer_zone_id", type: "string", description: "Route53 hosted zone ID of that load balancer." });
        this.stack.section(`${title} The zone is shared by every cluster of the profile, so it is looked up, not created.`, [
          block("data", ["aws_route53_zone", "this"], [attr("name", zone)]),
          block("resource", ["aws_route53_record", "hosts"], [
            forEach,
            blank,
            attr("zone_id", expr("data.aws_route53_zone.this.zone_id")),
            attr("name", expr("each.value")),
            attr("type", "A"),
            blank,
            block("alias", [], [attr("name", lbName), attr("zone_id", lbZone), attr("evaluate_target_health", true)]),
          ]),
        ]);
        this.stack.output({ name: "dns_records", description: "Hosts with a record in the zone.", value: expr("[for record in aws_route53_record.hosts : record.fqdn]") });
        return;
      }
      case "cloudflare": {
        const token = this.stack.variable({ name: "cloudflare_api_token", type: "string", description: "Cloudflare API token with DNS edit rights on the zone.", sensitive: true });
        this.stack.provider("cloudflare", [attr("api_token", token)]);
        const zoneId = this.stack.variable({ name: "cloudflare_zone_id", type: "string", description: `Cloudflare zone ID of ${zone}.` });
        const address = this.ingressAddress();
        this.stack.section(title, [
          block("resource", ["cloudflare_record", "hosts"], [
            forEach,
            blank,
            attr("zone_id", zoneId),
            attr("name", expr("each.value")),
            attr("type", "A"),
            attr("content", address),
            attr("ttl", 300),
            attr("proxied", false),
          ]),
        ]);
        this.stack.output({ name: "dns_records", description: "Hosts with a record in the zone.", value: expr("[for record in cloudflare_record.hosts : record.hostname]") });
        return;
      }
      case "powerdns": {
        const apiKey = this.stack.variable({ name: "powerdns_api_key", type: "string", description: "PowerDNS API key.", sensitive: true });
        this.stack.provider("powerdns", [
          attr(
            "server_url",
            this.profile.dns.endpoint ?? this.stack.variable({ name: "powerdns_server_url", type: "string", description: "PowerDNS API address (the spec names no endpoint)." }),
          ),
          attr("api_key", apiKey),
        ]);
        const address = this.ingressAddress();
        this.stack.section(`${title} PowerDNS names are fully qualified (trailing dot).`, [
          block("resource", ["powerdns_record", "hosts"], [
            forEach,
            blank,
            attr("zone", `${zone}.`),
            attr("name", expr('"${each.value}."')),
            attr("type", "A"),
            attr("ttl", 300),
            attr("records", [address]),
          ]),
        ]);
        this.stack.output({ name: "dns_records", description: "Hosts with a record in the zone.", value: expr("[for record in powerdns_record.hosts : record.name]") });
        return;
      }
    }
  }

  private ingressAddress(): HclValue {
    return this.stack.variable({ name: "ingress_address", type: "string", description: `IP address of the ${this.cluster.name} ingress load balancer the hosts resolve to.` });
  }
}

/** Host (with port) and scheme of an endpoint URL; a bare host:port counts as HTTPS. */
/** Who authenticates with a MinIO user's keys, in words. */
function consumerName(user: ModelObjectStoreUser): string {
  return user.consumer === "velero" ? "Velero" : `backup ${user.consumer}`;
}

function parseUrl(endpoint: string): { host: string; protocol: string } {
  try {
    const url = new URL(endpoint.includes("://") ? endpoint : `https://${endpoint}`);
    return { host: url.host, protocol: url.protocol };
  } catch {
    return { host: endpoint, protocol: "https:" };
  }
}

