import type { ModelDeploymentChart, ModelService, ModelServiceChartVersion } from "../model.js";
import type { LockedRelease } from "../../spec/releases.js";

/** Where the build writes plinth-service version `version` in the output tree (the helm target's folder). */
export const serviceChartOutputPath = (version: string) => `helm/_charts/plinth-service/${version}`;

/**
 * The chart one environment renders a service with. The release lock's chart version wins (staging
 * and production stay on what they were promoted with while the first rung moves on); without one,
 * the newest plinth-service, the spec's chart version, or the platform revision. plinth-service is
 * read from its version folder in the GitOps repository: a version's folder never changes, so the
 * repository's branch does not move the chart.
 */
export function deploymentChart(
  service: ModelService,
  locked: LockedRelease | undefined,
  shipped: readonly ModelServiceChartVersion[],
  repoPath: (path: string) => string,
): ModelDeploymentChart {
  const chart = service.chart;
  if (chart.kind === "plinth-service") {
    const version = locked?.chart ?? shipped.at(-1)?.version ?? "0.0.0";
    return { kind: chart.kind, repoURL: chart.repoURL, path: repoPath(serviceChartOutputPath(version)), targetRevision: chart.targetRevision, version, pinned: true };
  }
  const version = locked?.chart ?? chart.targetRevision;
  const pinned = locked?.chart !== undefined || chart.version !== undefined;
  return {
    kind: chart.kind,
    repoURL: chart.repoURL,
    ...(chart.path !== undefined && { path: chart.path }),
    ...(chart.name !== undefined && { name: chart.name }),
    targetRevision: version,
    version,
    pinned,
  };
}
