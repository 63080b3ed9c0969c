import type { Model } from "../../compiler/model.js";
import { formatDuration } from "../../spec/units.js";
import { bulletList, code, codeBlock, escapeText, table } from "../shared/markdown.js";
import { shellCommand, shellQuote } from "../../compiler/formats/shell.js";
import { ENGINES } from "./engines.js";
import { type BundlePlan, type BundleSecret, secretFilePath, secretMountPath } from "./plan.js";
import { preReleaseServiceName, SEED_PROFILE } from "./compose-file.js";
import { SEED_JOB } from "../../compiler/resolve/deployments.js";
import { groupBy } from "../../compiler/collections.js";

const paragraphs = (...blocks: (string | false | undefined)[]) => `${blocks.filter((b): b is string => typeof b === "string" && b !== "").join("\n\n")}\n`;

/** `secrets/<name>`, the path the operator's shell writes (relative to the bundle folder). */
const secretPath = (name: string) => secretFilePath(name).replace(/^\.\//, "");

type RefSecret = BundleSecret & { source: { kind: "ref" } };

/** What the file must hold: one field's value, or the whole secret as its store hands it over. */
function secretFormat(model: Model, secret: RefSecret): string {
  const ref = secret.source.ref;
  if (ref.property !== undefined) return `one value (what the SaaS keeps in its ${code(ref.property)} field), no trailing newline`;
  const backend = model.secretStores.find((s) => s.name === ref.store)?.backend;
  return backend === "aws-secrets-manager"
    ? "the whole secret as the service reads it (plain text or JSON), no trailing newline"
    : `a JSON object of all the secret's fields, such as ${code('{"field":"value"}')}, no trailing newline`;
}

function partsTable(plan: BundlePlan): string {
  const rows = [
    ...plan.dataServices.map((d) => {
      const ds = d.dataService;
      return [
        code(ds.name),
        escapeText(`data service: ${ds.engine} ${ds.version}`),
        code(ds.composeImage),
        code(`${ds.name}:${ds.port}`),
        "not published",
        d.profile !== undefined ? `always, unless removed from ${code("COMPOSE_PROFILES")} (profile ${code(d.profile)})` : "always",
      ];
    }),
    ...plan.services.map((s) => {
      const inside = s.service.ports.map((p) => code(`${s.service.name}:${p.port}`)).join(", ");
      const published = s.ports.map((p) => `${code(String(p.port))} (set ${code(p.variable)}) → ${p.port}/${p.protocol.toLowerCase()}`).join(", ");
      return [code(s.service.name), "service", code(s.image), inside || "—", published || "not published", "always"];
    }),
  ].sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
  return table(["Name", "Kind", "Image", "Address inside the bundle", "Published on the host", "Starts"], rows);
}

function imageNotes(plan: BundlePlan): string | undefined {
  const pinned = plan.services.filter((s) => s.digest);
  const unpinned = plan.services.filter((s) => !s.digest);
  const lines: string[] = [];
  if (pinned.length > 0) {
    for (const [env, services] of groupBy(pinned, (s) => s.digest!.environment)) {
      lines.push(`${services.map((s) => code(s.service.name)).join(", ")}: pinned to the digest ${code(env)} runs (from the release lock).`);
    }
  }
  if (unpinned.length > 0) {
    lines.push(
      `${unpinned.map((s) => code(s.service.name)).join(", ")}: not pinned, because the release lock has no digest for ${unpinned.length === 1 ? "it" : "them"} yet; Compose pulls the latest tag. Pin a release before relying on this bundle.`,
    );
  }
  return lines.length > 0 ? bulletList(lines) : undefined;
}

function missingNotes(plan: BundlePlan): string | undefined {
  const lines = plan.services
    .filter((s) => s.missing.length > 0)
    .map(
      (s) =>
        `${code(s.service.name)} depends on ${s.missing.map(code).join(", ")}, which the ${escapeText(plan.tier.name)} tier does not run: point it at an external one or expect that feature to be off.`,
    );
  return lines.length > 0 ? paragraphs("Dependencies outside this tier:", bulletList(lines)).trimEnd() : undefined;
}

function backupSection(plan: BundlePlan): string {
  const recovery = plan.tier.recovery;
  const schedule = recovery
    ? paragraphs(
        `The spec promises a recovery point objective (RPO) of ${code(recovery.rpo)} for ${code(recovery.environment)}, the strictest environment on this tier. Run every backup below at least every ${escapeText(formatDuration(recovery.rpoSeconds))}: put the backup commands in a script, for example ${code("backup.sh")} in this folder, and schedule it with cron (in a crontab, write ${code("%")} as ${code("\\%")}, or keep the commands in the script as here):`,
        codeBlock("text", `${recovery.backupSchedule} cd /path/to/this/bundle && ./backup.sh`),
        recovery.rpoSeconds < 900 &&
          "An RPO this short is at the edge of what dumps can give: keep the schedule, check each run finishes within it, and copy the backups folder off this host as often.",
      )
    : paragraphs(
        "No environment on this tier promises a recovery point objective (set `recovery.rpo` on one in the spec): choose how often to run the backups below by how much data you can afford to lose.",
      );
  const parts = plan.dataServices.map((d) => {
    const ds = d.dataService;
    const backup = ENGINES[ds.engine].backup(ds, d.dependents);
    if (!backup)
      return paragraphs(
        `### ${escapeText(ds.name)}`,
        `${code(ds.name)} holds no state worth keeping (the spec marks it not stateful): nothing to back up.`,
      ).trimEnd();
    return paragraphs(
      `### ${escapeText(ds.name)}`,
      `${escapeText(ds.engine)}: ${escapeText(backup.how)}. Backup:`,
      codeBlock("sh", backup.backup),
      `Restore (replace ${code("YYYYMMDDTHHMMSSZ")} with the backup to restore):`,
      codeBlock("sh", backup.restore),
      ds.engine === "vault" && "After a restore Vault is sealed: unseal it with the keys of the backup's time.",
    ).trimEnd();
  });
  return paragraphs(
    "## Backups",
    "Run these from this folder; backups land in `backups/`. Copy that folder off the host: a backup on the same disk does not survive losing it.",
    schedule.trimEnd(),
    ...parts,
  ).trimEnd();
}

export function renderReadme(model: Model, plan: BundlePlan): string {
  // Optional parts start too (COMPOSE_PROFILES in .env), so every Vault of the tier needs unsealing.
  const vaults = plan.dataServices.filter((d) => d.dataService.engine === "vault").map((d) => d.dataService.name);
  const notes = plan.dataServices.flatMap((d) => ENGINES[d.dataService.engine].notes(d.dataService));
  const generated = plan.secrets.filter((s) => s.source.kind === "generated");
  const referenced = plan.secrets.filter((s) => s.source.kind === "ref");
  // Steps are numbered once the list of those that apply is known.
  type Step = { title: string; body: string[] };

  const secretRows = plan.secrets.map((s) => [
    code(secretPath(s.name)),
    escapeText(s.purpose),
    s.source.kind === "ref" ? secretFormat(model, s as RefSecret) : "this bundle's own: generated below",
    s.usedBy.map((u) => `${code(u.name)} (${code(s.source.kind === "ref" ? `${u.variable}_FILE` : u.variable)})`).join(", "),
  ]);

  const secretsStep: Step | undefined =
    plan.secrets.length === 0
      ? undefined
      : {
          title: "Write the secrets",
          body: [
            `Each secret is one file in ${code("secrets/")}. Compose mounts it at ${code(secretMountPath("<name>"))}; services get ${code("<NAME>_FILE")} pointing at it, never the value.`,
            referenced.length > 0 &&
              `The contract with the images: a service that reads ${code("DATABASE_URL")} in the SaaS reads the file named by ${code("DATABASE_URL_FILE")} here, so each service image must support the ${code("_FILE")} convention (the official Postgres, Redis and Vault images do; for your own images, read ${code("<NAME>_FILE")} when ${code("<NAME>")} is unset).`,
            referenced.length > 0 && "These are this host's own secrets: write your own values, never copies of the SaaS's (a self-hosted box must not hold the SaaS's production secrets).",
            table(["File", "What it is", "Format", "Read by"], secretRows),
            generated.length > 0 && "Generate this bundle's own credentials:",
            generated.length > 0 && codeBlock("sh", generated.map((x) => (x.source as { generate: (path: string) => string }).generate(secretPath(x.name)))),
            referenced.length > 0 &&
              `Write each of the others with your own value in the format above, for example ${code("printf '%s' 'VALUE' > secrets/FILE")} (printf adds no newline).${generated.length > 0 ? " Values that embed a credential, such as a connection URL, must use the generated one and the address inside the bundle from the table above." : ""}`,
            "Then keep the files readable: the folder keeps other users of the host out, but Compose bind-mounts each file as it is and each container reads it as its own unprivileged user.",
            codeBlock("sh", shellCommand("chmod", "644", ...plan.secrets.map((x) => secretPath(x.name)))),
          ].filter((block): block is string => typeof block === "string"),
        };

  const optional =
    plan.profiles.length > 0
      ? paragraphs(
          "## Optional parts",
          `Nothing in this tier needs ${plan.profiles.map(code).join(", ")}: each sits behind a profile of its own name. ${code("COMPOSE_PROFILES")} in ${code(".env")} (copied from ${code(".env.example")}) lists ${plan.profiles.length === 1 ? "it" : "them all"}, so ${plan.profiles.length === 1 ? "it starts" : "they start"} with the rest, as the tier promises. To leave one out, remove it from ${code("COMPOSE_PROFILES")} before starting, or stop it later with ${code("docker compose stop <name>")}. To start one that was left out:`,
          codeBlock(
            "sh",
            plan.profiles.map((p) => shellCommand("docker", "compose", "--profile", p, "up", "-d")),
          ),
        ).trimEnd()
      : undefined;

  const hostSettings = plan.services.flatMap((s) => s.hostSettings.map((h) => ({ ...h, service: s.service.name })));
  const settingsNotes = [
    plan.profiles.length > 0 &&
      `${code("COMPOSE_PROFILES")} starts the tier's optional parts (${plan.profiles.map(code).join(", ")}) with the rest; see Optional parts below.`,
    ...hostSettings.map(
      (h) =>
        `${code(h.variable)}: ${code(h.name)} of ${code(h.service)}. The SaaS points it at ${code(h.saasValue)}, a Kubernetes in-cluster address that does not exist here, so the bundle does not copy it: set an address the containers can reach, or leave it empty (the service then gets an empty value).`,
    ),
  ].filter((line): line is string => typeof line === "string");

  const seeded = plan.services.filter((s) => s.service.seedData !== undefined);
  const steps: (Step | undefined)[] = [
    {
      title: "Settings",
      body: [
        `${code("docker compose")} reads ${code(".env")} in this folder: create it from ${code(".env.example")} once, then change what you need. Every setting is described there and none is a secret.`,
        codeBlock("sh", "test -f .env || cp .env.example .env"),
        ...(settingsNotes.length > 0 ? [bulletList(settingsNotes)] : []),
      ],
    },
    { title: "Create the secrets folder", body: ["Only you may enter it:", codeBlock("sh", ["mkdir -p secrets", "chmod 700 secrets"])] },
    secretsStep,
    {
      title: "Check the configuration",
      body: [
        plan.secrets.length > 0
          ? "Both print nothing when the bundle is valid and every secret file is in place and not empty:"
          : "Prints nothing when the bundle is valid:",
        codeBlock("sh", [
          "docker compose config -q",
          ...(plan.secrets.length > 0
            ? [`for f in ${plan.secrets.map((x) => shellQuote(secretPath(x.name))).join(" ")}; do test -s "$f" || echo "missing or empty: $f"; done`]
            : []),
        ]),
      ],
    },
    vaults.length === 0
      ? undefined
      : {
          title: "Start and unseal Vault",
          body: [
            `${vaults.map(code).join(", ")} ${vaults.length === 1 ? "is" : "are"} healthy, and services that need ${vaults.length === 1 ? "it" : "them"} start, only once unsealed. On the first start, initialise it and keep the unseal keys and root token somewhere safe outside this host; after every restart, unseal it again (three times, with three different keys):`,
            codeBlock(
              "sh",
              vaults.flatMap((v) => [
                shellCommand("docker", "compose", "up", "-d", v),
                shellCommand("docker", "compose", "exec", v, "vault", "operator", "init"),
                shellCommand("docker", "compose", "exec", v, "vault", "operator", "unseal"),
              ]),
            ),
          ],
        },
    {
      title: "Start",
      body: [
        `Data services start first; each service waits until the data services it needs are healthy.${plan.profiles.length > 0 ? ` The optional parts start too, through ${code("COMPOSE_PROFILES")} in ${code(".env")}.` : ""}`,
        codeBlock("sh", "docker compose up -d"),
      ],
    },
    {
      title: "Check it runs",
      body: [`Every data service should show ${code("healthy")} and every service ${code("running")}:`, codeBlock("sh", "docker compose ps")],
    },
    seeded.length > 0
      ? {
          title: "Load fixture data (development only)",
          body: [
            `For a development or demo install, ${seeded.map((s) => code(s.service.name)).join(", ")} can load ${seeded.length === 1 ? "its" : "their"} fixture or synthetic data. It never runs on its own (profile ${code(SEED_PROFILE)}); run it by name once the bundle is up, never on an install with real data:`,
            codeBlock("sh", seeded.map((s) => shellCommand("docker", "compose", "run", "--rm", preReleaseServiceName(s.service, SEED_JOB)))),
          ],
        }
      : undefined,
  ];

  return paragraphs(
    `# ${escapeText(plan.platform)}: ${escapeText(plan.tier.name)} tier`,
    escapeText(plan.tier.description),
    `A self-contained Docker Compose bundle generated by plinth from ${code("platform.ts")}: regenerate it rather than edit it. Copy this folder to a host with Docker Engine and the Compose plugin (${code("docker compose version")}) and follow the steps below from inside it.`,
    "## What it runs",
    partsTable(plan),
    imageNotes(plan),
    missingNotes(plan),
    notes.length > 0 && paragraphs("## Before you start", bulletList(notes.map(escapeText))).trimEnd(),
    "## Start it",
    ...steps.filter((x): x is Step => x !== undefined).map((x, i) => paragraphs(`### ${i + 1}. ${x.title}`, ...x.body).trimEnd()),
    optional,
    backupSection(plan),
    upgradeSection(plan),
    "## Stop",
    `${code("docker compose down")} stops and removes the containers; the named volumes (the data) stay. ${code("docker compose down --volumes")} deletes the data too.`,
  );
}

/** Upgrading: back up first, regenerate (what a re-run keeps), pull, restart. */
function upgradeSection(plan: BundlePlan): string {
  return paragraphs(
    "## Upgrade",
    `A new version of the platform comes as a regenerated bundle: run ${code(`plinth compose --tier ${plan.tier.name} --out <this folder>`)} again (or copy in the new bundle's files). Regenerating replaces only what plinth writes — ${["compose.yaml", ".env.example", "README.md", "secrets/README.md", "secrets/.gitignore"].map(code).join(", ")} — and keeps ${code(".env")}, the secret files in ${code("secrets/")}, ${code("backups/")} and the named volumes. It lists the settings ${code(".env.example")} gained since the last run: copy those into ${code(".env")}.`,
    "Back up first (see Backups above) and copy the backups off the host. Then regenerate the bundle, add the settings it reports to `.env`, pull the new images and recreate what changed:",
    codeBlock("sh", ["docker compose config -q", "docker compose pull", "docker compose up -d"]),
    `Switching to another tier is the same with another ${code("--tier")}: plinth then updates ${code("COMPOSE_PROJECT_NAME")} in ${code(".env")} to the new tier's project, whose volumes start empty; restore the backups into it (see Backups) before pointing users at it.`,
  ).trimEnd();
}

export function renderEnvExample(plan: BundlePlan): string {
  const header = [
    `# Settings of the ${plan.platform} ${plan.tier.name} bundle, generated by plinth.`,
    "# Copy to .env and edit. No secret belongs here: secrets are files in ./secrets (see README.md).",
  ];
  const blocks = plan.variables.map((v) => `# ${v.purpose.replace(/\r?\n/g, " ")}\n${v.name}=${v.value}`);
  return `${[header.join("\n"), ...blocks].join("\n\n")}\n`;
}

export function renderSecretsReadme(plan: BundlePlan): string {
  const rows = plan.secrets.map((s) => [code(s.name), escapeText(s.purpose), s.usedBy.map((u) => code(u.name)).join(", ")]);
  return paragraphs(
    `# Secrets of the ${escapeText(plan.platform)} ${escapeText(plan.tier.name)} bundle`,
    `Each secret is a file in this folder holding one value (no trailing newline). Compose mounts it read-only at ${code(secretMountPath("<file>"))} in the containers that read it. The bundle's ${code("README.md")} says how to write each one.`,
    "Keep this folder closed to other users of the host (`chmod 700 secrets`) but the files in it readable (`chmod 644`): Compose bind-mounts them as they are, and containers read them as unprivileged users. Keep it out of version control too: its `.gitignore` ignores everything but this note.",
    plan.secrets.length > 0 ? table(["File", "Purpose", "Read by"], rows) : "This tier needs no secrets.",
  );
}

export const SECRETS_GITIGNORE = "# Secret values never leave this host: ignore everything but this file and the note.\n*\n!.gitignore\n!README.md\n";
