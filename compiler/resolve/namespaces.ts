import type { Spec } from "../../spec/schema.js";
import { parseQuantity } from "../../spec/units.js";
import type { ModelCluster, ModelDataService, ModelEnvironment, ModelNamespace } from "../model.js";
import type { SpecEnvironment } from "./environments.js";
import { amounts, sortKeys, sorted, type Amounts } from "./util.js";

function stringifyAmounts(limits: { default?: Amounts; defaultRequest?: Amounts }) {
  return { ...(limits.default && { default: amounts(limits.default) }), ...(limits.defaultRequest && { defaultRequest: amounts(limits.defaultRequest) }) };
}

/** Namespaces with quotas parsed, container defaults applied and the labels every one carries. */
export function resolveNamespaces(spec: Spec, environmentsSpec: SpecEnvironment[]): ModelNamespace[] {
  const platformName = spec.name;
  const namespaceEnvironment = new Map<string, string>();
  environmentsSpec.forEach((e) => {
    if (e.cluster && e.namespace && !e.preview) namespaceEnvironment.set(`${e.cluster}/${e.namespace}`, e.name);
  });

  const namespaces: ModelNamespace[] = spec.namespaces.map((n, i) => {
    const environment = namespaceEnvironment.get(`${n.cluster}/${n.name}`);
    const quota = n.quota && {
      ...(n.quota.cpu !== undefined && { cpu: String(n.quota.cpu), cpuCores: parseQuantity(n.quota.cpu)! }),
      ...(n.quota.memory !== undefined && { memory: String(n.quota.memory), memoryBytes: parseQuantity(n.quota.memory)! }),
      ...(n.quota.pods !== undefined && { pods: n.quota.pods }),
    };
    const limitRange = containerDefaults(quota, n.limitRange);
    return {
      name: n.name,
      cluster: n.cluster,
      ...(n.purpose !== undefined && { purpose: n.purpose }),
      ...(n.team !== undefined && { team: n.team }),
      ...(environment !== undefined && { environment }),
      ...(quota && { quota }),
      ...(limitRange && { limitRange }),
      ...(n.networkPolicy && {
        networkPolicy: { ...n.networkPolicy, denyEgress: n.networkPolicy.defaultDeny && n.networkPolicy.allowEgressTo.length > 0 },
      }),
      podSecurity: n.podSecurity,
      labels: sortKeys({
        ...n.labels,
        "app.kubernetes.io/managed-by": "plinth",
        "app.kubernetes.io/part-of": platformName,
        ...(environment !== undefined && { "plinth.dev/environment": environment }),
        ...(n.team !== undefined && { "plinth.dev/team": n.team }),
      }),
      at: ["namespaces", i],
    };
  });

  return namespaces;
}

/**
 * Default-deny would also shut out the platform's own controllers. Open each namespace to the
 * ones that must reach into it: the ingress controller and Prometheus where services run, the
 * CloudNativePG operator where its clusters run.
 */
export function admitPlatformControllers(namespaces: ModelNamespace[], clusters: readonly ModelCluster[], environments: readonly ModelEnvironment[], dataServices: readonly ModelDataService[]): void {
  const clusterByName = new Map(clusters.map((c) => [c.name, c]));
  for (const ns of namespaces) {
    if (!ns.networkPolicy?.defaultDeny) continue;
    const cluster = clusterByName.get(ns.cluster);
    if (!cluster) continue;
    const componentNamespace = (name: string) => cluster.components.find((c) => c.name === name)?.namespace;
    const hostedEnvironments = environments.filter((e) => e.cluster === ns.cluster && e.runtime === "kubernetes");
    const runsServices = hostedEnvironments.some((e) => e.namespace === ns.name && e.services.length > 0);
    const runsPostgres =
      hostedEnvironments.some((e) => e.dataNamespace === ns.name && e.dataServices.some((d) => dataServices.find((x) => x.name === d)?.engine === "postgres")) ||
      dataServices.some((d) => d.engine === "postgres" && d.namespace === ns.name);
    // Where the proxy of the cluster's Gateway, or the controller that serves its Ingress class, runs (k3s' Traefik: kube-system).
    const ingressNamespace = cluster.gateway
      ? cluster.gateway.namespace
      : cluster.ingressClassName === "nginx" ? componentNamespace("ingress-nginx") : cluster.ingressClassName === "traefik" ? "kube-system" : componentNamespace("envoy-gateway");
    const implied = [
      ...(runsServices ? [ingressNamespace, componentNamespace("monitoring")] : []),
      ...(runsPostgres ? [componentNamespace("cloudnative-pg")] : []),
    ].filter((n): n is string => n !== undefined && n !== ns.name);
    const present = new Set(ns.networkPolicy.allowFrom.map((p) => p.namespace));
    const added = sorted(implied.filter((n) => !present.has(n)));
    if (added.length > 0) ns.networkPolicy = { ...ns.networkPolicy, allowFrom: [...ns.networkPolicy.allowFrom, ...added.map((namespace) => ({ namespace }))] };
  }
}

/**
 * Container defaults a namespace gets when its spec sets no limitRange but its quota caps CPU or
 * memory: the quota caps the sum of requests, and the API server then rejects every pod whose
 * containers set no request for a capped resource — which platform charts that leave resources empty
 * (ArgoCD, External Secrets, kube-prometheus-stack) do. The memory limit gives every container one, so
 * the quota may cap limits.memory too. A documented plinth default, applied here and nowhere else.
 */
export const DEFAULT_LIMIT_RANGE = { default: { memory: "512Mi" }, defaultRequest: { cpu: "100m", memory: "128Mi" } } as const;

/**
 * The namespace's LimitRange: the spec's, or DEFAULT_LIMIT_RANGE when its quota caps CPU or memory and
 * the spec sets none. A spec limitRange that neither requests nor limits a capped resource gets the
 * default request for it, for the same reason (a default limit already implies an equal request).
 */
export function containerDefaults(
  quota: { cpu?: string; memory?: string } | undefined,
  limitRange: { default?: Amounts; defaultRequest?: Amounts } | undefined,
): { default?: { cpu?: string; memory?: string }; defaultRequest?: { cpu?: string; memory?: string } } | undefined {
  const capped = (["cpu", "memory"] as const).filter((resource) => quota?.[resource] !== undefined);
  if (!limitRange) {
    return capped.length > 0 ? { default: { ...DEFAULT_LIMIT_RANGE.default }, defaultRequest: { ...DEFAULT_LIMIT_RANGE.defaultRequest } } : undefined;
  }
  const own = stringifyAmounts(limitRange);
  const missing = capped.filter((resource) => own.default?.[resource] === undefined && own.defaultRequest?.[resource] === undefined);
  if (missing.length === 0) return own;
  const defaultRequest = { ...own.defaultRequest, ...Object.fromEntries(missing.map((resource) => [resource, DEFAULT_LIMIT_RANGE.defaultRequest[resource]])) };
  return { ...own, defaultRequest: { ...(defaultRequest.cpu !== undefined && { cpu: defaultRequest.cpu }), ...(defaultRequest.memory !== undefined && { memory: defaultRequest.memory }) } };
}

