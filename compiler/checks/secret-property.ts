import type { Diagnostic } from "../diagnostics.js";
import type { SpecRule } from "./types.js";

/**
 * A service's secret reference without `property` makes the variable the whole secret, a JSON
 * object: almost always a forgotten field. It is allowed only when the service says so.
 */
export const secretPropertyRule: SpecRule = {
  id: "secret/no-property",
  severity: "error",
  stage: "spec",
  description: "A service's secret reference names no property and does not ask for the whole object.",
  check(spec) {
    const out: Diagnostic[] = [];
    spec.services.forEach((service, i) => {
      for (const [name, ref] of Object.entries(service.secrets)) {
        if (ref.property !== undefined || ref.wholeObject === true) continue;
        out.push({
          rule: this.id,
          severity: "error",
          path: ["services", i, "secrets", name],
          message: `${service.name}'s secret ${name} reads ${ref.key} without a property: the variable would hold the whole secret as a JSON object`,
          hint: `name the field: { key: "${ref.key}", property: "…" }, or ask for the object: wholeObject: true`,
        });
      }
    });
    return out;
  },
};
