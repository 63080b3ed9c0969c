/**
 * The real helm binary for the chart tests: $PLINTH_HELM, else the one scripts/fetch-helm.mjs put in
 * node_modules/.cache (the test run's global setup fetches it), else `helm` on the PATH. Tests that
 * need it skip, visibly, when none is there.
 */
import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseYamlDocuments } from "./k8s-check.js";
import { helmPath, kubectlPath } from "../../scripts/fetch-helm.mjs";

function locate(): string | undefined {
  const candidates = [process.env.PLINTH_HELM, helmPath, "helm"].filter((c): c is string => !!c);
  for (const candidate of candidates) {
    if (candidate.includes("/") && !existsSync(candidate)) continue;
    const version = spawnSync(candidate, ["version", "--short"], { encoding: "utf8" });
    if (version.status === 0 && /^v[34]\./.test(version.stdout)) return candidate;
  }
  return undefined;
}

export const HELM: string | undefined = locate();

/** kubectl (for its built-in kustomize): $PLINTH_KUBECTL, else the one fetched beside helm, else on the PATH. */
export const KUBECTL: string | undefined = [process.env.PLINTH_KUBECTL, kubectlPath, "kubectl"]
  .filter((c): c is string => !!c)
  .find((candidate) => (!candidate.includes("/") || existsSync(candidate)) && spawnSync(candidate, ["version", "--client"], { encoding: "utf8" }).status === 0);

export interface HelmRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function helm(args: string[]): Promise<HelmRun> {
  return new Promise((resolve) => {
    // helm's own folders in a throwaway place: the tests never touch a repository or registry.
    const home = (name: string) => path.join(os.tmpdir(), `plinth-helm-${name}`);
    const env = { ...process.env, HELM_CACHE_HOME: home("cache"), HELM_CONFIG_HOME: home("config"), HELM_DATA_HOME: home("data") };
    execFile(HELM!, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Runs `task` over `items` with at most `limit` at a time (the machine has two cores), keeping order. */
export async function inParallel<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface HelmParameter {
  name: string;
  value: string;
  forceString?: boolean;
}

export interface ChartRender {
  lint: HelmRun;
  template: HelmRun;
  /** The rendered objects (empty when `helm template` failed). */
  objects: Record<string, any>[];
}

/**
 * `helm lint --strict` and `helm template` of one release, with the value files and parameters an
 * ArgoCD Application passes (parameters as --set, or --set-string where forceString).
 */
export async function lintAndTemplate(chartDir: string, release: string, namespace: string, valueFiles: string[], parameters: HelmParameter[] = []): Promise<ChartRender> {
  const args = [...valueFiles.flatMap((f) => ["-f", f]), ...parameters.flatMap((p) => [p.forceString ? "--set-string" : "--set", `${p.name}=${p.value}`])];
  const lint = await helm(["lint", "--strict", chartDir, "--namespace", namespace, ...args]);
  const template = await helm(["template", release, chartDir, "--namespace", namespace, ...args]);
  const objects = template.code === 0 ? (parseYamlDocuments(template.stdout) as (Record<string, any> | null)[]).filter((o): o is Record<string, any> => o !== null) : [];
  return { lint, template, objects };
}
