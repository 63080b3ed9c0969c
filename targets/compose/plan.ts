import type { Model, ModelDataService, ModelSecretRef, ModelService, ModelTier } from "../../compiler/model.js";
import { ENGINES } from "./engines.js";

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
  ports: { name: string; port: number; protocol: "TCP" | "UDP"; variable: string }[];
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
  /** A platform secret reference, or a credential only this bundle has. */
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

export function planBundle(model: Model, tier: ModelTier): BundlePlan {
  const tierServices = tier.services.map((name) => model.services.find((s) => s.name === name)!);
  const tierDataServices = tier.dataServices.map((name) => model.dataServices.find((d) => d.name === name)!);
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
        secret = { name: unique(slugCounts.get(base)! > 1 ? slug(`${ref.store}-${base}`) : base), purpose: "", usedBy: [], source: { kind: "ref", ref } };
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
  if (profiles.length > 0) {
    variables.push({
      name: "COMPOSE_PROFILES",
      value: "",
      purpose: `Optional parts to start too, comma-separated (${profiles.join(", ")}); empty starts only what the services need.`,
    });
  }

  const services: PlannedService[] = tierServices.map((service) => {
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
    return {
      service,
      image: digest ? `${service.image}@${digest.digest}` : service.image,
      ...(digest && { digest }),
      dataServices: service.dependsOn.dataServices.filter((d) => inTier.has(d)),
      services: service.dependsOn.services.filter((d) => inTier.has(d)),
      missing: [...service.dependsOn.services, ...service.dependsOn.dataServices].filter((d) => !inTier.has(d)).sort(),
      secrets: service.secretEnv.map(({ name, ref }) => ({ variable: name, secret: byRef.get(refId(ref))!.name })),
      ports,
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
