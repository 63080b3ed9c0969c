import type { Spec } from "../../spec/schema.js";
import type { ModelCluster, ModelDeployment, ModelEnvironment, ModelNamespace, ModelPlatform, ModelProject, ModelRole, ModelService } from "../model.js";
import { sorted } from "./util.js";

export function resolveRoles(spec: Spec, environments: readonly ModelEnvironment[]): ModelRole[] {
  return spec.roles.map((r, i) => ({
    name: r.name,
    ...(r.description !== undefined && { description: r.description }),
    groups: r.groups,
    environments: r.environments ?? environments.map((e) => e.name),
    actions: r.actions,
    at: ["roles", i],
  }));

}

export function resolveProjects(
  spec: Spec,
  repositories: ModelPlatform["repositories"],
  clusters: readonly ModelCluster[],
  namespaces: readonly ModelNamespace[],
  environments: readonly ModelEnvironment[],
  services: readonly ModelService[],
  deployments: readonly ModelDeployment[],
): ModelProject[] {
  const clusterByName = new Map(clusters.map((c) => [c.name, c]));
  return spec.projects.map((p, i) => {
    const own = deployments.filter((d) => d.project === p.name);
    // Previews deploy into `<prefix><number>` namespaces the project must allow by pattern.
    const previewDestinations = environments
      .filter((e) => e.preview && e.cluster && own.some((d) => d.environment === e.name))
      .map((e) => ({ cluster: e.cluster!, server: clusterByName.get(e.cluster!)!.server, namespace: `${e.preview!.namespacePrefix}*` }));
    return {
      name: p.name,
      ...(p.description !== undefined && { description: p.description }),
      destinations: [
        ...p.namespaces.flatMap((ns) =>
          namespaces
            .filter((n) => n.name === ns)
            .map((n) => ({ cluster: n.cluster, server: clusterByName.get(n.cluster)!.server, namespace: n.name })),
        ),
        ...previewDestinations,
      ],
      // Charts of the services deployed through the project come from their own repositories.
      sourceRepos: sorted([repositories.app, repositories.gitops, ...p.sourceRepos, ...own.map((d) => services.find((s) => s.name === d.service)!.chart.repoURL)]),
      roles: p.roles,
      clusterResources: p.clusterResources,
      at: ["projects", i],
    };
  });

}
