import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { isSecretName } from "../compiler/checks/secret-literal.js";
import { starterSpec } from "../compiler/init.js";
import { maskSecret } from "../compiler/report.js";
import { runPlinth } from "./helpers.js";

const parent = mkdtempSync(path.join(os.tmpdir(), "plinth-secrets-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

const SERVICE_ANCHOR = 'probes: { readiness: { path: "/healthz", port: "http" } },';
const COMPONENTS_ANCHOR = 'components: ["argocd", "argo-rollouts", "external-secrets", "cloudnative-pg", "velero"],';

/** The starter spec with `insert` placed before the service's probes (or replacing the cluster's components). */
function specWith(insert: string, anchor = SERVICE_ANCHOR): string {
  const text = starterSpec("shop");
  expect(text).toContain(anchor);
  const dir = mkdtempSync(path.join(parent, "spec-"));
  writeFileSync(path.join(dir, "platform.ts"), text.replace(anchor, anchor === SERVICE_ANCHOR ? `${insert}\n      ${anchor}` : insert));
  return dir;
}

/** Every format the rule must refuse: [what, the secret value, where it is written]. */
const CORPUS: [string, string, string][] = [
  ["a numeric DB_PASSWORD", "987654321", "env: { DB_PASSWORD: 987654321 } as any,"],
  ["DB_PASS", "hunter2hunter2", 'env: { DB_PASS: "hunter2hunter2" },'],
  ["PGPWD", "pg-Secr3t-value", 'env: { PGPWD: "pg-Secr3t-value" },'],
  ["SMTP_PASS", "smtp-Secr3t-value", 'env: { SMTP_PASS: "smtp-Secr3t-value" },'],
  ["a Stripe key under STRIPE_KEY", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", 'env: { STRIPE_KEY: "sk_live_4eC39HqLyjWDarjtT1zdp7dc" },'],
  [
    "a JWT under a neutral name",
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    'env: { SESSION: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U" },',
  ],
  ["an AWS secret key under a neutral name", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", 'env: { BLOB: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },'],
  ["a GitHub fine-grained token", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", 'env: { CI: "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz" },'],
  ["a GitHub classic token", "ghp_1234567890abcdefghijABCDEFGHIJ123456", 'env: { CI: "ghp_1234567890abcdefghijABCDEFGHIJ123456" },'],
  ["a GitLab token", "glpat-abcdefghij1234567890", 'env: { CI: "glpat-abcdefghij1234567890" },'],
  ["a Google API key", "AIzaSyA1234567890abcdefghijklmnopqrstuv", 'env: { MAPS: "AIzaSyA1234567890abcdefghijklmnopqrstuv" },'],
  ["an npm token", "npm_abcdefghijklmnopqrstuvwxyz0123456789", 'env: { REGISTRY: "npm_abcdefghijklmnopqrstuvwxyz0123456789" },'],
  ["a Slack token", "xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx", 'env: { CHAT: "xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx" },'],
  ["a Shopify token (secretlint's preset)", "shpat_1234567890abcdef1234567890abcdef", 'env: { SHOP: "shpat_1234567890abcdef1234567890abcdef" },'],
  ["a URL with an empty user and a password", "https://:pw-Secr3t@example.com/x", 'env: { UPSTREAM: "https://:pw-Secr3t@example.com/x" },'],
  ["a query token", "https://api.example.com/x?access_token=tok-Secr3t-123", 'env: { UPSTREAM: "https://api.example.com/x?access_token=tok-Secr3t-123" },'],
  ["--password= in a command", "--password=cmd-Secr3t", 'command: ["server", "--password=cmd-Secr3t"],'],
  ["a --password flag followed by its value", "flag-Secr3t", 'command: ["server", "--password", "flag-Secr3t"],'],
  ["passwords inside an array", "arr-Secr3t-1", 'env: { DB_PASSWORDS: ["arr-Secr3t-1"] } as any,'],
];

const saved = process.env.PLINTH_CACHE_DIR;
afterEach(() => {
  process.env.PLINTH_CACHE_DIR = saved;
});

describe("literal secrets are refused and never shown", () => {
  it.each(CORPUS)("%s", async (_what, secret, insert) => {
    const cache = mkdtempSync(path.join(parent, "cache-"));
    process.env.PLINTH_CACHE_DIR = cache;
    const dir = specWith(insert);
    for (const args of [["build", ".", "--out", "out"], ["validate", "--json"], ["validate", "--format", "github"]]) {
      const result = await runPlinth(args, dir);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout + result.stderr).toContain("secret/literal-value");
      expect(result.stdout + result.stderr).not.toContain(secret);
    }
    // Nothing was written, and no cache entry holds the transpiled secret.
    expect(readdirSync(dir)).toEqual(["platform.ts"]);
    const cached = readdirSync(cache, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    for (const entry of cached) expect(readFileSync(path.join(entry.parentPath, entry.name), "utf8")).not.toContain(secret);
  });

  it("apiKey and secretKey in a component's Helm values", async () => {
    const dir = specWith(
      'components: ["argocd", "argo-rollouts", "external-secrets", "cloudnative-pg", { name: "velero", values: { credentials: { apiKey: "helm-Secr3t-a", nested: [{ secretKey: "helm-Secr3t-b" }] } } }],',
      COMPONENTS_ANCHOR,
    );
    const result = await runPlinth(["validate"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("values.credentials.apiKey sets apiKey to a literal value");
    expect(result.stderr).toContain("values.credentials.nested[0].secretKey sets secretKey to a literal value");
    expect(result.stderr).not.toMatch(/helm-Secr3t/);
  });

  it("references and ordinary settings are not secrets", async () => {
    const dir = specWith('env: { LOG_LEVEL: "info", PASSWORD_MIN_LENGTH: "12", TOKEN_URL: "https://auth.example.com/token", DB_PASSWORD_FILE: "/run/secrets/db", API_KEY: "$(API_KEY)" },\n      command: ["server", "--password-file=/run/secrets/pw"],');
    const result = await runPlinth(["validate"], dir);
    expect(result.code, result.stderr).toBe(0);
  });
});

describe("the key-name rule", () => {
  it.each(["DB_PASSWORD", "DB_PASS", "PGPWD", "SMTP_PASS", "smtpPassword", "apiKey", "secretKey", "STRIPE_API_KEY", "SECRET_KEY_BASE", "GITHUB_TOKEN", "SLACK_WEBHOOK_URL"])("%s names a credential", (key) =>
    expect(isSecretName(key)).toBe(true),
  );
  it.each(["LOG_LEVEL", "PASSWORD_MIN_LENGTH", "TOKEN_URL", "passwordKey", "existingSecret", "secretName", "DB_PASSWORD_FILE", "PASSENGER_COUNT", "imagePullSecrets", "monkey"])("%s does not", (key) =>
    expect(isSecretName(key)).toBe(false),
  );
});

describe("maskSecret", () => {
  it("masks the literal at the column, the value after a key, and verbatim copies", () => {
    expect(maskSecret('  env: { X: "abc\\"def" }, y', 'abc"def', 10)).toBe('  env: { X: "*****" }, y');
    expect(maskSecret("  env: { DB_PASSWORD: 987654321 },", "987654321", 10)).toBe("  env: { DB_PASSWORD: ***** },");
    expect(maskSecret("password: hunter2 # old: hunter2", "hunter2", 1)).toBe("password: *****");
    expect(maskSecret("a hunter2 b", "hunter2")).toBe("a ***** b");
  });
});
