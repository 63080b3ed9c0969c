import { lookup } from "../../compiler/model-lookup.js";
import type { Model, ModelDeployment, ModelEnvironment, ModelRole, ModelRollout } from "../../compiler/model.js";
import { code, codeBlock, escapeText, table } from "../shared/markdown.js";
import { shellCommand, shellQuote as q } from "../../compiler/formats/shell.js";
import { commandPerItem, gateLabel, LISTED_IN_FULL } from "./format.js";
import { ladderDiagram } from "./ladder.js";
import { Outline } from "./outline.js";
import { LOCK_FILE } from "../../spec/releases.js";

/** The file `plinth promote` edits, beside the spec. */

const rolloutOf = (model: Model, name: string | undefined): ModelRollout | undefined => model.rollouts.find((r) => r.name === name);
const usesArgoRollouts = (rollout: ModelRollout | undefined) => rollout?.strategy === "canary" || rollout?.strategy === "blueGreen";

/** A rollout that stops until a person promotes it: an open-ended canary pause, or a blue-green without auto-promotion. */
function waitsForPromotion(rollout: ModelRollout | undefined): boolean {
  if (rollout?.strategy === "canary") return rollout.steps.some((step) => "pause" in step && step.pause.duration === undefined);
  return rollout?.strategy === "blueGreen" && !rollout.autoPromotion;
}

/** Roles allowed one of `actions` in `env`, as "role (groups)". */
export function rolesFor(model: Model, env: string, actions: readonly string[]): ModelRole[] {
  return model.roles.filter((r) => r.environments.includes(env) && r.actions.some((a) => actions.includes(a)));
}

export function roleList(roles: readonly ModelRole[], fallback: string): string {
  if (roles.length === 0) return escapeText(fallback);
  return roles.map((r) => (r.groups.length > 0 ? `${code(r.name)} (${r.groups.map(code).join(", ")})` : code(r.name))).join(", ");
}

function deploymentsOf(model: Model, env: ModelEnvironment): ModelDeployment[] {
  return [...lookup(model).deploymentsOfEnvironment(env.name)];
}

function rungView(model: Model, env: ModelEnvironment, outline: Outline) {
  const from = env.promoteFrom!;
  const fromServices = new Set(lookup(model).deploymentsOfEnvironment(from).map((d) => d.service));
  const deployments = deploymentsOf(model, env).filter((d) => fromServices.has(d.service));
  const branch = `promote-${from}-to-${env.name}`;
  const edit = [
    `git switch -c ${q(branch)}`,
    ...commandPerItem(deployments, (d) => shellCommand("plinth", "promote", d.service, "--from", from, "--to", env.name), ["service"], (d) => [d.service], `plinth promote "$service" --from ${q(from)} --to ${q(env.name)}`),
    "plinth build",
    "git add -A",
    `git commit -m ${q(`Promote ${from} to ${env.name}`)}`,
  ];
  const publish =
    env.approval === "none"
      ? [`git push origin ${q(`HEAD:${model.platform.revision}`)}`]
      : [`git push -u origin ${q(branch)}`, `gh pr create --base ${q(model.platform.revision)} --fill`];
  const sync = env.sync === "manual" ? commandPerItem(deployments, (d) => `argocd app sync ${q(d.application)}`, ["application"], (d) => [d.application], 'argocd app sync "$application"') : [];
  const release = (d: ModelDeployment) => [d.releaseName, d.namespace];
  const watch = commandPerItem(
    deployments.filter((d) => usesArgoRollouts(rolloutOf(model, d.rollout))),
    (d) => `kubectl argo rollouts get rollout ${q(d.releaseName)} -n ${q(d.namespace)} --watch`,
    ["release", "namespace"],
    release,
    'kubectl argo rollouts get rollout "$release" -n "$namespace" --watch',
  );
  const promote = commandPerItem(
    deployments.filter((d) => waitsForPromotion(rolloutOf(model, d.rollout))),
    (d) => `kubectl argo rollouts promote ${q(d.releaseName)} -n ${q(d.namespace)}`,
    ["release", "namespace"],
    release,
    'kubectl argo rollouts promote "$release" -n "$namespace"',
  );
  const approvers = rolesFor(model, env.name, ["approve", "promote"]);
  const syncers = rolesFor(model, env.name, ["sync"]);
  const waitsAfterMerge = sync.length > 0 || promote.length > 0;
  const gate =
    env.approval === "none"
      ? "No review: the commit goes straight to the tracked branch."
      : env.approval === "pr"
        ? "A reviewed pull request: merging it is the approval."
        : waitsAfterMerge
          ? `A reviewed pull request, then a manual approval after the merge: nothing reaches ${env.name} until a person acts.`
          : `A reviewed pull request plus an explicit approval by an approver before the merge. Nothing after the merge waits for a person (ArgoCD syncs by itself and the rollout never pauses indefinitely), so the merge is the last gate.`;
  return {
    heading: outline.heading(3, `From ${from} to ${env.name}`),
    gate: `${escapeText(gate)} Approvers: ${roleList(approvers, "no role in the spec grants approve or promote here")}.`,
    empty: deployments.length === 0,
    emptyText: escapeText(`No service runs in both ${from} and ${env.name}.`),
    edit: codeBlock("sh", [...edit, ...publish]),
    showSync: sync.length > 0,
    syncText: `${escapeText(`ArgoCD does not sync ${env.name} by itself: after the merge,`)} ${roleList(syncers, "an operator")} syncs each application:`,
    sync: codeBlock("sh", sync),
    autoSyncText: escapeText(env.sync === "auto" ? `After the merge ArgoCD syncs ${env.name} by itself.` : ""),
    showWatch: watch.length > 0 || promote.length > 0,
    watch: codeBlock("sh", [...watch, ...promote]),
    watchText:
      promote.length > 0
        ? escapeText("Watch the rollout; it pauses for a person, who promotes it once the analysis and dashboards look right:")
        : escapeText("Watch the rollout; its analysis rolls it back by itself when a metric fails:"),
  };
}

