/**
 * Checks every generated Kubernetes document the way its consumers would: strict YAML parsing
 * (duplicate keys and any parse warning fail), the published schema through the kubernetes-models
 * classes, and our own rules for what those schemas let through (they accept unknown fields and do
 * not check names, quantities or durations).
 *
 * Use `checkManifestFile(path, content)` in a test: it returns the parsed documents and throws one
 * error listing every problem. Extend KINDS when a target emits a new kind; a CRD that no
 * kubernetes-models package covers is checked against its schema, vendored in test/support/crds/.
 */
import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { ResourceQuota } from "kubernetes-models/v1/ResourceQuota";
import { LimitRange } from "kubernetes-models/v1/LimitRange";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Secret } from "kubernetes-models/v1/Secret";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { StorageClass } from "kubernetes-models/storage.k8s.io/v1/StorageClass";
import { ClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer";
import { SecretStore } from "@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore";
import { ClusterSecretStore } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore";
import { ClusterExternalSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterExternalSecret";
import { ExternalSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret";
import { AnalysisTemplate } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate";
import { ClusterAnalysisTemplate } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/ClusterAnalysisTemplate";
import { Rollout } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout";
import { Application } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import { AppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import { ApplicationSet } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { Service } from "kubernetes-models/v1/Service";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { Job } from "kubernetes-models/batch/v1/Job";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { Gateway } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway";
import { GatewayClass } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GatewayClass";
import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";

type Doc = Record<string, unknown>;

interface KindRule {
  /** The kubernetes-models class whose validate() checks the published schema… */
  model?: new (data: never) => { validate(): void };
  /** …or, for a CRD without one, its openAPIV3Schema vendored in test/support/crds/ (file name). */
  crd?: string;
  namespaced: boolean;
  /** Dotted paths that must be present; a path ending in [] must be a non-empty array. */
  required: string[];
  /** Extra checks of values the schema takes as plain strings. */
  extra?: (doc: Doc) => string[];
}

/** apiVersion/kind → what a document of that kind must satisfy. */
export const KINDS: Record<string, KindRule> = {
  "v1/Namespace": { model: Namespace, namespaced: false, required: [] },
  "v1/ResourceQuota": { model: ResourceQuota, namespaced: true, required: ["spec.hard"], extra: (d) => quantities(d, "spec.hard") },
  "v1/LimitRange": {
    model: LimitRange,
    namespaced: true,
    required: ["spec.limits[]"],
    extra: (d) =>
      arrayAt(d, "spec.limits").flatMap((item, i) =>
        ["default", "defaultRequest", "max", "min"].flatMap((field) => quantities(item as Doc, field, `spec.limits[${i}].${field}`)),
      ),
  },
  "v1/ServiceAccount": { model: ServiceAccount, namespaced: true, required: [] },
  "v1/ConfigMap": { model: ConfigMap, namespaced: true, required: [] },
  "v1/Secret": { model: Secret, namespaced: true, required: [] },
  "networking.k8s.io/v1/NetworkPolicy": { model: NetworkPolicy, namespaced: true, required: ["spec.podSelector", "spec.policyTypes[]"] },
  "rbac.authorization.k8s.io/v1/Role": { model: Role, namespaced: true, required: ["rules[]"] },
  "rbac.authorization.k8s.io/v1/RoleBinding": { model: RoleBinding, namespaced: true, required: ["roleRef.name", "subjects[]"] },
  "rbac.authorization.k8s.io/v1/ClusterRole": { model: ClusterRole, namespaced: false, required: [] },
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": { model: ClusterRoleBinding, namespaced: false, required: ["roleRef.name"] },
  "storage.k8s.io/v1/StorageClass": { model: StorageClass, namespaced: false, required: ["provisioner"] },
  "cert-manager.io/v1/ClusterIssuer": {
    model: ClusterIssuer,
    namespaced: false,
    required: ["spec.acme.server", "spec.acme.email", "spec.acme.privateKeySecretRef.name", "spec.acme.solvers[]"],
    extra: (d) => (String(get(d, "spec.acme.server")).startsWith("https://") ? [] : ["spec.acme.server: not an https URL"]),
  },
  "external-secrets.io/v1/SecretStore": { model: SecretStore, namespaced: true, required: ["spec.provider"], extra: oneProvider },
  "external-secrets.io/v1/ClusterSecretStore": { model: ClusterSecretStore, namespaced: false, required: ["spec.provider"], extra: oneProvider },
  "external-secrets.io/v1/ClusterExternalSecret": {
    model: ClusterExternalSecret,
    namespaced: false,
    required: ["spec.externalSecretName", "spec.namespaceSelectors[]", "spec.externalSecretSpec.secretStoreRef.name", "spec.externalSecretSpec.target.name", "spec.externalSecretSpec.data[]"],
    extra: (d) => [
      ...goDuration(d, "spec.refreshTime"),
      ...goDuration(d, "spec.externalSecretSpec.refreshInterval"),
      ...dns1123Subdomain(get(d, "spec.externalSecretSpec.target.name"), "spec.externalSecretSpec.target.name"),
    ],
  },
  "external-secrets.io/v1/ExternalSecret": {
    model: ExternalSecret,
    namespaced: true,
    required: ["spec.refreshInterval", "spec.secretStoreRef.name", "spec.secretStoreRef.kind", "spec.target.name", "spec.data[]"],
    extra: (d) => [
      ...goDuration(d, "spec.refreshInterval"),
      ...dns1123Subdomain(get(d, "spec.target.name"), "spec.target.name"),
      ...arrayAt(d, "spec.data").flatMap((item, i) => missing(item as Doc, ["secretKey", "remoteRef.key"], `spec.data[${i}].`)),
    ],
  },
  "argoproj.io/v1alpha1/AnalysisTemplate": { model: AnalysisTemplate, namespaced: true, required: ["spec.metrics[]"], extra: metrics },
  "argoproj.io/v1alpha1/ClusterAnalysisTemplate": { model: ClusterAnalysisTemplate, namespaced: false, required: ["spec.metrics[]"], extra: metrics },
  "argoproj.io/v1alpha1/Rollout": { model: Rollout, namespaced: true, required: ["spec.strategy"] },
  "argoproj.io/v1alpha1/Application": { model: Application, namespaced: true, required: ["spec.project", "spec.destination.server"], extra: oneSource },
  "argoproj.io/v1alpha1/AppProject": { model: AppProject, namespaced: true, required: ["spec.sourceRepos[]", "spec.destinations[]"] },
  "argoproj.io/v1alpha1/ApplicationSet": { model: ApplicationSet, namespaced: true, required: ["spec.generators[]", "spec.template.metadata.name", "spec.template.spec.project"] },
  // What the plinth-service chart renders (test/helm-chart.test.ts, with the real helm).
  "apps/v1/Deployment": { model: Deployment, namespaced: true, required: ["spec.selector", "spec.template.spec.containers[]"] },
  "v1/Service": { model: Service, namespaced: true, required: ["spec.ports[]"] },
  "networking.k8s.io/v1/Ingress": {
    model: Ingress,
    namespaced: true,
    required: ["spec.rules[]"],
    extra: (d) => arrayAt(d, "spec.rules").flatMap((rule, i) => dns1123Subdomain((rule as Doc).host, `spec.rules[${i}].host`)),
  },
  // Data services rendered from their pinned charts (NATS).
  "apps/v1/StatefulSet": { model: StatefulSet, namespaced: true, required: ["spec.template.spec.containers[]", "spec.serviceName"] },
  "autoscaling/v2/HorizontalPodAutoscaler": { model: HorizontalPodAutoscaler, namespaced: true, required: ["spec.scaleTargetRef.name", "spec.maxReplicas"] },
  "policy/v1/PodDisruptionBudget": { model: PodDisruptionBudget, namespaced: true, required: ["spec.selector"] },
  "batch/v1/Job": { model: Job, namespaced: true, required: ["spec.template.spec.containers[]", "spec.template.spec.restartPolicy"] },
  // Backup jobs (Vault raft and etcd snapshots).
  "batch/v1/CronJob": {
    model: CronJob,
    namespaced: true,
    required: ["spec.schedule", "spec.jobTemplate.spec.template.spec.containers[]", "spec.jobTemplate.spec.template.spec.restartPolicy"],
    extra: (d) => cronProblems(get(d, "spec.schedule"), 5, "spec.schedule"),
  },
  "snapshot.storage.k8s.io/v1/VolumeSnapshotClass": { crd: "volumesnapshotclass.json", namespaced: false, required: ["driver", "deletionPolicy"] },
  "snapscheduler.backube/v1/SnapshotSchedule": {
    crd: "snapscheduler-snapshotschedule.json",
    namespaced: true,
    required: ["spec.schedule", "spec.claimSelector.matchLabels", "spec.retention.expires", "spec.snapshotTemplate.snapshotClassName"],
    extra: (d) => cronProblems(get(d, "spec.schedule"), 5, "spec.schedule"),
  },
  "monitoring.coreos.com/v1/ServiceMonitor": { model: ServiceMonitor, namespaced: true, required: ["spec.selector", "spec.endpoints[]"] },
  "gateway.networking.k8s.io/v1/HTTPRoute": { model: HTTPRoute, namespaced: true, required: ["spec.parentRefs[]", "spec.rules[]"] },
  "gateway.networking.k8s.io/v1/GatewayClass": { model: GatewayClass, namespaced: false, required: ["spec.controllerName"] },
  "gateway.networking.k8s.io/v1/Gateway": { model: Gateway, namespaced: true, required: ["spec.gatewayClassName", "spec.listeners[]"] },
  // Backups (kubernetes target). No kubernetes-models package covers these CRDs: their schemas are vendored.
  "velero.io/v1/Schedule": {
    crd: "velero-schedule.json",
    namespaced: true,
    required: ["spec.schedule", "spec.template.ttl", "spec.template.storageLocation", "spec.template.includedNamespaces[]"],
    extra: (d) => [
      ...cronProblems(get(d, "spec.schedule"), 5, "spec.schedule"),
      ...goDuration(d, "spec.template.ttl"),
      ...arrayAt(d, "spec.template.includedNamespaces").flatMap((n, i) => (n === "*" ? [] : dns1123Label(n, `spec.template.includedNamespaces[${i}]`))),
    ],
  },
  "postgresql.cnpg.io/v1/Cluster": {
    crd: "cnpg-cluster.json",
    namespaced: true,
    required: ["spec.instances", "spec.imageName", "spec.storage.size"],
    extra: (d) => {
      const store = get(d, "spec.backup.barmanObjectStore") as Doc | undefined;
      // A Cluster archives to object storage only when a cnpg-pitr backup protects it; then fully.
      if (get(d, "spec.backup") !== undefined && store === undefined) return ["spec.backup without barmanObjectStore"];
      const size = get(d, "spec.storage.size");
      const problems = typeof size === "string" && QUANTITY.test(size) ? [] : [`spec.storage.size ${JSON.stringify(size)} is not a quantity string`];
      if (store && !/^s3:\/\/[a-z0-9][a-z0-9.-]+\/\S+$/.test(String(store.destinationPath))) problems.push(`spec.backup.barmanObjectStore.destinationPath ${JSON.stringify(store.destinationPath)} is not s3://<bucket>/<prefix>`);
      const credentials = (store?.s3Credentials ?? {}) as Doc;
      if (store && (credentials.inheritFromIAMRole === true) === (credentials.accessKeyId !== undefined || credentials.secretAccessKey !== undefined)) {
        problems.push("spec.backup.barmanObjectStore.s3Credentials needs either inheritFromIAMRole or both secret keys");
      }
      return problems;
    },
  },
  // Data services run by operators (kubernetes target): CRDs vendored from the pinned charts.
  "redis.redis.opstreelabs.in/v1beta2/Redis": { crd: "redis-operator-redis.json", namespaced: true, required: ["spec.kubernetesConfig.image"] },
  "redis.redis.opstreelabs.in/v1beta2/RedisReplication": { crd: "redis-operator-redisreplication.json", namespaced: true, required: ["spec.kubernetesConfig.image", "spec.clusterSize"] },
  "opensearch.opster.io/v1/OpenSearchCluster": {
    crd: "opensearch-cluster.json",
    namespaced: true,
    required: ["spec.general.serviceName", "spec.nodePools[]"],
    extra: (d) =>
      arrayAt(d, "spec.nodePools").flatMap((pool, i) => {
        const size = (pool as Doc).diskSize;
        return size === undefined || (typeof size === "string" && QUANTITY.test(size)) ? [] : [`spec.nodePools[${i}].diskSize ${JSON.stringify(size)} is not a quantity string`];
      }),
  },
  // MetalLB address pools (kubernetes target).
  "metallb.io/v1beta1/IPAddressPool": { crd: "metallb-ipaddresspool.json", namespaced: true, required: ["spec.addresses[]"] },
  "metallb.io/v1beta1/L2Advertisement": { crd: "metallb-l2advertisement.json", namespaced: true, required: ["spec.ipAddressPools[]"] },
  "postgresql.cnpg.io/v1/ScheduledBackup": {
    crd: "cnpg-scheduledbackup.json",
    namespaced: true,
    required: ["spec.schedule", "spec.cluster.name"],
    extra: (d) => [...cronProblems(get(d, "spec.schedule"), 6, "spec.schedule"), ...dns1123Subdomain(get(d, "spec.cluster.name"), "spec.cluster.name")],
  },
};

const CRDS_DIR = new URL("./crds/", import.meta.url);
const crdValidators = new Map<string, ValidateFunction>();

/** The compiled openAPIV3Schema of a vendored CRD (Kubernetes' own x-kubernetes-* keywords are ignored). */
function crdValidator(file: string): ValidateFunction {
  let validate = crdValidators.get(file);
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, logger: false });
    validate = ajv.compile(JSON.parse(readFileSync(new URL(file, CRDS_DIR), "utf8")));
    crdValidators.set(file, validate);
  }
  return validate;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** Kubernetes resource quantity (the canonical forms). */
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;
/** What Go's time.ParseDuration accepts (no days or weeks). */
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^0$/;

/**
 * Parses a multi-document YAML file strictly: duplicate keys, errors and warnings all throw.
 * `version: "1.1"` reads it as Go's yaml.v2 (and so older Helm/kubectl paths) would.
 */
export function parseYamlDocuments(content: string, version: "1.1" | "1.2" = "1.2"): unknown[] {
  const docs = parseAllDocuments(content, { uniqueKeys: true, version, strict: true, prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const problems = list.flatMap((doc) => [...doc.errors, ...doc.warnings].map((e) => e.message));
  if (problems.length > 0) throw new Error(`YAML ${version} does not parse cleanly:\n${problems.join("\n")}`);
  return list.map((doc) => doc.toJS({ maxAliasCount: 0 }));
}

/** Problems of one document by our own rules (empty when fine). */
export function k8sProblems(value: unknown): string[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return ["document is not a mapping"];
  const doc = value as Doc;
  const { apiVersion, kind } = doc;
  if (typeof apiVersion !== "string" || apiVersion === "") return ["apiVersion is missing"];
  if (typeof kind !== "string" || kind === "") return ["kind is missing"];
  const rule = KINDS[`${apiVersion}/${kind}`];
  if (!rule) return [`${apiVersion}/${kind} is not a kind we know (add it to KINDS in test/support/k8s-check.ts)`];
  const problems: string[] = [];
  const metadata = doc.metadata as Doc | undefined;
  const name = metadata?.name;
  // Namespaces (and the names that become namespace labels) must be labels, the rest subdomains.
  problems.push(...(kind === "Namespace" ? dns1123Label(name, "metadata.name") : dns1123Subdomain(name, "metadata.name")));
  if (rule.namespaced) problems.push(...dns1123Label(metadata?.namespace, "metadata.namespace"));
  else if (metadata?.namespace !== undefined) problems.push(`${kind} is cluster-scoped but has metadata.namespace`);
  problems.push(...labels(metadata?.labels));
  if ("status" in doc) problems.push("status must not be generated");
  problems.push(...missing(doc, rule.required), ...(rule.extra?.(doc) ?? []));
  return problems;
}

/** Validates a document against its published schema; throws with the class's message. */
export function validateWithModel(value: unknown): void {
  const doc = value as Doc;
  const rule = KINDS[`${String(doc.apiVersion)}/${String(doc.kind)}`];
  if (!rule) throw new Error(`no kubernetes-models class for ${String(doc.apiVersion)}/${String(doc.kind)}`);
  if (rule.model) new rule.model(structuredClone(doc) as never).validate();
  if (rule.crd) {
    const validate = crdValidator(rule.crd);
    if (!validate(doc)) throw new Error((validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`).join("; "));
  }
}

/**
 * Everything at once for one generated file: strict parse (YAML 1.2 and 1.1 give the same data),
 * schema validation and our own rules. Returns the documents; throws listing every problem.
 */
export function checkManifestFile(path: string, content: string): Doc[] {
  const docs = parseYamlDocuments(content) as Doc[];
  const problems: string[] = [];
  const asYaml11 = parseYamlDocuments(content, "1.1");
  if (JSON.stringify(asYaml11) !== JSON.stringify(docs)) problems.push("a YAML 1.1 reader sees different data than a YAML 1.2 reader");
  docs.forEach((doc, i) => {
    const where = `${path} document ${i + 1} (${String(doc?.kind)} ${String((doc?.metadata as Doc | undefined)?.name)})`;
    for (const problem of k8sProblems(doc)) problems.push(`${where}: ${problem}`);
    try {
      validateWithModel(doc);
    } catch (error) {
      problems.push(`${where}: schema: ${(error as Error).message}`);
    }
  });
  if (problems.length > 0) throw new Error(problems.join("\n"));
  return docs;
}

function get(doc: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Doc)[key] : undefined), doc);
}

function arrayAt(doc: Doc, path: string): unknown[] {
  const value = get(doc, path);
  return Array.isArray(value) ? value : [];
}

function missing(doc: Doc, paths: string[], prefix = ""): string[] {
  return paths.flatMap((path) => {
    const list = path.endsWith("[]");
    const value = get(doc, list ? path.slice(0, -2) : path);
    if (value === undefined || value === null || value === "") return [`${prefix}${path} is required`];
    if (list && (!Array.isArray(value) || value.length === 0)) return [`${prefix}${path} must be a non-empty list`];
    return [];
  });
}

function dns1123Label(value: unknown, field: string): string[] {
  if (typeof value !== "string" || value.length > 63 || !DNS1123_LABEL.test(value)) return [`${field} ${JSON.stringify(value)} is not a DNS-1123 label`];
  return [];
}

function dns1123Subdomain(value: unknown, field: string): string[] {
  if (typeof value !== "string" || value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) return [`${field} ${JSON.stringify(value)} is not a DNS-1123 subdomain`];
  return [];
}

function labels(value: unknown): string[] {
  if (value === undefined) return [];
  if (value === null || typeof value !== "object") return ["metadata.labels is not a mapping"];
  return Object.entries(value as Doc).flatMap(([key, v]) => {
    const problems: string[] = [];
    const slash = key.lastIndexOf("/");
    const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
    if (prefix !== undefined && dns1123Subdomain(prefix, "").length > 0) problems.push(`label key ${JSON.stringify(key)} has an invalid prefix`);
    if (name.length > 63 || !LABEL_NAME.test(name)) problems.push(`label key ${JSON.stringify(key)} is invalid`);
    if (typeof v !== "string") problems.push(`label ${key} is not a string`);
    else if (v !== "" && (v.length > 63 || !LABEL_NAME.test(v))) problems.push(`label ${key} value ${JSON.stringify(v)} is invalid`);
    return problems;
  });
}

function quantities(doc: Doc, path: string, shown = path): string[] {
  const map = get(doc, path);
  if (map === undefined) return [];
  return Object.entries(map as Doc).flatMap(([key, v]) =>
    typeof v === "string" && QUANTITY.test(v) ? [] : [`${shown}.${key} ${JSON.stringify(v)} is not a quantity string`],
  );
}

/**
 * A cron expression with `fields` fields (5: Velero, Kubernetes; 6 with leading seconds: CloudNativePG),
 * or an @-macro, which robfig/cron reads in both forms.
 */
function cronProblems(value: unknown, fields: 5 | 6, field: string): string[] {
  if (typeof value !== "string") return [`${field} is not a string`];
  if (/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(value)) return [];
  const parts = value.trim().split(/\s+/);
  if (parts.length !== fields) return [`${field} ${JSON.stringify(value)} is not a ${fields}-field cron expression`];
  const bad = parts.filter((part) => !/^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/.test(part));
  return bad.length === 0 ? [] : [`${field} ${JSON.stringify(value)} has fields cron cannot parse: ${bad.join(" ")}`];
}

function goDuration(doc: Doc, path: string, shown = path): string[] {
  const value = get(doc, path);
  if (value === undefined) return [];
  return typeof value === "string" && GO_DURATION.test(value) ? [] : [`${shown} ${JSON.stringify(value)} is not a Go duration`];
}

/** An Application has either one source or several, never both or neither. */
function oneSource(doc: Doc): string[] {
  const single = get(doc, "spec.source") !== undefined;
  const many = arrayAt(doc, "spec.sources").length > 0;
  return single !== many ? [] : ["spec.source or spec.sources (exactly one of them) is required"];
}

function oneProvider(doc: Doc): string[] {
  const provider = get(doc, "spec.provider");
  const keys = provider && typeof provider === "object" ? Object.keys(provider) : [];
  return keys.length === 1 ? [] : [`spec.provider must configure exactly one provider, has ${keys.length}`];
}

function metrics(doc: Doc): string[] {
  return arrayAt(doc, "spec.metrics").flatMap((metric, i) => {
    const prefix = `spec.metrics[${i}].`;
    const m = metric as Doc;
    const provider = m.provider && typeof m.provider === "object" ? Object.keys(m.provider) : [];
    return [
      ...missing(m, ["name", "provider"], prefix),
      ...(provider.length === 1 ? [] : [`${prefix}provider must name exactly one provider`]),
      ...(m.interval === undefined ? [] : goDuration(m, "interval", `${prefix}interval`)),
      ...(get(m, "provider.prometheus") === undefined ? [] : missing(m, ["provider.prometheus.address", "provider.prometheus.query"], prefix)),
    ];
  });
}
