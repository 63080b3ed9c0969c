import { serviceChartOutputPath } from "../../compiler/resolve/charts.js";
import { toYaml } from "../shared/yaml.js";
import type { Target } from "../types.js";
import { valuesReference } from "./reference.js";
import { serviceValues } from "./values.js";

/**
 * helm/<environment>/<service>.values.yaml for every service in every Kubernetes environment, at the
 * Model's valuesPath, and every plinth-service version an environment renders with, byte for byte,
 * at helm/_charts/plinth-service/<version>/ (ArgoCD reads it from the GitOps repository: no chart
 * registry has to be up, and a version's folder never changes), and helm/values-reference.md, the
 * contract a chart must honour.
 */
export const helmTarget: Target = {
  name: "helm",
  description: "Helm values per environment and service, and the plinth-service chart versions they render with",
  // In the Model's order (emit sorts every target's files by path).
  generate: (model) => [
    ...model.deployments.map((deployment) => ({ path: deployment.valuesPath, content: toYaml(serviceValues(model, deployment)) })),
    ...(model.deployments.length > 0 ? [{ path: "helm/values-reference.md", content: valuesReference(model) }] : []),
    ...model.serviceCharts.flatMap((chart) => chart.files.map((file) => ({ path: `${serviceChartOutputPath(chart.version)}/${file.path}`, content: file.content }))),
  ],
};
