import type { IPodSecurityContext } from "kubernetes-models/v1/PodSecurityContext";
import type { ISecurityContext } from "kubernetes-models/v1/SecurityContext";
import type { Model, ModelCanaryStep, ModelCluster, ModelDeployment, ModelGateway, ModelJob, ModelProbe, ModelRollout, ModelService } from "../../compiler/model.js";
import { getOrMake } from "../../compiler/collections.js";
import { lookup } from "../../compiler/model-lookup.js";
import { parseDuration } from "../../spec/units.js";
import { toGoDuration } from "../shared/go-duration.js";
import type { HttpRouteValues, IngressValues, RolloutValues, ServiceValues } from "./schema.js";

export type { HttpRouteValues, IngressValues, RolloutValues, ServiceValues } from "./schema.js";

type CanaryValues = Extract<RolloutValues, { strategy: "canary" }>["canary"];
type CanaryStep = CanaryValues["steps"][number];
type AnalysisValues = NonNullable<CanaryValues["analysis"]>;

/**
 * Values of one service in one environment for the plinth-service chart (or a chart honouring the
 * same contract, targets/helm/schema.ts): the conventions of `helm create` (image, replicaCount,
 * service, ingress, resources, probes, autoscaling, security contexts) plus plinth's blocks: rollout,
 * externalSecrets, env, featureFlags, and the extension points (envFrom, volumes, hooks) left empty
 * until the spec fills them. Everything comes from the deployment, so two environments' files differ
 * exactly where the spec makes them differ.
 */
/**
 * Restricted pod security: what the `restricted` Pod Security Standard requires, and harmless under
 * baseline or privileged. The image must run as a non-root user and write only to mounted volumes.
 */
const POD_SECURITY_CONTEXT: IPodSecurityContext = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
const CONTAINER_SECURITY_CONTEXT: ISecurityContext = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
};

export function serviceValues(model: Model, deployment: ModelDeployment): ServiceValues {
  const index = lookup(model);
  const service = index.service(deployment.service)!;
  const cluster = index.cluster(deployment.cluster)!;
  const rollout = deployment.rollout === undefined ? undefined : index.rollout(deployment.rollout);
  const servicePort = service.ingress ? service.ports.find((p) => p.name === service.ingress!.port) : service.ports[0];
  // Prometheus scrapes the port named "metrics" through a ServiceMonitor where the cluster runs the operator.
  const metricsPort = service.ports.find((p) => p.name === "metrics");
  const scale = deployment.scale;
  // Keys left undefined are left out of the file (and key order is the file's order): no spreads,
  // which cost a copy each in a function that runs once per service and environment.
  return {
    replicaCount: scale.kind === "fixed" ? scale.replicas : undefined,
    image: {
      repository: deployment.image.repository,
      // Pulled by digest only: the release lock pins it, and a tag could be moved.
      digest: deployment.image.digest,
      pullPolicy: "IfNotPresent",
    },
    imagePullSecrets: deployment.imagePullSecrets.length > 0 ? deployment.imagePullSecrets.map((name) => ({ name })) : undefined,
    command: service.command ? [...service.command] : undefined,
    podSecurityContext: POD_SECURITY_CONTEXT,
    securityContext: CONTAINER_SECURITY_CONTEXT,
    ports: service.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol })),
    service: servicePort ? { type: "ClusterIP", port: servicePort.port } : undefined,
    ingress: cluster.gateway ? { enabled: false } : ingressValues(service, deployment, cluster),
    httpRoute: cluster.gateway ? httpRouteValues(service, deployment, cluster.gateway) : undefined,
    resources: resourceValues(deployment),
    livenessProbe: service.probes.liveness ? probeValues(service.probes.liveness) : undefined,
    readinessProbe: service.probes.readiness ? probeValues(service.probes.readiness) : undefined,
    autoscaling:
      scale.kind === "autoscale"
        ? { enabled: true, minReplicas: scale.min, maxReplicas: scale.max, targetCPUUtilizationPercentage: scale.targetCPU }
        : { enabled: false },
    rollout: rolloutValues(rollout, analysisArguments(model, deployment)),
    externalSecrets:
      deployment.secretName === undefined
        ? undefined
        : {
            secretName: deployment.secretName,
            keys: service.secretEnv.map((s) => s.name),
            create: deployment.chartExternalSecret !== undefined,
            ...(deployment.chartExternalSecret && {
              secretStoreRef: { name: deployment.chartExternalSecret.store, kind: deployment.chartExternalSecret.storeKind },
              refreshInterval: deployment.chartExternalSecret.refreshInterval,
              data: deployment.chartExternalSecret.data.map((d) => ({
                secretKey: d.secretKey,
                remoteRef: { key: d.key, ...(d.property !== undefined && { property: d.property }) },
              })),
            }),
          },
    serviceAccount: { annotations: {} },
    podDisruptionBudget: disruptionBudget(deployment),
    serviceMonitor: metricsPort && cluster.components.some((c) => c.name === "monitoring") ? { enabled: true, port: metricsPort.name, path: "/metrics", interval: "30s" } : { enabled: false },
    // Lists joined with concat, not spread: spreading walks each list through the iterator protocol.
    env: environmentValues(deployment.env).concat(
      // Data-service bindings and secret files (compiler/resolve/bindings.ts), the names Compose uses too.
      deployment.bindings.env.map((e) => (e.secretKeyRef ? { name: e.name, valueFrom: { secretKeyRef: { ...e.secretKeyRef } } } : { name: e.name, value: e.value ?? "" })),
    ),
    envFrom: [],
    volumes: (deployment.bindings.secretMounts.map((m) => ({ name: m.secret, secret: { secretName: m.secret } })) as ServiceValues["volumes"]).concat(
      deployment.caches.map((c) => ({
        name: c.name,
        ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce" as const], storageClassName: c.storageClass, resources: { requests: { storage: c.size } } } } },
      })),
    ),
    volumeMounts: (deployment.bindings.secretMounts.map((m) => ({ name: m.secret, mountPath: m.mountPath, readOnly: true })) as ServiceValues["volumeMounts"]).concat(
      deployment.caches.map((c) => ({ name: c.name, mountPath: c.mountPath })),
    ),
    persistence: deployment.state.length > 0 ? deployment.state.map((v) => ({ name: v.name, mountPath: v.mountPath, size: v.size, storageClassName: v.storageClass })) : undefined,
    cronJobs: service.cronJobs.length > 0 ? service.cronJobs.map((job) => ({ ...jobValues(job), schedule: job.schedule })) : undefined,
    hooks: { preRelease: deployment.preRelease.map(jobValues), syncWaves: deployment.preReleaseInSyncWaves && deployment.preRelease.length > 0 ? true : undefined },
    featureFlags: { ...deployment.featureFlags },
  };
}

