import { SEED_JOB } from "../../compiler/resolve/deployments.js";
import { parseQuantity } from "../../spec/units.js";
import type { ModelService } from "../../compiler/model.js";
import { toYaml } from "../shared/yaml.js";
import type { ComposeSpecification, Healthcheck, Service } from "./schema/compose-spec.js";
import { ENGINES } from "./engines.js";
import { type BundlePlan, type PlannedDataService, type PlannedService, secretFilePath, secretMountPath } from "./plan.js";

/** Compose interpolates `$` in every value: a literal one is written `$$`. */
export const escapeInterpolation = (text: string) => text.replace(/\$/g, "$$$$");

type Depends = Exclude<Service["depends_on"], string[] | undefined>;
type Limits = NonNullable<NonNullable<NonNullable<Exclude<Service["deploy"], null>>["resources"]>["limits"]>;

const RESTART = "unless-stopped";

/** A Kubernetes memory quantity in Docker's units (binary k/m/g suffixes, or bytes). */
function composeMemory(quantity: string): string {
  const bytes = Math.round(parseQuantity(quantity)!);
  for (const [suffix, size] of [
    ["g", 2 ** 30],
    ["m", 2 ** 20],
    ["k", 2 ** 10],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${suffix}`;
  }
  return `${bytes}b`;
}

function limits(resources: ModelService["resources"]): Pick<Service, "deploy"> {
  const l = resources?.limits;
  if (!l || (l.cpu === undefined && l.memory === undefined)) return {};
  const out: Limits = {
    ...(l.cpu !== undefined && { cpus: parseQuantity(l.cpu)! }),
    ...(l.memory !== undefined && { memory: composeMemory(l.memory) }),
  };
  return { deploy: { resources: { limits: out } } };
}

function dataServiceEntry(planned: PlannedDataService): Service {
  const ds = planned.dataService;
  const engine = ENGINES[ds.engine];
  const secretPath = (suffix: string) => {
    const variable = engine.credentials.find((c) => c.suffix === suffix)!.variable;
    return secretMountPath(planned.secrets.find((s) => s.variable === variable)!.secret);
  };
  const environment = Object.fromEntries(Object.entries(engine.environment(ds, secretPath)).map(([k, v]) => [k, escapeInterpolation(v)]));
  const health = engine.healthcheck(ds);
  const healthcheck: Healthcheck = { test: health.test.map(escapeInterpolation), interval: "10s", timeout: "5s", retries: 5, start_period: health.startPeriod };
  return {
    image: ds.composeImage,
    ...(planned.profile !== undefined && { profiles: [planned.profile] }),
    ...(engine.command && { command: engine.command(ds).map(escapeInterpolation) }),
    ...(Object.keys(environment).length > 0 && { environment: sortedRecord(environment) }),
    ...(planned.secrets.length > 0 && { secrets: planned.secrets.map((s) => s.secret).sort() }),
    ...(planned.volume !== undefined && { volumes: [`${planned.volume}:${engine.dataPath(ds)}`] }),
    healthcheck,
    restart: RESTART,
    ...limits(ds.resources),
  };
}

/** The service's Compose entries: itself, and its pre-release Jobs as one-off services it waits for. */
function serviceEntries(planned: PlannedService, plan: BundlePlan): Record<string, Service> {
  const s = planned.service;
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(s.env)) environment[name] = escapeInterpolation(String(value));
  // In-cluster addresses are not copied: the operator's .env gives them, empty by default.
  for (const { name, variable } of planned.hostSettings) environment[name] = `\${${variable}:-}`;
  // Data services it uses, by the names its Helm values carry (compiler/resolve/bindings.ts).
  for (const { name, value } of planned.bindings) environment[name] = escapeInterpolation(value);
  // The app reads each secret from the file `<NAME>_FILE` points at; the value never passes through Compose.
  for (const { variable, secret } of planned.secrets) environment[`${variable}_FILE`] = secretMountPath(secret);
  const healthy = new Set(plan.dataServices.map((d) => d.dataService.name));
  const dependsOn: Depends = {};
  for (const name of [...planned.dataServices, ...planned.services].sort()) {
    // Data services have health checks; app images carry no known probe tool, so they only start first.
    dependsOn[name] = { condition: healthy.has(name) ? "service_healthy" : "service_started" };
  }
  const runtime = {
    image: planned.image,
    ...(Object.keys(environment).length > 0 && { environment: sortedRecord(environment) }),
    ...(planned.secrets.length > 0 && { secrets: [...new Set(planned.secrets.map((x) => x.secret))].sort() }),
  };
  // Pre-release Jobs (migrations) run to completion, one after the other, before the service starts.
  const entries: Record<string, Service> = {};
  let before: Depends = dependsOn;
  for (const job of s.preRelease) {
    const name = preReleaseServiceName(s, job.name);
    entries[name] = {
      ...runtime,
      entrypoint: job.command.map(escapeInterpolation),
      ...(job.args && { command: job.args.map(escapeInterpolation) }),
      ...(Object.keys(before).length > 0 && { depends_on: before }),
      restart: "no",
      ...limits(s.resources),
    };
    before = { ...dependsOn, [name]: { condition: "service_completed_successfully" } };
  }
  // Seed data loads fixtures or synthetic data on request only (a self-hoster's install is not a
  // fixture): behind a profile of its own, started by naming it, after the migrations.
  if (s.seedData) {
    entries[preReleaseServiceName(s, SEED_JOB)] = {
      ...runtime,
      profiles: [SEED_PROFILE],
      entrypoint: s.seedData.command.map(escapeInterpolation),
      ...(s.seedData.args && { command: s.seedData.args.map(escapeInterpolation) }),
      ...(Object.keys(before).length > 0 && { depends_on: sortedRecord(before) }),
      restart: "no",
      ...limits(s.resources),
    };
  }
  entries[s.name] = {
    ...runtime,
    ...(s.command && { entrypoint: s.command.map(escapeInterpolation) }),
    ...(planned.ports.length > 0 && {
      ports: planned.ports.map((p) => `\${${p.variable}:-${p.port}}:${p.port}${p.protocol === "UDP" ? "/udp" : ""}`),
    }),
    // Per-pod caches and per-replica state become one named volume each (one container per service here).
    ...(s.caches.length + s.state.length > 0 && { volumes: [...s.caches, ...s.state].map((v) => `${podVolumeName(s, v.name)}:${v.mountPath}`) }),
    ...(Object.keys(before).length > 0 && { depends_on: sortedRecord(before) }),
    restart: RESTART,
    ...limits(s.resources),
  };
  return entries;
}

export const preReleaseServiceName = (service: Pick<ModelService, "name">, job: string) => `${service.name}-${job}`;

/** The Compose profile of the seed-data one-off services (never in COMPOSE_PROFILES). */
export const SEED_PROFILE = "seed-data";
const podVolumeName = (service: ModelService, volume: string) => `${service.name}-${volume}`;

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((k) => [k, record[k]!]),
  );
}

/** The Compose document of a bundle, typed by the Compose Specification. */
export function composeDocument(plan: BundlePlan): ComposeSpecification {
  const services: NonNullable<ComposeSpecification["services"]> = {};
  for (const planned of plan.dataServices) services[planned.dataService.name] = dataServiceEntry(planned);
  for (const planned of plan.services) Object.assign(services, serviceEntries(planned, plan));
  const volumes = [
    ...plan.dataServices.filter((d) => d.volume !== undefined).map((d) => d.volume!),
    ...plan.services.flatMap((p) => [...p.service.caches, ...p.service.state].map((v) => podVolumeName(p.service, v.name))),
  ];
  return {
    services: sortedRecord(services),
    ...(volumes.length > 0 && { volumes: Object.fromEntries(volumes.sort().map((v) => [v, {}])) }),
    ...(plan.secrets.length > 0 && { secrets: Object.fromEntries(plan.secrets.map((s) => [s.name, { file: secretFilePath(s.name) }])) }),
  };
}

export function renderComposeFile(plan: BundlePlan): string {
  const header = [
    `# ${plan.platform}: ${plan.tier.name} tier, generated by plinth from platform.ts. Do not edit; regenerate.`,
    "# Start it as README.md says: secret files go in ./secrets, settings in .env (see .env.example).",
  ];
  return `${header.join("\n")}\n${toYaml(composeDocument(plan))}`;
}
