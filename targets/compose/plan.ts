import type { Model, ModelDataService, ModelSecretRef, ModelService, ModelTier } from "../../compiler/model.js";
import { lookup } from "../../compiler/model-lookup.js";
import { ENGINES, GENERATE_RANDOM, POSTGRES_USER } from "./engines.js";
import { bindingNames, URL_SCHEMES } from "../../compiler/resolve/bindings.js";

/**
 * What one tier's bundle holds, decided once and read by compose.yaml, .env.example and the
 * READMEs, so the three never disagree on a name.
 */
export interface BundlePlan {
  platform: string;
  tier: ModelTier;
  projectName: string;
  services: PlannedService[];
  dataServices: PlannedDataService[];
  secrets: BundleSecret[];
  variables: BundleVariable[];
  /** Optional parts: data services nothing in the tier needs, each behind a profile of its own name. */
  profiles: string[];
}

export interface PlannedService {
  service: ModelService;
  /** `repository@digest` when the release lock pins it. */
  image: string;
  digest?: { digest: string; environment: string };
  dataServices: string[];
  services: string[];
  /** Dependencies the spec names that this tier does not run. */
  missing: string[];
  secrets: { variable: string; secret: string }[];
  /**
   * Connection variables of the data services it uses (compiler/resolve/bindings.ts: the names its
   * Helm values carry), the bundle's addresses as values; password files are in `secrets`.
   */
  bindings: { name: string; value: string }[];
  ports: { name: string; port: number; protocol: "TCP" | "UDP"; variable: string }[];
  /**
   * Environment variables whose SaaS value is a Kubernetes in-cluster address (`*.svc`,
   * `*.cluster.local`), which a Compose host cannot resolve: compose.yaml reads each from a `.env`
   * variable that defaults to empty instead of copying the value.
   */
  hostSettings: { name: string; variable: string; saasValue: string }[];
}

export interface PlannedDataService {
  dataService: ModelDataService;
  volume?: string;
  profile?: string;
  dependents: string[];
  secrets: { variable: string; secret: string }[];
}

export interface BundleSecret {
  name: string;
  purpose: string;
  usedBy: { name: string; variable: string }[];
  /** A platform secret reference (the operator writes their own value), or a credential only this bundle has. */
  source: { kind: "ref"; ref: ModelSecretRef } | { kind: "generated"; dataService: string; generate: (path: string) => string };
}

export interface BundleVariable {
  name: string;
  value: string;
  purpose: string;
}

export const secretMountPath = (secret: string) => `/run/secrets/${secret}`;
export const secretFilePath = (secret: string) => `./secrets/${secret}`;

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "");

/** An environment variable name from parts: upper case, anything else an underscore. */
const variableName = (...parts: string[]) =>
  parts
    .join("_")
    .toUpperCase()
    .replace(/[^A-Z0-9_]+/g, "_");

const refId = (ref: ModelSecretRef) => JSON.stringify([ref.store, ref.key, ref.property ?? null]);

