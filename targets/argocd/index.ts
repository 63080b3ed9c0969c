import type { Model, ModelCluster, ModelEnvironment } from "../../compiler/model.js";
import { previewBase, previewDataApplicationSetName } from "../../compiler/resolve/environments.js";
import { lookup } from "../../compiler/model-lookup.js";
import { toYaml } from "../shared/yaml.js";
import type { OutputFile, Target } from "../types.js";
import { syncWaves, waveAnnotation } from "../shared/waves.js";
import { componentApplication, managedComponents, rootApplication } from "./applications.js";
import { environmentApplicationSet, previewBaseApplicationSet, previewDataApplicationSet } from "./applicationsets.js";
import { dataApplication, dataApplications } from "./data.js";
import { dataApplicationName, previewDataCopies } from "../../compiler/resolve/data-engines.js";
import { clusterProjects, platformProject } from "./projects.js";

/**
 * argocd/<cluster>/: the root app-of-apps and the ArgoCD objects it syncs, one object per file:
 * root.yaml, projects/<name>.yaml, components/<name>.yaml, data/data-<namespace>-<name>.yaml (data
 * services run by a chart of their own) and applicationsets/<environment>.yaml; a preview adds
 * applicationsets/<environment>-base.yaml (each pull request's namespace and data services) and
 * applicationsets/<environment>-data-<name>.yaml (each pull request's copy of a chart-run data service).
 * Each carries its sync wave from the deploy graph.
 */
export const argocdTarget: Target = {
  name: "argocd",
  description: "ArgoCD root app-of-apps, AppProjects, component Applications and ApplicationSets per cluster",
  generate: (model) => model.clusters.flatMap((cluster) => clusterFiles(model, cluster)),
};

function clusterFiles(model: Model, cluster: ModelCluster): OutputFile[] {
  const dir = `argocd/${cluster.name}`;
  const file = (path: string, object: unknown): OutputFile => ({ path: `${dir}/${path}`, content: toYaml(object) });

  const wave = syncWaves(model);
  const projects = [platformProject(model, cluster), ...clusterProjects(model, cluster)].map((p) => withWave(p, wave(cluster.name, "AppProject", cluster.argocdNamespace, p.metadata!.name!)));
  const environments = model.environments
    .filter((e) => e.runtime === "kubernetes" && e.cluster === cluster.name)
    .map((environment) => ({ environment, deployments: [...lookup(model).deploymentsOfEnvironment(environment.name)] }))
    .filter(({ deployments }) => deployments.length > 0);

  return [
    file("root.yaml", rootApplication(model, cluster)),
    ...projects.map((project) => file(`projects/${project.metadata!.name}.yaml`, project)),
    ...managedComponents(cluster).map((component) => file(`components/${component.name}.yaml`, componentApplication(model, cluster, component, wave(cluster.name, "Application", cluster.argocdNamespace, component.name)))),
    ...dataApplications(model, cluster).map(({ dataService, placement }) => {
      const name = dataApplicationName(dataService.name, placement.namespace);
      return file(`data/${name}.yaml`, dataApplication(model, cluster, dataService, placement, wave(cluster.name, "Application", cluster.argocdNamespace, name)));
    }),
    ...environments.map(({ environment, deployments }) =>
      file(`applicationsets/${environment.name}.yaml`, environmentApplicationSet(model, cluster, environment, deployments, wave(cluster.name, "ApplicationSet", cluster.argocdNamespace, environment.name))),
    ),
    ...environments.filter(({ environment }) => environment.preview).flatMap(({ environment }) => previewFiles(model, cluster, environment, file, wave)),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A preview's base ApplicationSet, and one per data service its copies run from a chart of their own. */
function previewFiles(model: Model, cluster: ModelCluster, environment: ModelEnvironment, file: (path: string, object: unknown) => OutputFile, wave: ReturnType<typeof syncWaves>): OutputFile[] {
  const at = (name: string) => wave(cluster.name, "ApplicationSet", cluster.argocdNamespace, name);
  const base = previewBase(environment).applicationSet;
  return [
    file(`applicationsets/${base}.yaml`, previewBaseApplicationSet(model, cluster, environment, at(base))),
    ...previewDataCopies(model, environment).flatMap(({ dataService, placement }) => {
      if (dataService.kubernetes?.kind !== "chart") return [];
      const name = previewDataApplicationSetName(environment.name, dataService.name);
      return [file(`applicationsets/${name}.yaml`, previewDataApplicationSet(model, cluster, environment, dataService, placement, at(name)))];
    }),
  ];
}

/** The object with its sync-wave annotation set (kept after any annotations it has). */
function withWave<T extends { metadata?: { annotations?: Record<string, string> } }>(object: T, wave: number): T {
  return { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata?.annotations, ...waveAnnotation(wave) } } };
}
