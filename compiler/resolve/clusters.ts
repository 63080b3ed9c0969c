import type { Spec } from "../../spec/schema.js";
import { parseQuantity } from "../../spec/units.js";
import type { ModelCluster, ModelGateway, ModelNamespace, ModelProfile, ModelStorageClass } from "../model.js";
import { resolveComponent } from "./components.js";
import type { SpecEnvironment } from "./environments.js";
import { syncSettings } from "./environments.js";
import { stackStateBackend } from "./profiles.js";
import { byName, gitopsRepoPath, sortKeys, sorted } from "./util.js";

const ACME_SERVERS = {
  letsencrypt: "https://acme-v02.api.letsencrypt.org/directory",
  "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

/**
 * Sync policy of a cluster's root app-of-apps. The root only creates ArgoCD objects (projects, component
 * applications, ApplicationSets); each environment's own policy still gates its workloads. So the root is
 * automated if any environment on the cluster syncs automatically, self-heals only if every automated one
 * does, and prunes only if every environment prunes (pruning the root deletes whole ApplicationSets).
 * A cluster without environments runs only platform components: automated and self-healing, never pruned.
 */
function rootSyncPolicy(environments: SpecEnvironment[]): { automated: boolean; prune: boolean; selfHeal: boolean } {
  const settings = environments.map(syncSettings);
  if (settings.length === 0) return { automated: true, prune: false, selfHeal: true };
  const automatedOnes = settings.filter((s) => s.sync === "auto");
  return {
    automated: automatedOnes.length > 0,
    prune: settings.every((s) => s.prune),
    selfHeal: automatedOnes.length > 0 && automatedOnes.every((s) => s.selfHeal),
  };
}

/** IngressClass of the ingress controller a cluster runs, when plinth knows it (k3s ships Traefik). */
function ingressClassFor(kind: string, components: readonly { name: string }[]): string | undefined {
  if (components.some((c) => c.name === "ingress-nginx")) return "nginx";
  return kind === "k3s" ? "traefik" : undefined;
}

/** Gateway API implementations plinth installs, with the controller name their GatewayClass must carry. */
export const GATEWAY_CONTROLLERS: Record<string, string> = {
  "envoy-gateway": "gateway.envoyproxy.io/gatewayclass-controller",
};

/** A host as a listener name (a DNS-1123 label): `staging.bitvault.io` → `https-staging-bitvault-io`. */
function listenerName(host: string): string {
  return `https-${host.replace(/[^a-z0-9]+/g, "-")}`.slice(0, 63).replace(/-+$/, "");
}

/**
 * The Gateway of a cluster whose components include a Gateway API implementation (and no Ingress
 * controller, whose Ingresses would then serve the hosts): named after the platform, in the
 * implementation's namespace, taking routes from every namespace (previews come and go). Its HTTP
 * listener takes every host; each environment host gets an HTTPS listener whose certificate
 * cert-manager's gateway-shim issues when the cluster has an issuer. A preview's `{number}` host is a
 * wildcard, which HTTP-01 cannot certify: previews are served over the HTTP listener only.
 */
function gatewayFor(platformName: string, components: readonly { name: string; namespace: string }[], hosts: readonly string[], certified: boolean): ModelGateway | undefined {
  if (components.some((c) => c.name === "ingress-nginx")) return undefined;
  const implementation = components.find((c) => GATEWAY_CONTROLLERS[c.name] !== undefined);
  if (!implementation) return undefined;
  const name = platformName;
  const https = certified ? sorted(hosts.filter((h) => !h.includes("{"))) : [];
  // `a-b.io` and `a.b.io` spell one label: the later host gets a numbered name.
  const taken = new Set<string>();
  const unique = (base: string) => {
    let candidate = base;
    for (let n = 2; taken.has(candidate); n++) candidate = `${base.slice(0, 60)}-${n}`;
    taken.add(candidate);
    return candidate;
  };
  return {
    name,
    namespace: implementation.namespace,
    ...(https.length > 0 && { redirectRoute: `${name}-https-redirect` }),
    gatewayClass: { name: implementation.name, controllerName: GATEWAY_CONTROLLERS[implementation.name]! },
    listeners: [
      { name: "http", protocol: "HTTP", port: 80 },
      ...https.map((hostname) => {
        const listener = unique(listenerName(hostname));
        return { name: listener, protocol: "HTTPS" as const, port: 443, hostname, secretName: `${name}-${listener.slice("https-".length)}-tls` };
      }),
    ],
  };
}

/** EBS volume types an EKS StorageClass can name directly. */
const EBS_TYPES = new Set(["gp3", "gp2", "io1", "io2", "st1", "sc1"]);

/**
 * The StorageClass the profile's storage adapter names, where plinth must create it: EKS ships only
 * gp2 (for the in-tree driver), so gp3 and the other EBS types are made for the EBS CSI driver the
 * infra stack installs; OpenEBS LVM needs the nodes' volume group. k3s' local-path, Longhorn,
 * OpenEBS hostpath and NFS classes come with the cluster or their component.
 */
function storageClassesFor(kind: string, profile: ModelProfile): ModelStorageClass[] {
  const name = profile.storageClass;
  if (kind === "eks" && EBS_TYPES.has(name) && name !== "gp2") {
    return [{ name, provisioner: "ebs.csi.aws.com", parameters: { type: name, encrypted: "true" }, isDefault: true }];
  }
  if (name === "openebs-lvmpv" && profile.volumeGroup !== undefined) {
    return [{ name, provisioner: "local.csi.openebs.io", parameters: { storage: "lvm", volgroup: profile.volumeGroup, fsType: "ext4" }, isDefault: true }];
  }
  return [];
}

/** Clusters with their components (catalog defaults under the user's values), stacks, identities and paths. */
export function resolveClusters(spec: Spec, profiles: readonly ModelProfile[], namespaces: readonly ModelNamespace[], environmentsSpec: SpecEnvironment[]): ModelCluster[] {
  const platformName = spec.name;
  const profileByName = new Map(profiles.map((p) => [p.name, p]));
  // Platform applications go to their own AppProject; "plinth-platform" if the spec already has a "platform".
  const platformProject = spec.projects.some((p) => p.name === "platform") ? "plinth-platform" : "platform";
  const clusters: ModelCluster[] = spec.clusters.map((c, i) => {
    const profile = profileByName.get(c.profile)!;
    const region = c.region ?? profile.region;
    const components = c.components.map((x, j) => ({ ...resolveComponent(x), at: ["clusters", i, "components", j] })).sort(byName);
    const ingressClassName = ingressClassFor(c.kind, components);
    const stacks = { infra: `${c.name}-infra`, bootstrap: `${c.name}-bootstrap`, config: `${c.name}-config` };
    const clusterEnvironments = environmentsSpec.filter((e) => e.cluster === c.name && (e.runtime ?? "kubernetes") === "kubernetes");
    const certified = spec.certificates !== undefined && components.some((x) => x.name === "cert-manager");
    const gateway = gatewayFor(platformName, components, clusterEnvironments.flatMap((e) => (e.preview?.host ? [e.preview.host] : (e.hosts ?? []))), certified);
    return {
      name: c.name,
      profile: c.profile,
      cloud: profile.cloud,
      kind: c.kind,
      ...(region !== undefined && { region }),
      kubernetesVersion: c.kubernetesVersion,
      nodePools: c.nodePools.map((pool) => ({ ...pool, labels: sortKeys(pool.labels) })),
      capacity: {
        cpu: String(c.capacity.cpu),
        memory: String(c.capacity.memory),
        cpuCores: parseQuantity(c.capacity.cpu)!,
        memoryBytes: parseQuantity(c.capacity.memory)!,
        ...(c.capacity.overcommit && { overcommit: { reason: c.capacity.overcommit.reason } }),
      },
      components,
      argocdNamespace: c.argocdNamespace,
      loadBalancerIPs: sortKeys(c.loadBalancerIPs),
      // Filled in once the ExternalSecrets are known (resolve/index.ts).
      componentNamespaces: [],
      ipPools: c.ipPools.map((pool) => ({ ...pool, namespace: components.find((x) => x.name === "metallb")?.namespace ?? resolveComponent("metallb").namespace })),
      storageClasses: storageClassesFor(c.kind, profile),
      server: c.server ?? "https://kubernetes.default.svc",
      namespaces: sorted(namespaces.filter((n) => n.cluster === c.name).map((n) => n.name)),
      stacks,
      iam: { externalSecretsRole: `${platformName}-${c.name}-external-secrets`, veleroRole: `${platformName}-${c.name}-velero` },
      // The operator's service account lives wherever the cluster installs the component.
      externalSecretsServiceAccount: {
        name: "external-secrets",
        namespace: c.components.map(resolveComponent).find((x) => x.name === "external-secrets")?.namespace ?? "external-secrets",
      },
      // The velero chart names the server's account `<fullname>-server`; the release is `velero`.
      veleroServiceAccount: { name: "velero-server", namespace: components.find((x) => x.name === "velero")?.namespace ?? resolveComponent("velero").namespace },
      // Filled in once backups and secrets are resolved (resolve/identity.ts).
      workloadIdentities: [],
      resourcePrefix: `${platformName}-${c.name}`,
      stateBackends: {
        infra: stackStateBackend(profile.stateBackend, stacks.infra),
        bootstrap: stackStateBackend(profile.stateBackend, stacks.bootstrap),
        config: stackStateBackend(profile.stateBackend, stacks.config),
      },
      argocd: { ...(components.find((x) => x.name === "argocd") ?? resolveComponent("argocd")), namespace: c.argocdNamespace },
      rootApplication: `${platformName}-${c.name}-root`,
      rootSync: rootSyncPolicy(clusterEnvironments),
      platformProject,
      gitopsPaths: { argocd: gitopsRepoPath(spec.gitopsPath, `argocd/${c.name}`), kubernetes: gitopsRepoPath(spec.gitopsPath, `kubernetes/${c.name}`) },
      ...(ingressClassName !== undefined && { ingressClassName }),
      ...(profile.registry.credentials !== undefined && {
        registryPull: {
          secretName: REGISTRY_PULL_SECRET,
          host: registryHost(profile.registry.url),
          store: profile.registry.credentials.store,
          key: profile.registry.credentials.key,
          at: [...profile.at, "registry", "credentials"],
        },
      }),
      ...(gateway !== undefined && { gateway }),
      ...(spec.certificates &&
        certified &&
        (gateway !== undefined || ingressClassName !== undefined) && {
          certificateIssuer: {
            name: spec.certificates.server,
            server: ACME_SERVERS[spec.certificates.server],
            email: spec.certificates.acmeEmail,
            solver: gateway !== undefined ? { gateway: { name: gateway.name, namespace: gateway.namespace } } : { ingressClassName: ingressClassName! },
          },
        }),
      at: ["clusters", i],
    };
  });
  return clusters;
}

/** The image pull Secret plinth makes in every environment namespace of a cluster whose registry needs credentials. */
export const REGISTRY_PULL_SECRET = "registry-pull";
/** What the secret a profile's registry.credentials names must hold. */
export const REGISTRY_PULL_PROPERTIES = ["password", "username"] as const;

/** The host of a registry URL or image repository: `harbor.example.com` of `harbor.example.com/team/api`. */
export function registryHost(url: string): string {
  return url.replace(/^[a-z]+:\/\//, "").split("/")[0]!;
}