function rollbackView(model: Model, env: ModelEnvironment, outline: Outline) {
  const deployments = deploymentsOf(model, env);
  const rollouts = new Set(deployments.filter((d) => usesArgoRollouts(rolloutOf(model, d.rollout))));
  const release = (d: ModelDeployment) => [d.releaseName, d.namespace];
  const abort = (d: ModelDeployment) => [`kubectl argo rollouts abort ${q(d.releaseName)} -n ${q(d.namespace)}`, `kubectl argo rollouts undo ${q(d.releaseName)} -n ${q(d.namespace)}`];
  const undo = (d: ModelDeployment) => `kubectl -n ${q(d.namespace)} rollout undo deployment/${q(d.releaseName)}`;
  const commands =
    deployments.length <= LISTED_IN_FULL
      ? deployments.flatMap((d) => (rollouts.has(d) ? abort(d) : [undo(d)]))
      : [
          ...commandPerItem([...rollouts], (d) => abort(d).join(" && "), ["release", "namespace"], release, 'kubectl argo rollouts abort "$release" -n "$namespace" && kubectl argo rollouts undo "$release" -n "$namespace"'),
          ...commandPerItem(deployments.filter((d) => !rollouts.has(d)), undo, ["release", "namespace"], release, 'kubectl -n "$namespace" rollout undo deployment/"$release"'),
        ];
  const branch = `rollback-${env.name}`;
  const revert = [
    `git switch -c ${q(branch)}`,
    // The newest commit that changed one of this environment's digests.
    `PROMOTION="$(git log -n 1 --format=%H -G ${q(`^[[:space:]]+${env.name}:`)} -- ${LOCK_FILE})"`,
    'git revert --no-edit "$PROMOTION"',
    "plinth build",
    "git add -A",
    `git commit --amend --no-edit`,
    ...(env.approval === "none" ? [`git push origin ${q(`HEAD:${model.platform.revision}`)}`] : [`git push -u origin ${q(branch)}`, `gh pr create --base ${q(model.platform.revision)} --fill`]),
  ];
  return {
    heading: outline.heading(3, `Roll back ${env.name}`),
    empty: deployments.length === 0,
    emptyText: escapeText(`No service runs in ${env.name}.`),
    immediate: codeBlock("sh", commands),
    selfHeal: env.selfHeal
      ? escapeText(`Self-heal is on in ${env.name}: ArgoCD puts back what Git says, so the undo holds only until the next sync. Revert the release in Git right away.`)
      : escapeText(`Self-heal is off in ${env.name}: the undo holds until the next sync. Revert the release in Git before anyone syncs.`),
    revert: codeBlock("sh", revert),
    who: roleList(rolesFor(model, env.name, ["action", "override"]), "an operator with access to the namespace"),
  };
}

