import type { Diagnostic } from "../diagnostics.js";
import type { ModelDeployment } from "../model.js";
import type { ModelRule } from "./types.js";

type RuleModel = Parameters<ModelRule["check"]>[0];

/** Deployments of the ladder's rungs (previews are off it); `promoted`: only rungs that take what the rung below ran. */
function ladderDeployments(model: RuleModel, promoted: boolean): ModelDeployment[] {
  const rungs = new Set(model.environments.filter((e) => e.promotable && (!promoted || e.promoteFrom !== undefined)).map((e) => e.name));
  return model.deployments.filter((d) => rungs.has(d.environment));
}

/** On the ladder a chart is a version, never a branch: else a chart change would skip the rungs. Previews may follow one. */
export const chartFollowsBranchRule: ModelRule = {
  id: "release/chart-follows-branch",
  severity: "error",
  stage: "model",
  description: "An environment of the ladder renders a service with a chart that follows a branch or the newest version.",
  check(model) {
    return ladderDeployments(model, false)
      .filter((d) => !d.chart.pinned)
      .map((d): Diagnostic => {
        const service = model.services.find((s) => s.name === d.service)!;
        return {
          rule: this.id,
          severity: "error",
          path: [...service.at, "chart"],
          message: `'${d.service}' renders in ${d.environment} with a chart that follows '${d.chart.version}': a chart change would reach ${d.environment} with no release pinning it`,
          hint: "give the chart a version (chart.version), or let plinth promote pin one in releases.lock.yaml",
        };
      });
  },
};

/** A plinth-service version the lock names must be one this plinth ships, or ArgoCD finds no chart. */
export const unknownChartVersionRule: ModelRule = {
  id: "release/unknown-chart-version",
  severity: "error",
  stage: "model",
  description: "The release lock names a plinth-service version this plinth does not ship.",
  check(model) {
    const shipped = new Set(model.serviceCharts.map((c) => c.version));
    return model.deployments
      .filter((d) => d.chart.kind === "plinth-service" && !shipped.has(d.chart.version))
      .map((d): Diagnostic => ({
        rule: this.id,
        severity: "error",
        source: "lock",
        path: [d.service, d.environment],
        message: `${d.environment} runs '${d.service}' with plinth-service ${d.chart.version}, which this plinth does not ship`,
        hint: "promote a shipped version into it, or use the plinth release that ships this chart version",
      }));
  },
};

/**
 * A rung whose lock entry predates chart versions renders with whatever plinth-service is newest, so
 * upgrading plinth would change its chart with no release recording it (and the rung above would
 * then run a chart its rung below has no record of).
 */
export const chartUnpinnedRule: ModelRule = {
  id: "release/chart-unpinned",
  severity: "warning",
  stage: "model",
  description: "An environment's release in releases.lock.yaml records no chart version.",
  check(model) {
    return ladderDeployments(model, false)
      .filter((d) => d.chart.kind === "plinth-service" && model.releaseLock[d.service]?.[d.environment] !== undefined && model.releaseLock[d.service]![d.environment]!.chart === undefined)
      .map((d): Diagnostic => ({
        rule: this.id,
        severity: "warning",
        source: "lock",
        path: [d.service, d.environment],
        message: `'${d.service}' in ${d.environment} records no chart version: it renders with the newest plinth-service (${d.chart.version}), which a plinth upgrade changes`,
        hint: `add chart: ${d.chart.version} to its entry, or record the next release with plinth promote (digest and chart together)`,
      }));
  },
};
