/**
 * Folder-based GitOps monorepo on one on-prem HA cluster (seed 003 "GitOps Platform Architecture").
 * dev → stage → production, one ArgoCD (Phase 1), five teams as ArgoCD projects, MetalLB,
 * OpenEBS + NFS, zero-trust network policies, RTO < 4h / RPO < 15m.
 *
 * Where plinth corrects the seed:
 * - "Environment Promotion": `cp overlays/dev/app.yaml overlays/stage/app.yaml && git push` is a
 *   promotion with no review at all. plinth refuses an unguarded production
 *   (rollout/unguarded-production), so stage needs a PR and production a PR + manual approval,
 *   plus an analysed rollout. Promotion moves a digest in releases.lock.yaml (`plinth promote`),
 *   one rung at a time, instead of copying files between overlays.
 * - "Core Infrastructure: Pod security policies": PodSecurityPolicy was removed in Kubernetes
 *   1.25; plinth uses Pod Security Admission levels (podSecurity below).
 * - "Backup Strategy" + "RPO < 15 minutes": a nightly backup cannot keep a 15-minute promise; the
 *   schedules below run at least every 15 minutes for what production can lose.
 */
import { definePlatform } from "plinth";
import type { NamespaceInput, PlatformInput } from "plinth";

type RoleInput = NonNullable<PlatformInput["roles"]>[number];

/** Seed 003 "Team Workloads", lowercased to DNS-1123 names. */
const teams = [
  { name: "is", title: "IS Team", owns: "Business applications" },
  { name: "devops", title: "DevOps Team", owns: "CI/CD tools" },
  { name: "system", title: "System Team", owns: "VDI/DC management" },
  { name: "network", title: "Network Team", owns: "Automation tools" },
  { name: "helpdesk", title: "Helpdesk Team", owns: "Support systems" },
] as const;

const environmentNames = ["dev", "stage", "production"] as const;

/**
 * "Namespaces (per environment)" with "Network Policies: Zero-trust segmentation": deny all,
 * then admit only the ingress controller and Prometheus scrapes. DNS egress stays open.
 */
const environmentNamespace = (name: (typeof environmentNames)[number], quota: { cpu: string; memory: string; pods: number }): NamespaceInput => ({
  name,
  cluster: "main",
  purpose: `${name} overlay (infrastructure/overlays/${name})`,
  quota,
  limitRange: { default: { cpu: "500m", memory: "512Mi" }, defaultRequest: { cpu: "100m", memory: "128Mi" } },
  networkPolicy: {
    defaultDeny: true,
    allowFrom: [{ namespace: "envoy-gateway-system" }, { namespace: "monitoring" }],
    allowEgressTo: [],
    allowDns: true,
  },
  podSecurity: "restricted",
});

