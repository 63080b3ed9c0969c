import type { Model, ModelExternalSecret, ModelRole, ModelSecretStore } from "../../compiler/model.js";
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

export function secretRotationView(model: Model) {
  const outline = new Outline();
  const title = outline.heading(1, `Secret rotation of ${model.platform.name}`);
  const showContents = model.externalSecrets.length > 2;
  const contentsHeading = showContents ? outline.heading(2, "Contents", false) : "";
  const overviewHeading = outline.heading(2, "Overview");
  const storesHeading = outline.heading(2, "Stores");
  const secrets = model.externalSecrets.map((s) => secretView(model, s, outline));
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
      model.externalSecrets.length > 0
        ? table(
            ["Secret", "Namespace", "Cluster", "Store", "Rotation", "Refresh"],
            model.externalSecrets.map((s) => [code(s.name), code(s.namespace), code(s.cluster), code(s.store), s.rotation !== undefined ? escapeText(s.rotation) : "—", escapeText(s.refreshInterval)]),
          )
        : escapeText("The spec references no secrets."),
    storesHeading,
    stores:
      model.secretStores.length > 0
        ? table(
            ["Store", "Kind", "Backend", "Location"],
            model.secretStores.map((s) => [code(s.name), escapeText(s.kind), escapeText(s.backend), storeLocation(s)]),
          )
        : escapeText("No secret stores are declared."),
    secrets,
  };
}
