import type { DeployNode, Model, ModelCluster, ModelSecretStore } from "../../compiler/model.js";
import { lookup } from "../../compiler/model-lookup.js";
import { shellQuote as q } from "../../compiler/formats/shell.js";
import { code, codeBlock, escapeText, table } from "../shared/markdown.js";
import { LISTED_IN_FULL } from "./format.js";
import { Outline } from "./outline.js";
import { getOrMake, groupBy } from "../../compiler/collections.js";

/**
 * One entry of the install order: a stack, a step, a prerequisite, or a cluster's sync waves
 * between two operator actions (the root application syncs those by itself).
 */
type Entry =
  | { kind: "node"; node: DeployNode }
  | { kind: "waves"; cluster: ModelCluster; waves: number[] }
  | { kind: "secret-paths"; store: ModelSecretStore; cluster?: string; nodes: DeployNode[] };


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
    else if (entry.kind !== "node") return;
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
  return groupedSecretPaths(model, entries);
}

/**
 * Runs of more than LISTED_IN_FULL secret-path steps of one store (and cluster) as one entry: one
 * step with a table of the paths and one command to run per row, so the runbook grows with the
 * services, not with services × environments.
 */
function groupedSecretPaths(model: Model, entries: Entry[]): Entry[] {
  const out: Entry[] = [];
  const runOf = (entry: Entry | undefined) => (entry?.kind === "node" && entry.node.secretPath ? `${entry.node.secretPath.store}\0${entry.node.cluster ?? ""}` : undefined);
  for (let i = 0; i < entries.length; ) {
    const run = runOf(entries[i]);
    let end = i + 1;
    while (run !== undefined && runOf(entries[end]) === run) end++;
    const first = entries[i]!;
    if (run === undefined || end - i <= LISTED_IN_FULL || first.kind !== "node") out.push(...entries.slice(i, end));
    else {
      const nodes = entries.slice(i, end).map((e) => (e as { node: DeployNode }).node);
      out.push({ kind: "secret-paths", store: lookup(model).secretStore(first.node.secretPath!.store)!, ...(first.node.cluster !== undefined && { cluster: first.node.cluster }), nodes });
    }
    i = end;
  }
  return out;
}

/**
 * A run of secret paths as one step: the paths of a service that differ only by their
 * environment's key prefix share a row (`$PREFIX` standing for the prefix), and one command, run
 * per row with KEY and PROPERTIES set from it, writes each.
 */
