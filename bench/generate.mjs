// Writes a large synthetic platform.ts: `clusters` clusters, each with `environments` environments
// and namespaces, and `services` services with secrets and a database each. Deterministic.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export function generateSpec(dir, options = {}) {
  mkdirSync(dir, { recursive: true });
  const spec = syntheticSpec(options);
  const text = `import { definePlatform } from "plinth";\n\nexport default definePlatform(${JSON.stringify(spec, null, 2)});\n`;
  writeFileSync(path.join(dir, "platform.ts"), text);
  return { files: 1, bytes: text.length, environments: spec.environments.length, services: spec.services.length };
}

/** The synthetic spec as a plain object (what platform.ts exports). */
export function syntheticSpec({ clusters = 4, environmentsPerCluster = 5, services = 40 } = {}) {
  const clusterList = Array.from({ length: clusters }, (_, c) => ({
    name: `c${c}`,
    profile: "aws",
    kind: "eks",
    capacity: { cpu: "512", memory: "2048Gi" },
    components: ["argocd", "argo-rollouts", "external-secrets", "cloudnative-pg", "velero", "ingress-nginx"],
  }));
  const namespaces = [];
  const environments = [];
  for (const cluster of clusterList) {
    for (let e = 0; e < environmentsPerCluster; e++) {
      const name = `${cluster.name}-e${e}`;
      namespaces.push({ name, cluster: cluster.name, quota: { cpu: "8", memory: "32Gi" }, networkPolicy: { allowFrom: [{ namespace: "ingress-nginx" }] } });
      environments.push({ name, cluster: cluster.name, namespace: name, sync: "auto", tier: "full", data: "synthetic", scale: { min: 2, max: 6 }, hosts: [`${name}.example.com`], secrets: { store: "aws", prefix: name } });
    }
  }
  const last = environments[environments.length - 1];
  Object.assign(last, { production: true, approval: "pr+manual", rollout: "canary", data: "production", recovery: { rto: "8h", rpo: "15m" } });
  const serviceList = Array.from({ length: services }, (_, s) => ({
    name: `svc${s}`,
    image: `ghcr.io/example/svc${s}`,
    ports: [{ name: "http", port: 8080, expose: s % 4 === 0 }],
    env: { LOG_LEVEL: "info", INDEX: s },
    secrets: { DATABASE_URL: { store: "aws", key: `svc${s}/db`, property: "url" } },
    dependsOn: [`db${s % 8}`],
    probes: { readiness: { path: "/healthz", port: "http" } },
    ...(s % 4 === 0 && { ingress: { port: "http" } }),
  }));
  const dataServices = Array.from({ length: 8 }, (_, d) => ({
    name: `db${d}`,
    engine: "postgres",
    version: "16",
    storage: "50Gi",
    backup: { method: "cnpg-pitr", schedule: "0 3 * * *", retention: "14d" },
  }));
  const spec = {
    name: "bench",
    organisation: "bench",
    domain: "example.com",
    repositories: { monorepo: "https://github.com/example/bench" },
    profiles: [{ name: "aws", cloud: "aws", region: "eu-west-1", accountId: "123456789012", stateBackend: { type: "s3", bucket: "bench-tofu-state", region: "eu-west-1" }, dns: { provider: "route53", zone: "example.com" }, secrets: { backend: "aws-secrets-manager" }, objectStorage: { provider: "s3" }, registry: { provider: "ecr", url: "123456789012.dkr.ecr.eu-west-1.amazonaws.com" }, storageClass: "gp3" }],
    clusters: clusterList,
    namespaces,
    environments,
    tiers: [{ name: "full", description: "everything" }],
    secretStores: [{ name: "aws", backend: "aws-secrets-manager", aws: { region: "eu-west-1" } }],
    services: serviceList,
    dataServices,
    analyses: [{ name: "success-rate", prometheus: "http://prometheus:9090", query: "sum(rate(ok[2m]))", successCondition: "result[0] >= 0.99" }],
    rollouts: [{ name: "canary", strategy: "canary", steps: [{ setWeight: 20 }, { pause: "5m" }, { analysis: ["success-rate"] }] }],
    roles: [{ name: "operator", actions: ["get", "sync", "rotate-secrets"] }],
  };
  return spec;
}
