import type { DeployNode, Model, ModelCluster } from "../../compiler/model.js";
import { lookup } from "../../compiler/model-lookup.js";
import { code, codeBlock, escapeText, table } from "../shared/markdown.js";
import { Outline } from "./outline.js";

/**
 * One entry of the install order: a stack, a step, a prerequisite, or a cluster's sync waves
 * between two operator actions (the root application syncs those by itself).
 */
type Entry = { kind: "node"; node: DeployNode } | { kind: "waves"; cluster: ModelCluster; waves: number[] };

/** The install order: the deploy graph's levels, with each cluster's run of sync waves collapsed into one entry. */
function installOrder(model: Model): Entry[] {
  const entries: Entry[] = [];
  const clusters = lookup(model);
  // Per cluster: the waves already placed, and the latest entry that a wave may join or must follow.
  const placed = new Map<string, Set<number>>();
  const latestOwn = new Map<string, Entry>();
  const position = new Map<Entry, number>();
  let latestShared: Entry | undefined;
  const add = (entry: Entry) => {
    position.set(entry, entries.length);
    entries.push(entry);
    if (entry.kind === "waves") latestOwn.set(entry.cluster.name, entry);
    else if (entry.node.cluster === undefined) latestShared = entry;
    else latestOwn.set(entry.node.cluster, entry);
  };
  for (const node of model.deploy.nodes) {
    if (node.kind === "builtin") continue;
    if (node.kind !== "sync") {
      add({ kind: "node", node });
      continue;
    }
    const cluster = clusters.cluster(node.cluster!)!;
    const waves = placed.get(cluster.name) ?? new Set<number>();
    placed.set(cluster.name, waves);
    // A wave is one entry: its objects sync together.
    if (waves.has(node.wave!)) continue;
    waves.add(node.wave!);
    // Join the latest waves entry of this cluster unless an operator action came after it.
    const own = latestOwn.get(cluster.name);
    const last = own === undefined ? latestShared : latestShared === undefined ? own : position.get(own)! > position.get(latestShared)! ? own : latestShared;
    if (last?.kind === "waves") last.waves.push(node.wave!);
    else add({ kind: "waves", cluster, waves: [node.wave!] });
  }
  return entries;
}

function stackPurpose(model: Model, node: DeployNode): string {
  if (node.id.endsWith("/bootstrap")) return "Installs ArgoCD and the root application, which starts the sync.";
  if (!node.id.endsWith("/config")) return "Cloud and platform resources of the cluster.";
  const vault = model.secretStores.some((s) => s.backend === "vault" && s.placements.some((p) => p.cluster === node.cluster));
  const keys = model.objectStoreUsers.some((u) => u.cluster === node.cluster && u.placement.kind !== "none");
  return [vault ? "Vault's mounts, auth and policies for External Secrets." : "", keys ? "Places the MinIO users' keys (from the infra stack's state) where their consumers read them." : ""].filter(Boolean).join(" ");
}

function stackBackend(model: Model, node: DeployNode) {
  const cluster = model.clusters.find((c) => c.name === node.cluster)!;
  return cluster.stateBackends[node.id.endsWith("/bootstrap") ? "bootstrap" : node.id.endsWith("/config") ? "config" : "infra"];
}

function stackCommands(model: Model, node: DeployNode): string[] {
  const cluster = model.clusters.find((c) => c.name === node.cluster)!;
  const folder = node.id.endsWith("/bootstrap") ? cluster.stacks.bootstrap : node.id.endsWith("/config") ? cluster.stacks.config : cluster.stacks.infra;
  return [`tofu -chdir=opentofu/${folder} init`, `tofu -chdir=opentofu/${folder} apply`];
}

const STAGED = "Values are prompted without echo and staged only in a private temporary folder that the commands remove.";

const waitsFor = (node: DeployNode) => [...new Set(node.needs.map((n) => n.resource))].map(code).join(", ");

