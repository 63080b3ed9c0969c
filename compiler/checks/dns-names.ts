import type { Diagnostic } from "../diagnostics.js";
import type { SpecPath } from "../model.js";
import type { SpecRule } from "./types.js";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDns1123Label(name: string): boolean {
  return name.length <= 63 && DNS1123_LABEL.test(name);
}

/** A DNS-1123 spelling of a name, for the hint. */
function suggest(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63);
}

/**
 * Names that become Kubernetes object names, folder names under --out, or cloud resource names must
 * be DNS-1123 labels: this also keeps every generated path inside the output folder.
 */
export const dnsNamesRule: SpecRule = {
  id: "names/dns1123",
  severity: "error",
  stage: "spec",
  description: "A name that becomes a Kubernetes name or an output path is not a DNS-1123 label.",
  check(spec) {
    const out: Diagnostic[] = [];
    const check = (name: string, path: SpecPath, kind: string) => {
      if (isDns1123Label(name)) return;
      const fixed = suggest(name);
      out.push({
        rule: this.id,
        severity: "error",
        path,
        message: `${kind} name '${name}' is not a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters)`,
        ...(fixed && { hint: `did you mean '${fixed}'?` }),
      });
    };
    check(spec.name, ["name"], "platform");
    const lists = [
      ["profiles", "profile"],
      ["clusters", "cluster"],
      ["namespaces", "namespace"],
      ["environments", "environment"],
      ["services", "service"],
      ["dataServices", "data service"],
      ["secretStores", "secret store"],
      ["secrets", "secret"],
      ["analyses", "analysis"],
      ["rollouts", "rollout"],
      ["backups", "backup"],
      ["roles", "role"],
      ["projects", "project"],
    ] as const;
    for (const [key, kind] of lists) {
      (spec[key] as { name: string }[]).forEach((item, i) => check(item.name, [key, i, "name"], kind));
    }
    spec.clusters.forEach((c, i) => c.nodePools.forEach((p, j) => check(p.name, ["clusters", i, "nodePools", j, "name"], "node pool")));
    spec.environments.forEach((e, i) => {
      if (e.preview) {
        const prefix = e.preview.namespacePrefix;
        if (!/^[a-z0-9]([-a-z0-9]*)?$/.test(prefix)) check(prefix, ["environments", i, "preview", "namespacePrefix"], "preview namespace prefix");
      }
    });
    return out;
  },
};
