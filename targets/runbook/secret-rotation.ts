import type { Model, ModelExternalSecret, ModelRole, ModelSecretStore } from "../../compiler/model.js";
import { getOrMake } from "../../compiler/collections.js";
import { lookup } from "../../compiler/model-lookup.js";
import { code, codeBlock, escapeText, indentBlock, table } from "../shared/markdown.js";
import { shellQuote as q } from "../../compiler/formats/shell.js";
import { roleList } from "./promotion.js";
import { Outline } from "./outline.js";

type Entry = ModelExternalSecret["data"][number];

/** Shell variable the operator types the new value into (never written in the runbook). */
const variableFor = (entry: Entry) => `NEW_${entry.secretKey.replace(/[^A-Za-z0-9]+/g, "_").toUpperCase()}`;

function storeLocation(store: ModelSecretStore): string {
  if (store.vault) return `${code(store.vault.server)}, KV ${escapeText(store.vault.kvVersion)} mount ${code(store.vault.mount)}`;
  if (store.aws) return `AWS Secrets Manager in ${code(store.aws.region)}`;
  if (store.kubernetes) return `Secrets in namespace ${code(store.kubernetes.namespace)}`;
  return "—";
}

/** Commands that write new values for the entries that share one path in the store. */
function writeCommands(store: ModelSecretStore | undefined, key: string, entries: Entry[]): string[] {
  // Prompted and not echoed, so the value appears neither on screen nor in shell history.
  const reads = entries.map((e) => `printf 'New value for %s: ' ${q(e.property ?? e.secretKey)} && read -rs ${variableFor(e)} && echo`);
  const pairs = entries.map((e) => `${q(e.property ?? e.secretKey)}="$${variableFor(e)}"`);
  if (store?.vault) {
    const verb = store.vault.kvVersion === "v2" ? "patch" : "put";
    return [`export VAULT_ADDR=${q(store.vault.server)}`, "vault login", ...reads, `vault kv ${verb} -mount=${q(store.vault.mount)} ${q(key)} ${pairs.join(" ")}`];
  }
  if (store?.aws) {
    const region = q(store.aws.region);
    const whole = entries.find((e) => e.property === undefined);
    if (whole) return [...reads, `aws secretsmanager put-secret-value --region ${region} --secret-id ${q(key)} --secret-string "$${variableFor(whole)}"`];
    // Properties are fields of a JSON secret: merge the new values into the current document.
    const merge = entries.map((e) => `.[${JSON.stringify(e.property)}] = $${variableFor(e)}`).join(" | ");
    const args = entries.map((e) => `--arg ${variableFor(e)} "$${variableFor(e)}"`).join(" ");
    return [
      ...reads,
      `CURRENT="$(aws secretsmanager get-secret-value --region ${region} --secret-id ${q(key)} --query SecretString --output text)"`,
      `aws secretsmanager put-secret-value --region ${region} --secret-id ${q(key)} --secret-string "$(printf '%s' "$CURRENT" | jq -c ${args} ${q(merge)})"`,
    ];
  }
  const namespace = q(store?.kubernetes?.namespace ?? "default");
  const merge = `{stringData: {${entries.map((e) => `${JSON.stringify(e.property ?? e.secretKey)}: $${variableFor(e)}`).join(", ")}}}`;
  const args = entries.map((e) => `--arg ${variableFor(e)} "$${variableFor(e)}"`).join(" ");
  return [...reads, `kubectl -n ${namespace} patch secret ${q(key)} --type merge -p "$(jq -nc ${args} ${q(merge)})"`];
}

/** Who may rotate: roles granted rotate-secrets; without any, roles that may override (operators). */
function rotators(model: Model, secret: ModelExternalSecret): { roles: ModelRole[]; fallback: boolean } {
  const inScope = (r: ModelRole) => secret.environment === undefined || r.environments.includes(secret.environment);
  const granted = model.roles.filter((r) => r.actions.includes("rotate-secrets") && inScope(r));
  if (granted.length > 0) return { roles: granted, fallback: false };
  return { roles: model.roles.filter((r) => r.actions.includes("override") && inScope(r)), fallback: true };
}

