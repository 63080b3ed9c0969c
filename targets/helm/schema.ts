import { z } from "zod";
import type { IContainerPort } from "kubernetes-models/v1/ContainerPort";
import type { IEnvFromSource } from "kubernetes-models/v1/EnvFromSource";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { IPodSecurityContext } from "kubernetes-models/v1/PodSecurityContext";
import type { IProbe } from "kubernetes-models/v1/Probe";
import type { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import type { ISecurityContext } from "kubernetes-models/v1/SecurityContext";
import type { IVolume } from "kubernetes-models/v1/Volume";
import type { IVolumeMount } from "kubernetes-models/v1/VolumeMount";
import type { IDeploymentStrategy } from "kubernetes-models/apps/v1/DeploymentStrategy";
import type { IBlueGreenStrategy } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/BlueGreenStrategy";
import type { ICanaryStrategy } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/CanaryStrategy";

/**
 * The values contract of the plinth-service chart: the one schema the helm target's output is typed
 * by (ServiceValues) and the chart's values.schema.json is generated from
 * (scripts/generate-chart-schema.mjs), so the two cannot drift. Every object is closed: a key the
 * chart does not read is an error in `helm lint`/`helm template`, not silently ignored. Kubernetes
 * and Argo Rollouts structures keep their own shapes (the assertions at the end prove it), restricted
 * to the parts the chart supports.
 */

const name = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).max(63);
const quantity = z.string().regex(/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/);
const intOrString = z.union([z.number().int(), z.string().min(1)]);
const portNumber = z.number().int().min(1).max(65535);
const goDuration = z.string().regex(/^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^0$/);
const stringMap = z.record(z.string(), z.string());
/** A URL path or mount path (a plain pattern: zod's startsWith would add a format no JSON Schema reader knows). */
const ABSOLUTE_PATH = /^\//;

const probe = z.strictObject({
  httpGet: z.strictObject({ path: z.string().regex(ABSOLUTE_PATH), port: intOrString, scheme: z.enum(["HTTP", "HTTPS"]).optional() }).optional(),
  tcpSocket: z.strictObject({ port: intOrString }).optional(),
  exec: z.strictObject({ command: z.array(z.string()).min(1) }).optional(),
  grpc: z.strictObject({ port: portNumber, service: z.string().optional() }).optional(),
  initialDelaySeconds: z.number().int().nonnegative().optional(),
  periodSeconds: z.number().int().positive().optional(),
  timeoutSeconds: z.number().int().positive().optional(),
  successThreshold: z.number().int().positive().optional(),
  failureThreshold: z.number().int().positive().optional(),
}).meta({ title: "Probe (Kubernetes core/v1)" });

const seccompProfile = z.strictObject({ type: z.enum(["RuntimeDefault", "Localhost", "Unconfined"]), localhostProfile: z.string().optional() });

const podSecurityContext = z.strictObject({
  runAsNonRoot: z.boolean().optional(),
  runAsUser: z.number().int().nonnegative().optional(),
  runAsGroup: z.number().int().nonnegative().optional(),
  fsGroup: z.number().int().nonnegative().optional(),
  seccompProfile: seccompProfile.optional(),
}).meta({ title: "PodSecurityContext (Kubernetes core/v1)" });

const securityContext = z.strictObject({
  allowPrivilegeEscalation: z.boolean().optional(),
  capabilities: z.strictObject({ add: z.array(z.string()).optional(), drop: z.array(z.string()).optional() }).optional(),
  readOnlyRootFilesystem: z.boolean().optional(),
  runAsNonRoot: z.boolean().optional(),
  runAsUser: z.number().int().nonnegative().optional(),
  runAsGroup: z.number().int().nonnegative().optional(),
  seccompProfile: seccompProfile.optional(),
}).meta({ title: "SecurityContext (Kubernetes core/v1)" });

const resources = z.strictObject({ limits: z.record(z.string(), quantity).optional(), requests: z.record(z.string(), quantity).optional() }).meta({ title: "ResourceRequirements (Kubernetes core/v1)" });

const envVar = z.strictObject({
  name: z.string().min(1),
  value: z.string().optional(),
  valueFrom: z
    .strictObject({
      secretKeyRef: z.strictObject({ name: z.string(), key: z.string(), optional: z.boolean().optional() }).optional(),
      configMapKeyRef: z.strictObject({ name: z.string(), key: z.string(), optional: z.boolean().optional() }).optional(),
    })
    .optional(),
}).meta({ title: "EnvVar (Kubernetes core/v1)" });

