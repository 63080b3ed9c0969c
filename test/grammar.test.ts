import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { starterSpec } from "../compiler/init.js";
import { runPlinth } from "./helpers.js";
import { renderApplications } from "./support/appset-render.js";

const parent = mkdtempSync(path.join(os.tmpdir(), "plinth-grammar-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** The starter spec with each [from, to] edit applied (each must apply). */
function edited(...edits: [string, string][]): string {
  let text = starterSpec("shop");
  for (const [from, to] of edits) {
    expect(text).toContain(from);
    text = text.replace(from, to);
  }
  const dir = mkdtempSync(path.join(parent, "spec-"));
  writeFileSync(path.join(dir, "platform.ts"), text);
  return dir;
}

const COMPONENTS = 'components: ["argocd", "argo-rollouts", "external-secrets", "cloudnative-pg", "velero"],';

/** [what, rule, path shown in the message, edit]: each is refused, located, before anything is written. */
const REFUSED: [string, string, string, [string, string]][] = [
  ["a component namespace that is no DNS-1123 label", "schema/invalid-value", "clusters[0].components[4].namespace", [COMPONENTS, 'components: ["argocd", "argo-rollouts", "external-secrets", "cloudnative-pg", { name: "velero", namespace: "Backups_NS" }],']],
  ["a port name that is no IANA service name", "schema/invalid-value", "services[0].ports[0].name", ['{ name: "http", port: 8080, expose: true }', '{ name: "HTTP_Port", port: 8080, expose: true }']],
  ["an env name that is no C identifier", "schema/invalid-key", "services[0].env.1BAD-NAME: invalid key: expected an environment variable name", ['dependsOn: ["postgres"],', 'dependsOn: ["postgres"],\n      env: { "1BAD-NAME": "x" },']],
  ["a host with a space and a semicolon", "schema/invalid-value", "environments[1].hosts[0]", ['hosts: ["shop.example.com"]', 'hosts: ["a b;id"]']],
  ["an empty image", "schema/invalid-value", "services[0].image", ['image: "ghcr.io/example/shop-app"', 'image: ""']],
  ["an image with a tag and a bad digest", "schema/invalid-value", "services[0].image", ['image: "ghcr.io/example/shop-app"', 'image: "image:tag@sha256:abc"']],
  ["a team that is no label value", "schema/invalid-value", "namespaces[0].team", ['{ name: "dev", cluster: "main",', '{ name: "dev", cluster: "main", team: "Platform Team",']],
  ["min above max", "spec/min-exceeds-max", "scales from min 6", ["scale: { min: 2, max: 6 }", "scale: { min: 6, max: 2 }"]],
  ["duplicate ports", "service/duplicate-port", "two ports named 'http'", ['{ name: "http", port: 8080, expose: true }', '{ name: "http", port: 8080, expose: true }, { name: "http", port: 9090 }']],
  ["a service that depends on itself", "ref/self-dependency", "'app' depends on itself", ['dependsOn: ["postgres"]', 'dependsOn: ["postgres", "app"]']],
  ["a retention of zero", "schema/invalid-value", "backup.retention", ['retention: "14d"', 'retention: "0d"']],
  ["a role group with a comma (ArgoCD's CSV policy)", "schema/invalid-value", "roles[0].groups[0]", ["  environments: [", '  roles: [{ name: "dev", groups: ["eng, role:admin"], actions: ["get"] }],\n  environments: [']],
  ["an HTTP path without a leading slash", "schema/invalid-value", "probes.readiness.path", ['path: "/healthz"', 'path: "healthz"']],
];

describe("strings and numbers that reach a consumer are checked at the spec", () => {
  it.each(REFUSED)("%s", async (_what, rule, shown, edit) => {
    const dir = edited(edit);
    const result = await runPlinth(["build", ".", "--out", "out"], dir);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^platform\\.ts:\\d+:\\d+ - error ${rule.replace("/", "\\/")}`));
    expect(result.stderr).toContain(shown);
    expect(readdirSync(dir)).toEqual(["platform.ts"]);
  });

  it("a wildcard host and a label-safe team are accepted", async () => {
    const dir = edited(['hosts: ["shop.example.com"]', 'hosts: ["shop.example.com", "*.shop.example.com"]'], ['{ name: "dev", cluster: "main",', '{ name: "dev", cluster: "main", team: "platform-team",']);
    const result = await runPlinth(["validate"], dir);
    expect(result.code, result.stderr).toBe(0);
  });

  it("Go-template delimiters in spec text are printed literally by the ApplicationSet", async () => {
    const dir = edited(['domain: "shop.example.com",', 'domain: "shop.example.com",\n  revision: "release-{{x}}",']);
    const result = await runPlinth(["build", ".", "--out", "out"], dir);
    expect(result.code, result.stderr).toBe(0);
    const folder = path.join(dir, "out", "argocd", "main");
    const appsets = readdirSync(folder, { recursive: true })
      .map(String)
      .filter((file) => file.endsWith(".yaml"))
      .map((file) => parse(readFileSync(path.join(folder, file), "utf8")))
      .filter((doc) => doc?.kind === "ApplicationSet");
    expect(appsets.length).toBeGreaterThan(0);
    for (const appset of appsets) {
      for (const app of renderApplications(appset)) {
        expect(app.spec.sources.find((s: { ref?: string }) => s.ref === "values").targetRevision).toBe("release-{{x}}");
      }
    }
  });
});