function restartCommand(model: Model, secret: ModelExternalSecret): string[] {
  if (secret.service === undefined || secret.environment === undefined) return [];
  const deployment = lookup(model).deployment(secret.service, secret.environment);
  if (!deployment) return [];
  const rollout = deployment.rollout === undefined ? undefined : lookup(model).rollout(deployment.rollout);
  return rollout?.strategy === "canary" || rollout?.strategy === "blueGreen"
    ? [`kubectl argo rollouts restart ${q(deployment.releaseName)} -n ${q(deployment.namespace)}`]
    : [`kubectl -n ${q(deployment.namespace)} rollout restart deployment/${q(deployment.releaseName)}`];
}

function secretView(model: Model, secret: ModelExternalSecret, outline: Outline) {
  const store = lookup(model).secretStore(secret.store);
  const byKey = new Map<string, Entry[]>();
  for (const entry of secret.data) byKey.set(entry.key, [...(byKey.get(entry.key) ?? []), entry]);
  const write = [...byKey.entries()].flatMap(([key, entries]) => writeCommands(store, key, entries));
  const resync = [
    `kubectl annotate externalsecret ${q(secret.name)} -n ${q(secret.namespace)} force-sync=$(date +%s) --overwrite`,
    `kubectl -n ${q(secret.namespace)} get externalsecret ${q(secret.name)}`,
  ];
  const restart = restartCommand(model, secret);
  const who = rotators(model, secret);
  return {
    heading: outline.heading(2, `Secret ${secret.name} in ${secret.namespace}`),
    summary: table(
      ["Setting", "Value"],
      [
        ["Kubernetes Secret", `${code(secret.name)} in namespace ${code(secret.namespace)} on cluster ${code(secret.cluster)}`],
        ["Purpose", secret.purpose !== undefined ? escapeText(secret.purpose) : "—"],
        ["Store", `${code(secret.store)} (${escapeText(secret.storeKind)}${store ? `, ${escapeText(store.backend)}` : ""})`],
        ["Rotation period", secret.rotation !== undefined ? escapeText(`every ${secret.rotation}`) : "not set: rotate when a value may have leaked"],
        ["Refresh interval", escapeText(`External Secrets re-reads the store every ${secret.refreshInterval}`)],
        ["Who may rotate", `${roleList(who.roles, "no role in the spec: whoever administers the store")}${who.fallback && who.roles.length > 0 ? escapeText(" (no role grants rotate-secrets; operators who may override)") : ""}`],
      ],
    ),
    data: table(
      ["Key in the Secret", "Path in the store", "Property"],
      secret.data.map((entry) => [code(entry.secretKey), code(store?.vault ? `${store.vault.mount}/${entry.key}` : entry.key), entry.property !== undefined ? code(entry.property) : "whole secret"]),
    ),
    writeText: escapeText(secret.data.length > 1 ? "Write the new values to the store:" : "Write the new value to the store:"),
    // Indented to belong to the numbered step above it.
    write: indentBlock(codeBlock("sh", write), 3),
    resync: indentBlock(codeBlock("sh", resync), 3),
    showRestart: restart.length > 0,
    restart: indentBlock(codeBlock("sh", restart), 3),
  };
}

/**
 * How one service secret is restarted into its pods: the deployment (or Argo Rollout) of the service
 * in the secret's environment reads it as environment variables.
 */
function restartTarget(model: Model, secret: ModelExternalSecret): { kind: "deployment" | "rollout"; release: string } | undefined {
  if (secret.service === undefined || secret.environment === undefined) return undefined;
  const deployment = lookup(model).deployment(secret.service, secret.environment);
  if (!deployment) return undefined;
  const rollout = deployment.rollout === undefined ? undefined : lookup(model).rollout(deployment.rollout);
  return { kind: rollout?.strategy === "canary" || rollout?.strategy === "blueGreen" ? "rollout" : "deployment", release: deployment.releaseName };
}

