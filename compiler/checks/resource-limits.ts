import { parseQuantity } from "../../spec/units.js";
import type { Diagnostic } from "../diagnostics.js";
import type { SpecPath } from "../model.js";
import { mergeResources } from "../resolve/index.js";
import type { SpecRule } from "./types.js";

type Amounts = { cpu?: string | number; memory?: string | number };

/** A container whose request exceeds its limit is rejected by the API server. */
export const resourceLimitsRule: SpecRule = {
  id: "resources/request-exceeds-limit",
  severity: "error",
  stage: "spec",
  description: "A resource request is larger than its limit (Kubernetes rejects the pod).",
  check(spec) {
    const out: Diagnostic[] = [];
    const compare = (requests: Amounts | undefined, limits: Amounts | undefined, at: SpecPath, requestKey: string, limitKey: string) => {
      for (const resource of ["cpu", "memory"] as const) {
        const request = requests?.[resource];
        const limit = limits?.[resource];
        if (request === undefined || limit === undefined) continue;
        if (parseQuantity(request)! <= parseQuantity(limit)!) continue;
        out.push({
          rule: this.id,
          severity: "error",
          path: [...at, requestKey, resource],
          message: `${resource} request ${request} is larger than its limit ${limit}: Kubernetes rejects such a pod`,
          hint: `raise ${limitKey}.${resource} or lower ${requestKey}.${resource}`,
        });
      }
    };
    spec.services.forEach((s, i) => {
      compare(s.resources?.requests, s.resources?.limits, ["services", i, "resources"], "requests", "limits");
      for (const [env, override] of Object.entries(s.overrides)) {
        const merged = mergeResources(s.resources, override.resources);
        compare(merged?.requests, merged?.limits, ["services", i, "overrides", env, "resources"], "requests", "limits");
      }
    });
    spec.dataServices.forEach((d, i) => {
      compare(d.resources?.requests, d.resources?.limits, ["dataServices", i, "resources"], "requests", "limits");
      for (const [env, override] of Object.entries(d.overrides)) {
        const merged = mergeResources(d.resources, override.resources);
        compare(merged?.requests, merged?.limits, ["dataServices", i, "overrides", env, "resources"], "requests", "limits");
      }
    });
    spec.namespaces.forEach((n, i) => compare(n.limitRange?.defaultRequest, n.limitRange?.default, ["namespaces", i, "limitRange"], "defaultRequest", "default"));
    return out;
  },
};
