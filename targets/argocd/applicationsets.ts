import type { IApplicationSet } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet";
import type { IApplicationSetGenerator } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSetGenerator";
import type { IApplicationSource } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSource";
import type { IApplicationSetTemplate } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSetTemplate";
import type { IHelmParameter } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/HelmParameter";
import type { Model, ModelCluster, ModelDataPlacement, ModelDataService, ModelDeployment, ModelEnvironment, ModelPreview } from "../../compiler/model.js";
import { dataChartSource } from "./data.js";
import { previewBase, previewDataApplicationSetName } from "../../compiler/resolve/environments.js";
import { gitopsRepoPath } from "../../compiler/resolve/util.js";
import { waveAnnotation } from "../shared/waves.js";
import { ARGO_API_VERSION, goTemplateText, platformLabels, PREVIEW_SYNC_RETRY, pullRequestTemplate, syncPolicy } from "./meta.js";

/**
 * One ApplicationSet per environment: its services are the list generator's elements (previews
 * cross them with the pull-request generator), and everything the environment decides (project,
 * namespace, sync policy) is written once in the template. A manual environment's template has no
 * `automated` block, so nothing deploys there until someone syncs.
 */
export function environmentApplicationSet(model: Model, cluster: ModelCluster, environment: ModelEnvironment, deployments: ModelDeployment[], wave: number): IApplicationSet {
  const preview = environment.preview;
  const first = deployments[0]!;
  const chartSources = deployments.map((d) => d.chart);
  const usesPath = chartSources.some((c) => c.path !== undefined);
  const usesChart = chartSources.some((c) => c.name !== undefined);

  const elements = deployments.map((d, i) => ({
    service: d.service,
    application: d.application,
    releaseName: d.releaseName,
    valuesFile: d.valuesRepoPath,
    chartRepoURL: chartSources[i]!.repoURL,
    // With both kinds of chart in one environment each element leaves the other field empty.
    ...(usesPath && { chartPath: chartSources[i]!.path ?? "" }),
    ...(usesChart && { chart: chartSources[i]!.name ?? "" }),
    chartRevision: chartSources[i]!.targetRevision,
  }));
  const list: IApplicationSetGenerator = { list: { elements } };
  const generator: IApplicationSetGenerator = preview ? { matrix: { generators: [pullRequestGenerator(preview), list] } } : list;

  const chartSource: IApplicationSource = {
    repoURL: "{{.chartRepoURL}}",
    ...(usesPath && { path: "{{.chartPath}}" }),
    ...(usesChart && { chart: "{{.chart}}" }),
    targetRevision: "{{.chartRevision}}",
    helm: {
      releaseName: "{{.releaseName}}",
      valueFiles: ["$values/{{.valuesFile}}", ...(preview ? [`$values/${PREVIEW_IMAGE_FILE}`] : [])],
      ...(preview && { ignoreMissingValueFiles: true, parameters: previewParameters(first, cluster.gateway !== undefined) }),
    },
  };
  const valuesSource: IApplicationSource = { repoURL: goTemplateText(model.platform.repositories.gitops), targetRevision: goTemplateText(model.platform.revision), ref: "values" };

  const environmentLabels = platformLabels(model, { "plinth.dev/environment": environment.name });
  return {
    apiVersion: ARGO_API_VERSION,
    kind: "ApplicationSet",
    metadata: {
      name: environment.name,
      namespace: cluster.argocdNamespace,
      labels: environmentLabels,
      annotations: waveAnnotation(wave),
    },
    spec: {
      goTemplate: true,
      goTemplateOptions: ["missingkey=error"],
      generators: [generator],
      template: {
        metadata: {
          // A preview's application name carries the pull request number in the Model's `{number}` form.
          name: preview ? '{{ .application | replace "{number}" .number }}' : "{{.application}}",
          labels: {
            ...environmentLabels,
            "app.kubernetes.io/name": "{{.service}}",
            ...(preview && { "plinth.dev/pull-request": "{{.number}}" }),
          },
        },
        spec: {
          project: goTemplateText(first.project),
          sources: [chartSource, valuesSource],
          destination: { server: goTemplateText(cluster.server), namespace: pullRequestTemplate(first.namespace) },
          // A preview's namespace exists only for its pull request and only its base Application
          // creates it (the kubernetes target owns every other namespace): the others wait for it, and
          // none can recreate it once the base has deleted it when the pull request closed.
          syncPolicy: syncPolicy({ automated: environment.sync === "auto", prune: environment.prune, selfHeal: environment.selfHeal }, [], preview ? { retry: PREVIEW_SYNC_RETRY } : {}),
        },
      },
    },
  };
}

/**
 * Open pull requests of the preview repository (with the required labels). When a pull request closes
 * the generator stops producing its element and the controller deletes its applications, cascading to
 * their resources, because nothing here sets preserveResourcesOnDeletion.
 */
