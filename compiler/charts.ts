import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import semver from "semver";
import { parse } from "yaml";
import type { ModelServiceChartVersion } from "./model.js";
import { packageRoot } from "./load/package-root.js";

/** The chart services deploy with unless they name their own. */
export const SERVICE_CHART = "plinth-service";

/** charts/plinth-service/<version>/ in this package: one folder per released version, never edited once released. */
export function serviceChartVersions(root = packageRoot()): string[] {
  const dir = path.join(root, "charts", SERVICE_CHART);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((version) => semver.valid(version) !== null && existsSync(path.join(dir, version, "Chart.yaml")))
    .sort(semver.compare);
}

export function newestServiceChartDir(root = packageRoot()): string {
  const versions = serviceChartVersions(root);
  if (versions.length === 0) throw new Error(`no ${SERVICE_CHART} chart under ${path.join(root, "charts")}`);
  return path.join(root, "charts", SERVICE_CHART, versions.at(-1)!);
}

/** Every shipped version with its files (paths relative to the version folder, sorted). */
export function loadServiceCharts(root = packageRoot()): ModelServiceChartVersion[] {
  return serviceChartVersions(root).map((version) => {
    const dir = path.join(root, "charts", SERVICE_CHART, version);
    const declared = (parse(readFileSync(path.join(dir, "Chart.yaml"), "utf8")) as { version?: unknown }).version;
    if (declared !== version) throw new Error(`${dir}/Chart.yaml declares version ${String(declared)}, not its folder's ${version}`);
    return { version, files: listFiles(dir).map((file) => ({ path: file, content: readFileSync(path.join(dir, file), "utf8") })) };
  });
}

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(path.join(dir, prefix))
    .sort()
    .flatMap((name) => {
      const relative = prefix ? `${prefix}/${name}` : name;
      return statSync(path.join(dir, relative)).isDirectory() ? listFiles(dir, relative) : [relative];
    });
}