/**
 * Service secrets: one ExternalSecret per service and environment. The runbook groups them so it
 * grows with the number of services, not services × environments: the secrets of a service that
 * differ only by their environment (namespace, cluster, the key prefix of the environment's store)
 * share one row per key, and the environments table gives what differs.
 */
interface ServiceSecretGroup {
  service: string;
  secret: ModelExternalSecret;
  environments: string[];
  /** Paths with the environment's key prefix written as `$PREFIX`. */
  paths: string[];
  restart?: { kind: "deployment" | "rollout"; release: string };
}

const PREFIX = "$PREFIX";

function serviceSecretGroups(model: Model, secrets: readonly ModelExternalSecret[]): ServiceSecretGroup[] {
  const groups: ServiceSecretGroup[] = [];
  // A service's groups, to find the one a secret joins by comparing fields (not a key per secret).
  const ofService = new Map<string, ServiceSecretGroup[]>();
  for (const secret of secrets) {
    const prefix = lookup(model).environment(secret.environment!)?.secrets;
    const paths = secret.data.map((e) => (prefix && prefix.store === secret.store && e.key.startsWith(`${prefix.prefix}/`) ? `${PREFIX}/${e.key.slice(prefix.prefix.length + 1)}` : e.key));
    const restart = restartTarget(model, secret);
    const candidates = getOrMake(ofService, secret.service!, () => []);
    const known = candidates.find((group) => sameGroup(group, secret, paths, restart));
    if (known) known.environments.push(secret.environment!);
    else {
      const group: ServiceSecretGroup = { service: secret.service!, secret, environments: [secret.environment!], paths, ...(restart && { restart }) };
      candidates.push(group);
      groups.push(group);
    }
  }
  // By service, each service's groups in the order of their first environment.
  return groups.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
}

/** Whether a service's secret reads like the group's in every way but its environment. */
function sameGroup(group: ServiceSecretGroup, secret: ModelExternalSecret, paths: readonly string[], restart: ServiceSecretGroup["restart"]): boolean {
  const first = group.secret;
  if (first.name !== secret.name || first.store !== secret.store || first.storeKind !== secret.storeKind || first.rotation !== secret.rotation || first.refreshInterval !== secret.refreshInterval) return false;
  if (group.restart?.kind !== restart?.kind || group.restart?.release !== restart?.release) return false;
  if (first.data.length !== secret.data.length) return false;
  for (let i = 0; i < secret.data.length; i++) {
    if (first.data[i]!.secretKey !== secret.data[i]!.secretKey || group.paths[i] !== paths[i] || first.data[i]!.property !== secret.data[i]!.property) return false;
  }
  return true;
}

/** The write commands of one store for a key and property the operator sets (`KEY`, `PROPERTY`). */
function writeTemplate(store: ModelSecretStore, wholeSecrets: boolean, properties: boolean): string[] {
  const read = `printf 'New value for %s: ' "$KEY" && read -rs NEW_VALUE && echo`;
  if (store.vault) {
    const login = [`export VAULT_ADDR=${q(store.vault.server)}`, "vault login", read];
    const mount = `-mount=${q(store.vault.mount)}`;
    if (store.vault.kvVersion === "v2") return [...login, `vault kv patch ${mount} "$KEY" "$PROPERTY=$NEW_VALUE"`];
    // KV v1 has no patch and put replaces the whole secret: merge the new field into the current ones.
    return [...login, `vault kv get -format=json ${mount} "$KEY" | jq -c --arg PROPERTY "$PROPERTY" --arg NEW_VALUE "$NEW_VALUE" '.data | .[$PROPERTY] = $NEW_VALUE' | vault kv put ${mount} "$KEY" -`];
  }
  if (store.aws) {
    const region = q(store.aws.region);
    return [
      read,
      ...(wholeSecrets ? ["# whole secret:", `aws secretsmanager put-secret-value --region ${region} --secret-id "$KEY" --secret-string "$NEW_VALUE"`] : []),
      ...(properties
        ? [
            "# one property of a JSON secret: merged into the current document",
            `CURRENT="$(aws secretsmanager get-secret-value --region ${region} --secret-id "$KEY" --query SecretString --output text)"`,
            `aws secretsmanager put-secret-value --region ${region} --secret-id "$KEY" --secret-string "$(printf '%s' "$CURRENT" | jq -c --arg PROPERTY "$PROPERTY" --arg NEW_VALUE "$NEW_VALUE" '.[$PROPERTY] = $NEW_VALUE')"`,
          ]
        : []),
    ];
  }
  const namespace = q(store.kubernetes?.namespace ?? "default");
  return [read, `kubectl -n ${namespace} patch secret "$KEY" --type merge -p "$(jq -nc --arg PROPERTY "$PROPERTY" --arg NEW_VALUE "$NEW_VALUE" '{stringData: {($PROPERTY): $NEW_VALUE}}')"`];
}

