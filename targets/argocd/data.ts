import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import type { Model, ModelCluster, ModelDataPlacement, ModelDataService } from "../../compiler/model.js";
import { DATA_INSTANCE_LABEL, dataApplicationName } from "../../compiler/resolve/data-engines.js";
import { waveAnnotation } from "../shared/waves.js";
import { ARGO_API_VERSION, platformLabels, syncPolicy } from "./meta.js";

/** The data services a chart of their own runs (NATS), one Application per placement on this cluster. */
export function dataApplications(model: Model, cluster: ModelCluster): { dataService: ModelDataService; placement: ModelDataPlacement; chart: DataChart }[] {
  return model.dataServices.flatMap((dataService) => {
    const runtime = dataService.kubernetes;
    if (runtime?.kind !== "chart") return [];
    return dataService.placements.filter((p) => p.cluster === cluster.name).map((placement) => ({ dataService, placement, chart: runtime.chart }));
  });
}

type DataChart = Extract<NonNullable<ModelDataService["kubernetes"]>, { kind: "chart" }>["chart"];

/**
 * NATS from the NATS project's chart: a cluster of `instances` servers (JetStream on a volume of the
 * profile's StorageClass when the data service keeps state), sized for the placement, its Service named
 * after the data service, without nats-box.
 */
export function dataApplication(model: Model, cluster: ModelCluster, ds: ModelDataService, placement: ModelDataPlacement, wave: number): IApplication {
  const { chart, values } = dataChartSource(model, cluster, ds, placement);
  return {
    apiVersion: ARGO_API_VERSION,
    kind: "Application",
    metadata: {
      name: dataApplicationName(ds.name, placement.namespace),
      namespace: cluster.argocdNamespace,
      labels: platformLabels(model, { "plinth.dev/data-service": ds.name }),
      annotations: waveAnnotation(wave),
    },
    spec: {
      project: cluster.platformProject,
      source: { repoURL: chart.repoURL, chart: chart.name, targetRevision: chart.version, helm: { releaseName: ds.name, valuesObject: values } },
      destination: { server: cluster.server, namespace: placement.namespace },
      syncPolicy: syncPolicy(cluster.rootSync, ["ServerSideApply=true"]),
    },
  };
}

/** The chart and values that run one placement of a chart-run data service (NATS). */
export function dataChartSource(model: Model, cluster: ModelCluster, ds: ModelDataService, placement: ModelDataPlacement): { chart: DataChart; values: Record<string, unknown> } {
  if (ds.kubernetes?.kind !== "chart") throw new Error(`data service ${ds.name} is not run by a chart`);
  const chart = ds.kubernetes.chart;
  const storageClass = model.profiles.find((p) => p.name === cluster.profile)!.storageClass;
  const r = placement.resources;
  const values = {
    fullnameOverride: ds.name,
    config: {
      cluster: { enabled: placement.instances > 1, replicas: placement.instances },
      jetstream: {
        enabled: placement.storage !== undefined,
        ...(placement.storage !== undefined && {
          fileStore: { pvc: { size: placement.storage, storageClassName: storageClass, merge: { metadata: { labels: { [DATA_INSTANCE_LABEL]: ds.name } } } } },
        }),
      },
    },
    container: {
      image: { tag: `${ds.version}-alpine` },
      ...(r && { merge: { resources: { ...(r.requests && { requests: { ...r.requests } }), ...(r.limits && { limits: { ...r.limits } }) } } }),
    },
    natsBox: { enabled: false },
  };
  return { chart, values };
}
