import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { BUNDLE_MARKER, writeComposeBundle } from "../../compiler/compose-bundle.js";
import { UserError } from "../../compiler/diagnostics.js";
import type { Model, ModelDataService, ModelEnvironment, ModelService } from "../../compiler/model.js";
import { ENGINE_DEFAULTS } from "../../compiler/resolve/components.js";
import { cronMaxGapSeconds } from "../../compiler/resolve/cron.js";
import { cronWithin, resolveTiers } from "../../compiler/resolve/tiers.js";
import { composeBundleFiles, composeTarget } from "../../targets/compose/index.js";
import type { ComposeSpecification, Service } from "../../targets/compose/schema/compose-spec.js";
import type { OutputFile } from "../../targets/types.js";
import { fixtureModel } from "../fixtures/model.js";
import { markdownProblems } from "../support/markdownlint.js";
import { buildExample, EXAMPLES, ROOT } from "../helpers.js";

const SCHEMA_PATH = path.join(ROOT, "targets/compose/schema/compose-spec.json");
const DIGEST = (c: string) => `sha256:${c.repeat(64)}`;

// ---------------------------------------------------------------------------------------------
// A model that exercises every engine, profiles, secrets from each store backend, pinned and
// unpinned images, a dependency outside a tier and strings Compose would interpolate.
// ---------------------------------------------------------------------------------------------

function dataService(name: string, engine: ModelDataService["engine"], version: string, extra: Partial<ModelDataService> = {}): ModelDataService {
  return {
    name,
    engine,
    version,
    stateful: true,
    instances: 1,
    tiers: ["lite", "standard", "full"],
    composeImage: ENGINE_DEFAULTS[engine]!.image(version),
    port: ENGINE_DEFAULTS[engine]!.port,
    placements: [],
    previewPlacements: [],
    overrideEnvironments: [],
    at: ["dataServices", name],
    ...extra,
  };
}

function composeFixture(): Model {
  const model = fixtureModel() as Model & Record<string, unknown>;
  const api = model.services[0]!;
  const apiWithDeps: ModelService = {
    ...api,
    dependsOn: { services: [], dataServices: ["db"] },
    preRelease: [
      { name: "migrate", command: ["/app/migrate", "up"], backoffLimit: 0 },
      { name: "seed", command: ["/app/seed"], args: ["--fixtures=$FIXTURES"], backoffLimit: 1 },
    ],
  };
  const worker: ModelService = {
    ...api,
    name: "worker",
    image: "ghcr.io/acme/worker",
    ports: [
      { name: "metrics", port: 9090, protocol: "TCP", expose: false },
      { name: "syslog", port: 5514, protocol: "UDP", expose: true },
    ],
    env: {
      GREETING: "costs $5 or ${PRICE}",
      MODE: "on",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector.monitoring.svc:4317",
      RETRIES: 3,
      SEARCH_URL: "https://search.data.svc.cluster.local:9200/",
      UPSTREAM: "https://api.example.com/svc",
    },
    secretEnv: [
      { name: "DATABASE_URL", ref: { store: "aws", key: "api/database", property: "url" } },
      { name: "SIGNING_KEYS", ref: { store: "vault", key: "worker/keys" } },
      { name: "TOKEN", ref: { store: "local-secrets", key: "worker-token", property: "token" } },
    ],
    resources: { limits: { cpu: "1500m", memory: "1.5Gi" } },
    probes: {},
    dependsOn: { services: ["api"], dataServices: ["cache", "db", "events", "search"] },
    tiers: ["standard", "full"],
    command: ["/app/worker", "--queue=$QUEUE"],
    caches: [{ name: "git-cache", mountPath: "/var/cache/worker", size: "20Gi" }],
    state: [{ name: "journal", mountPath: "/var/lib/worker", size: "5Gi" }],
    at: ["services", 1],
  };
  const admin: ModelService = {
    ...api,
    name: "admin",
    image: "ghcr.io/acme/admin",
    ports: [{ name: "http", port: 3000, protocol: "TCP", expose: true }],
    env: {},
    secretEnv: [{ name: "DB_URL", ref: { store: "aws", key: "api/database", property: "url" } }],
    resources: undefined,
    probes: {},
    dependsOn: { services: [], dataServices: ["blobs", "db", "vault", "sessions"] },
    tiers: ["full"],
    at: ["services", 2],
  };
  model.services = [admin, apiWithDeps, worker];
  model.dataServices = [
    dataService("archive", "postgres", "18", { tiers: ["full"] }),
    dataService("blobs", "minio", "RELEASE.2025-01-20T14-49-07Z", { tiers: ["full"] }),
    dataService("cache", "redis", "7.4", { stateful: false, tiers: ["standard", "full"], resources: { limits: { memory: "256Mi" } } }),
    dataService("db", "postgres", "16", { resources: { limits: { cpu: "500m", memory: "1Gi" } } }),
    dataService("events", "nats", "2.10", { tiers: ["standard", "full"] }),
    dataService("search", "opensearch", "2.18.0", { tiers: ["full"] }),
    dataService("sessions", "redis", "7.4", { tiers: ["full"] }),
    dataService("vault", "vault", "1.18", { tiers: ["full"], namespace: "security" }),
  ];
  const local: ModelEnvironment = {
    ...model.environments[0]!,
    name: "local",
    index: 4,
    runtime: "compose",
    promotable: false,
    tier: "lite",
    recovery: { rto: "1d", rpo: "6h", rtoSeconds: 86400, rpoSeconds: 21600 },
    at: ["environments", 4],
  };
  delete (local as Partial<ModelEnvironment>).cluster;
  model.environments = [...model.environments, local];
  model.releases = { admin: { local: DIGEST("c"), prod: DIGEST("d") }, api: { dev: DIGEST("a"), prod: DIGEST("b") } };
  model.tiers = resolveTiers(
    [
      { name: "lite", description: "the smallest useful set: api and its database" },
      { name: "standard", description: "adds the worker, its cache and its queue" },
      { name: "full", description: "everything, with the admin console | and its *stores*" },
    ],
    model.services,
    model.dataServices,
    model.environments,
    model.releases,
  );
  return model;
}