export default definePlatform({
  name: "gitops-platform",
  organisation: "Platform Engineering Team", // "Document Owner"
  // "Folder-based Monorepo": infrastructure/base + infrastructure/overlays/{dev,stage,production}.
  repositories: { monorepo: "https://git.example.internal/platform/gitops.git" },
  revision: "main",
  gitopsPath: "infrastructure",

  profiles: [
    {
      name: "onprem",
      cloud: "onprem",
      region: "datacenter",
      // DNS and object storage are not documented ("CNI: [To be documented]"); the profile needs
      // both — PowerDNS for ExternalDNS and MinIO as the Velero target are stand-ins.
      dns: { provider: "powerdns", zone: "platform.internal", endpoint: "http://powerdns.platform.internal:8081" },
      // "Secrets: Sealed Secrets (planned)": sealed secrets decrypt to plain Kubernetes Secrets,
      // so the closest backend is kubernetes.
      secrets: { backend: "kubernetes" },
      objectStorage: { provider: "minio", endpoint: "https://minio.platform.internal:9000" },
      registry: { provider: "harbor", url: "harbor.platform.internal" },
      // "Storage: OpenEBS + NFS Provisioner": OpenEBS LVM local PVs by default (they support CSI
      // snapshots, which the 15-minute PV backups below need); NFS for shared volumes.
      storageClass: "openebs-lvmpv",
      // The nodes' LVM volume group is not in the seed: "lvmvg" is OpenEBS's documented example name.
      volumeGroup: "lvmvg",
      // Encrypted: it holds the keys of the MinIO users plinth creates for the backups.
      stateBackend: { type: "local", path: "terraform.tfstate", encryption: "passphrase" },
    },
  ],

  clusters: [
    {
      // "Single Kubernetes HA cluster", already running: plinth registers it, does not create it.
      name: "main",
      profile: "onprem",
      kind: "existing",
      kubernetesVersion: "1.30",
      // Size not in the seed: 3 control-plane + 4 worker nodes of 16 cores / 64Gi, workers allocatable.
      capacity: { cpu: "60", memory: "240Gi" },
      argocdNamespace: "argocd",
      // "Load Balancer: MetalLB (10.1.5.184 for ArgoCD)".
      loadBalancerIPs: { argocd: "10.1.5.184" },
      // The seed gives only ArgoCD's address; the pool around it is this example's assumption.
      ipPools: [{ name: "datacenter", addresses: ["10.1.5.180-10.1.5.199"] }],
      components: [
        { name: "argocd", values: { server: { service: { type: "LoadBalancer" } } } },
        "metallb",
        "openebs",
        {
          name: "nfs-provisioner",
          // The NFS export is not in the seed.
          values: { nfs: { server: "nfs.platform.internal", path: "/exports/kubernetes" }, storageClass: { name: "nfs-client" } },
        },
        // "Platform Services": monitoring, logging, ingress controller, certificate manager. The seed's
        // ingress-nginx was retired in March 2026: Envoy Gateway (Gateway API) takes its place.
        "monitoring",
        "loki",
        "envoy-gateway",
        "cert-manager",
        // Progressive delivery for production (see rollouts) and PV backups (see backups).
        "argo-rollouts",
        "velero",
      ],
    },
  ],

  // Quotas are the example's: the seed lists "Resource quotas" without numbers.
  namespaces: [
    environmentNamespace("dev", { cpu: "8", memory: "24Gi", pods: 100 }),
    environmentNamespace("stage", { cpu: "12", memory: "40Gi", pods: 100 }),
    environmentNamespace("production", { cpu: "24", memory: "96Gi", pods: 200 }),
  ],

  // "Environment promotion: dev → stage → production".
  environments: [
    {
      name: "dev",
      cluster: "main",
      namespace: "dev",
      sync: "auto",
      selfHeal: true,
      approval: "none",
      scale: { replicas: 1 },
      data: "synthetic",
      rollout: "rolling",
    },
    {
      name: "stage",
      cluster: "main",
      namespace: "stage",
      sync: "auto",
      selfHeal: true,
      approval: "pr",
      scale: { replicas: 2 },
      data: "synthetic",
      rollout: "rolling",
    },
    {
      name: "production",
      cluster: "main",
      namespace: "production",
      production: true,
      sync: "auto",
      selfHeal: true,
      approval: "pr+manual",
      // "Scalability Considerations: Horizontal Pod Autoscaling (HPA)".
      scale: { min: 2, max: 10, targetCPU: 70 },
      data: "production",
      rollout: "blue-green",
      // "RTO: < 4 hours", "RPO: < 15 minutes".
      recovery: { rto: "4h", rpo: "15m" },
    },
  ],

  // The seed names no rollout strategy. Production gets blue-green with a pre-promotion check on
  // the planned Prometheus; dev and stage roll.
  analyses: [
    {
      name: "error-rate",
      prometheus: "http://kube-prometheus-stack-prometheus.monitoring.svc:9090",
      query: 'sum(rate(http_requests_total{namespace="production",code=~"5.."}[5m])) / sum(rate(http_requests_total{namespace="production"}[5m]))',
      successCondition: "result[0] <= 0.01",
      interval: "1m",
      count: 5,
      failureLimit: 1,
    },
  ],
  rollouts: [
    { name: "rolling", strategy: "rolling", maxSurge: "25%", maxUnavailable: "0" },
    { name: "blue-green", strategy: "blueGreen", autoPromotion: false, prePromotionAnalysis: ["error-rate"], scaleDownDelay: "5m" },
  ],

  // "Backup Strategy: etcd snapshots (automated) … Persistent volume backups".
  // RPO < 15m: an etcd snapshot every 15 minutes is cheap (a few MB; plinth's CronJob on a control-plane
  // node). Velero's node agent copies volume data to MinIO incrementally (a CSI snapshot on the same LVM
  // disks would not survive losing them); the 15-minute schedule covers production only, the rest nightly.
  backups: [
    { name: "etcd", method: "etcd-snapshot", cluster: "main", schedule: "*/15 * * * *", retention: "7d" },
    { name: "production-volumes", method: "velero", cluster: "main", schedule: "*/15 * * * *", retention: "3d", namespaces: ["production"] },
    { name: "nightly", method: "velero", cluster: "main", schedule: "0 2 * * *", retention: "30d", namespaces: ["dev", "stage", "production"] },
  ],
  // "Regular restore testing".
  drills: [{ environment: "production", every: "90d", description: "Restore etcd and production volumes into a scratch cluster; time it against the 4h RTO" }],

  // "RBAC: Kubernetes native RBAC"; "Single ArgoCD … RBAC for team separation".
  roles: [
    ...teams.map((team): RoleInput => ({
      name: team.name,
      description: `${team.title}: ${team.owns}`,
      groups: [team.title],
      actions: ["get", "sync"],
      environments: ["dev", "stage"],
    })),
    {
      name: "release-approver",
      description: "Approves promotions into production",
      groups: ["Platform Engineering Team"],
      environments: ["stage", "production"],
      actions: ["get", "approve", "promote"],
    },
    {
      name: "platform-admin",
      description: "Platform Engineering Team: the cluster and the single ArgoCD (the future Cockpit)",
      groups: ["Platform Engineering Team"],
      actions: ["get", "sync", "override", "action", "delete", "approve", "promote", "rotate-secrets", "restore"],
    },
  ],
  // One ArgoCD project per team over the three environment namespaces.
  projects: teams.map((team) => ({
    name: team.name,
    description: `${team.title}: ${team.owns}`,
    namespaces: [...environmentNames],
    roles: [team.name, "release-approver", "platform-admin"],
  })),
});
