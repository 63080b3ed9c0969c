/**
 * kubernetes/_previews/<cluster>/<environment>/: what a preview's base Application syncs into each pull
 * request's namespace (compiler/resolve/environments.ts: previewBase) — the Namespace itself, so it
 * goes when the pull request closes, and a small copy of every operator-run data service its services
 * use. The manifests name no namespace: Argo CD sets the pull request's as the kustomization's
 * namespace, which also renames the Namespace object. The root application never reads this folder
 * (it syncs kubernetes/<cluster>/ only; cluster names cannot contain "_").
 */
import type { Model, ModelEnvironment } from "../../compiler/model.js";
import { previewBase } from "../../compiler/resolve/environments.js";
import { toYaml, toYamlDocuments } from "../shared/yaml.js";
import type { OutputFile } from "../types.js";
import { dataObject } from "./data.js";
import { clusterMeta, type KubernetesObject } from "./objects.js";

const KUSTOMIZATION = "kustomization.yaml";
const PREVIEW_RESOURCES = "resources.yaml";

export function previewBaseFiles(model: Model): OutputFile[] {
  return model.environments.filter((e) => e.preview && e.runtime === "kubernetes" && e.cluster !== undefined && e.services.length > 0).flatMap((env) => filesOf(model, env));
}

function filesOf(model: Model, env: ModelEnvironment): OutputFile[] {
  const cluster = model.clusters.find((c) => c.name === env.cluster)!;
  const storageClass = model.profiles.find((p) => p.name === cluster.profile)!.storageClass;
  const namespace: KubernetesObject = {
    apiVersion: "v1",
    kind: "Namespace",
    // Renamed to the pull request's namespace by the kustomization's namespace (set by Argo CD).
    metadata: clusterMeta(model, `${env.preview!.namespacePrefix}0`, { "plinth.dev/environment": env.name }),
  };
  const data = model.dataServices.flatMap((ds) =>
    ds.kubernetes?.kind !== "operator"
      ? []
      : ds.previewPlacements.filter((p) => p.environment === env.name).map((placement) => withoutNamespace(dataObject(model, ds, placement, storageClass))),
  );
  const dir = previewBase(env).path;
  return [
    { path: `${dir}/${KUSTOMIZATION}`, content: toYaml({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: [PREVIEW_RESOURCES] }) },
    { path: `${dir}/${PREVIEW_RESOURCES}`, content: toYamlDocuments([namespace, ...data]) },
  ];
}

function withoutNamespace(object: KubernetesObject): KubernetesObject {
  const { namespace: _namespace, ...metadata } = object.metadata ?? {};
  return { ...object, metadata };
}