// ---------------------------------------------------------------------------------------------
// Helpers: parse, validate with the real consumers' tools.
// ---------------------------------------------------------------------------------------------

type Bundle = { source: string; tier: string; files: Map<string, string> };

function bundlesOf(source: string, files: readonly OutputFile[]): Bundle[] {
  const byTier = new Map<string, Map<string, string>>();
  for (const file of files) {
    const match = /^compose\/([^/]+)\/(.+)$/.exec(file.path);
    if (!match) continue;
    const tier = byTier.get(match[1]!) ?? new Map<string, string>();
    tier.set(match[2]!, file.content);
    byTier.set(match[1]!, tier);
  }
  return [...byTier].map(([tier, tierFiles]) => ({ source, tier, files: tierFiles }));
}

const composeOf = (bundle: Bundle) => parseYaml(bundle.files.get("compose.yaml")!, { strict: true, uniqueKeys: true }) as ComposeSpecification;

let validateSchema: ReturnType<Ajv["compile"]>;
function schemaErrors(document: unknown): string {
  validateSchema ??= (() => {
    // The published schema uses union types and untyped object keywords freely: allow them, keep unknown keywords an error.
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strictTypes: false });
    addFormats.default(ajv);
    // The schema names draft-07 by its https address; Ajv ships the draft-07 meta-schema under the http one.
    const draft07 = JSON.parse(readFileSync(path.join(ROOT, "node_modules/ajv/dist/refs/json-schema-draft-07.json"), "utf8"));
    ajv.addMetaSchema({ ...draft07, $id: "https://json-schema.org/draft-07/schema" });
    return ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, "utf8")));
  })();
  return validateSchema(document) ? "" : JSON.stringify(validateSchema.errors, null, 2);
}

const DOCKER_COMPOSE = spawnSync("docker-compose", ["version"], { encoding: "utf8" });
const HAS_DOCKER_COMPOSE = DOCKER_COMPOSE.status === 0;
const SKIP_DOCKER_COMPOSE = HAS_DOCKER_COMPOSE ? "" : " (SKIPPED: docker-compose is not installed; apt-get install docker-compose)";

const tempDirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** Copies a bundle to a temp folder with an (empty) file for every secret, as the README says to. */
function materialise(bundle: Bundle, compose = bundle.files.get("compose.yaml")!): string {
  const dir = tempDir("plinth-compose-");
  for (const [file, content] of bundle.files) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  writeFileSync(path.join(dir, "compose.yaml"), compose);
  for (const secret of Object.values(composeOf(bundle).secrets ?? {})) writeFileSync(path.join(dir, secret!.file!), "");
  return dir;
}

function dockerComposeConfig(dir: string, ...extra: string[]) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("COMPOSE_") || key.endsWith("_PORT")) delete env[key];
  return spawnSync("docker-compose", ["-f", "compose.yaml", "config", ...extra], { cwd: dir, encoding: "utf8", env });
}

/** Fenced blocks of one language in a Markdown document. */
const codeBlocks = (markdown: string, lang: string) => [...markdown.matchAll(new RegExp("^(`{3,})" + lang + "\\n([\\s\\S]*?)\\n\\1$", "gm"))].map((m) => m[2]!);

