import type { Model, ModelCluster } from "../../compiler/model.js";
import { lookup } from "../../compiler/model-lookup.js";
import { toYaml } from "../shared/yaml.js";
import type { OutputFile, Target } from "../types.js";
import { syncWaves, waveAnnotation } from "../shared/waves.js";
import { componentApplication, managedComponents, rootApplication } from "./applications.js";
import { environmentApplicationSet } from "./applicationsets.js";
import { dataApplication, dataApplications } from "./data.js";
import { dataApplicationName } from "../../compiler/resolve/data-engines.js";
import { clusterProjects, platformProject } from "./projects.js";

/**
 * argocd/<cluster>/: the root app-of-apps and the ArgoCD objects it syncs, one object per file:
 * root.yaml, projects/<name>.yaml, components/<name>.yaml, data/data-<namespace>-<name>.yaml (data
 * services run by a chart of their own) and applicationsets/<environment>.yaml.
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
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The object with its sync-wave annotation set (kept after any annotations it has). */
function withWave<T extends { metadata?: { annotations?: Record<string, string> } }>(object: T, wave: number): T {
  return { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata?.annotations, ...waveAnnotation(wave) } } };
}