/** Env from whole Secrets or ConfigMaps: where data bindings put their connection details. */
const envFromSource = z.strictObject({
  prefix: z.string().optional(),
  secretRef: z.strictObject({ name: z.string(), optional: z.boolean().optional() }).optional(),
  configMapRef: z.strictObject({ name: z.string(), optional: z.boolean().optional() }).optional(),
}).meta({ title: "EnvFromSource (Kubernetes core/v1)" });

const keyToPath = z.strictObject({ key: z.string(), path: z.string() });
const volume = z.strictObject({
  name,
  emptyDir: z.strictObject({ medium: z.enum(["", "Memory"]).optional(), sizeLimit: quantity.optional() }).optional(),
  secret: z.strictObject({ secretName: z.string(), items: z.array(keyToPath).optional(), defaultMode: z.number().int().optional(), optional: z.boolean().optional() }).optional(),
  configMap: z.strictObject({ name: z.string(), items: z.array(keyToPath).optional(), defaultMode: z.number().int().optional(), optional: z.boolean().optional() }).optional(),
  persistentVolumeClaim: z.strictObject({ claimName: z.string(), readOnly: z.boolean().optional() }).optional(),
  // A per-pod cache: a claim made with the pod and deleted with it (works in Deployments and Rollouts alike).
  ephemeral: z
    .strictObject({
      volumeClaimTemplate: z.strictObject({
        metadata: z.strictObject({ labels: stringMap.optional() }).optional(),
        spec: z.strictObject({
          accessModes: z.array(z.enum(["ReadWriteOnce", "ReadWriteOncePod"])).min(1),
          storageClassName: z.string().optional(),
          resources: z.strictObject({ requests: z.strictObject({ storage: quantity }) }),
        }),
      }),
    })
    .optional(),
}).meta({ title: "Volume (Kubernetes core/v1)" });
const volumeMount = z.strictObject({ name, mountPath: z.string().regex(ABSOLUTE_PATH), subPath: z.string().optional(), readOnly: z.boolean().optional() }).meta({ title: "VolumeMount (Kubernetes core/v1)" });

const containerPort = z.strictObject({ name: z.string().max(15), containerPort: portNumber, protocol: z.enum(["TCP", "UDP", "SCTP"]) }).meta({ title: "ContainerPort (Kubernetes core/v1)" });

const ingress = z.discriminatedUnion("enabled", [
  z.strictObject({ enabled: z.literal(false) }),
  z.strictObject({
    enabled: z.literal(true),
    className: z.string().optional(),
    annotations: stringMap.optional(),
    hosts: z.array(z.strictObject({ host: z.string(), paths: z.array(z.strictObject({ path: z.string().regex(ABSOLUTE_PATH), pathType: z.enum(["Prefix", "Exact"]) })).min(1) })).min(1),
    tls: z.array(z.strictObject({ secretName: z.string(), hosts: z.array(z.string()) })),
  }),
]);

/** Gateway API routing instead of an Ingress: the chart attaches an HTTPRoute to the named Gateway. */
const httpRoute = z.discriminatedUnion("enabled", [
  z.strictObject({ enabled: z.literal(false) }),
  z.strictObject({
    enabled: z.literal(true),
    parentRefs: z.array(z.strictObject({ name: z.string(), namespace: z.string().optional(), sectionName: z.string().optional() })).min(1),
    hostnames: z.array(z.string()).min(1),
    path: z.string().regex(ABSOLUTE_PATH),
  }),
]);

const analysis = z.strictObject({
  templates: z.array(z.strictObject({ templateName: z.string() })).min(1),
  args: z.array(z.strictObject({ name: z.string(), value: z.string() })).optional(),
}).meta({ title: "RolloutAnalysis (Argo Rollouts)" });

const canaryStep = z.union([
  z.strictObject({ setWeight: z.number().int().min(0).max(100) }),
  z.strictObject({ pause: z.strictObject({ duration: goDuration.optional() }) }),
  z.strictObject({ analysis }),
]).meta({ title: "CanaryStep (Argo Rollouts)" });

const rollout = z.union([
  z.strictObject({
    enabled: z.literal(false),
    strategy: z.enum(["rolling", "recreate"]).optional(),
    deploymentStrategy: z
      .strictObject({
        type: z.enum(["RollingUpdate", "Recreate"]),
        rollingUpdate: z.strictObject({ maxSurge: intOrString, maxUnavailable: intOrString }).optional(),
      })
      .optional(),
  }),
  z.strictObject({
    enabled: z.literal(true),
    strategy: z.literal("canary"),
    autoRollback: z.boolean(),
    canary: z.strictObject({ steps: z.array(canaryStep).min(1), analysis: analysis.optional() }),
  }),
  z.strictObject({
    enabled: z.literal(true),
    strategy: z.literal("blueGreen"),
    blueGreen: z.strictObject({
      autoPromotionEnabled: z.boolean(),
      prePromotionAnalysis: analysis.optional(),
      scaleDownDelaySeconds: z.number().int().nonnegative(),
    }),
  }),
]);

