/**
 * Unknown fields, which the kubernetes-models validators let through (their schemas are open): each
 * object is written as a typed object literal of its kubernetes-models interface and type-checked
 * with the TypeScript compiler, whose excess-property check rejects a field the published types do
 * not have, at any depth. All objects go into one program, so the cost is one type-check.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { ROOT } from "../helpers.js";
import { k8sProblems, validateWithModel } from "./k8s-check.js";

/** apiVersion/kind → module and interface of its published type. */
const TYPES: Record<string, [module: string, type: string]> = {
  "apps/v1/Deployment": ["kubernetes-models/apps/v1/Deployment", "IDeployment"],
  "apps/v1/StatefulSet": ["kubernetes-models/apps/v1/StatefulSet", "IStatefulSet"],
  "v1/ConfigMap": ["kubernetes-models/v1/ConfigMap", "IConfigMap"],
  "argoproj.io/v1alpha1/Rollout": ["@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout", "IRollout"],
  "v1/Service": ["kubernetes-models/v1/Service", "IService"],
  "v1/ServiceAccount": ["kubernetes-models/v1/ServiceAccount", "IServiceAccount"],
  "networking.k8s.io/v1/Ingress": ["kubernetes-models/networking.k8s.io/v1/Ingress", "IIngress"],
  "autoscaling/v2/HorizontalPodAutoscaler": ["kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler", "IHorizontalPodAutoscaler"],
  "policy/v1/PodDisruptionBudget": ["kubernetes-models/policy/v1/PodDisruptionBudget", "IPodDisruptionBudget"],
  "batch/v1/Job": ["kubernetes-models/batch/v1/Job", "IJob"],
  "batch/v1/CronJob": ["kubernetes-models/batch/v1/CronJob", "ICronJob"],
  "monitoring.coreos.com/v1/ServiceMonitor": ["@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor", "IServiceMonitor"],
  "external-secrets.io/v1/ExternalSecret": ["@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret", "IExternalSecret"],
  "gateway.networking.k8s.io/v1/HTTPRoute": ["@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute", "IHTTPRoute"],
  "gateway.networking.k8s.io/v1/Gateway": ["@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway", "IGateway"],
  "gateway.networking.k8s.io/v1/GatewayClass": ["@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GatewayClass", "IGatewayClass"],
};

/** Problems per object (same order as `objects`, each labelled by `labels[i]`): unknown kinds and fields the types lack. */
export function unknownFieldProblems(objects: Record<string, unknown>[], labels: string[]): string[] {
  const problems: string[] = [];
  const imports = new Map<string, string>();
  const lines: string[] = [];
  const lineOf: number[] = [];
  objects.forEach((object, i) => {
    const key = `${String(object.apiVersion)}/${String(object.kind)}`;
    const type = TYPES[key];
    if (!type) {
      problems.push(`${labels[i]}: ${key} has no published type in test/support/strict-fields.ts`);
      return;
    }
    imports.set(type[1], type[0]);
    lineOf.push(i);
    lines.push(`export const object${i}: ${type[1]} = ${JSON.stringify(object)};`);
  });
  const header = [...imports].map(([type, module]) => `import type { ${type} } from "${module}";`);
  // Inside the package so module resolution finds node_modules.
  mkdirSync(path.join(ROOT, "node_modules", ".cache"), { recursive: true });
  const dir = mkdtempSync(path.join(ROOT, "node_modules", ".cache", "strict-fields-"));
  const file = path.join(dir, "objects.ts");
  try {
    writeFileSync(file, [...header, ...lines, ""].join("\n"));
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
    });
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
      if (diagnostic.file?.fileName !== file || diagnostic.start === undefined) {
        problems.push(text);
        continue;
      }
      const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line - header.length;
      problems.push(`${labels[lineOf[line]!] ?? "?"}: ${text.split("\n").at(-1)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return problems;
}

/** Every problem of rendered objects: our rules, the published schemas, and unknown fields. */
export function objectProblems(objects: Record<string, any>[], label: string | string[]): string[] {
  const labels = objects.map((o, i) => `${typeof label === "string" ? label : label[i]} ${o.kind}/${o.metadata?.name}`);
  const problems = objects.flatMap((object, i) => {
    const own = k8sProblems(object).map((p) => `${labels[i]}: ${p}`);
    try {
      validateWithModel(object);
    } catch (error) {
      own.push(`${labels[i]}: schema: ${(error as Error).message}`);
    }
    return own;
  });
  return [...problems, ...unknownFieldProblems(objects, labels)];
}
