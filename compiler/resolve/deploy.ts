/**
 * The deploy graph: every object the root application syncs, every OpenTofu stack, every step of the
 * first install and every declared prerequisite, with what each consumes and provides. From it come
 * the closure check (deploy/unprovided), the sync waves and stage order (levels), and the
 * first-install runbook. Targets read waves and steps from here; they never order things themselves.
 */
import type { Spec } from "../../spec/schema.js";
import { shellQuote as q } from "../formats/shell.js";
import type {
  DeployNeed,
  DeployNode,
  DeployNodeKind,
  DeployObject,
  Model,
  ModelBackup,
  ModelCluster,
  ModelEnvironment,
  ModelDeployGraph,
  ModelPrerequisite,
  ModelProfile,
  ModelSecretStore,
  SpecPath,
} from "../model.js";
import { ARGOCD_CRDS, componentAt, componentNeeds, componentProvides } from "./component-contracts.js";
import { clusterPlacedByBackup, dataApplicationName, dataCustomResource, previewDataCopies } from "./data-engines.js";
import { registryHost, REGISTRY_PULL_PROPERTIES } from "./clusters.js";
import { lookup } from "../model-lookup.js";
import { getOrMake, pushTo } from "../collections.js";
import { deployKey, memoizedDeployKeys, type DeployKeys } from "./deploy-keys.js";
import { previewBase, previewDataApplicationSetName } from "./environments.js";
import { vaultSnapshotLogin } from "./performers.js";
import { secretsCreatedBy } from "./secrets.js";
import { cmp, sorted } from "./util.js";

type GraphInput = Omit<Model, "deploy">;

/** The CSI snapshot CRDs (kubernetes-csi/external-snapshotter), installed with the snapshot controller. */
export const SNAPSHOT_CRDS = ["snapshot.storage.k8s.io/VolumeSnapshot", "snapshot.storage.k8s.io/VolumeSnapshotClass", "snapshot.storage.k8s.io/VolumeSnapshotContent"] as const;
type Draft = Omit<DeployNode, "level" | "wave">;

/** The keys resources are named by: memoized while a graph is made (see resolveDeployGraph). */
let key: DeployKeys = deployKey;

/** The spec's prerequisites, as the Model carries them. */
export function resolvePrerequisites(spec: Spec): ModelPrerequisite[] {
  return spec.prerequisites.map((p, i) => ({
    kind: p.kind,
    ...(p.cluster !== undefined && { cluster: p.cluster }),
    ...(p.namespace !== undefined && { namespace: p.namespace }),
    name: p.name,
    keys: p.keys,
    reason: p.reason,
    at: ["prerequisites", i],
  }));
}

/** Which node kind wins when several provide one resource: what exists first. */
const PROVIDER_RANK: Record<DeployNodeKind, number> = { builtin: 0, prerequisite: 1, stack: 2, sync: 3, step: 4 };

export function resolveDeployGraph(model: GraphInput): ModelDeployGraph {
  key = memoizedDeployKeys();
  try {
    return deployGraph(model);
  } finally {
    key = deployKey;
  }
}

function deployGraph(model: GraphInput): ModelDeployGraph {
  const drafts: Draft[] = [];
  // Resources repeat across thousands of nodes ("Namespace c0/c0-e0"): one copy of each is kept, so
  // order() finds providers by a string it has hashed before. The memoized keys are that copy
  // already; keys made elsewhere (component contracts, prerequisites) become it here.
  const interned = new Map<string, string>();
  const intern = (text: string) => {
    const known = interned.get(text);
    if (known !== undefined) return known;
    interned.set(text, text);
    return text;
  };
  const complete = (draft: Draft) => {
    for (let i = 0; i < draft.provides.length; i++) draft.provides[i] = intern(draft.provides[i]!);
    // Need objects are this module's own (need()), some shared between nodes: made canonical in place.
    for (let i = 0; i < draft.needs.length; i++) draft.needs[i]!.resource = intern(draft.needs[i]!.resource);
    drafts.push(draft);
  };
  const add: Add = Object.assign((node: NodeInput) => complete({ objects: [], provides: [], needs: [], ...node }), { draft: complete });
  const profileOf = (cluster: ModelCluster) => model.profiles.find((p) => p.name === cluster.profile)!;

  for (const cluster of model.clusters) addCluster(model, cluster, profileOf(cluster), add);
  // A Vault the spec names outside every cluster is the team's own service, running already.
  const external = sorted(
    model.secretStores
      .filter((s) => s.vault && !model.clusters.some((c) => c.components.some((x) => x.name === "vault" && inCluster(s.vault!.server, x.namespace))))
      .map((s) => s.vault!.server),
  );
  const stores = (server: string) => model.secretStores.filter((s) => s.vault?.server === server).map((s) => s.name);
  for (const server of external) {
    add({
      id: `step/vault-login/${server}`,
      kind: "step",
      title: `log in to the Vault of store${stores(server).length > 1 ? "s" : ""} ${stores(server).join(", ")}`,
      provides: [key.vaultSession(server)],
      needs: [need(key.vaultReady(server), ["secretStores"], "Vault must answer")],
      commands: [`export VAULT_ADDR=${q(server)}`, "vault login"],
      note: "The OpenTofu stacks and the secret steps below use this shell's Vault address and token.",
      at: ["secretStores"],
    });
  }
  // OpenTofu state kept in S3: the bucket must exist before the first `tofu init`.
  const stateBuckets = new Map<string, { bucket: string; region: string }>();
  for (const cluster of model.clusters) {
    for (const backend of [cluster.stateBackends.infra, cluster.stateBackends.bootstrap, cluster.stateBackends.config]) if (backend.type === "s3") stateBuckets.set(backend.bucket, { bucket: backend.bucket, region: backend.region });
  }
  for (const { bucket, region } of [...stateBuckets.values()].sort((a, b) => cmp(a.bucket, b.bucket))) {
    add({
      id: `step/state-bucket/${bucket}`,
      kind: "step",
      title: `create the OpenTofu state bucket ${bucket}`,
      provides: [key.stateBackend(`s3://${bucket}`)],
      commands: [
        `aws s3api create-bucket --bucket ${q(bucket)} --region ${q(region)}${region === "us-east-1" ? "" : ` --create-bucket-configuration LocationConstraint=${q(region)}`}`,
        `aws s3api put-bucket-versioning --bucket ${q(bucket)} --versioning-configuration Status=Enabled`,
        `aws s3api put-public-access-block --bucket ${q(bucket)} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true`,
      ],
      note: "Every stack keeps its state here (its own key); versioning keeps earlier states recoverable.",
      at: ["profiles"],
    });
  }
  if (external.length > 0) add({ id: "builtin/external-vault", kind: "builtin", title: `Vault at ${external.join(", ")} (outside the clusters)`, provides: external.map((s) => key.vaultReady(s)), at: ["secretStores"] });
  addSecretPaths(model, add);
  addPrerequisites(model, add);

  // Stable order: by cluster, then id (ids are unique).
  drafts.sort((a, b) => cmp(a.cluster ?? "", b.cluster ?? "") || cmp(a.id, b.id));
  return order(drafts);
}

type NodeInput = Omit<Draft, "objects" | "provides" | "needs"> & Partial<Pick<Draft, "objects" | "provides" | "needs">>;
interface Add {
  (node: NodeInput): void;
  /**
   * A whole draft, written with objects, provides and needs first (the order add gives every node),
   * taken as it is: for the kinds of node there are thousands of, where add's copy of each (a
   * spread followed by more keys) allocated several times what the node holds.
   */
  draft(node: Draft): void;
}

const need = (resource: string, at: SpecPath, why: string): DeployNeed => ({ resource, at, why });

