import type { IAppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import type { IProjectRole } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ProjectRole";
import type { Model, ModelCluster, ModelDeployment, ModelProject, ModelRole } from "../../compiler/model.js";
import { managedComponents } from "./applications.js";
import { dataApplications } from "./data.js";
import { previewDataCopies } from "../../compiler/resolve/data-engines.js";
import { ARGO_API_VERSION, platformLabels } from "./meta.js";

const ALL_CLUSTER_RESOURCES = [{ group: "*", kind: "*" }];

/**
 * ArgoCD application permissions per plinth role action. approve, restore and rotate-secrets have no
 * ArgoCD counterpart: approvals are pull-request reviews in Git, restores follow the runbook with
 * velero/kubectl, and ExternalSecrets belong to the platform project's kubernetes tree, not to a team's.
 */
const PERMISSIONS: Record<string, string[]> = {
  get: ["get"],
  sync: ["sync"],
  override: ["override"],
  action: ["action/*"],
  delete: ["delete"],
  promote: ["action/argoproj.io/Rollout/promote-full", "action/argoproj.io/Rollout/resume"],
  approve: [],
  restore: [],
  "rotate-secrets": [],
};

/** The spec's projects with a destination on this cluster, limited to this cluster's destinations. */
export function clusterProjects(model: Model, cluster: ModelCluster): IAppProject[] {
  return model.projects
    .filter((project) => project.destinations.some((d) => d.cluster === cluster.name))
    .map((project) => teamProject(model, cluster, project));
}

function teamProject(model: Model, cluster: ModelCluster, project: ModelProject): IAppProject {
  const roles = project.roles
    .map((name) => model.roles.find((r) => r.name === name))
    .filter((role): role is ModelRole => role !== undefined)
    .map((role) => projectRole(model, cluster, project, role))
    .filter((role): role is IProjectRole => role !== undefined);
  const whitelist = clusterResourceWhitelist(project);
  return {
    apiVersion: ARGO_API_VERSION,
    kind: "AppProject",
    metadata: {
      name: project.name,
      namespace: cluster.argocdNamespace,
      labels: platformLabels(model),
    },
    spec: {
      ...(project.description !== undefined && { description: project.description }),
      sourceRepos: [...project.sourceRepos],
      destinations: project.destinations.filter((d) => d.cluster === cluster.name).map((d) => ({ server: d.server, namespace: d.namespace })),
      ...(whitelist && { clusterResourceWhitelist: whitelist }),
      ...(roles.length > 0 && { roles }),
    },
  };
}

/**
 * Cluster-scoped kinds the project may manage: all of them when the spec allows cluster resources,
 * else none (a preview's pr-N namespace is made by its base Application, in the platform project).
 */
function clusterResourceWhitelist(project: ModelProject): { group: string; kind: string }[] | undefined {
  return project.clusterResources ? ALL_CLUSTER_RESOURCES : undefined;
}

/**
 * A role acts on the applications of its environments. When those are all of the project's
 * applications on this cluster the policy says `<project>/*`; otherwise it names each application
 * (a preview's pull request number becomes `*`). In a project without plinth deployments (a team's
 * own applications) it names `<project>/<environment>-*` for each of its environments the project
 * deploys to. A role with no permission here is left out.
 */
function projectRole(model: Model, cluster: ModelCluster, project: ModelProject, role: ModelRole): IProjectRole | undefined {
  const permissions = [...new Set(role.actions.flatMap((action) => PERMISSIONS[action] ?? []))].sort();
  const deployments = model.deployments.filter((d) => d.cluster === cluster.name && d.project === project.name);
  const objects = deployments.length > 0 ? deploymentObjects(project, role, deployments) : teamObjects(model, cluster, project, role);
  if (permissions.length === 0 || objects.length === 0) return undefined;
  return {
    name: role.name,
    ...(role.description !== undefined && { description: role.description }),
    policies: objects.flatMap((object) => permissions.map((permission) => `p, proj:${project.name}:${role.name}, applications, ${permission}, ${object}, allow`)),
    ...(role.groups.length > 0 && { groups: [...role.groups] }),
  };
}

function deploymentObjects(project: ModelProject, role: ModelRole, deployments: ModelDeployment[]): string[] {
  const allowed = deployments.filter((d) => role.environments.includes(d.environment));
  if (allowed.length === deployments.length) return [`${project.name}/*`];
  return [...new Set(allowed.map((d) => `${project.name}/${d.application.split("{number}").join("*")}`))].sort();
}

/** A team's own applications are named like plinth's, `<environment>-<name>`. */
function teamObjects(model: Model, cluster: ModelCluster, project: ModelProject, role: ModelRole): string[] {
  const environments = model.environments.filter(
    (e) => e.cluster === cluster.name && project.destinations.some((d) => d.cluster === cluster.name && d.namespace === e.namespace),
  );
  const allowed = environments.filter((e) => role.environments.includes(e.name));
  const unrestricted = model.environments.every((e) => role.environments.includes(e.name));
  if (unrestricted || (environments.length > 0 && allowed.length === environments.length)) return [`${project.name}/*`];
  return allowed.map((e) => `${project.name}/${e.name}-*`);
}

/**
 * Where plinth's own applications live: the component charts and the kubernetes/<cluster> tree. It
 * creates cluster-scoped objects (CRDs, ClusterSecretStores, Namespaces) anywhere on its cluster.
 */
export function platformProject(model: Model, cluster: ModelCluster): IAppProject {
  const repos = [
    model.platform.repositories.gitops,
    ...managedComponents(cluster).map((c) => c.chart.repoURL),
    ...dataApplications(model, cluster).map(({ chart }) => chart.repoURL),
    // Previews' copies of chart-run data services.
    ...model.environments
      .filter((e) => e.preview && e.cluster === cluster.name)
      .flatMap((e) => previewDataCopies(model, e))
      .flatMap(({ dataService }) => (dataService.kubernetes?.kind === "chart" ? [dataService.kubernetes.chart.repoURL] : [])),
  ];
  return {
    apiVersion: ARGO_API_VERSION,
    kind: "AppProject",
    metadata: {
      name: cluster.platformProject,
      namespace: cluster.argocdNamespace,
      labels: platformLabels(model),
    },
    spec: {
      description: `Platform components and the kubernetes/${cluster.name} tree, generated by plinth`,
      sourceRepos: [...new Set(repos)].sort(),
      destinations: [{ server: cluster.server, namespace: "*" }],
      clusterResourceWhitelist: ALL_CLUSTER_RESOURCES,
    },
  };
}