/** Every assertion about one bundle that holds for any model. */
async function checkBundle(bundle: Bundle, model: Model): Promise<void> {
  const label = `${bundle.source} ${bundle.tier}`;
  const tier = model.tiers.find((t) => t.name === bundle.tier)!;
  const doc = composeOf(bundle);
  const services = doc.services ?? {};

  // The Compose Specification JSON Schema accepts it.
  expect(schemaErrors(doc), label).toBe("");

  // The file set is the bundle, and no file holds environment values.
  expect([...bundle.files.keys()].sort(), label).toEqual([".env.example", "README.md", "compose.yaml", "secrets/.gitignore", "secrets/README.md"]);

  // Exactly the tier's services (with their pre-release Jobs and seed-data Job) and data services.
  const jobs = tier.services.flatMap((name) => model.services.find((s) => s.name === name)!.preRelease.map((job) => `${name}-${job.name}`));
  const seeds = tier.services.filter((name) => model.services.find((s) => s.name === name)!.seedData).map((name) => `${name}-seed-data`);
  expect(Object.keys(services).sort(), label).toEqual([...tier.services, ...jobs, ...seeds, ...tier.dataServices].sort());
  // Seeding runs only when asked for by name (a profile nothing enables), after the service's migrations and data.
  for (const seed of seeds) {
    const service = seed.slice(0, -"-seed-data".length);
    expect(services[seed]!.profiles, `${label} ${seed}`).toEqual(["seed-data"]);
    expect(services[seed]!.restart).toBe("no");
    expect(services[seed]!.depends_on, `${label} ${seed} waits like ${service}`).toEqual(services[service]!.depends_on);
    expect(bundle.files.get(".env.example") ?? "", label).not.toMatch(/COMPOSE_PROFILES=.*seed-data/);
    expect(bundle.files.get("README.md"), label).toContain(`docker compose run --rm ${seed}`);
  }

  for (const name of tier.dataServices) {
    const ds = model.dataServices.find((d) => d.name === name)!;
    const entry = services[name]!;
    expect(entry.image, label).toBe(ds.composeImage);
    // Every data service reports its health with a real command, and never publishes a port.
    const test = entry.healthcheck?.test as string[];
    expect(["CMD", "CMD-SHELL"], `${label} ${name}`).toContain(test[0]);
    expect(test.length, `${label} ${name}`).toBeGreaterThan(1);
    expect(entry.ports, `${label} ${name}`).toBeUndefined();
    expect(entry.restart).toBe("unless-stopped");
    // Named volume for state, none for a cache.
    const volumes = (entry.volumes ?? []) as string[];
    if (ds.stateful) {
      expect(volumes, `${label} ${name}`).toHaveLength(1);
      expect(Object.keys(doc.volumes ?? {}), label).toContain(volumes[0]!.split(":")[0]);
    } else {
      expect(volumes, `${label} ${name}`).toEqual([]);
    }
  }

  for (const name of tier.services) {
    const service = model.services.find((s) => s.name === name)!;
    const entry = services[name]!;
    expect(entry.restart).toBe("unless-stopped");
    expect(entry.profiles, `${label} ${name}: services always start`).toBeUndefined();
    // Waits for the health of every data service of the tier it depends on.
    const dependsOn = (entry.depends_on ?? {}) as Record<string, { condition: string }>;
    for (const ds of service.dependsOn.dataServices.filter((d) => tier.dataServices.includes(d))) {
      expect(dependsOn[ds]?.condition, `${label}: ${name} waits for ${ds} to be healthy`).toBe("service_healthy");
      expect(services[ds]!.profiles, `${label}: ${ds} is needed by ${name}, so not optional`).toBeUndefined();
    }
    for (const dep of Object.keys(dependsOn)) expect(services[dep], `${label}: ${name} depends on ${dep}, which is in the bundle`).toBeDefined();
    // Ports published exactly where the spec exposes them.
    // `${VAR:-published}:container`: both default to the spec's port.
    const mappings = ((entry.ports ?? []) as string[]).map((p) => /^\$\{[A-Z0-9_]+:-(\d+)\}:(\d+)(?:\/udp)?$/.exec(p));
    expect(mappings.every(Boolean), `${label} ${name}: ports are \${VAR:-N}:N`).toBe(true);
    expect(mappings.map((m) => Number(m![2])), `${label} ${name}`).toEqual(service.ports.filter((p) => p.expose).map((p) => p.port));
    expect(mappings.map((m) => Number(m![1])), `${label} ${name}: published by default on the same port`).toEqual(mappings.map((m) => Number(m![2])));
    // Secrets: files only, `<NAME>_FILE` pointing at the mount, never the variable itself.
    const environment = (entry.environment ?? {}) as Record<string, string>;
    for (const { name: variable } of service.secretEnv) {
      expect(environment[variable], `${label}: ${name} gets no ${variable} value`).toBeUndefined();
      const file = environment[`${variable}_FILE`];
      expect(file, `${label}: ${name} ${variable}_FILE`).toMatch(/^\/run\/secrets\/[a-zA-Z0-9._-]+$/);
      const secretName = file!.slice("/run/secrets/".length);
      expect(entry.secrets as string[], label).toContain(secretName);
      expect(doc.secrets?.[secretName], label).toEqual({ file: `./secrets/${secretName}` });
    }
    // Pinned where the release lock knows a digest.
    const pin = tier.images[name];
    expect(entry.image, label).toBe(pin?.digest ? `${service.image}@${pin.digest}` : service.image);
  }

  // Top-level secrets are files in ./secrets, all of them used.
  const used = new Set(Object.values(services).flatMap((s) => (s!.secrets ?? []) as string[]));
  for (const [name, secret] of Object.entries(doc.secrets ?? {})) {
    expect(Object.keys(secret!), label).toEqual(["file"]);
    expect(secret!.file, label).toBe(`./secrets/${name}`);
    expect(used.has(name), `${label}: secret ${name} is mounted somewhere`).toBe(true);
  }

  // .env.example: every variable the compose file reads, each with a comment, nothing secret.
  const envExample = bundle.files.get(".env.example")!;
  const lines = envExample.split("\n");
  const declared = new Map<string, string>();
  lines.forEach((line, i) => {
    if (line === "" || line.startsWith("#")) return;
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    expect(match, `${label} .env.example line ${i + 1}: ${line}`).not.toBeNull();
    expect(lines[i - 1], `${label}: ${match![1]} has a comment above it`).toMatch(/^# \S/);
    declared.set(match![1]!, match![2]!);
  });
  const read = [...bundle.files.get("compose.yaml")!.matchAll(/(?<!\$)\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!);
  for (const variable of read) expect(declared.has(variable), `${label}: ${variable} is in .env.example`).toBe(true);
  const secretVariables = model.services.flatMap((s) => s.secretEnv.map((e) => e.name));
  for (const [variable, value] of declared) {
    expect(secretVariables, label).not.toContain(variable);
    expect(variable, label).not.toMatch(/PASSWORD|SECRET|TOKEN|KEY/);
    expect(value, label).toMatch(/^[a-z0-9,-]*$/);
  }

  // Kubernetes in-cluster addresses are never copied: each such variable reads an empty-by-default .env setting.
  const composeText = bundle.files.get("compose.yaml")!;
  expect(composeText, `${label}: no in-cluster address in compose.yaml`).not.toMatch(/\.svc(?:\.cluster\.local)?(?=[:/"'\s]|$)|\.cluster\.local\b/m);
  for (const name of tier.services) {
    const service = model.services.find((s) => s.name === name)!;
    const environment = (services[name]!.environment ?? {}) as Record<string, string>;
    for (const [variable, value] of Object.entries(service.env)) {
      if (!/\.svc\b|\.cluster\.local\b/.test(String(value))) continue;
      const setting = /^\$\{([A-Z0-9_]+):-\}$/.exec(environment[variable] ?? "")?.[1];
      expect(setting, `${label}: ${name} ${variable} comes from .env`).toBeDefined();
      expect(declared.get(setting!), `${label}: ${setting} is empty in .env.example`).toBe("");
    }
  }

  // What the tier runs starts with `docker compose up -d`: every profile is enabled in .env.example
  // (but seed data's, run only by name), and the README has .env created from it before the start.
  const profiled = Object.entries(services)
    .filter(([name, s]) => (s!.profiles ?? []).length > 0 && !seeds.includes(name))
    .map(([name]) => name)
    .sort();
  expect(declared.get("COMPOSE_PROFILES")?.split(",").filter(Boolean).sort() ?? [], `${label}: COMPOSE_PROFILES enables every optional part`).toEqual(profiled);

  // Markdown passes markdownlint; every shell block is valid sh.
  const readme = bundle.files.get("README.md")!;
  expect(await markdownProblems({ "README.md": readme, "secrets/README.md": bundle.files.get("secrets/README.md")! }), label).toEqual([]);
  // Every fenced block is sh (the README has no other language), so none escapes the check.
  expect(codeBlocks(readme, "sh").length, `${label}: sh blocks`).toBeGreaterThan(3);
  expect(readme.match(/^```[a-z]*$/gm)!.filter((fence) => fence !== "```").every((fence) => fence === "```sh" || fence === "```text"), `${label}: fences`).toBe(true);
  for (const block of codeBlocks(readme, "sh")) {
    const syntax = spawnSync("sh", ["-n"], { input: block, encoding: "utf8" });
    expect(syntax.stderr, `${label}: sh -n on\n${block}`).toBe("");
    expect(syntax.status).toBe(0);
  }
  // The start steps, in order; every secret file is named.
  const positions = ["test -f .env || cp .env.example .env", "mkdir -p secrets", "docker compose config -q", "docker compose up -d\n", "docker compose ps"].map((s) => readme.indexOf(s));
  expect(
    positions.every((p) => p >= 0),
    `${label}: ${positions}`,
  ).toBe(true);
  expect(
    [...positions].sort((a, b) => a - b),
    label,
  ).toEqual(positions);
  for (const secret of Object.keys(doc.secrets ?? {})) expect(readme, label).toContain(`secrets/${secret}`);
  // One backup section per data service, with its engine's tools.
  for (const name of tier.dataServices) {
    const ds = model.dataServices.find((d) => d.name === name)!;
    const section = readme.slice(readme.indexOf(`### ${name}\n`)).split(/\n### /)[0]!;
    expect(section, `${label}: backup section of ${name}`).toContain(`### ${name}`);
    const tool = !ds.stateful ? "nothing to back up" : ds.engine === "postgres" ? "pg_dump" : ds.engine === "redis" ? "BGSAVE" : "tar czf";
    expect(section, `${label}: ${name}`).toContain(tool);
    if (ds.stateful) expect(section, `${label}: ${name} restore`).toMatch(ds.engine === "postgres" ? /pg_restore/ : /Restore/);
  }
  if (tier.recovery) expect(readme, label).toContain(`${tier.recovery.backupSchedule} cd /path/to/this/bundle && ./backup.sh`);
}

// ---------------------------------------------------------------------------------------------

describe("compose target on a fixture with every engine", () => {
  const model = composeFixture();
  const files = composeTarget.generate(model);
  const bundles = bundlesOf("fixture", files);
  const bundle = (tier: string) => bundles.find((b) => b.tier === tier)!;

  it("writes one bundle per tier, under compose/<tier>/", () => {
    expect(bundles.map((b) => b.tier)).toEqual(["lite", "standard", "full"]);
    expect(files.every((f) => f.path.startsWith("compose/"))).toBe(true);
  });

  it("is byte-deterministic with LF endings and a trailing newline", () => {
    expect(composeTarget.generate(composeFixture())).toEqual(files);
    for (const file of files) {
      expect(file.content.endsWith("\n"), file.path).toBe(true);
      expect(file.content, file.path).not.toContain("\r");
    }
  });

  it.each(["lite", "standard", "full"])("the %s bundle validates, waits for health, keeps secrets in files and documents itself", async (tier) => {
    await checkBundle(bundle(tier), model);
  });

  it("waits for each data service's health, and only starts after the services it needs", () => {
    const full = composeOf(bundle("full")).services!;
    expect(full.worker!.depends_on).toEqual({
      api: { condition: "service_started" },
      cache: { condition: "service_healthy" },
      db: { condition: "service_healthy" },
      events: { condition: "service_healthy" },
      search: { condition: "service_healthy" },
    });
    // search is not in the standard tier: the dependency is dropped and the README says so.
    const standard = composeOf(bundle("standard")).services!;
    expect(Object.keys(standard.worker!.depends_on!)).toEqual(["api", "cache", "db", "events"]);
    expect(bundle("standard").files.get("README.md")).toMatch(/`worker` depends on `search`, which the standard tier does not run/);
  });

  it("runs pre-release Jobs to completion, in order, before the service starts, and gives caches and state a named volume", () => {
    const doc = composeOf(bundle("full"));
    const s = doc.services!;
    expect(s["api-migrate"]).toMatchObject({ image: s.api!.image, entrypoint: ["/app/migrate", "up"], restart: "no", depends_on: { db: { condition: "service_healthy" } } });
    expect(s["api-migrate"]!.environment).toEqual(s.api!.environment);
    expect(s["api-migrate"]!.secrets).toEqual(s.api!.secrets);
    expect(s["api-seed"]).toMatchObject({
      entrypoint: ["/app/seed"],
      command: ["--fixtures=$$FIXTURES"],
      restart: "no",
      depends_on: { db: { condition: "service_healthy" }, "api-migrate": { condition: "service_completed_successfully" } },
    });
    expect(s.api!.depends_on).toEqual({ "api-seed": { condition: "service_completed_successfully" }, db: { condition: "service_healthy" } });
    expect(s.worker!.volumes).toEqual(["worker-git-cache:/var/cache/worker", "worker-journal:/var/lib/worker"]);
    expect(doc.volumes).toHaveProperty("worker-git-cache");
    expect(doc.volumes).toHaveProperty("worker-journal");
  });

  it("uses each engine's own health command", () => {
    const s = composeOf(bundle("full")).services!;
    expect(s.db!.healthcheck!.test).toEqual(["CMD", "pg_isready", "-U", "postgres", "-d", "db"]);
    expect(s.cache!.healthcheck!.test).toEqual(["CMD-SHELL", "redis-cli ping | grep -q PONG"]);
    expect(s.events!.healthcheck!.test).toEqual(["CMD", "wget", "-q", "--spider", "http://127.0.0.1:8222/healthz"]);
    expect(s.events!.command).toEqual(["--jetstream", "--store_dir", "/data", "--http_port", "8222"]);
    expect(s.search!.healthcheck!.test).toEqual(["CMD", "curl", "-fsS", "http://127.0.0.1:9200/_cluster/health?wait_for_status=yellow&timeout=5s"]);
    expect(s.blobs!.healthcheck!.test).toEqual(["CMD", "mc", "ready", "local"]);
    expect(s.vault!.healthcheck!.test).toEqual(["CMD", "vault", "status"]);
    // Postgres 18 images keep their data one level up.
    expect(s.db!.volumes).toEqual(["db-data:/var/lib/postgresql/data"]);
    expect(s.archive!.volumes).toEqual(["archive-data:/var/lib/postgresql"]);
  });

  it("puts data services nothing needs behind a profile of their own name", () => {
    const s = composeOf(bundle("full")).services!;
    expect(s.archive!.profiles).toEqual(["archive"]);
    for (const needed of ["blobs", "cache", "db", "events", "search", "sessions", "vault"]) expect(s[needed]!.profiles, needed).toBeUndefined();
    expect(bundle("full").files.get("README.md")).toContain("docker compose --profile archive up -d");
    expect(bundle("lite").files.get(".env.example")).not.toContain("COMPOSE_PROFILES");
  });

  it("converts resource limits to Compose units", () => {
    const s = composeOf(bundle("full")).services!;
    expect(s.db!.deploy).toEqual({ resources: { limits: { cpus: 0.5, memory: "1g" } } });
    expect(s.worker!.deploy).toEqual({ resources: { limits: { cpus: 1.5, memory: "1536m" } } });
    expect(s.api!.deploy).toEqual({ resources: { limits: { memory: "512m" } } });
    expect(s.admin!.deploy).toBeUndefined();
  });

  it("publishes exposed ports through a variable with the container port as default", () => {
    const s = composeOf(bundle("full")).services!;
    expect(s.worker!.ports).toEqual(["${WORKER_SYSLOG_PORT:-5514}:5514/udp"]);
    expect(s.api!.ports).toEqual(["${API_HTTP_PORT:-8080}:8080"]);
    expect(bundle("full").files.get(".env.example")).toContain("\nWORKER_SYSLOG_PORT=5514\n");
  });

  it("shares one secret file per platform reference, and generates the engines' own credentials", () => {
    const doc = composeOf(bundle("full"));
    expect(Object.keys(doc.secrets!)).toEqual([
      "api-database-url",
      "archive-password",
      "blobs-root-password",
      "blobs-root-user",
      "db-password",
      // The binding contract's password file for the OpenSearch the services use (checked by nothing here).
      "search-admin-password",
      "worker-keys",
      "worker-token-token",
    ]);
    const s = doc.services!;
    expect(s.admin!.environment).toEqual({
      DB_URL_FILE: "/run/secrets/api-database-url",
      // The bindings of the data services it depends on, by the names its Helm values carry.
      BLOBS_HOST: "blobs",
      BLOBS_PORT: "9000",
      DB_DATABASE: "db",
      DB_HOST: "db",
      DB_PASSWORD_FILE: "/run/secrets/db-password",
      DB_PORT: "5432",
      DB_USERNAME: "postgres",
      SESSIONS_HOST: "sessions",
      SESSIONS_PORT: "6379",
      SESSIONS_URL: "redis://sessions:6379",
      VAULT_HOST: "vault",
      VAULT_PORT: "8200",
    });
    expect((s.worker!.environment as Record<string, string>).DATABASE_URL_FILE).toBe("/run/secrets/api-database-url");
    expect(s.db!.environment).toEqual({ POSTGRES_DB: "db", POSTGRES_PASSWORD_FILE: "/run/secrets/db-password", POSTGRES_USER: "postgres" });
    expect(s.blobs!.environment).toEqual({
      MINIO_ROOT_PASSWORD_FILE: "/run/secrets/blobs-root-password",
      MINIO_ROOT_USER_FILE: "/run/secrets/blobs-root-user",
    });
    const readme = bundle("full").files.get("README.md")!;
    expect(readme).toContain("openssl rand -hex 32 | tr -d '\\n' > secrets/db-password");
  });

  it("has the operator write their own secrets: what each is and its format, never where the SaaS keeps them", () => {
    const full = bundle("full").files.get("README.md")!;
    // No command pulls the SaaS's secrets onto the host, whatever the store.
    for (const tool of ["vault kv get", "secretsmanager get-secret-value", "get secret", "VAULT_ADDR="]) expect(full).not.toContain(tool);
    const row = (readme: string, file: string) => readme.split("\n").find((line) => line.startsWith(`| \`secrets/${file}\` |`))!;
    // A bundle goes to outside hosts: the SaaS's store paths stay inside.
    const prodKey = model.externalSecrets.find((e) => e.environment === "prod" && e.service === "api")!.data[0]!;
    expect(prodKey.key).toBe("prod/api/database");
    expect(full).not.toContain(prodKey.key);
    expect(bundle("standard").files.get("README.md")!).not.toContain("dev/api/database");
    // Format: one field's value, or the whole secret as JSON.
    expect(row(full, "api-database-url")).toContain("one value");
    expect(row(full, "worker-keys")).toContain("JSON object");
    expect(full).toContain("write your own values, never copies of the SaaS's");
  });

  it("turns env values that are Kubernetes in-cluster addresses into empty .env settings", () => {
    const full = bundle("full");
    const worker = composeOf(full).services!.worker!.environment as Record<string, string>;
    expect(worker.OTEL_EXPORTER_OTLP_ENDPOINT).toBe("${WORKER_OTEL_EXPORTER_OTLP_ENDPOINT:-}");
    expect(worker.SEARCH_URL).toBe("${WORKER_SEARCH_URL:-}");
    // Not in-cluster: copied as it is.
    expect(worker.UPSTREAM).toBe("https://api.example.com/svc");
    const envExample = full.files.get(".env.example")!;
    expect(envExample).toMatch(/# OTEL_EXPORTER_OTLP_ENDPOINT of worker\. The SaaS sets http:\/\/otel-collector\.monitoring\.svc:4317, a Kubernetes in-cluster address[^\n]*\nWORKER_OTEL_EXPORTER_OTLP_ENDPOINT=\n/);
    expect(full.files.get("compose.yaml")).not.toContain("otel-collector.monitoring.svc");
    expect(full.files.get("README.md")).toContain("`WORKER_OTEL_EXPORTER_OTLP_ENDPOINT`: `OTEL_EXPORTER_OTLP_ENDPOINT` of `worker`");
  });

  it("enables the tier's optional parts in .env.example and has the README create .env before the start", () => {
    expect(bundle("full").files.get(".env.example")).toContain("\nCOMPOSE_PROFILES=archive\n");
    const readme = bundle("full").files.get("README.md")!;
    expect(readme).not.toContain("Optional: `cp .env.example .env`");
    expect(readme.indexOf("test -f .env || cp .env.example .env")).toBeLessThan(readme.indexOf("docker compose up -d\n"));
    expect(readme).toMatch(/\| `archive` \|[^\n]*\| always, unless removed from `COMPOSE_PROFILES`/);
  });

  it("never writes a secret value or an .env file", () => {
    for (const file of files) {
      expect(path.posix.basename(file.path), file.path).not.toBe(".env");
      if (file.path.includes("/secrets/")) expect(["README.md", ".gitignore"], file.path).toContain(path.posix.basename(file.path));
    }
    expect(bundle("full").files.get("secrets/.gitignore")).toBe(
      "# Secret values never leave this host: ignore everything but this file and the note.\n*\n!.gitignore\n!README.md\n",
    );
  });

  it("escapes `$` so Compose keeps values literal", () => {
    const s = composeOf(bundle("full")).services!;
    expect((s.worker!.environment as Record<string, string>).GREETING).toBe("costs $$5 or $${PRICE}");
    expect(s.worker!.entrypoint).toEqual(["/app/worker", "--queue=$$QUEUE"]);
    // YAML 1.1 booleans and numbers stay strings.
    expect((s.worker!.environment as Record<string, string>).MODE).toBe("on");
    expect((s.worker!.environment as Record<string, string>).RETRIES).toBe("3");
    expect(bundle("full").files.get("compose.yaml")).toContain('MODE: "on"');
  });

  it("pins each service by the digest of the compose environment, else of the highest promotable rung", () => {
    const s = composeOf(bundle("full")).services!;
    expect(s.admin!.image).toBe(`ghcr.io/acme/admin@${DIGEST("c")}`); // local, a compose environment
    expect(s.api!.image).toBe(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/api@${DIGEST("b")}`); // prod, above dev
    expect(s.worker!.image).toBe("ghcr.io/acme/worker"); // no digest anywhere
    const readme = bundle("full").files.get("README.md")!;
    expect(readme).toContain("`admin`: pinned to the digest `local` runs");
    expect(readme).toMatch(/`worker`: not pinned/);
  });

  it("schedules backups within the strictest RPO of the tier's environments", () => {
    const model = composeFixture();
    expect(model.tiers.find((t) => t.name === "full")!.recovery).toEqual({ environment: "prod", rpo: "15m", rpoSeconds: 900, backupSchedule: "*/15 * * * *" });
    expect(model.tiers.find((t) => t.name === "lite")!.recovery).toEqual({ environment: "local", rpo: "6h", rpoSeconds: 21600, backupSchedule: "0 */6 * * *" });
    expect(model.tiers.find((t) => t.name === "standard")!.recovery).toBeUndefined();
    expect(bundle("standard").files.get("README.md")).toContain("No environment on this tier promises a recovery point objective");
    // Stateful redis: BGSAVE and dump.rdb; the cache has nothing to keep.
    const readme = bundle("full").files.get("README.md")!;
    expect(readme).toContain("docker compose cp sessions:/data/dump.rdb");
    expect(readme).toContain("`cache` holds no state worth keeping");
    // Postgres restore stops what reads it first.
    expect(readme).toContain("docker compose stop admin api worker\ndocker compose exec -T db pg_restore -U postgres -d db --clean --if-exists");
  });

  it("explains Vault's unsealing and OpenSearch's host setting before the start", () => {
    const readme = bundle("full").files.get("README.md")!;
    expect(readme).toContain("docker compose exec vault vault operator init");
    expect(readme.indexOf("Start and unseal Vault")).toBeLessThan(readme.indexOf("docker compose up -d\n"));
    expect(readme).toContain("vm.max\\_map\\_count");
  });

  it("escapes tier descriptions for Markdown", () => {
    expect(bundle("full").files.get("README.md")).toContain("everything, with the admin console \\| and its \\*stores\\*");
  });
});

describe("cronWithin", () => {
  it("never leaves a gap longer than the RPO (or one minute, cron's finest)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 * 86400 }), (seconds) => {
        expect(cronMaxGapSeconds(cronWithin(seconds))!).toBeLessThanOrEqual(Math.max(60, seconds));
      }),
    );
    expect(cronWithin(900)).toBe("*/15 * * * *");
    expect(cronWithin(7 * 60)).toBe("*/6 * * * *");
    expect(cronWithin(3600)).toBe("0 * * * *");
    expect(cronWithin(5 * 3600)).toBe("0 */4 * * *");
    expect(cronWithin(7 * 86400)).toBe("0 0 * * *");
  });
});

describe("generated Compose types", () => {
  it("make a wrong key a compile error", () => {
    const service: Service = {
      image: "postgres:16-alpine",
      // @ts-expect-error -- not a Compose key (the real one is `restart`)
      restart_policy: "always",
    };
    const healthcheck: Service["healthcheck"] = {
      test: ["CMD", "true"],
      // @ts-expect-error -- not a healthcheck key (the real one is `start_period`)
      startPeriod: "10s",
    };
    expect([service, healthcheck]).toHaveLength(2);
  });

  it("are what the generator makes of the vendored schema", () => {
    const out = path.join(tempDir("plinth-compose-types-"), "compose-spec.ts");
    const run = spawnSync(process.execPath, [path.join(ROOT, "scripts/generate-compose-types.mjs"), out], { cwd: ROOT, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(readFileSync(path.join(ROOT, "targets/compose/schema/compose-spec.ts"), "utf8"));
  });
});

describe.skipIf(!HAS_DOCKER_COMPOSE)(`docker-compose config accepts the bundles${SKIP_DOCKER_COMPOSE}`, () => {
  const model = composeFixture();
  const bundles = bundlesOf("fixture", composeTarget.generate(model));

  it.each(["lite", "standard", "full"])("docker-compose -f compose.yaml config -q accepts the %s bundle", (tier) => {
    const dir = materialise(bundles.find((b) => b.tier === tier)!);
    const result = dockerComposeConfig(dir, "-q");
    expect(result.stderr + result.stdout).toBe("");
    expect(result.status).toBe(0);
  });

  it("rejects a wrong key, so the acceptance above means something", () => {
    const full = bundles.find((b) => b.tier === "full")!;
    const broken = full.files.get("compose.yaml")!.replace("restart: unless-stopped", "restart_policy: unless-stopped");
    const result = dockerComposeConfig(materialise(full, broken), "-q");
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/restart_policy/);
  });

  it.each(["lite", "standard", "full"])("docker-compose lists as profiles exactly what COMPOSE_PROFILES in the %s .env.example enables", (tier) => {
    const bundle = bundles.find((b) => b.tier === tier)!;
    const result = dockerComposeConfig(materialise(bundle), "--profiles");
    expect(result.status, result.stderr).toBe(0);
    const enabled = /^COMPOSE_PROFILES=(.*)$/m.exec(bundle.files.get(".env.example")!)?.[1]?.split(",").filter(Boolean) ?? [];
    expect(result.stdout.split("\n").filter(Boolean).sort()).toEqual(enabled.sort());
    if (tier === "full") expect(enabled).toEqual(["archive"]);
  });

  it("resolves in-cluster settings to the operator's .env value, empty by default", () => {
    const full = bundles.find((b) => b.tier === "full")!;
    const dir = materialise(full);
    const empty = parseYaml(dockerComposeConfig(dir).stdout) as ComposeSpecification;
    expect((empty.services!.worker!.environment as Record<string, string>).OTEL_EXPORTER_OTLP_ENDPOINT).toBe("");
    writeFileSync(path.join(dir, ".env"), full.files.get(".env.example")!.replace("WORKER_OTEL_EXPORTER_OTLP_ENDPOINT=", "WORKER_OTEL_EXPORTER_OTLP_ENDPOINT=http://collector.lan:4317"));
    const set = parseYaml(dockerComposeConfig(dir).stdout) as ComposeSpecification;
    expect((set.services!.worker!.environment as Record<string, string>).OTEL_EXPORTER_OTLP_ENDPOINT).toBe("http://collector.lan:4317");
  });

  it("reads escaped values back literally and fills published ports from the defaults", () => {
    const dir = materialise(bundles.find((b) => b.tier === "full")!);
    const result = dockerComposeConfig(dir);
    expect(result.status, result.stderr).toBe(0);
    const resolved = parseYaml(result.stdout) as ComposeSpecification;
    const worker = resolved.services!.worker!;
    // v1 prints the escaped form again: `$$` in its output is one literal `$` at runtime.
    expect((worker.environment as Record<string, string>).GREETING).toBe("costs $$5 or $${PRICE}");
    expect(JSON.stringify(worker.ports)).toContain("5514");
  });
});

describe("every tier of every example", () => {
  const built = async (name: string) => {
    const { model, files } = await buildExample(name);
    return { model, bundles: bundlesOf(name, files) };
  };

  it.each(EXAMPLES)("%s: each tier's bundle validates, waits for health and documents itself", async (name) => {
    const { model, bundles } = await built(name);
    expect(bundles.map((b) => b.tier).sort()).toEqual(model.tiers.map((t) => t.name).sort());
    for (const bundle of bundles) await checkBundle(bundle, model);
  });

  it.skipIf(!HAS_DOCKER_COMPOSE).each(EXAMPLES)(`%s: docker-compose config -q accepts each tier's bundle${SKIP_DOCKER_COMPOSE}`, async (name) => {
    for (const bundle of (await built(name)).bundles) {
      const result = dockerComposeConfig(materialise(bundle), "-q");
      expect(result.stderr + result.stdout, `${name} ${bundle.tier}`).toBe("");
      expect(result.status).toBe(0);
    }
  });
});

describe("writeComposeBundle", () => {
  const model = composeFixture();

  it("writes the bundle and its marker into a new folder", async () => {
    const out = path.join(tempDir("plinth-bundle-"), "bundle");
    const written = await writeComposeBundle(model, "standard", out);
    expect(written.files.sort()).toEqual([".env.example", BUNDLE_MARKER, "README.md", "compose.yaml", "secrets/.gitignore", "secrets/README.md"].sort());
    expect(written.addedSettings).toEqual([]);
    const expected = composeBundleFiles(
      model,
      model.tiers.find((t) => t.name === "standard")!,
    );
    for (const file of expected) expect(readFileSync(path.join(out, file.path), "utf8")).toBe(file.content);
    expect(readdirSync(path.join(out, "secrets")).sort()).toEqual([".gitignore", "README.md"]);
  });

  it("refuses a non-empty folder it did not create, and writes nothing there", async () => {
    const out = tempDir("plinth-bundle-");
    writeFileSync(path.join(out, "notes.txt"), "mine");
    const error = await writeComposeBundle(model, "lite", out).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).diagnostics.map((d) => d.rule)).toEqual(["compose/out-not-empty"]);
    expect(readdirSync(out)).toEqual(["notes.txt"]);
  });

  it("refuses a file as the output folder", async () => {
    const file = path.join(tempDir("plinth-bundle-"), "compose.yaml");
    writeFileSync(file, "services: {}\n");
    const error = (await writeComposeBundle(model, "lite", file).catch((e: unknown) => e)) as UserError;
    expect(error.diagnostics[0]!.rule).toBe("compose/out-not-empty");
  });

  it("refreshes its own earlier bundle and leaves the operator's .env and secret files alone", async () => {
    const out = path.join(tempDir("plinth-bundle-"), "bundle");
    await writeComposeBundle(model, "lite", out);
    writeFileSync(path.join(out, ".env"), "API_HTTP_PORT=9000\n");
    writeFileSync(path.join(out, "secrets", "db-password"), "operator-chosen");
    writeFileSync(path.join(out, "compose.yaml"), "stale\n");
    await writeComposeBundle(model, "lite", out);
    expect(readFileSync(path.join(out, ".env"), "utf8")).toBe("API_HTTP_PORT=9000\n");
    expect(readFileSync(path.join(out, "secrets", "db-password"), "utf8")).toBe("operator-chosen");
    expect(readFileSync(path.join(out, "compose.yaml"), "utf8")).toBe(
      composeBundleFiles(model, model.tiers[0]!).find((f) => f.path === "compose.yaml")!.content,
    );
    expect(readdirSync(out).filter((f) => f.endsWith(".plinth-tmp"))).toEqual([]);
  });

  it("a tier switch points .env at the new tier's project and reports the settings .env lacks", async () => {
    const out = path.join(tempDir("plinth-bundle-"), "bundle");
    await writeComposeBundle(model, "lite", out);
    const liteExample = readFileSync(path.join(out, ".env.example"), "utf8");
    writeFileSync(path.join(out, ".env"), liteExample, { mode: 0o600 });
    const switched = await writeComposeBundle(model, "full", out);
    const env = readFileSync(path.join(out, ".env"), "utf8");
    expect(env).toContain(`COMPOSE_PROJECT_NAME=${model.platform.name}-full\n`);
    expect(env.replace(/^COMPOSE_PROJECT_NAME=.*$/m, "")).toBe(liteExample.replace(/^COMPOSE_PROJECT_NAME=.*$/m, ""));
    expect(statSync(path.join(out, ".env")).mode & 0o777).toBe(0o600);
    expect(switched.projectRenamed).toEqual([`${model.platform.name}-lite`, `${model.platform.name}-full`]);
    const fullNames = [...readFileSync(path.join(out, ".env.example"), "utf8").matchAll(/^([A-Z_0-9]+)=/gm)].map((m) => m[1]);
    const liteNames = new Set([...liteExample.matchAll(/^([A-Z_0-9]+)=/gm)].map((m) => m[1]));
    expect(switched.addedSettings).toEqual(fullNames.filter((n) => !liteNames.has(n)));
    expect(switched.addedSettings.length).toBeGreaterThan(0);
    // The same tier again: nothing renamed, nothing new.
    const again = await writeComposeBundle(model, "full", out);
    expect(again.projectRenamed).toBeUndefined();
  });

  it("the README says how to upgrade and what regeneration keeps, states the _FILE contract, and names no store path of the SaaS", () => {
    for (const tier of model.tiers) {
      const readme = composeBundleFiles(model, tier).find((f) => f.path === "README.md")!.content;
      expect(readme).toContain("## Upgrade");
      expect(readme).toMatch(/keeps `\.env`, the secret files in `secrets\/`, `backups\/` and the named volumes/);
      expect(readme).not.toContain("In the SaaS");
      for (const store of model.secretStores) expect(readme).not.toMatch(new RegExp(`\`${store.name}:[^\`\\s]*/`));
      if (readme.includes("_FILE")) expect(readme).toContain("must support the `_FILE` convention");
    }
  });

  it("names the tier it did not find, with a suggestion", async () => {
    const error = (await writeComposeBundle(model, "ful", tempDir("plinth-bundle-")).catch((e: unknown) => e)) as UserError;
    expect(error).toBeInstanceOf(UserError);
    expect(error.diagnostics[0]).toMatchObject({ rule: "compose/unknown-tier", severity: "error", hint: "did you mean 'full'?" });
    expect(error.diagnostics[0]!.message).toContain("'lite', 'standard', 'full'");
    const out = path.join(tempDir("plinth-bundle-"), "never-made");
    const none = (await writeComposeBundle({ ...model, tiers: [] }, "lite", out).catch((e: unknown) => e)) as UserError;
    expect(none.diagnostics[0]).toMatchObject({ rule: "compose/unknown-tier", message: "the spec defines no tiers, so there is no 'lite' bundle" });
    expect(existsSync(out)).toBe(false);
  });
});