function addCluster(model: GraphInput, cluster: ModelCluster, profile: ModelProfile, add: Add): void {
  const c = cluster.name;
  const argo = cluster.argocdNamespace;
  const argocdNeed = need(key.argocd(c), cluster.at, "ArgoCD syncs it");

  // What the kind of cluster brings with it.
  add({
    id: `${c}/builtin`,
    kind: "builtin",
    cluster: c,
    title: `what a ${cluster.kind} cluster brings`,
    provides: [
      ...(cluster.kind !== "eks" ? [key.cluster(c)] : []),
      ...(cluster.kind === "k3s" ? [key.storageClass(c, "local-path"), key.defaultStorageClass(c), key.ipPool(c)] : []),
      ...(cluster.kind === "eks" ? [key.storageClass(c, "gp2"), key.ipPool(c)] : []),
      // Namespaces every cluster has.
      ...["default", "kube-system"].map((n) => key.namespace(c, n)),
    ],
    at: cluster.at,
  });

  // OpenTofu: the infra stack (cloud resources, buckets, Vault configuration), then the bootstrap stack.
  const vaultStores = model.secretStores.filter((s) => s.backend === "vault" && s.vault && s.placements.some((p) => p.cluster === c));
  add({
    id: `${c}/stack/infra`,
    kind: "stack",
    cluster: c,
    title: `OpenTofu stack ${cluster.stacks.infra}`,
    provides: [
      ...(cluster.kind === "eks" ? [key.cluster(c)] : []),
      ...model.buckets.filter((b) => b.cluster === c).map((b) => key.bucket(b.name)),
      // Each workload identity's role and binding: a Pod Identity association, or an IRSA role whose ARN the manifest names.
      ...cluster.workloadIdentities.filter((i) => i.mechanism === "pod-identity" || i.roleArn !== undefined).map((i) => key.identity(c, i.serviceAccount.namespace, i.serviceAccount.name)),
      // Secrets Manager secrets it creates (without values): those it reads first, in its own region.
      ...model.secretStores.flatMap((s) => secretsCreatedBy(s, cluster, profile).map((k) => key.secretsManagerSecret(s.name, k))),
      // EKS nodes pull from the account's ECR with their node role.
      ...(cluster.kind === "eks" && profile.registry.provider === "ecr" ? [key.registryCredential(c, registryHost(profile.registry.url))] : []),
      key.stackApplied(cluster.stacks.infra),
      // The snapshot-controller add-on: the CSI snapshot CRDs and the controller acting on them.
      ...(cluster.kind === "eks" && cluster.volumeSnapshotClass ? SNAPSHOT_CRDS.map((k) => key.crd(c, k)) : []),
    ],
    needs: stateNeeds(cluster, "infra"),
    at: cluster.at,
  });
  // MinIO users' keys: the config stack writes them into a vault store or straight into the consumer's Secret.
  const objectStoreUsers = model.objectStoreUsers.filter((u) => u.cluster === c);
  if (vaultStores.length > 0 || objectStoreUsers.length > 0) {
    const keyWrites: DeployNeed[] = objectStoreUsers.flatMap((u) => {
      const placement = u.placement;
      if (placement.kind === "secret") return [need(key.namespace(c, u.secret.namespace), u.at, `it writes Secret ${u.secret.namespace}/${u.secret.name}`)];
      if (placement.kind !== "store") return [];
      const store = model.secretStores.find((s) => s.name === placement.store);
      return store?.vault ? [need(key.vaultMount(store.vault.server, store.vault.mount), u.at, `it writes ${placement.key} into ${store.vault.mount}`)] : [];
    });
    add({
      id: `${c}/stack/config`,
      kind: "stack",
      cluster: c,
      title: `OpenTofu stack ${cluster.stacks.config}`,
      provides: [
        ...vaultStores.flatMap((s) => [...(s.mountOwner === c ? [key.vaultMount(s.vault!.server, s.vault!.mount)] : []), ...s.placements.filter((p) => p.cluster === c).map((p) => key.vaultAuth(c, p.vaultAuthMount!))]),
        ...objectStoreUsers.flatMap((u) =>
          u.placement.kind === "store" ? [key.secretPath(u.placement.store, u.placement.key)] : u.placement.kind === "secret" ? [key.secret(c, u.secret.namespace, u.secret.name)] : [],
        ),
      ],
      needs: dedupe([
        need(key.cluster(c), cluster.at, vaultStores.length > 0 ? "Vault reviews tokens with the cluster's API" : "it writes Secrets into the cluster"),
        ...[...new Set(vaultStores.map((s) => s.vault!.server))].sort().map((server) => need(key.vaultSession(server), vaultStores.find((s) => s.vault!.server === server)!.at, `it configures Vault at ${server}`)),
        ...(objectStoreUsers.length > 0 ? [need(key.stackApplied(cluster.stacks.infra), objectStoreUsers[0]!.at, `it reads the MinIO users' keys from ${cluster.stacks.infra}'s outputs`)] : []),
        // A mount this stack creates itself is not a need.
        ...keyWrites.filter((n) => !vaultStores.some((s) => s.mountOwner === c && n.resource === key.vaultMount(s.vault!.server, s.vault!.mount))),
        ...stateNeeds(cluster, "config"),
      ]),
      at: cluster.at,
    });
  }
  add({
    id: `${c}/stack/bootstrap`,
    kind: "stack",
    cluster: c,
    title: `OpenTofu stack ${cluster.stacks.bootstrap}`,
    // ArgoCD creates its built-in "default" AppProject itself.
    provides: [key.argocd(c), key.namespace(c, argo), key.appProject(c, "default"), ...ARGOCD_CRDS.map((k) => key.crd(c, k))],
    needs: [need(key.cluster(c), cluster.at, "it installs ArgoCD into the cluster"), ...stateNeeds(cluster, "bootstrap")],
    at: cluster.at,
  });

  // AppProjects: the platform's, and every project with a destination on this cluster.
  const projects = [cluster.platformProject, ...model.projects.filter((p) => p.destinations.some((d) => d.cluster === c)).map((p) => p.name)];
  for (const name of projects) {
    add({
      id: `${c}/project/${name}`,
      kind: "sync",
      cluster: c,
      title: `AppProject ${name}`,
      objects: [{ kind: "AppProject", namespace: argo, name }],
      provides: [key.appProject(c, name)],
      needs: [argocdNeed],
      at: model.projects.find((p) => p.name === name)?.at ?? cluster.at,
    });
  }

  // Platform components: one Application each (ArgoCD itself comes from the bootstrap stack).
  for (const component of cluster.components) {
    if (component.name === "argocd") continue;
    const at = componentAt(cluster, component);
    add({
      id: `${c}/component/${component.name}`,
      kind: "sync",
      cluster: c,
      title: `component ${component.name} (${component.chart.name} ${component.chart.version})`,
      objects: [{ kind: "Application", namespace: argo, name: component.name }],
      provides: componentProvides(cluster, component),
      needs: [
        argocdNeed,
        need(key.appProject(c, cluster.platformProject), at, "platform components belong to the platform project"),
        ...componentNeeds(cluster, profile, component).map((n) => need(n.resource, n.valuesPath.length > 0 && component.at ? [...at, "values", ...n.valuesPath] : at, n.why)),
      ],
      at,
    });
  }
  if (Object.keys(cluster.loadBalancerIPs).length > 0) {
    add({
      id: `${c}/step/load-balancer-addresses`,
      kind: "step",
      cluster: c,
      title: `check the fixed LoadBalancer addresses of ${c}`,
      needs: [need(key.ipPool(c), [...cluster.at, "loadBalancerIPs"], `fixed addresses (${Object.values(cluster.loadBalancerIPs).join(", ")}) come from a pool`)],
      commands: ["kubectl get services --all-namespaces --field-selector spec.type=LoadBalancer"],
      note: `Each of ${Object.entries(cluster.loadBalancerIPs).map(([name, ip]) => `${name} → ${ip}`).join(", ")} must show as EXTERNAL-IP.`,
      at: [...cluster.at, "loadBalancerIPs"],
    });
  }

  // The kubernetes tree: namespaces, stores, ExternalSecrets, analyses, databases, schedules, classes.
  for (const ns of model.namespaces.filter((n) => n.cluster === c)) {
    add({
      id: `${c}/namespace/${ns.name}`,
      kind: "sync",
      cluster: c,
      title: `namespace ${ns.name}`,
      objects: [{ kind: "Namespace", name: ns.name }, ...["ResourceQuota", "LimitRange", "NetworkPolicy"].map((kind) => ({ kind, namespace: ns.name, name: "*" }))],
      provides: [key.namespace(c, ns.name)],
      needs: [argocdNeed],
      at: ns.at,
    });
  }
  for (const ns of cluster.componentNamespaces) {
    add({
      id: `${c}/component-namespace/${ns}`,
      kind: "sync",
      cluster: c,
      title: `namespace ${ns} (for a component)`,
      objects: [{ kind: "Namespace", name: ns }],
      provides: [key.namespace(c, ns)],
      needs: [argocdNeed],
      at: cluster.at,
    });
  }
  for (const store of model.secretStores) {
    for (const placement of store.placements.filter((p) => p.cluster === c)) addStorePlacement(cluster, store, placement, add);
  }
  if (model.secretStores.some((s) => s.backend === "vault" && s.placements.some((p) => p.cluster === c))) {
    const account = cluster.externalSecretsServiceAccount;
    add({
      id: `${c}/vault-token-review`,
      kind: "sync",
      cluster: c,
      title: "Vault token review binding",
      objects: [{ kind: "ClusterRoleBinding", name: `${account.name}-vault-auth-delegator` }],
      provides: [key.tokenReview(c)],
      needs: [argocdNeed],
      at: cluster.at,
    });
  }
  for (const secret of model.externalSecrets.filter((e) => e.cluster === c)) {
    const storeNamespace = secret.storeKind === "SecretStore" ? secret.namespace : "*";
    const needs = [
      argocdNeed,
      need(key.crd(c, "external-secrets.io/ExternalSecret"), secret.at, "ExternalSecrets are External Secrets Operator resources"),
      need(key.namespace(c, secret.namespace), secret.at, `it lives in ${secret.namespace}`),
      need(key.secretStore(c, storeNamespace, secret.store), secret.at, `it reads through store ${secret.store}`),
    ];
    if (secret.copiesFrom) {
      needs.push(need(key.secret(c, secret.copiesFrom.namespace, secret.copiesFrom.secret), secret.at, `it copies Secret ${secret.copiesFrom.namespace}/${secret.copiesFrom.secret}, which its operator writes`));
    } else {
      // Each key once, in the order the data first reads it.
      const keys: string[] = [];
      for (const d of secret.data) if (!keys.includes(d.key)) keys.push(d.key);
      for (const k of keys) needs.push(need(key.secretPath(secret.store, k), secret.at, `it reads ${k} from ${secret.store}`));
    }
    add.draft({
      objects: [{ kind: "ExternalSecret", namespace: secret.namespace, name: secret.name }],
      provides: [key.secret(c, secret.namespace, secret.name)],
      needs,
      id: `${c}/external-secret/${secret.namespace}/${secret.name}`,
      kind: "sync",
      cluster: c,
      title: `ExternalSecret ${secret.namespace}/${secret.name}`,
      at: secret.at,
    });
  }
  // The profile registry's pull Secret, made in every environment namespace (previews too) by one ClusterExternalSecret.
  const pull = cluster.registryPull;
  if (pull !== undefined) {
    add({
      id: `${c}/registry-pull`,
      kind: "sync",
      cluster: c,
      title: `ClusterExternalSecret ${pull.secretName}`,
      objects: [{ kind: "ClusterExternalSecret", name: pull.secretName }],
      provides: [key.registryCredential(c, pull.host)],
      needs: [
        argocdNeed,
        need(key.crd(c, "external-secrets.io/ClusterExternalSecret"), pull.at, "ClusterExternalSecrets are External Secrets Operator resources"),
        need(key.secretStore(c, "*", pull.store), pull.at, `it reads through ClusterSecretStore ${pull.store}`),
        need(key.secretPath(pull.store, pull.key), pull.at, `it reads ${pull.key} from ${pull.store}`),
      ],
      at: pull.at,
    });
  }
  for (const analysis of model.analyses) {
    for (const placement of analysis.placements.filter((p) => p.cluster === c)) {
      add({
        id: `${c}/analysis/${placement.namespace}/${analysis.name}`,
        kind: "sync",
        cluster: c,
        title: `AnalysisTemplate ${placement.namespace}/${analysis.name}`,
        objects: [{ kind: "AnalysisTemplate", namespace: placement.namespace, name: analysis.name }],
        provides: [key.analysisTemplate(c, placement.namespace, analysis.name)],
        needs: [
          argocdNeed,
          need(key.crd(c, "argoproj.io/AnalysisTemplate"), analysis.at, "AnalysisTemplates are Argo Rollouts resources"),
          need(key.namespace(c, placement.namespace), analysis.at, `it lives in ${placement.namespace}`),
        ],
        at: analysis.at,
      });
    }
  }
  addBackups(model, cluster, profile, add);
  addDataServices(model, cluster, profile, add);
  for (const sc of cluster.storageClasses) {
    add({
      id: `${c}/storage-class/${sc.name}`,
      kind: "sync",
      cluster: c,
      title: `StorageClass ${sc.name} (${sc.provisioner})`,
      objects: [{ kind: "StorageClass", name: sc.name }],
      provides: [key.storageClass(c, sc.name), ...(sc.isDefault ? [key.defaultStorageClass(c)] : [])],
      needs: [argocdNeed],
      at: [...profile.at, "storageClass"],
    });
  }
  cluster.ipPools.forEach((pool, i) => {
    const at = [...cluster.at, "ipPools", i];
    add({
      id: `${c}/ip-pool/${pool.name}`,
      kind: "sync",
      cluster: c,
      title: `MetalLB pool ${pool.name} (${pool.addresses.join(", ")})`,
      objects: [
        { kind: "IPAddressPool", namespace: pool.namespace, name: pool.name },
        { kind: "L2Advertisement", namespace: pool.namespace, name: pool.name },
      ],
      provides: [key.ipPool(c)],
      needs: [
        argocdNeed,
        need(key.crd(c, "metallb.io/IPAddressPool"), at, "IPAddressPools are MetalLB resources"),
        need(key.crd(c, "metallb.io/L2Advertisement"), at, "L2Advertisements are MetalLB resources"),
      ],
      at,
    });
  });
  if (cluster.certificateIssuer) {
    add({
      id: `${c}/cluster-issuer/${cluster.certificateIssuer.name}`,
      kind: "sync",
      cluster: c,
      title: `ClusterIssuer ${cluster.certificateIssuer.name}`,
      objects: [{ kind: "ClusterIssuer", name: cluster.certificateIssuer.name }],
      needs: [argocdNeed, need(key.crd(c, "cert-manager.io/ClusterIssuer"), ["certificates"], "ClusterIssuers are cert-manager resources")],
      at: ["certificates"],
    });
  }

  const gateway = cluster.gateway;
  if (gateway) {
    const at = componentAt(cluster, cluster.components.find((x) => x.name === gateway.gatewayClass.name)!);
    add({
      id: `${c}/gateway/${gateway.name}`,
      kind: "sync",
      cluster: c,
      title: `Gateway ${gateway.namespace}/${gateway.name} (class ${gateway.gatewayClass.name})`,
      objects: [
        { kind: "GatewayClass", name: gateway.gatewayClass.name },
        { kind: "Gateway", namespace: gateway.namespace, name: gateway.name },
        ...(gateway.redirectRoute !== undefined ? [{ kind: "HTTPRoute", namespace: gateway.namespace, name: gateway.redirectRoute }] : []),
      ],
      provides: [key.gateway(c, gateway.namespace, gateway.name)],
      needs: [
        argocdNeed,
        need(key.namespace(c, gateway.namespace), at, `the Gateway lives in ${gateway.namespace}`),
        need(key.crd(c, "gateway.networking.k8s.io/GatewayClass"), at, "GatewayClasses are Gateway API resources"),
        need(key.crd(c, "gateway.networking.k8s.io/Gateway"), at, "Gateways are Gateway API resources"),
        ...(gateway.redirectRoute !== undefined ? [need(key.crd(c, "gateway.networking.k8s.io/HTTPRoute"), at, "its HTTPS redirect is an HTTPRoute")] : []),
      ],
      at,
    });
  }

  // Workloads: one ApplicationSet per environment; the Applications it generates are not wave-gated.
  for (const env of model.environments.filter((e) => e.runtime === "kubernetes" && e.cluster === c)) {
    const deployments = lookup(model).deploymentsOfEnvironment(env.name);
    if (deployments.length === 0) continue;
    // Each deployment's rollout: the environment's, or the service's own there.
    const rollouts = deployments.flatMap((d) => {
      const rollout = model.rollouts.find((r) => r.name === d.rollout);
      return rollout ? [{ rollout, at: d.rolloutAt ?? [...env.at, "rollout"] }] : [];
    });
    // Thousands of deployments ask for the same few resources: each is needed once, for the first reason.
    const needs = uniqueNeeds();
    needs.add(argocdNeed);
    for (const p of sorted(deployments.map((d) => d.project))) needs.need(key.appProject(c, p), env.at, () => `its Applications belong to project ${p}`);
    if (env.preview?.token) needs.add(need(key.secret(c, argo, env.preview.token.secret), [...env.at, "preview", "token"], `its pull-request generator reads the GitHub token from Secret ${argo}/${env.preview.token.secret}`));
    if (!env.preview && env.namespace !== undefined) {
      const namespace = env.namespace;
      needs.need(key.namespace(c, namespace), env.at, () => `it deploys into ${namespace}`);
      for (const d of deployments) {
        for (const m of d.bindings.secretMounts) {
          if (m.secret !== d.secretName) needs.need(key.secret(c, namespace, m.secret), () => lookup(model).service(d.service)!.at, () => `${d.service} reads the credentials of a data service it uses from Secret ${m.secret}`);
        }
      }
      for (const d of deployments) if (d.secretName !== undefined) needs.need(key.secret(c, namespace, d.secretName), () => lookup(model).service(d.service)!.at, () => `${d.service} reads its environment from Secret ${d.secretName}`);
      for (const { rollout, at } of rollouts) for (const name of rollout.analyses) needs.need(key.analysisTemplate(c, namespace, name), at, () => `its rollout runs analysis ${name}`);
    }
    for (const { rollout, at } of rollouts) if (rollout.strategy === "canary" || rollout.strategy === "blueGreen") needs.need(key.crd(c, "argoproj.io/Rollout"), at, () => `its ${rollout.strategy} rollout is an Argo Rollout`);
    for (const d of deployments) {
      const service = lookup(model).service(d.service)!;
      if (gateway === undefined || d.hosts.length === 0 || !service.ingress) continue;
      needs.need(key.crd(c, "gateway.networking.k8s.io/HTTPRoute"), service.at, () => `the chart of ${d.service} routes its hosts with an HTTPRoute`);
      needs.need(key.gateway(c, gateway.namespace, gateway.name), service.at, () => `the HTTPRoute of ${d.service} attaches to Gateway ${gateway.name}`);
    }
    for (const d of deployments) {
      if (d.chartExternalSecret) {
        const secret = d.chartExternalSecret;
        needs.need(key.crd(c, "external-secrets.io/ExternalSecret"), env.at, () => `the chart of ${d.service} creates its ExternalSecret`);
        if (secret.storeKind !== "SecretStore") needs.need(key.secretStore(c, "*", secret.store), env.at, () => `the chart of ${d.service} reads through ${secret.store}`);
        for (const data of secret.data) needs.need(key.secretPath(secret.store, data.key), env.at, () => `${d.service} reads ${data.key}`);
      }
      // Each pod's cache is a claim on the profile's StorageClass, made with the pod.
      for (const v of d.caches) needs.need(key.storageClass(c, v.storageClass), () => [...lookup(model).service(d.service)!.at, "caches"], () => `${d.service} keeps its ${v.name} cache on StorageClass ${v.storageClass}`);
      for (const v of d.state) needs.need(key.storageClass(c, v.storageClass), () => [...lookup(model).service(d.service)!.at, "state"], () => `${d.service} keeps its ${v.name} state on StorageClass ${v.storageClass}`);
      const host = imageRegistryHost(model, d.image.repository);
      if (host !== undefined) needs.need(key.registryCredential(c, host), () => lookup(model).service(d.service)!.at, () => `${d.service} pulls ${d.image.repository}`);
    }
    add({
      id: `${c}/applicationset/${env.name}`,
      kind: "sync",
      cluster: c,
      title: `ApplicationSet ${env.name}`,
      objects: [{ kind: "ApplicationSet", namespace: argo, name: env.name }],
      needs: needs.list,
      at: env.at,
    });
    if (env.preview) addPreviewBase(model, cluster, profile, env, add);
  }

  // Vault running inside this cluster must be initialised and unsealed by a person, once.
  for (const component of cluster.components.filter((x) => x.name === "vault")) {
    const servers = sorted(model.secretStores.filter((s) => s.vault && inCluster(s.vault.server, component.namespace)).map((s) => s.vault!.server));
    const service = key.service(c, component.namespace, "vault");
    add({
      id: `${c}/step/vault-init`,
      kind: "step",
      cluster: c,
      title: `initialise and unseal Vault in ${c}/${component.namespace}`,
      provides: servers.flatMap((s) => [key.vaultReady(s), key.vaultSession(s)]),
      needs: [need(service, componentAt(cluster, component), "Vault must be running")],
      commands: [
        `kubectl -n ${q(component.namespace)} wait --for=create pod/vault-0 --timeout=15m`,
        `kubectl -n ${q(component.namespace)} wait --for=jsonpath='{.status.phase}'=Running pod/vault-0 --timeout=15m`,
        `kubectl -n ${q(component.namespace)} port-forward svc/vault 8200:8200 &`,
        "export VAULT_ADDR=http://127.0.0.1:8200",
        `(umask 077; vault operator init -key-shares=5 -key-threshold=3 -format=json > "$HOME/vault-init-${c}.json")`,
        `# Move $HOME/vault-init-${c}.json to the team's offline store now and delete it here: it holds the unseal keys and the root token.`,
        "# Three different unseal keys, each prompted without echo:",
        "vault operator unseal",
        "vault operator unseal",
        "vault operator unseal",
        "# The root token, for the first-install steps only (revoked in the last step):",
        "vault login",
      ],
      note: "Vault starts sealed and uninitialised: nothing can read or write it until this is done. Keep the port-forward running for the next steps.",
      at: componentAt(cluster, component),
    });
  }
}

