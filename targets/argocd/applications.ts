import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import type { Model, ModelCluster, ModelComponent } from "../../compiler/model.js";
import { ARGO_API_VERSION, kubernetesTreeWave, platformLabels, syncPolicy, waveAnnotation } from "./meta.js";

/**
 * The app-of-apps: syncs this cluster's argocd/ folder (projects, component applications, the
 * kubernetes tree application, ApplicationSets), including this file, so later changes to the root
 * itself also come from Git. OpenTofu's bootstrap stack applies it once. It lives in ArgoCD's built-in
 * "default" project because it creates every other project, the platform one included.
 */
export function rootApplication(model: Model, cluster: ModelCluster): IApplication {
  return {
    apiVersion: ARGO_API_VERSION,
    kind: "Application",
    metadata: {
      name: cluster.rootApplication,
      namespace: cluster.argocdNamespace,
      labels: platformLabels(model),
    },
    spec: {
      project: "default",
      source: {
        repoURL: model.platform.repositories.gitops,
        targetRevision: model.platform.revision,
        path: cluster.gitopsPaths.argocd,
        directory: { recurse: true },
      },
      destination: { server: cluster.server, namespace: cluster.argocdNamespace },
      syncPolicy: syncPolicy(cluster.rootSync),
    },
  };
}

/**
 * Namespaces, quotas, network policies, secret stores, ExternalSecrets and AnalysisTemplates from the
 * kubernetes target. Its wave follows the operators; SkipDryRunOnMissingResource lets the first sync
 * through while a CRD is still being registered.
 */
export function kubernetesTreeApplication(model: Model, cluster: ModelCluster): IApplication {
  return {
    apiVersion: ARGO_API_VERSION,
    kind: "Application",
    metadata: {
      name: `${model.platform.name}-${cluster.name}-kubernetes`,
      namespace: cluster.argocdNamespace,
      labels: platformLabels(model),
      annotations: waveAnnotation(kubernetesTreeWave(cluster)),
    },
    spec: {
      project: cluster.platformProject,
      source: {
        repoURL: model.platform.repositories.gitops,
        targetRevision: model.platform.revision,
        path: cluster.gitopsPaths.kubernetes,
        directory: { recurse: true },
      },
      destination: { server: cluster.server },
      syncPolicy: syncPolicy(cluster.rootSync, ["SkipDryRunOnMissingResource=true"]),
    },
  };
}

/**
 * One platform component (operator, ingress, monitoring…) from its pinned chart. ServerSideApply
 * because several of these charts ship CRDs too large for client-side apply's annotation.
 */
export function componentApplication(model: Model, cluster: ModelCluster, component: ModelComponent): IApplication {
  return {
    apiVersion: ARGO_API_VERSION,
    kind: "Application",
    metadata: {
      name: component.name,
      namespace: cluster.argocdNamespace,
      labels: platformLabels(model, { "plinth.dev/component": component.name }),
      annotations: waveAnnotation(component.syncWave),
    },
    spec: {
      project: cluster.platformProject,
      source: {
        repoURL: component.chart.repoURL,
        chart: component.chart.name,
        targetRevision: component.chart.version,
        helm: {
          releaseName: component.name,
          ...(Object.keys(component.values).length > 0 && { valuesObject: component.values }),
        },
      },
      destination: { server: cluster.server, namespace: component.namespace },
      syncPolicy: syncPolicy(cluster.rootSync, ["CreateNamespace=true", "ServerSideApply=true"]),
    },
  };
}

/** ArgoCD itself is installed by the OpenTofu bootstrap stack, not by its own root application. */
export function managedComponents(cluster: ModelCluster): ModelComponent[] {
  return cluster.components.filter((c) => c.name !== "argocd");
}
