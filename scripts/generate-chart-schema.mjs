#!/usr/bin/env node
// Writes values.schema.json of the newest plinth-service chart version from the values contract the
// helm target is typed by (targets/helm/schema.ts). test/targets/helm-chart.test.ts fails while the
// committed file differs. Released (older) versions are frozen and never rewritten.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "tsup";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// Built inside the package so the bundle resolves zod and yaml from node_modules.
mkdirSync(path.join(root, "node_modules", ".cache"), { recursive: true });
const work = mkdtempSync(path.join(root, "node_modules", ".cache", "plinth-chart-schema-"));
try {
  await build({ entry: { schema: path.join(root, "targets/helm/schema.ts"), charts: path.join(root, "compiler/charts.ts") }, outDir: work, format: ["esm"], platform: "node", silent: true, config: false, dts: false, clean: false });
  const { chartValuesSchema, renderChartSchema } = await import(pathToFileURL(path.join(work, "schema.js")).href);
  const { newestServiceChartDir } = await import(pathToFileURL(path.join(work, "charts.js")).href);
  const file = path.join(newestServiceChartDir(root), "values.schema.json");
  writeFileSync(file, renderChartSchema(chartValuesSchema()));
  console.log(path.relative(root, file));
} finally {
  rmSync(work, { recursive: true, force: true });
}