function secretPathsStep(model: Model, entry: Extract<Entry, { kind: "secret-paths" }>) {
  const prefixes = new Map<string, string[]>();
  for (const env of model.environments) {
    if (env.secrets?.store === entry.store.name) prefixes.set(env.secrets.prefix, [...(prefixes.get(env.secrets.prefix) ?? []), env.name]);
  }
  // Each prefix with its slash, made once (not once per path and prefix).
  const longestFirst = [...prefixes.keys()].sort((a, b) => b.length - a.length).map((prefix) => ({ prefix, start: `${prefix}/` }));
  const rows = new Map<string, { path: string; properties: string[]; environments: string[] }>();
  const used = new Set<string>();
  for (const node of entry.nodes) {
    const { key, properties } = node.secretPath!;
    const prefix = longestFirst.find((p) => key.startsWith(p.start))?.prefix;
    const path = prefix === undefined ? key : `${PREFIX}${key.slice(prefix.length)}`;
    const id = `${path}\0${properties.join("\0")}`;
    const row = getOrMake(rows, id, () => ({ path, properties, environments: [] as string[] }));
    if (prefix !== undefined) {
      for (const environment of prefixes.get(prefix)!) row.environments.push(environment);
      used.add(prefix);
    }
  }
  // What every path of the run needs is named; what each needs of its own (its Secrets Manager secret) by kind.
  const shared = entry.nodes[0]!.needs.map((n) => n.resource).filter((r) => entry.nodes.every((node) => node.needs.some((n) => n.resource === r)));
  const own = [...new Set(entry.nodes.flatMap((node) => node.needs.map((n) => n.resource).filter((r) => !shared.includes(r)).map((r) => r.split(" ")[0]!)))];
  const needs = [...[...new Set(shared)].map(code), ...own.map((kind) => `each path's ${code(kind)}`)];
  const whole = [...rows.values()].some((r) => r.properties.length === 0);
  const some = [...rows.values()].some((r) => r.properties.length > 0);
  return {
    text: [
      `${escapeText(entry.nodes[0]!.note ?? "")}${needs.length > 0 ? ` Needs ${needs.join(", ")}.` : ""} Provides ${code(`SecretPath ${entry.store.name}/…`)} for each path below. ${STAGED_OR_PROMPTED[entry.store.backend]}`,
      used.size > 0
        ? table(
            ["Environment", "Key prefix (PREFIX)"],
            [...prefixes].filter(([prefix]) => used.has(prefix)).flatMap(([prefix, environments]) => environments.map((env) => [code(env), code(prefix)])),
          )
        : "",
      `For each row, set ${code("KEY")} to its path (${code(PREFIX)} replaced by each of its environments' key prefix) and ${code("PROPERTIES")} to its properties, space-separated, then run the commands below.`,
      table(
        ["Path (KEY)", "Properties (PROPERTIES)", "Environments"],
        [...rows.values()].map((r) => [code(r.path), r.properties.length > 0 ? r.properties.map(code).join(", ") : "whole secret", r.environments.map(code).join(", ") || "—"]),
      ),
    ]
      .filter((part) => part !== "")
      .join("\n\n"),
    commands: codeBlock("sh", secretPathTemplate(entry, whole, some)),
  };
}

const PREFIX = "$PREFIX";
const STAGED_OR_PROMPTED: Record<ModelSecretStore["backend"], string> = {
  vault: "Values are prompted without echo and never written down.",
  "aws-secrets-manager": "Values are prompted without echo and never written down.",
  kubernetes: "Values are prompted without echo and staged only in a private temporary folder that the commands remove.",
};

