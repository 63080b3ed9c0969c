import { toYaml } from "../shared/yaml.js";
import type { Target } from "../types.js";
import { serviceValues } from "./values.js";

/** helm/<environment>/<service>.values.yaml for every service in every Kubernetes environment, at the Model's valuesPath. */
export const helmTarget: Target = {
  name: "helm",
  description: "Helm values per environment and service (helm create conventions, rollout, externalSecrets, env, featureFlags)",
  generate: (model) =>
    model.deployments
      .map((deployment) => ({ path: deployment.valuesPath, content: toYaml(serviceValues(model, deployment)) }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
};