/** What a rung runs of a service: its digest and chart version, or a dash. */
function releaseCell(model: Model, service: string, environment: string): string {
  const digest = model.releases[service]?.[environment];
  if (digest === undefined) return "—";
  const chart = lookup(model).deployment(service, environment)?.chart.version;
  return chart === undefined ? code(digest) : `${code(digest)} (chart ${code(chart)})`;
}

export function promotionView(model: Model) {
  const outline = new Outline();
  const title = outline.heading(1, `Promotion of ${model.platform.name}`);
  const rungs = model.environments.filter((e) => e.promotable && e.promoteFrom !== undefined);
  const firstRungs = model.environments.filter((e) => e.promotable && e.promoteFrom === undefined);
  const promotable = model.environments.filter((e) => e.promotable);
  const showContents = rungs.length > 1;
  const contentsHeading = showContents ? outline.heading(2, "Contents", false) : "";
  const ladderHeading = outline.heading(2, "Ladder");
  const gatesHeading = outline.heading(2, "Gates");
  const gates = table(
    ["From", "To", "Gate", "Sync after merge", "Who approves"],
    rungs.map((env) => [
      code(env.promoteFrom!),
      code(env.name),
      escapeText(gateLabel(env.approval)),
      escapeText(env.sync === "auto" ? "automatic" : "manual (argocd app sync)"),
      roleList(rolesFor(model, env.name, ["approve", "promote"]), "—"),
    ]),
  );
  const releasesHeading = outline.heading(2, "What runs where");
  const services = Object.keys(model.releases).sort();
  const releases = table(
    ["Service", ...promotable.map((e) => code(e.name))],
    services.map((service) => [code(service), ...promotable.map((e) => releaseCell(model, service, e.name))]),
  );
  const promoteHeading = outline.heading(2, "Promote a release");
  const promotions = rungs.map((env) => rungView(model, env, outline));
  const rollbackHeading = outline.heading(2, "Roll back");
  const rollbacks = promotable.map((env) => rollbackView(model, env, outline));
  const rolesHeading = model.roles.length > 0 ? outline.heading(2, "Roles") : "";
  return {
    title,
    intro: escapeText(
      `Images are built once and promoted by digest, never rebuilt: the same digest runs on every rung, with the same chart version. ${LOCK_FILE}, beside the spec, records the digest and chart version each environment runs and what it ran before; plinth promote copies both one rung up, and the pull request that carries the change is the gate. A rung only runs what the rung below has run, or rolls back to what it ran itself.`,
    ),
    entry: [
      firstRungs.length > 0
        ? `${escapeText(`New builds enter the ladder at ${firstRungs.map((e) => e.name).join(", ")}: after each build CI runs`)} ${code(`plinth promote <service> --to ${firstRungs[0]!.name} --digest <sha256:…>`)}${escapeText(`, which records the digest in ${LOCK_FILE}.`)}`
        : "",
      model.environments.some((e) => e.preview)
        ? `${escapeText("Previews run the pull request's image by digest when CI writes it to")} ${code("previews/pr-<number>/<service>.image.yaml")} ${escapeText("in the GitOps repository")} (${code("image: {digest: sha256:…}")})${escapeText(", and by the head commit's tag otherwise.")}`
        : "",
    ]
      .filter((line) => line !== "")
      .join(" "),
    showContents,
    contentsHeading,
    contents: outline.tableOfContents(3),
    ladderHeading,
    ladder: ladderDiagram(model),
    gatesHeading,
    gates: rungs.length > 0 ? gates : escapeText("The ladder has a single rung: nothing is promoted."),
    releasesHeading,
    releases: services.length > 0 ? releases : escapeText(`${LOCK_FILE} pins no digest yet.`),
    promoteHeading,
    promotions,
    rollbackHeading,
    rollbackIntro: escapeText(
      "First stop the bad release in the cluster, then make the rollback permanent by reverting its promotion in Git; the next promotion goes through the gates again.",
    ),
    rollbacks,
    showRoles: model.roles.length > 0,
    rolesHeading,
    roles: table(
      ["Role", "Groups", "Environments", "Actions"],
      model.roles.map((r) => [code(r.name), r.groups.map(code).join(", "), r.environments.map(code).join(", "), r.actions.map(code).join(", ")]),
    ),
  };
}