function addStorePlacement(cluster: ModelCluster, store: ModelSecretStore, placement: ModelSecretStore["placements"][number], add: Add): void {
  const c = cluster.name;
  const namespace = store.kind === "SecretStore" ? placement.namespace! : undefined;
  const objects: DeployObject[] = [{ kind: store.kind, ...(namespace !== undefined && { namespace }), name: store.name }];
  if (store.backend === "kubernetes" && namespace !== undefined) {
    objects.push({ kind: "ServiceAccount", namespace, name: store.name });
    objects.push({ kind: "Role", namespace: store.kubernetes!.namespace, name: store.name }, { kind: "RoleBinding", namespace: store.kubernetes!.namespace, name: store.name });
  }
  const needs: DeployNeed[] = [
    need(key.argocd(c), store.at, "ArgoCD syncs it"),
    need(key.crd(c, `external-secrets.io/${store.kind}`), store.at, `${store.kind}s are External Secrets Operator resources`),
    ...(namespace !== undefined ? [need(key.namespace(c, namespace), store.at, `it lives in ${namespace}`)] : []),
  ];
  switch (store.backend) {
    case "vault":
      needs.push(need(key.vaultAuth(c, placement.vaultAuthMount!), [...store.at, "vault", "auth"], `it logs in to Vault through auth mount ${placement.vaultAuthMount}`));
      needs.push(need(key.tokenReview(c), [...store.at, "vault", "auth"], "Vault reviews the login token as the service account"));
      break;
    case "aws-secrets-manager": {
      const sa = cluster.externalSecretsServiceAccount;
      needs.push(need(key.identity(c, sa.namespace, sa.name), [...store.at, "aws"], `External Secrets (${sa.namespace}/${sa.name}) calls Secrets Manager with an IAM role`));
      break;
    }
    case "kubernetes":
      needs.push(need(key.namespace(c, store.kubernetes!.namespace), [...store.at, "kubernetes"], `it reads Secrets in ${store.kubernetes!.namespace}`));
      break;
  }
  add({
    id: `${c}/store/${namespace ?? "*"}/${store.name}`,
    kind: "sync",
    cluster: c,
    title: `${store.kind} ${namespace !== undefined ? `${namespace}/` : ""}${store.name}`,
    objects,
    provides: [key.secretStore(c, namespace ?? "*", store.name)],
    needs,
    at: store.at,
  });
}