/** The spec's own variables, in the deployment's (sorted) order. */
function environmentValues(env: ModelDeployment["env"]): ServiceValues["env"] {
  const values: ServiceValues["env"] = [];
  for (const name in env) values.push({ name, value: String(env[name]) });
  return values;
}

function jobValues(job: ModelJob): ServiceValues["hooks"]["preRelease"][number] {
  return {
    name: job.name,
    command: [...job.command],
    ...(job.args && { args: [...job.args] }),
    backoffLimit: job.backoffLimit,
    ...(job.activeDeadlineSeconds !== undefined && { activeDeadlineSeconds: job.activeDeadlineSeconds }),
  };
}

/** Voluntary disruptions (node drains) take one pod at a time once there is more than one. */
function disruptionBudget(deployment: ModelDeployment): ServiceValues["podDisruptionBudget"] {
  const scale = deployment.scale;
  const least = scale.kind === "fixed" ? scale.replicas : scale.min;
  return least >= 2 ? { enabled: true, maxUnavailable: 1 } : { enabled: false };
}

/**
 * An ingress when the service is exposed and the environment has hosts. TLS certificates go into
 * `<release>-tls`. A preview's host keeps the Model's `{number}` placeholder; its ApplicationSet
 * replaces hosts[0] and tls[0].hosts[0] per pull request.
 */
function ingressValues(service: ModelService, deployment: ModelDeployment, cluster: ModelCluster): IngressValues {
  if (!service.ingress || deployment.hosts.length === 0) return { enabled: false };
  const path = service.ingress.path;
  return {
    enabled: true,
    ...(cluster.ingressClassName !== undefined && { className: cluster.ingressClassName }),
    // cert-manager's ingress-shim issues `<release>-tls` from the cluster's issuer.
    ...(cluster.certificateIssuer && { annotations: { "cert-manager.io/cluster-issuer": cluster.certificateIssuer.name } }),
    hosts: deployment.hosts.map((host) => ({ host, paths: [{ path, pathType: "Prefix" }] })),
    tls: [{ secretName: `${deployment.releaseName}-tls`, hosts: [...deployment.hosts] }],
  };
}

/**
 * On a cluster with a Gateway, an HTTPRoute for the environment's hosts instead of an Ingress,
 * attached to each host's HTTPS listener (TLS is the Gateway's; its `http` listener redirects those
 * hosts), or to `http` for a host without a certificate. A preview's `{number}` host is replaced
 * per pull request, as the Ingress host is.
 */
