import type { Model, ModelCluster } from "../../compiler/model.js";
import { toYaml } from "../shared/yaml.js";
import type { OutputFile, Target } from "../types.js";
import { componentApplication, kubernetesTreeApplication, managedComponents, rootApplication } from "./applications.js";
import { environmentApplicationSet } from "./applicationsets.js";
import { clusterProjects, platformProject } from "./projects.js";

/**
 * argocd/<cluster>/: the root app-of-apps and everything it syncs, one object per file:
 * root.yaml, projects/<name>.yaml, components/<name>.yaml, kubernetes.yaml (the kubernetes/<cluster>
 * tree) and applicationsets/<environment>.yaml.
 */
export const argocdTarget: Target = {
  name: "argocd",
  description: "ArgoCD root app-of-apps, AppProjects, component Applications and ApplicationSets per cluster",
  generate: (model) => model.clusters.flatMap((cluster) => clusterFiles(model, cluster)),
};

function clusterFiles(model: Model, cluster: ModelCluster): OutputFile[] {
  const dir = `argocd/${cluster.name}`;
  const file = (path: string, object: unknown): OutputFile => ({ path: `${dir}/${path}`, content: toYaml(object) });

  const projects = [platformProject(model, cluster), ...clusterProjects(model, cluster)];
  const environments = model.environments
    .filter((e) => e.runtime === "kubernetes" && e.cluster === cluster.name)
    .map((environment) => ({ environment, deployments: model.deployments.filter((d) => d.environment === environment.name) }))
    .filter(({ deployments }) => deployments.length > 0);

  return [
    file("root.yaml", rootApplication(model, cluster)),
    file("kubernetes.yaml", kubernetesTreeApplication(model, cluster)),
    ...projects.map((project) => file(`projects/${project.metadata!.name}.yaml`, project)),
    ...managedComponents(cluster).map((component) => file(`components/${component.name}.yaml`, componentApplication(model, cluster, component))),
    ...environments.map(({ environment, deployments }) =>
      file(`applicationsets/${environment.name}.yaml`, environmentApplicationSet(model, cluster, environment, deployments)),
    ),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