function addBackups(model: GraphInput, cluster: ModelCluster, profile: ModelProfile, add: Add): void {
  const c = cluster.name;
  const argocdNeed = (backup: ModelBackup) => need(key.argocd(c), backup.at, "ArgoCD syncs it");
  // Object storage a job in `namespace` writes to: the bucket, and its credentials (a MinIO user's Secret).
  const storageNeeds = (backup: ModelBackup, namespace: string, what: string): DeployNeed[] => [
    ...(backup.bucket !== undefined ? [need(key.bucket(backup.bucket), backup.at, `${what} to ${backup.destinationPath ?? backup.bucket}`)] : []),
    ...(backup.credentialsSecret !== undefined
      ? [need(key.secret(c, namespace, backup.credentialsSecret), backup.at, `${what} to MinIO with the keys in Secret ${backup.credentialsSecret}`)]
      : profile.objectStorage.provider === "s3"
        ? [need(key.identity(c, namespace, backup.name), backup.at, `${what} to S3 as service account ${namespace}/${backup.name} with an IAM role`)]
        : []),
  ];
  // Only backups plinth performs with objects of the tree have nodes; the rest are refused or external.
  const performed = model.backups.filter((b) => b.cluster === c && b.performer.kind === "objects");
  if (cluster.volumeSnapshotClass && performed.some((b) => b.method === "volume-snapshot")) {
    const snapshotClass = cluster.volumeSnapshotClass;
    const at = performed.find((b) => b.method === "volume-snapshot")!.at;
    add({
      id: `${c}/volume-snapshot-class/${snapshotClass.name}`,
      kind: "sync",
      cluster: c,
      title: `VolumeSnapshotClass ${snapshotClass.name} (${snapshotClass.driver})`,
      objects: [{ kind: "VolumeSnapshotClass", name: snapshotClass.name }],
      provides: [key.volumeSnapshotClass(c, snapshotClass.name)],
      needs: [need(key.argocd(c), at, "ArgoCD syncs it"), need(key.crd(c, "snapshot.storage.k8s.io/VolumeSnapshotClass"), at, "VolumeSnapshotClasses are resources of the CSI snapshot CRDs")],
      at: [...profile.at, "storageClass"],
    });
  }
  for (const backup of performed) {
    if (backup.method === "velero") {
      add({
        id: `${c}/backup/${backup.name}`,
        kind: "sync",
        cluster: c,
        title: `Velero Schedule ${backup.name}`,
        objects: [{ kind: "Schedule", namespace: cluster.veleroServiceAccount.namespace, name: backup.name }],
        needs: [argocdNeed(backup), need(key.crd(c, "velero.io/Schedule"), backup.at, "Schedules are Velero resources")],
        at: backup.at,
      });
      continue;
    }
    if (backup.method === "etcd-snapshot") {
      add({
        id: `${c}/backup/${backup.name}`,
        kind: "sync",
        cluster: c,
        title: `CronJob kube-system/${backup.name} (etcd snapshots on a control-plane node)`,
        objects: [
          { kind: "ServiceAccount", namespace: "kube-system", name: backup.name },
          { kind: "CronJob", namespace: "kube-system", name: backup.name },
        ],
        needs: [argocdNeed(backup), ...storageNeeds(backup, "kube-system", "it uploads etcd snapshots")],
        at: backup.at,
      });
      continue;
    }
    const dataService = model.dataServices.find((d) => d.name === backup.dataService)!;
    for (const namespace of backup.namespaces) {
      const inNamespace = need(key.namespace(c, namespace), dataService.at, `it runs in ${namespace}`);
      if (backup.method === "volume-snapshot") {
        add({
          id: `${c}/backup/${namespace}/${backup.name}`,
          kind: "sync",
          cluster: c,
          title: `SnapshotSchedule ${namespace}/${backup.name} (PVCs of ${dataService.name})`,
          objects: [{ kind: "SnapshotSchedule", namespace, name: backup.name }],
          needs: [
            argocdNeed(backup),
            inNamespace,
            need(key.crd(c, "snapscheduler.backube/SnapshotSchedule"), backup.at, "SnapshotSchedules are SnapScheduler resources"),
            need(key.volumeSnapshotClass(c, cluster.volumeSnapshotClass!.name), backup.at, `snapshots are taken with VolumeSnapshotClass ${cluster.volumeSnapshotClass!.name}`),
          ],
          at: backup.at,
        });
        continue;
      }
      if (backup.method === "vault-raft-snapshot") {
        const login = vaultSnapshotLogin(cluster, namespace, model.secretStores)!;
        add({
          id: `${c}/backup/${namespace}/${backup.name}`,
          kind: "sync",
          cluster: c,
          title: `CronJob ${namespace}/${backup.name} (Vault raft snapshots)`,
          objects: [
            { kind: "ServiceAccount", namespace, name: backup.name },
            { kind: "CronJob", namespace, name: backup.name },
          ],
          needs: [
            argocdNeed(backup),
            inNamespace,
            need(key.vaultAuth(c, login.authMount), backup.at, `it logs in to Vault through auth mount ${login.authMount} with the snapshot role`),
            ...storageNeeds(backup, namespace, "it uploads raft snapshots"),
          ],
          at: backup.at,
        });
        continue;
      }
      // cnpg-pitr
      const placement = dataService.placements.find((p) => p.cluster === c && p.namespace === namespace);
      const needs: DeployNeed[] = [
        argocdNeed(backup),
        need(key.crd(c, "postgresql.cnpg.io/Cluster"), dataService.at, "Postgres runs as a CloudNativePG Cluster"),
        need(key.crd(c, "postgresql.cnpg.io/ScheduledBackup"), backup.at, "base backups are CloudNativePG ScheduledBackups"),
        inNamespace,
        ...(placement?.storage !== undefined ? [need(key.storageClass(c, profile.storageClass), [...profile.at, "storageClass"], `${dataService.name} stores its data on StorageClass ${profile.storageClass}`)] : []),
        ...(backup.bucket !== undefined ? [need(key.bucket(backup.bucket), backup.at, `it archives to ${backup.destinationPath ?? backup.bucket}`)] : []),
      ];
      if (backup.credentialsSecret !== undefined) needs.push(need(key.secret(c, namespace, backup.credentialsSecret), backup.at, `WAL archiving to MinIO authenticates with Secret ${backup.credentialsSecret}`));
      else if (profile.objectStorage.provider === "s3") needs.push(need(key.identity(c, namespace, dataService.name), backup.at, `WAL archiving to S3 runs as service account ${namespace}/${dataService.name} with an IAM role`));
      add({
        id: `${c}/database/${namespace}/${dataService.name}`,
        kind: "sync",
        cluster: c,
        title: `CloudNativePG Cluster ${namespace}/${dataService.name}`,
        objects: [
          { kind: "Cluster", namespace, name: dataService.name },
          { kind: "ScheduledBackup", namespace, name: backup.name },
        ],
        provides: [key.secret(c, namespace, `${dataService.name}-app`), key.service(c, namespace, `${dataService.name}-rw`)],
        needs,
        at: backup.at,
      });
    }
  }
}