function serviceStoreView(store: ModelSecretStore, groups: ServiceSecretGroup[], outline: Outline) {
  const entries = groups.flatMap((g) => g.secret.data);
  const restarts = new Set(groups.map((g) => g.restart?.kind).filter((k) => k !== undefined));
  const restart = [
    ...(restarts.has("deployment") ? [...(restarts.size > 1 ? ["# a Deployment:"] : []), 'kubectl -n "$NAMESPACE" rollout restart deployment/"$RELEASE"'] : []),
    ...(restarts.has("rollout") ? [...(restarts.size > 1 ? ["# an Argo Rollout:"] : []), 'kubectl argo rollouts restart "$RELEASE" -n "$NAMESPACE"'] : []),
  ];
  const restartCell = (g: ServiceSecretGroup) => (g.restart === undefined ? "—" : g.restart.kind === "rollout" ? `Argo Rollout ${code(g.restart.release)}` : `Deployment ${code(g.restart.release)}`);
  return {
    heading: outline.heading(2, `Service secrets in ${store.name}`),
    location: `${escapeText(`Store ${store.name} (${store.kind}, ${store.backend}):`)} ${storeLocation(store)}.`,
    howTo: `To rotate one service's secret in one environment, set ${["NAMESPACE", "PREFIX", "SECRET", "KEY", "PROPERTY", "RELEASE"].map(code).join(", ")} from its row below and its environment's row above (${code("KEY")} is the path with ${code(PREFIX)} replaced by the key prefix), then:`,
    writeText: escapeText("Write the new value to the store:"),
    write: indentBlock(codeBlock("sh", writeTemplate(store, entries.some((e) => e.property === undefined), entries.some((e) => e.property !== undefined))), 3),
    resync: indentBlock(codeBlock("sh", ['kubectl annotate externalsecret "$SECRET" -n "$NAMESPACE" force-sync=$(date +%s) --overwrite', 'kubectl -n "$NAMESPACE" get externalsecret "$SECRET"']), 3),
    showRestart: restart.length > 0,
    restart: indentBlock(codeBlock("sh", restart), 3),
    table: table(
      ["Service", "Secret", "Environments", "Key in the Secret", "Path in the store (KEY)", "Property (PROPERTY)", "Rotation", "Restart (RELEASE)"],
      groups.flatMap((g) =>
        g.secret.data.map((entry, i) => [
          code(g.service),
          code(g.secret.name),
          g.environments.map(code).join(", "),
          code(entry.secretKey),
          code(g.paths[i]!),
          entry.property !== undefined ? code(entry.property) : store.vault ? code(entry.secretKey) : "whole secret",
          g.secret.rotation !== undefined ? escapeText(`every ${g.secret.rotation}`) : "—",
          restartCell(g),
        ]),
      ),
    ),
  };
}