export function firstInstallView(model: Model) {
  const outline = new Outline();
  const title = outline.heading(1, "First install", false);
  const contentsHeading = outline.heading(2, "Contents", false);
  const orderHeading = outline.heading(2, "Order at a glance");
  const prerequisites = model.deploy.nodes.filter((n) => n.kind === "prerequisite");
  const prerequisitesHeading = prerequisites.length > 0 ? outline.heading(2, "Prerequisites") : "";
  const stepsHeading = outline.heading(2, "Steps");
  const entries = installOrder(model);

  const entryTitle = (entry: Entry) =>
    entry.kind === "waves"
      ? `${entry.cluster.name}: ArgoCD syncs wave${entry.waves.length > 1 ? "s" : ""} ${entry.waves.join(", ")}`
      : `${entry.node.cluster !== undefined ? `${entry.node.cluster}: ` : ""}${entry.node.title}`;
  const steps = entries.map((entry, i) => {
    const heading = outline.heading(3, `${i + 1}. ${entryTitle(entry)}`);
    if (entry.kind === "waves") {
      const cluster = entry.cluster;
      const root = cluster.rootApplication;
      const first = entries.findIndex((e) => e.kind === "waves" && e.cluster.name === cluster.name) === i;
      const manual = !cluster.rootSync.automated;
      // A sync gives up after its retries when an object turns Degraded while it waits for an operator
      // step; after such steps the root is told to go on. A manual root is started by hand.
      const start = manual
        ? [`argocd app sync ${root} --async`, "# Platform components are manual too: sync them as their wave comes up.", `argocd app sync -l plinth.dev/component --async`]
        : first
          ? []
          : [`argocd app terminate-op ${root} || true`, `argocd app sync ${root} --async`];
      return {
        heading,
        text: `The root application ${code(root)} applies these waves in order, each once the previous one is healthy (see ${escapeText(`"${cluster.name}: sync waves"`)} below).${
          first && !manual ? " It starts by itself." : manual ? " It syncs only when asked." : " Resume it: it may have given up while it waited for the steps above."
        } Go on with the next step as soon as what it needs exists.`,
        commands: codeBlock("sh", [...start, `argocd app get ${root} --refresh`, `kubectl -n ${cluster.argocdNamespace} get applications`]),
      };
    }
    const node = entry.node;
    const needs = node.needs.length > 0 ? ` Needs ${waitsFor(node)}.` : "";
    const provides = node.provides.length > 0 ? ` Provides ${node.provides.map(code).join(", ")}.` : "";
    switch (node.kind) {
      case "stack":
        return {
          heading,
          text: `${stackPurpose(model, node)}${needs}${provides}${stackBackend(model, node).encrypted === true ? ` Its state is encrypted: export ${code("TF_VAR_state_passphrase")} (the same for every stack of the cluster) before ${code("init")}.` : ""}`,
          commands: codeBlock("sh", stackCommands(model, node)),
        };
      case "prerequisite":
        return {
          heading,
          text: `Declared in the spec as provided out of band: ${escapeText(node.note ?? "")}${provides}${node.commands ? ` ${STAGED}` : ""}`,
          commands: node.commands ? codeBlock("sh", node.commands) : "",
        };
      default:
        return {
          heading,
          text: `${escapeText(node.note ?? "")}${needs}${provides}${node.commands?.some((c) => c.includes("mktemp")) ? ` ${STAGED}` : node.commands?.some((c) => c.includes("read -rs")) ? " Values are prompted without echo and never written down." : ""}`.trim(),
          commands: node.commands ? codeBlock("sh", node.commands) : "",
        };
    }
  });

  const inClusterVault = model.deploy.nodes.some((n) => n.id.endsWith("/step/vault-init"));
  const finalStep = [
    ...model.clusters.map((c) => `argocd app wait ${c.rootApplication} --sync --health --timeout 3600`),
    ...(inClusterVault ? ["# The root token of the Vault initialisation is not needed any more:", "vault token revoke -self"] : []),
  ];
  steps.push({
    heading: outline.heading(3, `${steps.length + 1}. Wait for every root application`),
    text: "The platform is up when each root application is Synced and Healthy:",
    commands: codeBlock("sh", finalStep),
  });

  const clusters = model.clusters.map((cluster) => {
    const heading = outline.heading(2, `${cluster.name}: sync waves`);
    const nodes = model.deploy.nodes.filter((n) => n.kind === "sync" && n.cluster === cluster.name);
    const waves = [...new Set(nodes.map((n) => n.wave!))].sort((a, b) => a - b);
    const rows = waves.map((wave) => {
      const here = nodes.filter((n) => n.wave === wave);
      const earlier = new Set(here.flatMap((n) => n.provides));
      const needs = [...new Set(here.flatMap((n) => n.needs.map((x) => x.resource)))].filter((r) => !earlier.has(r)).sort();
      return [String(wave), here.map((n) => escapeText(n.title)).join(", "), needs.map(code).join(", ") || "—"];
    });
    return {
      heading,
      text: `Every object the root application ${code(cluster.rootApplication)} syncs carries the wave of its place in the deploy graph: what it waits for comes from an earlier wave or an earlier step above. Applications generated by an ApplicationSet are not wave-gated; they sync on their own once the ApplicationSet exists.`,
      waves: table(["wave", "objects", "waits for"], rows, ["right", "left", "left"]),
    };
  });

  return {
    title,
    intro: `From an empty account to a synced platform, in dependency order: every OpenTofu stage, every prerequisite the spec declares, every secret path the ExternalSecrets read (values prompted, never written), Vault initialisation where Vault runs in a cluster, and the sync waves of each root application. The order comes from plinth's deploy graph, the same graph that derives the sync waves and refuses a tree with a need nothing provides (${code("deploy/unprovided")}).`,
    showContents: true,
    contentsHeading,
    contents: outline.tableOfContents(3),
    orderHeading,
    order: table(
      ["#", "step", "kind"],
      entries.map((e, i) => [String(i + 1), escapeText(entryTitle(e)), e.kind === "waves" ? "sync" : e.node.kind]),
      ["right", "left", "left"],
    ),
    hasPrerequisites: prerequisites.length > 0,
    prerequisitesHeading,
    prerequisites: table(
      ["what", "reason"],
      prerequisites.map((p) => [escapeText(p.title), escapeText(p.note ?? "")]),
    ),
    stepsHeading,
    steps,
    clusters,
  };
}