/**
 * A preview's base (its Namespace and operator-run data services, per pull request) and its copies of
 * chart-run data services: ApplicationSets of the platform project, whose Applications need the
 * operators' CRDs and the StorageClass when the copies keep data.
 */
function addPreviewBase(model: GraphInput, cluster: ModelCluster, profile: ModelProfile, env: ModelEnvironment, add: Add): void {
  const c = cluster.name;
  const base = previewBase(env);
  const copies = previewDataCopies(model, env);
  const needs: DeployNeed[] = [
    need(key.argocd(c), env.at, "ArgoCD runs the ApplicationSet controller"),
    need(key.appProject(c, cluster.platformProject), env.at, "a preview's base creates its Namespace, which the platform project permits"),
    ...(env.preview?.token ? [need(key.secret(c, cluster.argocdNamespace, env.preview.token.secret), [...env.at, "preview", "token"], `its pull-request generator reads the GitHub token from Secret ${cluster.argocdNamespace}/${env.preview.token.secret}`)] : []),
  ];
  for (const { dataService: ds, placement } of copies) {
    if (ds.kubernetes?.kind === "operator") {
      const resource = dataCustomResource(ds.engine, placement.instances)!;
      needs.push(need(key.crd(c, resource.crd), [...ds.at, "engine"], `each pull request's ${ds.name} is a ${resource.kind} of the ${ds.kubernetes.component} operator`));
    }
    if (placement.storage !== undefined) needs.push(need(key.storageClass(c, profile.storageClass), [...profile.at, "storageClass"], `each pull request's ${ds.name} stores its data on StorageClass ${profile.storageClass}`));
  }
  add({
    id: `${c}/applicationset/${base.applicationSet}`,
    kind: "sync",
    cluster: c,
    title: `ApplicationSet ${base.applicationSet} (each pull request's namespace and data services)`,
    objects: [
      { kind: "ApplicationSet", namespace: cluster.argocdNamespace, name: base.applicationSet },
      ...copies
        .filter(({ dataService }) => dataService.kubernetes?.kind === "chart")
        .map(({ dataService }) => ({ kind: "ApplicationSet", namespace: cluster.argocdNamespace, name: previewDataApplicationSetName(env.name, dataService.name) })),
    ],
    needs: dedupe(needs),
    at: env.at,
  });
}

