import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { serviceValues } from "../targets/helm/values.js";
import type { Diagnostic } from "./diagnostics.js";
import { importModule } from "./load/import-module.js";
import type { Model } from "./model.js";

/**
 * A service that names its own chart by a path beside the spec (the application repository holds
 * spec and chart) is checked against that chart's values.schema.json when it has one: every values
 * file plinth writes for the service must meet it, as `helm template` would demand.
 */
export async function ownChartDiagnostics(model: Model, specFile: string): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const specDir = path.dirname(specFile);
  for (const service of model.services) {
    if (service.chart.kind !== "path" || service.chart.path === undefined) continue;
    const schemaFile = path.resolve(specDir, service.chart.path, "values.schema.json");
    if (!existsSync(schemaFile)) continue;
    const shown = path.relative(specDir, schemaFile);
    const at = [...service.at, "chart"];
    let schema: unknown;
    try {
      schema = JSON.parse(readFileSync(schemaFile, "utf8"));
    } catch (error) {
      out.push({ rule: "chart/values-schema", severity: "error", path: at, message: `${shown} is not JSON: ${(error as Error).message}` });
      continue;
    }
    // Loaded only when some service brings a chart with a schema.
    const { Ajv } = await importModule<typeof import("ajv")>("ajv");
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    let validate;
    try {
      validate = ajv.compile(schema as object);
    } catch (error) {
      out.push({ rule: "chart/values-schema", severity: "error", path: at, message: `${shown} is not a JSON Schema Helm can use: ${(error as Error).message}` });
      continue;
    }
    for (const deployment of model.deployments.filter((d) => d.service === service.name)) {
      if (validate(JSON.parse(JSON.stringify(serviceValues(model, deployment))))) continue;
      const problems = (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}${"additionalProperty" in e.params ? ` '${String(e.params.additionalProperty)}'` : ""}`);
      out.push({
        rule: "chart/values-schema",
        severity: "error",
        path: at,
        message: `${deployment.valuesPath} does not meet ${shown}: ${problems.join("; ")}`,
        hint: "make the chart accept plinth's values contract (helm/values-reference.md), or use plinth-service",
      });
    }
  }
  return out;
}
