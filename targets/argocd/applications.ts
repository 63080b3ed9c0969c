import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import type { Model, ModelCluster, ModelComponent } from "../../compiler/model.js";
import { waveAnnotation } from "../shared/waves.js";
import { ARGO_API_VERSION, platformLabels, syncPolicy } from "./meta.js";

/**
 * The app-of-apps: syncs this cluster's argocd/ folder (projects, component applications,
 * ApplicationSets, this file too, so later changes to the root come from Git) and its kubernetes/
 * folder (namespaces, stores, ExternalSecrets, databases…). Every object it syncs carries the sync
 * wave of its place in the deploy graph, so one ordered sync brings the platform up: producers before
 * consumers, operators and their CRDs before custom resources. OpenTofu's bootstrap stack applies it
 * once. It lives in ArgoCD's built-in "default" project because it creates every other project.
 * SkipDryRunOnMissingResource lets a wave through while an earlier wave's CRD is still registering.
 */
export function rootApplication(model: Model, cluster: ModelCluster): IApplication {
  const folder = (path: string) => ({ repoURL: model.platform.repositories.gitops, targetRevision: model.platform.revision, path, directory: { recurse: true } });
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
      sources: [folder(cluster.gitopsPaths.argocd), folder(cluster.gitopsPaths.kubernetes)],
      destination: { server: cluster.server, namespace: cluster.argocdNamespace },
      syncPolicy: syncPolicy(cluster.rootSync, ["SkipDryRunOnMissingResource=true"]),
    },
  };
}

/**
 * One platform component (operator, ingress, monitoring…) from its pinned chart. ServerSideApply
 * because several of these charts ship CRDs too large for client-side apply's annotation.
 */
export function componentApplication(model: Model, cluster: ModelCluster, component: ModelComponent, wave: number): IApplication {
  return {
    apiVersion: ARGO_API_VERSION,
    kind: "Application",
    metadata: {
      name: component.name,
      namespace: cluster.argocdNamespace,
      labels: platformLabels(model, { "plinth.dev/component": component.name }),
      annotations: waveAnnotation(wave),
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