/**
 * The data services plinth runs on this cluster (a Postgres with a cnpg-pitr backup has its Cluster
 * placed with the backup, above): an operator's custom resource, or an Application of the engine's own chart.
 * Each provides the Service services connect to and the credentials Secret its operator writes.
 */
function addDataServices(model: GraphInput, cluster: ModelCluster, profile: ModelProfile, add: Add): void {
  const c = cluster.name;
  for (const ds of model.dataServices) {
    const runtime = ds.kubernetes;
    if (runtime === undefined || runtime.kind === "component") continue;
    for (const placement of ds.placements.filter((p) => p.cluster === c)) {
      if (ds.engine === "postgres" && clusterPlacedByBackup(model.backups, ds.name, c, placement.namespace)) continue;
      const namespace = placement.namespace;
      const connection = placement.connection;
      const needs: DeployNeed[] = [
        need(key.argocd(c), ds.at, "ArgoCD syncs it"),
        need(key.namespace(c, namespace), ds.at, `it runs in ${namespace}`),
        ...(placement.storage !== undefined ? [need(key.storageClass(c, profile.storageClass), [...profile.at, "storageClass"], `${ds.name} stores its data on StorageClass ${profile.storageClass}`)] : []),
      ];
      const provides = [key.service(c, namespace, connection.host.split(".")[0]!), ...(connection.secret ? [key.secret(c, namespace, connection.secret.name)] : [])];
      if (runtime.kind === "operator") {
        const resource = dataCustomResource(ds.engine, placement.instances)!;
        needs.push(need(key.crd(c, resource.crd), [...ds.at, "engine"], `${ds.engine} runs as a ${resource.kind} of the ${runtime.component} operator`));
        add({
          id: `${c}/data/${namespace}/${ds.name}`,
          kind: "sync",
          cluster: c,
          title: `${resource.kind} ${namespace}/${ds.name}`,
          objects: [{ kind: resource.kind, namespace, name: ds.name }],
          provides,
          needs,
          at: ds.at,
        });
      } else {
        needs.push(need(key.appProject(c, cluster.platformProject), ds.at, "data-service Applications belong to the platform project"));
        add({
          id: `${c}/data/${namespace}/${ds.name}`,
          kind: "sync",
          cluster: c,
          title: `${ds.engine} ${namespace}/${ds.name} (${runtime.chart.name} ${runtime.chart.version})`,
          objects: [{ kind: "Application", namespace: cluster.argocdNamespace, name: dataApplicationName(ds.name, namespace) }],
          provides,
          needs,
          at: ds.at,
        });
      }
    }
  }
}

/** One first-install step per secret path an ExternalSecret (or a preview's chart) reads: it must exist before they sync. */
function addSecretPaths(model: GraphInput, add: Add): void {
  // By store, then key: looked up by the Model's own strings, not by a string joined per read. A
  // path has a property or two and a cluster or two: lists, each value once.
  type Read = { store: string; key: string; properties: string[]; at: SpecPath; clusters: string[] };
  const reads = new Map<string, Map<string, Read>>();
  const read = (store: string, k: string, property: string | undefined, at: SpecPath, cluster: string) => {
    const entry = getOrMake(getOrMake(reads, store, () => new Map<string, Read>()), k, () => ({ store, key: k, properties: [], at, clusters: [] }));
    if (property !== undefined && !entry.properties.includes(property)) entry.properties.push(property);
    if (!entry.clusters.includes(cluster)) entry.clusters.push(cluster);
  };
  for (const secret of model.externalSecrets) if (!secret.copiesFrom) for (const d of secret.data) read(secret.store, d.key, d.property, secret.at, secret.cluster);
  for (const cluster of model.clusters) {
    const pull = cluster.registryPull;
    if (pull) for (const property of REGISTRY_PULL_PROPERTIES) read(pull.store, pull.key, property, pull.at, cluster.name);
  }
  for (const d of model.deployments) for (const data of d.chartExternalSecret?.data ?? []) read(d.chartExternalSecret!.store, data.key, data.property, lookup(model).service(d.service)!.at, d.cluster);

  // Keys OpenTofu writes (MinIO users') need no hand.
  const written = new Map<string, string[]>();
  for (const u of model.objectStoreUsers) if (u.placement.kind === "store") pushTo(written, u.placement.store, u.placement.key);
  // Most paths share their list of properties: its prompts are made once.
  const prompts = new Map<string, ReturnType<typeof promptsFor>>();
  const promptsOnce = (properties: string[]) => getOrMake(prompts, properties.join("\u0000"), () => promptsFor(properties));
  for (const storeName of [...reads.keys()].sort()) {
    const store = model.secretStores.find((s) => s.name === storeName);
    if (!store) continue;
    const keys = reads.get(storeName)!;
    for (const k of [...keys.keys()].sort()) addSecretPath(store, keys.get(k)!);
  }

  function addSecretPath(store: ModelSecretStore, entry: Read) {
    if (written.get(store.name)?.includes(entry.key)) return;
    const properties = entry.properties.sort();
    // Written out rather than spread: ten thousand nodes at scale, and a spread with more keys
    // after it allocates several times what the node holds.
    const title = `create ${entry.key} in ${store.name}`;
    const provides = [key.secretPath(store.name, entry.key)];
    const secretPath = { store: store.name, key: entry.key, properties };
    switch (store.backend) {
      case "vault": {
        const vault = store.vault!;
        add.draft({
          objects: [],
          provides,
          needs: [need(key.vaultSession(vault.server), store.at, `a shell logged in to Vault at ${vault.server}`), need(key.vaultMount(vault.server, vault.mount), store.at, `the ${vault.mount} mount must exist`)],
          kind: "step",
          title,
          secretPath,
          at: entry.at,
          id: `step/secret-path/${store.name}/${entry.key}`,
          commands: promptAndPipe(properties, `vault kv put -mount=${q(vault.mount)} ${q(entry.key)} -`, promptsOnce(properties)),
          note: `Written to KV ${vault.kvVersion} mount ${vault.mount} of store ${store.name}.`,
        });
        break;
      }
      case "aws-secrets-manager":
        add.draft({
          objects: [],
          provides,
          needs: [need(key.secretsManagerSecret(store.name, entry.key), store.at, "the infra stack creates the secret, without a value")],
          kind: "step",
          title,
          secretPath,
          at: entry.at,
          id: `step/secret-path/${store.name}/${entry.key}`,
          commands: promptAndPipe(properties, `aws secretsmanager put-secret-value --region ${q(store.aws!.region)} --secret-id ${q(entry.key)} --secret-string file:///dev/stdin`, promptsOnce(properties)),
          note: `AWS Secrets Manager in ${store.aws!.region}: the value of the secret the infra stack created.`,
        });
        break;
      case "kubernetes": {
        const remote = store.kubernetes!.namespace;
        for (const cluster of [...entry.clusters].sort()) {
          add.draft({
            objects: [],
            provides,
            needs: [need(key.namespace(cluster, remote), [...store.at, "kubernetes"], `the Secret lives in ${remote}`)],
            kind: "step",
            title,
            secretPath,
            at: entry.at,
            id: `step/secret-path/${store.name}/${cluster}/${entry.key}`,
            cluster,
            commands: [
              'dir=$(umask 077; mktemp -d)',
              ...(properties.length > 0 ? properties : ["value"]).map((p) => `read -rsp ${q(`${p}: `)} v; echo; printf '%s' "$v" > "$dir"/${q(p)}`),
              `kubectl --context ${q(cluster)} -n ${q(remote)} create secret generic ${q(entry.key)} --from-file="$dir"`,
              'rm -rf "$dir"',
            ],
            note: `A Kubernetes Secret in ${cluster}/${remote}, read by the store's service account.`,
          });
        }
        break;
      }
    }
  }
}