/** The commands of one row, for the store's backend: the values prompted (never echoed) into JSON piped to the store's CLI, or files in a private folder. */
function secretPathTemplate(entry: Extract<Entry, { kind: "secret-paths" }>, whole: boolean, properties: boolean): string[] {
  const store = entry.store;
  if (store.kubernetes) {
    const context = entry.cluster ?? "";
    return [
      "dir=$(umask 077; mktemp -d)",
      `for p in \${PROPERTIES:-value}; do read -rsp "$p: " v; echo; printf '%s' "$v" > "$dir/$p"; done`,
      `kubectl --context ${q(context)} -n ${q(store.kubernetes.namespace)} create secret generic "$KEY" --from-file="$dir"`,
      'rm -rf "$dir"',
    ];
  }
  const prompt = [
    ...(whole ? [...(properties ? ["# a row without properties:"] : []), "read -rsp 'Whole secret as a JSON object: ' json; echo"] : []),
    ...(properties
      ? [
          ...(whole ? ["# a row with properties:"] : []),
          "json='{}'",
          `for p in $PROPERTIES; do read -rsp "$p: " v; echo; json="$(printf '%s' "$json" | v="$v" jq -c --arg p "$p" '.[$p] = env.v')"; done`,
        ]
      : []),
  ];
  const write = store.vault
    ? `vault kv put -mount=${q(store.vault.mount)} "$KEY" -`
    : `aws secretsmanager put-secret-value --region ${q(store.aws!.region)} --secret-id "$KEY" --secret-string file:///dev/stdin`;
  return [...prompt, `printf '%s' "$json" | ${write}`];
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

const waitsFor = (node: DeployNode) => resourceList([...new Set(node.needs.map((n) => n.resource))]);

/**
 * Items as a list; a kind with more than LISTED_IN_FULL of them (one per service and
 * environment on a large platform) is counted rather than listed, where its first item was.
 * `sort` orders the items first (by UTF-16 code units, as Array.prototype.sort does), without
 * sorting the members of counted kinds.
 */
function countedList(items: readonly string[], kindOf: (item: string) => string, show: (text: string) => string, sort = false): string {
  const groups = new Map<string, { first: string; count: number; shown?: boolean }>();
  const kinds = items.map((item) => {
    const kind = kindOf(item);
    const group = groups.get(kind);
    if (!group) groups.set(kind, { first: item, count: 1 });
    else {
      group.count++;
      if (sort && item < group.first) group.first = item;
    }
    return kind;
  });
  const entries: { at: string; text: string }[] = [];
  items.forEach((item, i) => {
    const group = groups.get(kinds[i]!)!;
    if (group.count <= LISTED_IN_FULL) entries.push({ at: item, text: show(item) });
    else if (item === group.first && !group.shown) {
      // Counted once, where its first item is (an item may repeat).
      group.shown = true;
      entries.push({ at: item, text: `${group.count} × ${show(kinds[i]!)}` });
    }
  });
  if (sort) entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return entries.map((e) => e.text).join(", ");
}

/** Deploy resources ("Kind name"), counted by kind. */
const resourceList = (resources: readonly string[], sort = false) => countedList(resources, resourceKind(), code, sort);

/**
 * The kind of a resource, its first word. Lists run to thousands of one kind in a row, so a resource
 * that begins with the previous one's kind and a space gets that same string (no copy to make and hash).
 */
function resourceKind(): (resource: string) => string {
  let last = "";
  return (resource) => {
    if (last !== "" && resource.length > last.length && resource.charCodeAt(last.length) === 32 && resource.startsWith(last)) return last;
    const space = resource.indexOf(" ");
    last = space < 0 ? resource : resource.slice(0, space);
    return last;
  };
}
/** Titles of sync nodes ("CloudNativePG Cluster c0-e0/db0"), counted by all but their last word. */
const titleList = (titles: readonly string[]) => countedList(titles, (t) => (t.includes(" ") ? t.slice(0, t.lastIndexOf(" ")) : t), escapeText);

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
      : entry.kind === "secret-paths"
        ? `${entry.cluster !== undefined ? `${entry.cluster}: ` : ""}create ${entry.nodes.length} secret paths in ${entry.store.name}`
        : `${entry.node.cluster !== undefined ? `${entry.node.cluster}: ` : ""}${entry.node.title}`;
  const steps = entries.map((entry, i) => {
    const heading = outline.heading(3, `${i + 1}. ${entryTitle(entry)}`);
    if (entry.kind === "secret-paths") return { heading, ...secretPathsStep(model, entry) };
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
    const provides = node.provides.length > 0 ? ` Provides ${resourceList(node.provides)}.` : "";
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
    const byWave = groupBy(nodes, (n) => n.wave!);
    const rows = [...byWave.keys()]
      .sort((a, b) => a - b)
      .map((wave) => {
        const here = byWave.get(wave)!;
        // Indexed loops: a wave can hold ten thousand objects, and this code runs once.
        const earlier = new Set<string>();
        for (let i = 0; i < here.length; i++) for (let k = 0; k < here[i]!.provides.length; k++) earlier.add(here[i]!.provides[k]!);
        const needs = new Set<string>();
        for (let i = 0; i < here.length; i++) {
          for (let k = 0; k < here[i]!.needs.length; k++) {
            const resource = here[i]!.needs[k]!.resource;
            if (!earlier.has(resource)) needs.add(resource);
          }
        }
        return [String(wave), titleList(here.map((n) => n.title)), resourceList([...needs], true) || "—"];
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
      entries.map((e, i) => [String(i + 1), escapeText(entryTitle(e)), e.kind === "waves" ? "sync" : e.kind === "secret-paths" ? "step" : e.node.kind]),
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