/**
 * A Job run before each install and upgrade (a Helm hook; Argo CD runs it as PreSync), e.g. database
 * migrations. It runs as the ServiceAccount `<release>-pre-release`, itself a hook of a lower weight:
 * the release's own ServiceAccount is created only after the PreSync phase.
 */
const preReleaseJob = z.strictObject({
  name,
  command: z.array(z.string()).min(1),
  args: z.array(z.string()).optional(),
  backoffLimit: z.number().int().nonnegative().optional(),
  activeDeadlineSeconds: z.number().int().positive().optional(),
});

/** A value's meaning, in the JSON Schema (and so in the generated values reference). */
const about = <T extends z.ZodType>(schema: T, description: string): T => schema.describe(description);

export const serviceValuesSchema = z
  .strictObject({
    replicaCount: about(z.number().int().nonnegative().optional(), "Pods when the environment scales to a fixed number (ignored while autoscaling is enabled)."),
    image: z.strictObject({
      repository: about(z.string().min(1), "Image repository, without tag or digest."),
      digest: about(z.string().regex(/^sha256:[a-f0-9]{64}$/).optional(), "Digest the release lock pins; wins over tag."),
      tag: about(z.string().min(1).optional(), "Only for previews without a digest from CI: the pull request's head commit."),
      pullPolicy: z.enum(["IfNotPresent", "Always", "Never"]),
    }),
    imagePullSecrets: about(
      z.array(z.strictObject({ name: z.string().min(1) })).optional(),
      "Image pull Secrets in the pod's namespace: the profile registry's, which plinth makes in every environment namespace (registry.credentials).",
    ),
    command: about(z.array(z.string()).optional(), "Container command, replacing the image's entrypoint."),
    podSecurityContext,
    securityContext,
    ports: about(z.array(containerPort), "Container ports; the Service exposes each under its name."),
    service: about(z.strictObject({ type: z.literal("ClusterIP"), port: portNumber }).optional(), "The Service's main port (what the Ingress, HTTPRoute and analyses reach); absent for a service without ports."),
    ingress: about(ingress, "An Ingress for the environment's hosts, with TLS from cert-manager's ingress-shim."),
    httpRoute: about(httpRoute.optional(), "A Gateway API HTTPRoute instead of (or beside) the Ingress."),
    resources,
    livenessProbe: probe.optional(),
    readinessProbe: probe.optional(),
    startupProbe: probe.optional(),
    autoscaling: about(
      z.strictObject({
        enabled: z.boolean(),
        minReplicas: z.number().int().positive().optional(),
        maxReplicas: z.number().int().positive().optional(),
        targetCPUUtilizationPercentage: z.number().int().min(1).max(100).optional(),
      }),
      "A HorizontalPodAutoscaler on CPU, scaling the Deployment or Rollout.",
    ),
    rollout: about(rollout, "enabled: an Argo Rollout (canary steps with analyses, or blue-green); otherwise a Deployment with a rolling or recreate strategy."),
    serviceAccount: z.strictObject({
      annotations: about(stringMap, "Annotations of the pods' ServiceAccount: their workload identity (IRSA role, GKE service account…)."),
    }),
    podDisruptionBudget: about(
      z.discriminatedUnion("enabled", [z.strictObject({ enabled: z.literal(false) }), z.strictObject({ enabled: z.literal(true), maxUnavailable: intOrString })]),
      "How many pods a voluntary disruption (a node drain) may take at once.",
    ),
    serviceMonitor: about(
      z.discriminatedUnion("enabled", [
        z.strictObject({ enabled: z.literal(false) }),
        z.strictObject({ enabled: z.literal(true), port: z.string(), path: z.string().regex(ABSOLUTE_PATH), interval: goDuration }),
      ]),
      "A ServiceMonitor for the Prometheus operator, scraping the named Service port.",
    ),
    externalSecrets: about(
      z
        .strictObject({
          secretName: about(z.string(), "The Secret the container takes its secret env from (envFrom)."),
          keys: about(z.array(z.string()), "The keys it holds: names only, never values."),
          create: about(z.boolean(), "The chart renders the ExternalSecret itself (previews, whose namespace exists per pull request); otherwise the kubernetes target does."),
          secretStoreRef: z.strictObject({ name: z.string(), kind: z.enum(["ClusterSecretStore", "SecretStore"]) }).optional(),
          refreshInterval: goDuration.optional(),
          data: z.array(z.strictObject({ secretKey: z.string(), remoteRef: z.strictObject({ key: z.string(), property: z.string().optional() }) })).optional(),
        })
        .optional(),
      "The service's secret env, as references to a secret store.",
    ),
    env: about(z.array(envVar), "Plain environment variables."),
    envFrom: about(z.array(envFromSource), "Extension point: env from whole Secrets or ConfigMaps (data bindings), after the ExternalSecret's."),
    volumes: about(z.array(volume), "Volumes of the pod: the bindings' secret files, and per-pod caches (generic ephemeral volumes, which pre-release Jobs do not mount)."),
    volumeMounts: about(z.array(volumeMount), "Extension point: where the container mounts them."),
    persistence: about(
      z.array(z.strictObject({ name, mountPath: z.string().regex(ABSOLUTE_PATH), size: quantity, storageClassName: z.string().optional() })).optional(),
      "Persistent per-replica volumes: the service runs as a StatefulSet (one ReadWriteOnce claim per replica and volume, kept across restarts and updates, updated pod by pod); rollout.enabled must then be false.",
    ),
    cronJobs: about(
      z.array(preReleaseJob.extend({ schedule: z.string().min(1) })).optional(),
      "CronJobs (never two runs at once) in the service's image, env, secret files and ServiceAccount, without its per-pod caches.",
    ),
    hooks: z.strictObject({
      preRelease: about(z.array(preReleaseJob), "Jobs run before every install and upgrade, in order (Helm hooks; Argo CD runs them as PreSync), as ServiceAccount <release>-pre-release, which the chart creates as an earlier hook."),
      syncWaves: about(
        z.boolean().optional(),
        "Run the preRelease Jobs inside Argo CD's Sync phase instead, as the release's own ServiceAccount: Job i in sync wave i+1, after the release's ExternalSecret and ServiceAccount (wave 0), the workload after the last Job. For namespaces created with the release (previews), where nothing a PreSync Job reads exists yet.",
      ),
    }),
    featureFlags: about(
      z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/), z.union([z.boolean(), z.string()])),
      "Feature flags, set as FEATURE_<NAME> environment variables (name in upper snake case).",
    ),
  })
  .meta({ title: "plinth-service values", description: "Values plinth writes for one service in one environment (helm/<environment>/<service>.values.yaml)." });

