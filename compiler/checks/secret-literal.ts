import { formatPath, type Diagnostic } from "../diagnostics.js";
import type { SpecPath } from "../model.js";
import type { RawRule } from "./types.js";

/** Env names that hold credentials. */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?|WEBHOOK)/i;
/** Keys that name where a secret is (existingSecret, secretName, passwordKey…), not what it is. */
const REFERENCE_KEY = /^existing|(?:Name|Ref|Path|File|Key)$/;
/** Values that are credentials whatever they are called. */
const SECRET_VALUE: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/\bAKIA[0-9A-Z]{16}\b/, "an AWS access key id"],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}\b/, "a GitHub token"],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, "a Slack token"],
  [/\bsk_live_[A-Za-z0-9]{10,}/, "a Stripe live key"],
  [/https:\/\/(?:discord(?:app)?\.com)\/api\/webhooks\/\d+\/[\w-]+/, "a Discord webhook URL"],
  [/https:\/\/hooks\.slack\.com\/services\/[\w/]+/, "a Slack webhook URL"],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i, "a URL with an embedded password"],
];
/** Keys that would carry a value inside a secret reference. */
const VALUE_KEYS = new Set(["value", "password", "plaintext", "secretValue", "data"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A secret reference is an object with a store and a key. */
const looksLikeSecretRef = (value: Record<string, unknown>) => "store" in value && ("key" in value || "path" in value);

export const secretLiteralRule: RawRule = {
  id: "secret/literal-value",
  severity: "error",
  stage: "raw",
  description: "A secret value written in the spec: only references to a secret store are allowed.",
  check(raw) {
    const found: Diagnostic[] = [];
    const report = (path: SpecPath, what: string) =>
      found.push({
        rule: this.id,
        severity: "error",
        path,
        message: `${what}: secrets must never be written in the spec, only referenced`,
        hint: "store the value in a secret store and reference it: { store: \"vault\", key: \"path/in/store\", property: \"field\" }",
      });
    const walk = (value: unknown, path: SpecPath, parentKey: string | undefined, inEnv: boolean) => {
      if (typeof value === "string") {
        for (const [pattern, what] of SECRET_VALUE) {
          if (pattern.test(value)) {
            report(path, `${formatPath(path)} holds ${what}`);
            return;
          }
        }
        if (inEnv && parentKey !== undefined && SECRET_NAME.test(parentKey) && !REFERENCE_KEY.test(parentKey) && value.length > 0) {
          report(path, `${formatPath(path)} sets ${parentKey} to a literal value`);
        }
        return;
      }
      if (Array.isArray(value)) {
        value.forEach((item, i) => walk(item, [...path, i], undefined, false));
        return;
      }
      if (!isObject(value)) return;
      if (looksLikeSecretRef(value)) {
        for (const key of Object.keys(value)) {
          if (VALUE_KEYS.has(key)) report([...path, key], `${formatPath([...path, key])} puts a value into a secret reference`);
        }
      }
      // Credential-named keys count inside `env` maps and component Helm `values` (at any depth).
      for (const [key, child] of Object.entries(value)) walk(child, [...path, key], key, inEnv || key === "env" || key === "values");
    };
    walk(raw, [], undefined, false);
    return found;
  },
};