function httpRouteValues(service: ModelService, deployment: ModelDeployment, gateway: ModelGateway): HttpRouteValues {
  if (!service.ingress || deployment.hosts.length === 0) return { enabled: false };
  const sections = [...new Set(deployment.hosts.map((host) => gateway.listeners.find((l) => l.hostname === host)?.name ?? "http"))].sort();
  return {
    enabled: true,
    parentRefs: sections.map((sectionName) => ({ name: gateway.name, namespace: gateway.namespace, sectionName })),
    hostnames: [...deployment.hosts],
    path: service.ingress.path,
  };
}

function resourceValues(deployment: ModelDeployment): ServiceValues["resources"] {
  const r = deployment.resources;
  return {
    limits: r?.limits && { ...r.limits },
    requests: r?.requests && { ...r.requests },
  };
}

/** A service's probe reads the same in each of its environments: made once per probe (values are only read). */
const probes = new WeakMap<ModelProbe, NonNullable<ServiceValues["livenessProbe"]>>();

function probeValues(probe: ModelProbe): NonNullable<ServiceValues["livenessProbe"]> {
  return getOrMake(probes, probe, () => probeValuesOf(probe));
}

function probeValuesOf(probe: ModelProbe): NonNullable<ServiceValues["livenessProbe"]> {
  return {
    httpGet: probe.path !== undefined ? { path: probe.path, port: probe.port } : undefined,
    tcpSocket: probe.path !== undefined ? undefined : { port: probe.port },
    initialDelaySeconds: probe.initialDelaySeconds,
    periodSeconds: probe.periodSeconds,
  };
}

/**
 * An analysis step, background analysis or pre-promotion analysis: its AnalysisTemplates and a value
 * for every argument they declare, from the deployment (Argo Rollouts refuses to start the run when
 * one is unresolved, and ignores arguments no template declares).
 */
type AnalysisArguments = (templates: readonly string[]) => AnalysisValues;

function analysisArguments(model: Model, deployment: ModelDeployment): AnalysisArguments {
  return (templates) => {
    const declared = [...new Set(templates.flatMap((name) => lookup(model).analysis(name)?.args ?? []))].sort();
    const args = declared
      .filter((name) => deployment.analysisArgs?.[name] !== undefined)
      .map((name) => ({ name, value: deployment.analysisArgs![name]! }));
    return { templates: analysisTemplates(templates), ...(args.length > 0 && { args }) };
  };
}

function rolloutValues(rollout: ModelRollout | undefined, analysis: AnalysisArguments): RolloutValues {
  if (rollout === undefined) return { enabled: false };
  switch (rollout.strategy) {
    case "canary":
      return {
        enabled: true,
        strategy: "canary",
        autoRollback: rollout.autoRollback,
        canary: {
          steps: rollout.steps.map((step) => canaryStep(step, analysis)),
          ...(rollout.backgroundAnalysis.length > 0 && { analysis: analysis(rollout.backgroundAnalysis) }),
        },
      };
    case "blueGreen":
      return {
        enabled: true,
        strategy: "blueGreen",
        blueGreen: {
          autoPromotionEnabled: rollout.autoPromotion,
          ...(rollout.prePromotionAnalysis.length > 0 && { prePromotionAnalysis: analysis(rollout.prePromotionAnalysis) }),
          scaleDownDelaySeconds: parseDuration(rollout.scaleDownDelay)!,
        },
      };
    case "rolling":
      return {
        enabled: false,
        strategy: "rolling",
        deploymentStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: intOrPercent(rollout.maxSurge), maxUnavailable: intOrPercent(rollout.maxUnavailable) } },
      };
    case "recreate":
      return { enabled: false, strategy: "recreate", deploymentStrategy: { type: "Recreate" } };
  }
}

function canaryStep(step: ModelCanaryStep, analysis: AnalysisArguments): CanaryStep {
  if ("setWeight" in step) return { setWeight: step.setWeight };
  if ("pause" in step) return { pause: step.pause.duration !== undefined ? { duration: toGoDuration(step.pause.duration) } : {} };
  return { analysis: analysis(step.analysis.templates) };
}

/** AnalysisTemplates are namespaced objects of the kubernetes target, named after the spec's analyses. */
function analysisTemplates(names: readonly string[]): { templateName: string }[] {
  return names.map((templateName) => ({ templateName }));
}

/** Kubernetes reads "25%" as a percentage but a bare "0" only as an integer. */
function intOrPercent(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value;
}