export type ServiceValues = z.infer<typeof serviceValuesSchema>;
export type IngressValues = ServiceValues["ingress"];
export type HttpRouteValues = NonNullable<ServiceValues["httpRoute"]>;
export type RolloutValues = ServiceValues["rollout"];

/** Set in dist/ by tsup.config.ts: chartValuesSchema() computed at build time. */
declare const __PLINTH_CHART_VALUES_SCHEMA__: string | undefined;

/** The JSON Schema the chart ships as values.schema.json (draft-07: what every Helm reads). */
export function chartValuesSchema(): Record<string, unknown> {
  // dist/ carries it ready: generating it cost every build about 15 ms. Tests run this source.
  if (typeof __PLINTH_CHART_VALUES_SCHEMA__ === "string") return JSON.parse(__PLINTH_CHART_VALUES_SCHEMA__) as Record<string, unknown>;
  return z.toJSONSchema(serviceValuesSchema, { target: "draft-7" }) as Record<string, unknown>;
}

// The contract's Kubernetes-shaped parts stay assignable to Kubernetes' and Argo Rollouts' own types.
type Assignable<T extends U, U> = T;
export type KubernetesShapes = [
  Assignable<z.infer<typeof probe>, IProbe>,
  Assignable<z.infer<typeof podSecurityContext>, IPodSecurityContext>,
  Assignable<z.infer<typeof securityContext>, ISecurityContext>,
  Assignable<z.infer<typeof resources>, IResourceRequirements>,
  Assignable<z.infer<typeof envVar>, IEnvVar>,
  Assignable<z.infer<typeof envFromSource>, IEnvFromSource>,
  Assignable<z.infer<typeof volume>, IVolume>,
  Assignable<z.infer<typeof volumeMount>, IVolumeMount>,
  Assignable<z.infer<typeof containerPort>, IContainerPort>,
  Assignable<NonNullable<Extract<RolloutValues, { enabled: false }>["deploymentStrategy"]>, IDeploymentStrategy>,
  Assignable<Extract<RolloutValues, { strategy: "canary" }>["canary"], ICanaryStrategy>,
  // The chart adds the Service names, derived from the release.
  Assignable<Extract<RolloutValues, { strategy: "blueGreen" }>["blueGreen"], Omit<IBlueGreenStrategy, "activeService" | "previewService">>,
];

/** values.schema.json as committed: two-space JSON with a trailing newline. */
export function renderChartSchema(schema: Record<string, unknown>): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