/** Shell lines that prompt for each property (never echoing it) and pipe them as one JSON object into `command`. */
function promptAndPipe(properties: string[], command: string, prompts = promptsFor(properties)): string[] {
  return [...prompts.lines, `${prompts.pipe} | ${command}`];
}

/** The prompts for these properties, and the start of the pipe that hands them on (the same for every path with them). */
function promptsFor(properties: string[]): { lines: string[]; pipe: string } {
  if (properties.length === 0) return { lines: [`read -rsp 'Whole secret as a JSON object: ' v; echo`], pipe: `printf '%s' "$v"` };
  const vars = properties.map((_, i) => `v${i + 1}`);
  return {
    lines: properties.map((p, i) => `read -rsp ${q(`${p}: `)} ${vars[i]}; echo`),
    pipe: `${vars.map((v) => `${v}="$${v}"`).join(" ")} jq -n ${q(`{${properties.map((p, i) => `${JSON.stringify(p)}: env.${vars[i]}`).join(", ")}}`)}`,
  };
}

/** Prerequisites as nodes: each provides what it declares, on its cluster or every cluster. */
function addPrerequisites(model: GraphInput, add: Add): void {
  model.prerequisites.forEach((p, i) => {
    const clusters = p.cluster !== undefined ? [p.cluster] : model.clusters.map((c) => c.name);
    const provides = clusters.flatMap((c) => prerequisiteResources(p, c));
    const secretCommands =
      p.kind === "secret" && p.cluster !== undefined && p.namespace !== undefined
        ? [
            `kubectl --context ${q(p.cluster)} create namespace ${q(p.namespace)} --dry-run=client -o yaml | kubectl --context ${q(p.cluster)} apply -f -`,
            'dir=$(umask 077; mktemp -d)',
            // Read until Ctrl-D without echo, so multi-line values (a credentials file) arrive whole.
            ...(p.keys.length > 0 ? p.keys : ["value"]).map((k) => `printf '%s (end with Ctrl-D): ' ${q(k)}; stty -echo; cat > "$dir"/${q(k)}; stty echo; echo`),
            `kubectl --context ${q(p.cluster)} -n ${q(p.namespace)} create secret generic ${q(p.name)} --from-file="$dir"`,
            'rm -rf "$dir"',
          ]
        : undefined;
    add({
      id: `prerequisite/${i}`,
      kind: "prerequisite",
      ...(p.cluster !== undefined && { cluster: p.cluster }),
      title: `${p.kind} ${p.namespace !== undefined ? `${p.namespace}/` : ""}${p.name}${p.cluster !== undefined ? ` on ${p.cluster}` : ""}`,
      provides,
      needs: clusters.flatMap((c) => prerequisiteNeeds(model, p, c)),
      ...(secretCommands && { commands: secretCommands }),
      note: p.reason,
      at: p.at,
    });
  });
}

/**
 * What a prerequisite needs before the team can create it: the cluster for anything in it, and the
 * kind's CRD for custom resources (a MetalLB pool once MetalLB is installed).
 */
function prerequisiteNeeds(model: GraphInput, p: ModelPrerequisite, cluster: string): DeployNeed[] {
  const inCluster = ["secret", "identity", "storageClass", "volumeSnapshotClass", "ipPool", "crd", "registryCredential"].includes(p.kind);
  const needs = inCluster ? [need(key.cluster(cluster), p.at, "it lives in the cluster")] : [];
  const metallb = model.clusters.find((c) => c.name === cluster)?.components.some((x) => x.name === "metallb");
  if (p.kind === "ipPool" && metallb) needs.push(need(key.crd(cluster, "metallb.io/IPAddressPool"), p.at, "a MetalLB IPAddressPool needs MetalLB's CRDs"));
  return needs;
}

function prerequisiteResources(p: ModelPrerequisite, cluster: string): string[] {
  switch (p.kind) {
    case "secret":
      return p.namespace !== undefined ? [key.secret(cluster, p.namespace, p.name)] : [];
    case "storageClass":
      return [key.storageClass(cluster, p.name)];
    case "volumeSnapshotClass":
      return [key.volumeSnapshotClass(cluster, p.name)];
    case "ipPool":
      return [key.ipPool(cluster)];
    case "identity":
      return p.namespace !== undefined ? [key.identity(cluster, p.namespace, p.name)] : [];
    case "registryCredential":
      return [key.registryCredential(cluster, p.name)];
    case "crd":
      return [key.crd(cluster, p.name)];
    case "bucket":
      return [key.bucket(p.name)];
  }
}

/**
 * Levels by longest path from what needs nothing; waves per cluster from the levels of its sync nodes.
 * Over indices into the drafts rather than ids: a large platform's graph has tens of thousands of nodes.
 */