/** A hostname only Kubernetes' cluster DNS resolves: `<service>.<namespace>.svc`, optionally `.cluster.local`, or any `*.cluster.local`. */
const IN_CLUSTER_HOST = /(?:^|[^a-z0-9.-])[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.(?:svc|cluster\.local)\.?(?![a-z0-9.-])/i;
export const isInClusterAddress = (value: string | number | boolean) => typeof value === "string" && IN_CLUSTER_HOST.test(value);

export function planBundle(model: Model, tier: ModelTier): BundlePlan {
  const tierServices = tier.services.map((name) => lookup(model).service(name)!);
  const tierDataServices = tier.dataServices.map((name) => lookup(model).dataService(name)!);
  const inTier = new Set([...tier.services, ...tier.dataServices]);
  const taken = new Set<string>();
  const unique = (wanted: string) => {
    let name = wanted;
    for (let n = 2; taken.has(name); n++) name = `${wanted}-${n}`;
    taken.add(name);
    return name;
  };

  const secrets: BundleSecret[] = [];
  const dataServiceSecrets = new Map<string, { variable: string; secret: string }[]>();
  for (const ds of tierDataServices) {
    const mounted = ENGINES[ds.engine].credentials.map((credential) => {
      const name = unique(slug(`${ds.name}-${credential.suffix}`));
      secrets.push({
        name,
        purpose: `${credential.purpose} of ${ds.name}`,
        usedBy: [{ name: ds.name, variable: credential.variable }],
        source: { kind: "generated", dataService: ds.name, generate: credential.generate },
      });
      return { variable: credential.variable, secret: name };
    });
    dataServiceSecrets.set(ds.name, mounted);
  }

  // One file per distinct reference, shared by every service that reads it.
  const byRef = new Map<string, BundleSecret>();
  const refs = tierServices.flatMap((s) => s.secretEnv.map((e) => e.ref));
  const slugCounts = new Map<string, number>();
  for (const ref of new Map(refs.map((r) => [refId(r), r])).values()) {
    const base = slug([ref.key, ref.property].filter(Boolean).join("-"));
    slugCounts.set(base, (slugCounts.get(base) ?? 0) + 1);
  }
  for (const service of tierServices) {
    for (const { name: variable, ref } of service.secretEnv) {
      const id = refId(ref);
      let secret = byRef.get(id);
      if (!secret) {
        const base = slug([ref.key, ref.property].filter(Boolean).join("-"));
        // Two stores holding the same key: the store's name tells them apart.
        secret = {
          name: unique(slugCounts.get(base)! > 1 ? slug(`${ref.store ?? "environment"}-${base}`) : base),
          purpose: "",
          usedBy: [],
          source: { kind: "ref", ref },
        };
        byRef.set(id, secret);
        secrets.push(secret);
      }
      secret.usedBy.push({ name: service.name, variable });
    }
  }
  for (const secret of byRef.values()) {
    secret.purpose = secret.usedBy.map((u) => `${u.variable} of ${u.name}`).join(", ");
  }

  const needed = new Set(tierServices.flatMap((s) => s.dependsOn.dataServices.filter((d) => inTier.has(d))));
  const variables: BundleVariable[] = [
    {
      name: "COMPOSE_PROJECT_NAME",
      value: `${model.platform.name}-${tier.name}`,
      purpose: "Compose project name: prefixes this bundle's containers, network and volumes.",
    },
  ];
  const profiles = tierDataServices.filter((d) => !needed.has(d.name)).map((d) => d.name);
  // The tier promises its optional parts too: .env starts them all, and removing one leaves it out.
  if (profiles.length > 0) {
    variables.push({
      name: "COMPOSE_PROFILES",
      value: profiles.join(","),
      purpose: `Optional parts of this tier that start with the rest, comma-separated: nothing in the tier needs them, so remove one to leave it out (${profiles.join(", ")}).`,
    });
  }

  // The credentials bound services read: the engine's own password file (postgres), or one the bundle
  // generates for the contract (opensearch runs without its security plugin here, so it checks none).
  const bindingSecret = (ds: ModelDataService): string | undefined => {
    if (ds.engine === "postgres") return dataServiceSecrets.get(ds.name)!.find((c) => c.variable === "POSTGRES_PASSWORD_FILE")!.secret;
    if (ds.engine !== "opensearch") return undefined;
    const known = secrets.find((s) => s.source.kind === "generated" && s.source.dataService === ds.name && s.usedBy.every((u) => u.name !== ds.name));
    if (known) return known.name;
    const name = unique(slug(`${ds.name}-admin-password`));
    {
      secrets.push({ name, purpose: `admin password services of this bundle present to ${ds.name} (not checked: its security plugin is off)`, usedBy: [], source: { kind: "generated", dataService: ds.name, generate: GENERATE_RANDOM } });
    }
    return name;
  };
  const composeBindings = (service: ModelService) => {
    const env: { name: string; value: string }[] = [];
    const files: { variable: string; secret: string }[] = [];
    for (const ds of tierDataServices.filter((d) => service.dependsOn.dataServices.includes(d.name))) {
      const names = bindingNames(ds);
      env.push({ name: names.host, value: ds.name }, { name: names.port, value: String(ds.port) });
      if (names.database !== undefined) env.push({ name: names.database, value: ds.name });
      if (names.url !== undefined) env.push({ name: names.url, value: `${URL_SCHEMES[ds.engine]}://${ds.name}:${ds.port}` });
      if (names.username !== undefined) env.push({ name: names.username, value: ds.engine === "postgres" ? POSTGRES_USER : "admin" });
      const secret = bindingSecret(ds);
      if (names.passwordFile !== undefined && secret !== undefined) {
        const variable = names.passwordFile.replace(/_FILE$/, "");
        files.push({ variable, secret });
        // Named as the service sees it: the path variable.
        secrets.find((s) => s.name === secret)!.usedBy.push({ name: service.name, variable: names.passwordFile });
      }
    }
    return { env: env.filter((e) => !(e.name in service.env)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), files };
  };

  const services: PlannedService[] = tierServices.map((service) => {
    const bound = composeBindings(service);
    const pin = tier.images[service.name];
    const digest = pin?.digest !== undefined && pin.environment !== undefined ? { digest: pin.digest, environment: pin.environment } : undefined;
    const ports = service.ports
      .filter((p) => p.expose)
      .map((p) => ({ name: p.name, port: p.port, protocol: p.protocol, variable: variableName(service.name, p.name, "port") }));
    for (const p of ports) {
      variables.push({
        name: p.variable,
        value: String(p.port),
        purpose: `Host port publishing ${service.name}'s ${p.name} port (${p.port}/${p.protocol.toLowerCase()} in the container).`,
      });
    }
    const hostSettings: PlannedService["hostSettings"] = [];
    for (const [name, value] of Object.entries(service.env)) {
      if (!isInClusterAddress(value)) continue;
      // Distinct from every other setting (a port variable could spell the same).
      let variable = variableName(service.name, name);
      for (let n = 2; variables.some((v) => v.name === variable); n++) variable = variableName(service.name, name, String(n));
      hostSettings.push({ name, variable, saasValue: String(value) });
      variables.push({
        name: variable,
        value: "",
        purpose: `${name} of ${service.name}. The SaaS sets ${String(value)}, a Kubernetes in-cluster address this host cannot resolve, so it is not copied: set an address reachable from the containers, or leave it empty (the variable is then set to an empty value).`,
      });
    }
    return {
      service,
      image: digest ? `${service.image}@${digest.digest}` : service.image,
      ...(digest && { digest }),
      dataServices: service.dependsOn.dataServices.filter((d) => inTier.has(d)),
      services: service.dependsOn.services.filter((d) => inTier.has(d)),
      missing: [...service.dependsOn.services, ...service.dependsOn.dataServices].filter((d) => !inTier.has(d)).sort(),
      secrets: [...service.secretEnv.map(({ name, ref }) => ({ variable: name, secret: byRef.get(refId(ref))!.name })), ...bound.files],
      bindings: bound.env,
      ports,
      hostSettings,
    };
  });

  const dataServices: PlannedDataService[] = tierDataServices.map((ds) => ({
    dataService: ds,
    ...(ds.stateful && { volume: `${ds.name}-data` }),
    ...(!needed.has(ds.name) && { profile: ds.name }),
    dependents: tierServices.filter((s) => s.dependsOn.dataServices.includes(ds.name)).map((s) => s.name),
    secrets: dataServiceSecrets.get(ds.name)!,
  }));

  return {
    platform: model.platform.name,
    tier,
    projectName: `${model.platform.name}-${tier.name}`,
    services,
    dataServices,
    secrets: secrets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    variables,
    profiles,
  };
}