export function secretRotationView(model: Model) {
  const outline = new Outline();
  const title = outline.heading(1, `Secret rotation of ${model.platform.name}`);
  const serviceSecrets = model.externalSecrets.filter((s) => s.service !== undefined && s.environment !== undefined);
  const platformSecrets = model.externalSecrets.filter((s) => !(s.service !== undefined && s.environment !== undefined));
  const groupsByStore = new Map<string, ServiceSecretGroup[]>();
  for (const g of serviceSecretGroups(model, serviceSecrets)) {
    const list = groupsByStore.get(g.secret.store);
    if (list) list.push(g);
    else groupsByStore.set(g.secret.store, [g]);
  }
  const serviceStores = model.secretStores.filter((s) => groupsByStore.has(s.name));
  const showContents = serviceStores.length + platformSecrets.length > 2;
  const contentsHeading = showContents ? outline.heading(2, "Contents", false) : "";
  const overviewHeading = outline.heading(2, "Overview");
  const storesHeading = outline.heading(2, "Stores");
  const environments = [...new Set(serviceSecrets.map((s) => s.environment!))];
  const environmentsHeading = serviceSecrets.length > 0 ? outline.heading(2, "Environments of the service secrets") : "";
  const services = serviceStores.map((store) => serviceStoreView(store, groupsByStore.get(store.name)!, outline));
  const secrets = platformSecrets.map((s) => secretView(model, s, outline));
  const where = (environment: string) => {
    const places = [...new Set(serviceSecrets.filter((s) => s.environment === environment).map((s) => `${code(s.namespace)} on ${code(s.cluster)}`))];
    return places.join(", ");
  };
  return {
    title,
    intro: escapeText(
      "Secrets live in their stores; Git and this runbook hold only references. External Secrets copies each one into a Kubernetes Secret. To rotate: write the new value to the store (each command reads it from the terminal without echoing, so it stays out of shell history), then make External Secrets fetch it now instead of at its next refresh.",
    ),
    showContents,
    contentsHeading,
    contents: outline.tableOfContents(2),
    overviewHeading,
    overview:
      model.externalSecrets.length === 0
        ? escapeText("The spec references no secrets.")
        : [
            ...(serviceSecrets.length > 0
              ? [escapeText(`${serviceSecrets.length} service secret${serviceSecrets.length === 1 ? "" : "s"} (one per service and environment), grouped by store below.`)]
              : []),
            ...(platformSecrets.length > 0
              ? [
                  table(
                    ["Secret", "Namespace", "Cluster", "Store", "Rotation", "Refresh"],
                    platformSecrets.map((s) => [code(s.name), code(s.namespace), code(s.cluster), code(s.store), s.rotation !== undefined ? escapeText(s.rotation) : "—", escapeText(s.refreshInterval)]),
                  ),
                ]
              : []),
          ].join("\n\n"),
    storesHeading,
    stores:
      model.secretStores.length > 0
        ? table(
            ["Store", "Kind", "Backend", "Location"],
            model.secretStores.map((s) => [code(s.name), escapeText(s.kind), escapeText(s.backend), storeLocation(s)]),
          )
        : escapeText("No secret stores are declared."),
    showEnvironments: serviceSecrets.length > 0,
    environmentsHeading,
    environments: table(
      ["Environment", "Namespace (NAMESPACE)", "Key prefix (PREFIX)", "Who may rotate", "Refresh"],
      environments.map((name) => {
        const sample = serviceSecrets.find((s) => s.environment === name)!;
        const who = rotators(model, sample);
        const prefix = lookup(model).environment(name)?.secrets?.prefix;
        const refresh = [...new Set(serviceSecrets.filter((s) => s.environment === name).map((s) => s.refreshInterval))].join(", ");
        return [
          code(name),
          where(name),
          prefix !== undefined ? code(prefix) : "—",
          `${roleList(who.roles, "no role in the spec: whoever administers the store")}${who.fallback && who.roles.length > 0 ? escapeText(" (no role grants rotate-secrets; operators who may override)") : ""}`,
          escapeText(refresh),
        ];
      }),
    ),
    services,
    secrets,
  };
}