function pullRequestGenerator(preview: ModelPreview): IApplicationSetGenerator {
  return {
    pullRequest: {
      github: {
        owner: preview.owner,
        repo: preview.repo,
        ...(preview.labels.length > 0 && { labels: [...preview.labels] }),
        ...(preview.token && { tokenRef: { secretName: preview.token.secret, key: preview.token.key } }),
      },
      requeueAfterSeconds: preview.requeueAfterSeconds,
    },
  };
}

/**
 * A preview runs the pull request's image by digest when CI wrote one into this file of the GitOps
 * repository (`image: {digest: …}`), else by the head commit's tag: the chart prefers the digest,
 * and a missing file is skipped (ignoreMissingValueFiles). It lies outside the generated tree.
 */
export const PREVIEW_IMAGE_FILE = "previews/pr-{{.number}}/{{.service}}.image.yaml";

/**
 * Per pull request: the image CI built from its head commit (forced to a string: a sha of only digits
 * would otherwise become a number) and the preview host, replacing the `{number}` placeholders the
 * values file carries in the same list positions.
 */
function previewParameters(deployment: ModelDeployment, routedByGateway: boolean): IHelmParameter[] {
  const host = deployment.hosts[0];
  const hostParameters = routedByGateway ? ["httpRoute.hostnames[0]"] : ["ingress.hosts[0].host", "ingress.tls[0].hosts[0]"];
  return [
    { name: "image.tag", value: "{{.head_sha}}", forceString: true },
    ...(host !== undefined ? hostParameters.map((name) => ({ name, value: pullRequestTemplate(host) })) : []),
  ];
}

/**
 * Per pull request of a preview: one Application syncing the kubernetes target's preview base (the
 * Namespace and the operator-run data services) into the pull request's namespace, through the
 * kustomization's namespace. It belongs to the platform project (it creates a Namespace); when the
 * pull request closes its Application goes, and with it the Namespace and all that ran there.
 */
export function previewBaseApplicationSet(model: Model, cluster: ModelCluster, environment: ModelEnvironment, wave: number): IApplicationSet {
  const base = previewBase(environment);
  const namespace = pullRequestTemplate(`${environment.preview!.namespacePrefix}{number}`);
  return pullRequestApplicationSet(
    model,
    cluster,
    environment,
    base.applicationSet,
    base.application,
    wave,
    {
      repoURL: goTemplateText(model.platform.repositories.gitops),
      targetRevision: goTemplateText(model.platform.revision),
      path: goTemplateText(gitopsRepoPath(model.platform.gitopsPath, base.path)),
      kustomize: { namespace },
    },
    [],
    true,
  );
}

/** Per pull request of a preview: its copy of a data service run by a chart of its own (NATS), sized for previews. */
export function previewDataApplicationSet(model: Model, cluster: ModelCluster, environment: ModelEnvironment, ds: ModelDataService, placement: ModelDataPlacement, wave: number): IApplicationSet {
  const { chart, values } = dataChartSource(model, cluster, ds, placement);
  return pullRequestApplicationSet(
    model,
    cluster,
    environment,
    previewDataApplicationSetName(environment.name, ds.name),
    `${environment.name}-{number}-data-${ds.name}`,
    wave,
    { repoURL: chart.repoURL, chart: chart.name, targetRevision: chart.version, helm: { releaseName: ds.name, valuesObject: values } },
    ["ServerSideApply=true"],
    false,
  );
}

function pullRequestApplicationSet(
  model: Model,
  cluster: ModelCluster,
  environment: ModelEnvironment,
  name: string,
  application: string,
  wave: number,
  source: IApplicationSource,
  syncOptions: string[],
  ownsNamespace: boolean,
): IApplicationSet {
  const labels = platformLabels(model, { "plinth.dev/environment": environment.name });
  const template: IApplicationSetTemplate = {
    metadata: { name: pullRequestTemplate(application), labels: { ...labels, "plinth.dev/pull-request": "{{.number}}" } },
    spec: {
      project: goTemplateText(cluster.platformProject),
      source,
      destination: { server: goTemplateText(cluster.server), namespace: pullRequestTemplate(`${environment.preview!.namespacePrefix}{number}`) },
      // Disposable: what the pull request no longer needs goes. The base creates the namespace from
      // its own manifest (Argo CD applies Namespaces first); the others wait for it.
      syncPolicy: syncPolicy({ automated: environment.sync === "auto", prune: true, selfHeal: environment.selfHeal }, syncOptions, ownsNamespace ? {} : { retry: PREVIEW_SYNC_RETRY }),
    },
  };
  return {
    apiVersion: ARGO_API_VERSION,
    kind: "ApplicationSet",
    metadata: { name, namespace: cluster.argocdNamespace, labels, annotations: waveAnnotation(wave) },
    spec: { goTemplate: true, goTemplateOptions: ["missingkey=error"], generators: [pullRequestGenerator(environment.preview!)], template },
  };
}
