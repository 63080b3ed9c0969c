/**
 * A stand-in for the service chart plinth's values are written for: what a `helm create` chart
 * extended with the rollout and externalSecrets blocks renders from them (Deployment or Argo Rollout,
 * Service, Ingress, HorizontalPodAutoscaler). Tests validate its output with the real schemas, so a
 * value of the wrong shape (a probe, a strategy, a security context) fails where a chart would.
 *
 * `setValue` applies one ArgoCD Helm parameter the way `helm --set` does: into the merged values,
 * keeping what the values file already has beside the path.
 */
type Doc = Record<string, any>;

export function renderChart(values: Doc, release: string, namespace: string): Doc[] {
  const labels = { "app.kubernetes.io/name": release, "app.kubernetes.io/instance": release };
  const meta = { name: release, namespace, labels };
  const image = values.image.digest ? `${values.image.repository}@${values.image.digest}` : `${values.image.repository}:${values.image.tag ?? "latest"}`;
  const container = {
    name: release,
    image,
    imagePullPolicy: values.image.pullPolicy,
    ...(values.command && { command: values.command }),
    securityContext: values.securityContext,
    ports: values.ports,
    ...(values.livenessProbe && { livenessProbe: values.livenessProbe }),
    ...(values.readinessProbe && { readinessProbe: values.readinessProbe }),
    resources: values.resources,
    env: [
      ...values.env,
      ...Object.entries(values.featureFlags as Record<string, unknown>).map(([flag, value]) => ({ name: `FEATURE_${flag.toUpperCase()}`, value: String(value) })),
    ],
    ...(values.externalSecrets && { envFrom: [{ secretRef: { name: values.externalSecrets.secretName } }] }),
  };
  const workload = {
    ...(!values.autoscaling.enabled && { replicas: values.replicaCount }),
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { securityContext: values.podSecurityContext, containers: [container] } },
  };
  const objects: Doc[] = [];
  if (values.rollout.enabled) {
    const strategy =
      values.rollout.strategy === "canary" ? { canary: values.rollout.canary } : { blueGreen: { ...values.rollout.blueGreen, activeService: release } };
    objects.push({ apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: meta, spec: { ...workload, strategy } });
  } else {
    objects.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta,
      spec: { ...workload, ...(values.rollout.deploymentStrategy && { strategy: values.rollout.deploymentStrategy }) },
    });
  }
  if (values.service) {
    objects.push({
      apiVersion: "v1",
      kind: "Service",
      metadata: meta,
      spec: { type: values.service.type, selector: labels, ports: [{ name: "http", port: values.service.port, targetPort: values.service.port, protocol: "TCP" }] },
    });
  }
  if (values.ingress.enabled) {
    objects.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: meta,
      spec: {
        ...(values.ingress.className && { ingressClassName: values.ingress.className }),
        tls: values.ingress.tls,
        rules: values.ingress.hosts.map((h: Doc) => ({
          host: h.host,
          http: {
            paths: h.paths.map((p: Doc) => ({ path: p.path, pathType: p.pathType, backend: { service: { name: release, port: { number: values.service.port } } } })),
          },
        })),
      },
    });
  }
  if (values.autoscaling.enabled) {
    const kind = values.rollout.enabled ? "Rollout" : "Deployment";
    objects.push({
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: meta,
      spec: {
        scaleTargetRef: { apiVersion: kind === "Rollout" ? "argoproj.io/v1alpha1" : "apps/v1", kind, name: release },
        minReplicas: values.autoscaling.minReplicas,
        maxReplicas: values.autoscaling.maxReplicas,
        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: values.autoscaling.targetCPUUtilizationPercentage } } }],
      },
    });
  }
  return objects;
}

/** `helm --set path=value` (or --set-string) on already merged values: `a.b[0].c` walks and creates. */
export function setValue(values: Doc, path: string, value: string, forceString = false): void {
  const keys = [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
  let node: any = values;
  keys.forEach((key, i) => {
    const last = i === keys.length - 1;
    if (last) {
      node[key] = forceString ? value : /^-?\d+$/.test(value) ? Number(value) : value === "true" ? true : value === "false" ? false : value;
      return;
    }
    if (node[key] === undefined || node[key] === null) node[key] = typeof keys[i + 1] === "number" ? [] : {};
    node = node[key];
  });
}
