import type { ModelComponent } from "../model.js";

interface CatalogEntry {
  repoURL: string;
  chart: string;
  version: string;
  namespace: string;
  /** Lower waves sync first: storage and CRD-heavy operators, then operators, then workloads at 0+. */
  syncWave: number;
}

/** Pinned charts of the platform components plinth knows how to install. */
export const COMPONENT_CATALOG: Record<string, CatalogEntry> = {
  argocd: { repoURL: "https://argoproj.github.io/argo-helm", chart: "argo-cd", version: "7.7.11", namespace: "argocd", syncWave: -3 },
  "argo-rollouts": { repoURL: "https://argoproj.github.io/argo-helm", chart: "argo-rollouts", version: "2.38.0", namespace: "argo-rollouts", syncWave: -1 },
  "external-secrets": { repoURL: "https://charts.external-secrets.io", chart: "external-secrets", version: "0.19.2", namespace: "external-secrets", syncWave: -1 },
  "cert-manager": { repoURL: "https://charts.jetstack.io", chart: "cert-manager", version: "v1.16.2", namespace: "cert-manager", syncWave: -2 },
  "ingress-nginx": { repoURL: "https://kubernetes.github.io/ingress-nginx", chart: "ingress-nginx", version: "4.11.3", namespace: "ingress-nginx", syncWave: -1 },
  "envoy-gateway": { repoURL: "oci://docker.io/envoyproxy", chart: "gateway-helm", version: "v1.2.4", namespace: "envoy-gateway-system", syncWave: -1 },
  "external-dns": { repoURL: "https://kubernetes-sigs.github.io/external-dns", chart: "external-dns", version: "1.15.0", namespace: "external-dns", syncWave: -1 },
  velero: { repoURL: "https://vmware-tanzu.github.io/helm-charts", chart: "velero", version: "8.1.0", namespace: "velero", syncWave: -1 },
  "cloudnative-pg": { repoURL: "https://cloudnative-pg.github.io/charts", chart: "cloudnative-pg", version: "0.22.1", namespace: "cnpg-system", syncWave: -1 },
  monitoring: { repoURL: "https://prometheus-community.github.io/helm-charts", chart: "kube-prometheus-stack", version: "66.3.1", namespace: "monitoring", syncWave: -1 },
  loki: { repoURL: "https://grafana.github.io/helm-charts", chart: "loki", version: "6.22.0", namespace: "monitoring", syncWave: 0 },
  vault: { repoURL: "https://helm.releases.hashicorp.com", chart: "vault", version: "0.29.1", namespace: "vault", syncWave: -1 },
  metallb: { repoURL: "https://metallb.github.io/metallb", chart: "metallb", version: "0.14.8", namespace: "metallb-system", syncWave: -2 },
  openebs: { repoURL: "https://openebs.github.io/openebs", chart: "openebs", version: "4.1.1", namespace: "openebs", syncWave: -2 },
  "nfs-provisioner": { repoURL: "https://kubernetes-sigs.github.io/nfs-subdir-external-provisioner", chart: "nfs-subdir-external-provisioner", version: "4.0.18", namespace: "nfs-provisioner", syncWave: -2 },
  longhorn: { repoURL: "https://charts.longhorn.io", chart: "longhorn", version: "1.7.2", namespace: "longhorn-system", syncWave: -2 },
  keda: { repoURL: "https://kedacore.github.io/charts", chart: "keda", version: "2.16.0", namespace: "keda", syncWave: -1 },
  crossplane: { repoURL: "https://charts.crossplane.io/stable", chart: "crossplane", version: "1.18.1", namespace: "crossplane-system", syncWave: -1 },
};

export function resolveComponent(input: string | { name: string; version?: string; namespace?: string; values?: Record<string, unknown> }): ModelComponent {
  const spec = typeof input === "string" ? { name: input } : input;
  const entry = COMPONENT_CATALOG[spec.name]!;
  return {
    name: spec.name,
    namespace: spec.namespace ?? entry.namespace,
    chart: { repoURL: entry.repoURL, name: entry.chart, version: spec.version ?? entry.version },
    values: spec.values ?? {},
    syncWave: entry.syncWave,
  };
}

/** Default Compose image and port per data-service engine. */
export const ENGINE_DEFAULTS: Record<string, { image: (version: string) => string; port: number }> = {
  postgres: { image: (v) => `postgres:${v}-alpine`, port: 5432 },
  redis: { image: (v) => `redis:${v}-alpine`, port: 6379 },
  nats: { image: (v) => `nats:${v}-alpine`, port: 4222 },
  opensearch: { image: (v) => `opensearchproject/opensearch:${v}`, port: 9200 },
  minio: { image: (v) => `minio/minio:${v}`, port: 9000 },
  vault: { image: (v) => `hashicorp/vault:${v}`, port: 8200 },
};
