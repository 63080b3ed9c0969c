import type { Model, ModelEnvironment } from "../../compiler/model.js";
import { lookup } from "../../compiler/model-lookup.js";
import { previewDataCopies } from "../../compiler/resolve/data-engines.js";
import { SEED_JOB } from "../../compiler/resolve/deployments.js";
import { previewBase } from "../../compiler/resolve/environments.js";
import { code, escapeText, table } from "../shared/markdown.js";
import { duration, gateLabel, scaleText, yesNo } from "./format.js";
import { ladderDiagram } from "./ladder.js";
import { Outline } from "./outline.js";

const list = (items: readonly string[], format: (item: string) => string = code) => (items.length === 0 ? "—" : items.map(format).join(", "));

function flagsText(flags: Record<string, boolean | string>): string {
  const entries = Object.entries(flags);
  return entries.length === 0 ? "—" : entries.map(([name, value]) => `${code(name)} = ${code(String(value))}`).join(", ");
}

function recoveryText(env: ModelEnvironment): string {
  return env.recovery ? `RTO ${duration(env.recovery.rtoSeconds)}, RPO ${duration(env.recovery.rpoSeconds)}` : "none promised";
}

function rolloutText(model: Model, env: ModelEnvironment): string {
  if (env.rollout === undefined) return "—";
  const rollout = model.rollouts.find((r) => r.name === env.rollout);
  return rollout ? `${code(rollout.name)} (${escapeText(rollout.strategy)})` : code(env.rollout);
}

/** What each pull request gets besides its services, and what goes when it closes. */
function previewText(model: Model, env: ModelEnvironment): string {
  const copies = previewDataCopies(model, env).map(({ dataService, placement }) =>
    escapeText(`${dataService.name} (${placement.instances} instance${placement.instances === 1 ? "" : "s"}${placement.storage !== undefined ? `, ${placement.storage}` : ""})`),
  );
  const seeded = lookup(model)
    .deploymentsOfEnvironment(env.name)
    .filter((d) => d.preRelease.some((j) => j.name === SEED_JOB))
    .map((d) => d.service);
  return [
    `ApplicationSet ${code(previewBase(env).applicationSet)} owns the namespace`,
    copies.length > 0 ? `its own ${copies.join(", ")}` : "no data services",
    ...(seeded.length > 0 ? [`seed data by ${list(seeded)}`] : []),
    "all deleted when the pull request closes",
  ].join("; ");
}

/** Rows describing one environment: what the spec decided for it, after defaults and inheritance. */
function details(model: Model, env: ModelEnvironment): string[][] {
  const rows: [string, string][] = [
    ["Runtime", escapeText(env.runtime)],
    ["Cluster", env.cluster !== undefined ? code(env.cluster) : "—"],
    ["Namespace", env.preview ? `${code(`${env.preview.namespacePrefix}N`)} per pull request` : env.namespace !== undefined ? code(env.namespace) : "—"],
  ];
  if (env.dataNamespace !== undefined && env.dataNamespace !== env.namespace) rows.push(["Data namespace", code(env.dataNamespace)]);
  rows.push(
    ["Promoted from", env.promoteFrom !== undefined ? code(env.promoteFrom) : "—"],
    ["Sync", `${escapeText(env.sync)} (prune: ${yesNo(env.prune)}, self-heal: ${yesNo(env.selfHeal)})`],
    ["Approval", escapeText(gateLabel(env.approval))],
    ["Scale", escapeText(scaleText(env.scale))],
    ["Tier", escapeText(env.tier)],
    ["Data policy", escapeText(env.data)],
    ["Production", yesNo(env.production)],
    ["Recovery", escapeText(recoveryText(env))],
    ["Hosts", list(env.preview?.host !== undefined ? [env.preview.host] : env.hosts)],
    ["Rollout", rolloutText(model, env)],
    ["Secrets", env.secrets ? `store ${code(env.secrets.store)}, prefix ${code(env.secrets.prefix)}` : "—"],
    ["Services", list(env.services)],
    ["Data services", list(env.dataServices)],
    ["Feature flags", flagsText(env.featureFlags)],
  );
  if (env.preview) {
    rows.push(
      ["Preview source", `pull requests of ${code(env.preview.repository)}${env.preview.labels.length > 0 ? ` labelled ${list(env.preview.labels)}` : ""}`],
      ["Preview refresh", escapeText(`every ${duration(env.preview.requeueAfterSeconds)}`)],
      ["Per pull request", previewText(model, env)],
    );
  }
  return rows;
}

export function environmentsView(model: Model) {
  const outline = new Outline();
  const title = outline.heading(1, `Environments of ${model.platform.name}`);
  const showContents = model.environments.length > 3;
  const contentsHeading = showContents ? outline.heading(2, "Contents", false) : "";
  const ladderHeading = outline.heading(2, "Ladder");
  const summaryHeading = outline.heading(2, "Summary");
  const summary = table(
    ["#", "Environment", "Runtime", "Cluster", "Namespace", "Sync", "Approval", "Scale", "Tier", "Data policy", "RTO", "RPO"],
    model.environments.map((env) => [
      String(env.index + 1),
      code(env.name),
      escapeText(env.runtime),
      env.cluster !== undefined ? code(env.cluster) : "—",
      env.preview ? code(`${env.preview.namespacePrefix}N`) : env.namespace !== undefined ? code(env.namespace) : "—",
      escapeText(env.sync),
      escapeText(gateLabel(env.approval)),
      escapeText(scaleText(env.scale)),
      escapeText(env.tier),
      escapeText(env.data),
      env.recovery ? duration(env.recovery.rtoSeconds) : "—",
      env.recovery ? duration(env.recovery.rpoSeconds) : "—",
    ]),
    ["right"],
  );
  const environments = model.environments.map((env) => ({
    heading: outline.heading(2, `Environment ${env.name}`),
    table: table(["Setting", "Value"], details(model, env)),
  }));
  return {
    title,
    intro: escapeText(
      `The promotion ladder of ${model.platform.name}, in order. A release moves up the ladder by image digest; each arrow carries the gate a promotion passes (auto, PR, or PR + manual approval).`,
    ),
    showContents,
    contentsHeading,
    contents: outline.tableOfContents(2),
    ladderHeading,
    ladder: ladderDiagram(model),
    summaryHeading,
    summary,
    environments,
  };
}