function order(drafts: Draft[]): ModelDeployGraph {
  const count = drafts.length;
  const providers = new Map<string, number[]>();
  // Indexed loops throughout: this runs once per build, mostly before it is optimised, where each
  // step of a for-of allocates an iterator result (a hundred thousand of them here).
  for (let i = 0; i < count; i++) {
    const provides = drafts[i]!.provides;
    for (let k = 0; k < provides.length; k++) pushTo(providers, provides[k]!, i);
  }
  const unprovided: ModelDeployGraph["unprovided"] = [];
  // waitsFor[i]: the producers node i waits for, each once: per need, the provider of lowest rank, then id.
  const waitsFor: number[][] = new Array(count);
  const lastNeeder = new Int32Array(count).fill(-1);
  for (let i = 0; i < count; i++) {
    const node = drafts[i]!;
    const producers: number[] = [];
    for (let k = 0; k < node.needs.length; k++) {
      const n = node.needs[k]!;
      const all = providers.get(n.resource);
      let best = -1;
      for (let j = 0; all !== undefined && j < all.length; j++) {
        const p = all[j]!;
        if (p === i) continue;
        if (best < 0) best = p;
        else {
          const rank = PROVIDER_RANK[drafts[p]!.kind] - PROVIDER_RANK[drafts[best]!.kind];
          if (rank < 0 || (rank === 0 && drafts[p]!.id < drafts[best]!.id)) best = p;
        }
      }
      if (best < 0) {
        if (!all?.includes(i)) unprovided.push({ node: node.id, need: n });
        continue;
      }
      if (lastNeeder[best] !== i) {
        lastNeeder[best] = i;
        producers.push(best);
      }
    }
    waitsFor[i] = producers;
  }
  const { levels, stuck } = longestPathLevels(waitsFor);
  const minSyncLevel = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const d = drafts[i]!;
    if (d.kind !== "sync" || d.cluster === undefined || levels[i]! < 0) continue;
    minSyncLevel.set(d.cluster, Math.min(minSyncLevel.get(d.cluster) ?? Infinity, levels[i]!));
  }
  // The drafts are this module's own objects: completed in place rather than copied.
  const nodes = drafts.map((d, i) => {
    const node = d as DeployNode;
    node.level = levels[i]!;
    if (d.kind === "sync" && d.cluster !== undefined && node.level >= 0) node.wave = node.level - minSyncLevel.get(d.cluster)!;
    return node;
  });
  // Within a level nothing waits for anything else, so operator actions are listed before the syncs;
  // then by cluster and id, the drafts' order, which the stable sort keeps.
  const syncLast = (n: DeployNode) => (n.kind === "sync" ? 1 : 0);
  nodes.sort((a, b) => a.level - b.level || syncLast(a) - syncLast(b));
  const ids = (list: readonly number[]) => list.map((i) => drafts[i]!.id);
  const cycle = stuck.length > 0 ? cycleAmong(ids(stuck), new Map(stuck.map((i) => [drafts[i]!.id, ids(waitsFor[i]!).sort()]))) : undefined;
  const at = cycle && drafts.find((d) => d.id === cycle[0])!.at;
  return { nodes, unprovided, ...(cycle && { cycle: { nodes: cycle, at: at! } }) };
}

/**
 * Longest-path levels over "waits for" edges (Kahn's algorithm) of nodes 0..n-1; -1 for nodes on or
 * behind a cycle, which are returned as stuck.
 */
function longestPathLevels(waitsFor: readonly (readonly number[])[]): { levels: Int32Array; stuck: number[] } {
  const count = waitsFor.length;
  const pending = new Int32Array(count);
  // Each node's dependents, laid out in one array (offsets[i] .. offsets[i + 1]).
  const offsets = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) {
    const producers = waitsFor[i]!;
    pending[i] = producers.length;
    for (let k = 0; k < producers.length; k++) offsets[producers[k]! + 1]!++;
  }
  for (let i = 0; i < count; i++) offsets[i + 1]! += offsets[i]!;
  const dependents = new Int32Array(offsets[count]!);
  const fill = offsets.slice(0, count);
  for (let i = 0; i < count; i++) {
    const producers = waitsFor[i]!;
    for (let k = 0; k < producers.length; k++) dependents[fill[producers[k]!]!++] = i;
  }
  const levels = new Int32Array(count);
  const ready = new Int32Array(count);
  let tail = 0;
  for (let i = 0; i < count; i++) if (pending[i] === 0) ready[tail++] = i;
  for (let head = 0; head < tail; head++) {
    const id = ready[head]!;
    for (let k = offsets[id]!; k < offsets[id + 1]!; k++) {
      const next = dependents[k]!;
      if (levels[id]! + 1 > levels[next]!) levels[next] = levels[id]! + 1;
      if (--pending[next]! === 0) ready[tail++] = next;
    }
  }
  const stuck: number[] = [];
  for (let i = 0; i < count; i++) {
    if (pending[i]! > 0) {
      levels[i] = -1;
      stuck.push(i);
    }
  }
  return { levels, stuck };
}

/** Walks "waits for" edges among stuck nodes, from the first by id, until one repeats: that is a cycle. */
function cycleAmong(stuck: string[], waitsFor: ReadonlyMap<string, readonly string[]>): string[] {
  const stuckSet = new Set(stuck);
  const path: string[] = [];
  let at = stuck.sort()[0]!;
  while (!path.includes(at)) {
    path.push(at);
    at = (waitsFor.get(at) ?? []).find((p) => stuckSet.has(p))!;
  }
  return path.slice(path.indexOf(at));
}

/**
 * longestPathLevels by id (producers outside `ids` are not waited for). Nodes left over sit on or
 * behind a cycle: one cycle among them is returned, in order, for the error message.
 */
export function levelsOf(ids: readonly string[], waitsFor: ReadonlyMap<string, readonly string[]>): { levels: Map<string, number>; cycle?: string[] } {
  const index = new Map(ids.map((id, i) => [id, i]));
  const result = longestPathLevels(ids.map((id) => (waitsFor.get(id) ?? []).flatMap((p) => index.get(p) ?? [])));
  const levels = new Map<string, number>();
  ids.forEach((id, i) => result.levels[i]! >= 0 && levels.set(id, result.levels[i]!));
  if (result.stuck.length === 0) return { levels };
  return { levels, cycle: cycleAmong(result.stuck.map((i) => ids[i]!), waitsFor) };
}

/** A stack whose state lives in S3 needs its bucket. */
function stateNeeds(cluster: ModelCluster, stack: "infra" | "bootstrap" | "config"): DeployNeed[] {
  const backend = cluster.stateBackends[stack];
  return backend.type === "s3" ? [need(key.stateBackend(`s3://${backend.bucket}`), cluster.at, `its state lives in s3://${backend.bucket}`)] : [];
}

/**
 * Needs in the order first asked for, each resource once with its first reason, where a reason and
 * a place are made only for a resource not needed yet.
 */
function uniqueNeeds() {
  const list: DeployNeed[] = [];
  const seen = new Set<string>();
  return {
    list,
    add(n: DeployNeed): void {
      if (seen.has(n.resource)) return;
      seen.add(n.resource);
      list.push(n);
    },
    need(resource: string, at: SpecPath | (() => SpecPath), why: () => string): void {
      if (seen.has(resource)) return;
      seen.add(resource);
      list.push(need(resource, typeof at === "function" ? at() : at, why()));
    },
  };
}

function dedupe(needs: DeployNeed[]): DeployNeed[] {
  const unique = uniqueNeeds();
  for (const n of needs) unique.add(n);
  return unique.list;
}

/** A Vault address served by the in-cluster `vault` Service in `namespace`. */
function inCluster(server: string, namespace: string): boolean {
  const host = server.replace(/^[a-z]+:\/\//, "").split(/[:/]/)[0]!;
  return host === `vault.${namespace}.svc` || host === `vault.${namespace}.svc.cluster.local` || host === `vault.${namespace}`;
}


/**
 * The private registry host an image is pulled from, when it is a profile's registry that needs
 * credentials (ECR, Harbor); GHCR images of public packages need none.
 */
function imageRegistryHost(model: GraphInput, image: string): string | undefined {
  // Asked once per deployment, of a few distinct images per service: each answered once per Model.
  const known = getOrMake(registryHosts, model, () => new Map<string, string | undefined>());
  if (known.has(image)) return known.get(image);
  const host = registryHost(image);
  const profile = model.profiles.find((p) => registryHost(p.registry.url) === host && p.registry.provider !== "ghcr");
  known.set(image, profile ? host : undefined);
  return profile ? host : undefined;
}

const registryHosts = new WeakMap<GraphInput, Map<string, string | undefined>>();
