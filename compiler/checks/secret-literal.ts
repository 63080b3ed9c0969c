import { formatPath, type Diagnostic } from "../diagnostics.js";
import { importModule } from "../load/import-module.js";
import type { LoadedDocument } from "../load/types.js";
import type { SpecPath } from "../model.js";
import type { RawRule } from "./types.js";
import { sha } from "../load/cache.js";

/** Last words that make a key name a credential: DB_PASSWORD, DB_PASS, PGPWD, smtpPassword, AUTH_TOKEN… (not "secrets": in Kubernetes and Helm it lists Secret names) */
const SECRET_WORDS = new Set(["password", "passwords", "passwd", "pass", "pwd", "pgpwd", "passphrase", "secret", "token", "tokens", "credential", "credentials", "apikey"]);
/** `<word>Key` that holds a key (apiKey, secretKey, accessKey), unlike passwordKey (a field's name). */
const KEY_HOLDERS = new Set(["api", "secret", "access", "private", "encryption", "signing", "master", "license", "client"]);
/** Keys that name where a secret is (existingSecret, secretName, secretRef, tokenPath), not what it is. */
const REFERENCE_KEY = /^existing|(?:Name|Names|Ref|Path|File|Store|Provider|Backend)$|^imagePullSecrets$/;

/** A key name split into lowercase words: DB_PASSWORD → db, password; smtpPass → smtp, pass. */
const words = (key: string) =>
  key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());

/**
 * Whether a key names a credential (its value must be a reference, never a literal): its last word
 * is a credential word (DB_PASS, SMTP_PASSWORD, githubToken), or it holds a `<kind> key` anywhere
 * (apiKey, SECRET_KEY_BASE), or it is a webhook. TOKEN_URL or PASSWORD_LENGTH are not.
 */
export function isSecretName(key: string): boolean {
  if (REFERENCE_KEY.test(key)) return false;
  const parts = words(key);
  if (parts.length === 0) return false;
  if (SECRET_WORDS.has(parts[parts.length - 1]!) || parts.includes("webhook")) return true;
  return parts.some((word, i) => word === "key" && i > 0 && KEY_HOLDERS.has(parts[i - 1]!));
}

/** Shannon entropy in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}

/** Values that are credentials whatever they are called. */
const SECRET_VALUE: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/\bAKIA[0-9A-Z]{16}\b/, "an AWS access key id"],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}\b/, "a GitHub token"],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}/, "a GitHub fine-grained token"],
  [/\bglpat-[A-Za-z0-9_-]{20,}/, "a GitLab token"],
  [/\bnpm_[A-Za-z0-9]{36}\b/, "an npm token"],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, "a Google API key"],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, "a Slack token"],
  [/\b[sr]k_(?:live|test)_[A-Za-z0-9]{10,}/, "a Stripe key"],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, "a JSON Web Token"],
  [/https:\/\/(?:discord(?:app)?\.com)\/api\/webhooks\/\d+\/[\w-]+/, "a Discord webhook URL"],
  [/https:\/\/hooks\.slack\.com\/services\/[\w/]+/, "a Slack webhook URL"],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:[^\s/@]+@/i, "a URL with an embedded password"],
  [/[?&](?:access_token|auth_token|token|api_key|apikey|client_secret|password|secret)=(?!\$)[^&\s#]{4,}/i, "a URL with a credential in its query"],
  [/(?:^|\s)--?(?:password|passwd|pass|token|secret|api-key|apikey|client-secret)=(?!\$)\S+/i, "a command-line flag with a credential"],
];

/** 40 characters of base64 with upper, lower and digits and high entropy: the shape of an AWS secret key. */
function looksLikeAwsSecretKey(value: string): boolean {
  const match = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/.exec(value);
  if (!match) return false;
  const candidate = match[0];
  return /[A-Z]/.test(candidate) && /[a-z]/.test(candidate) && /[0-9]/.test(candidate) && entropy(candidate) > 4.2;
}

/** Flags that take a credential as their next argument (["--password", "x"]). */
const SECRET_FLAG = /^--?(?:password|passwd|pass|token|secret|api-key|apikey|client-secret)$/i;
/** A reference to a variable ($(DB_PASSWORD), ${TOKEN}), not a value. */
const VARIABLE_REFERENCE = /^\$(?:\([A-Za-z_][A-Za-z0-9_]*\)|\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$/;

/** What a string value is, if it is a credential whatever its key says. */
export function credentialIn(value: string): string | undefined {
  for (const [pattern, what] of SECRET_VALUE) if (pattern.test(value)) return what;
  if (looksLikeAwsSecretKey(value)) return "an AWS secret access key";
  return undefined;
}

/** Keys that would carry a value inside a secret reference. */
const VALUE_KEYS = new Set(["value", "password", "plaintext", "secretValue", "data"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A secret reference is an object with a store and a key. */
const looksLikeSecretRef = (value: Record<string, unknown>) => "store" in value && ("key" in value || "path" in value);

/** Every string in a value with its path (for scanners that read text). */
/**
 * Every string in the spec, in document order, and the path of the i-th (made only when asked: a
 * spec has tens of thousands of strings, and a clean one asks for none).
 */
/** Where a node of the spec sits: its parent's place and its own key (its path is made only when asked). */
type Place = { parent: Place; key: string | number } | undefined;

function pathOf(place: Place): SpecPath {
  const path: (string | number)[] = [];
  for (let at = place; at !== undefined; at = at.parent) path.push(at.key);
  return path.reverse();
}

export function stringsIn(raw: unknown): { values: string[]; pathOf(index: number): SpecPath } {
  const values: string[] = [];
  // Per string, where it sits.
  const places: Place[] = [];
  const walk = (value: unknown, at: Place) => {
    if (typeof value === "string") {
      values.push(value);
      places.push(at);
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) if (i in value) walk(value[i], { parent: at, key: i });
    } else if (isObject(value)) {
      for (const key of Object.keys(value)) walk(value[key], { parent: at, key });
    }
  };
  walk(raw, undefined);
  return {
    values,
    pathOf: (index) => pathOf(places[index]),
  };
}

export const SECRET_HINT = 'store the value in a secret store and reference it: { store: "vault", key: "path/in/store", property: "field" }';

/** A finding of this rule; `secret` is the value, so that every report can mask it. */
export function secretDiagnostic(path: SpecPath, message: string, secret: string): Diagnostic {
  return { rule: "secret/literal-value", severity: "error", path, message: `${message}: secrets must never be written in the spec, only referenced`, hint: SECRET_HINT, secret };
}

export const secretLiteralRule: RawRule = {
  id: "secret/literal-value",
  severity: "error",
  stage: "raw",
  description: "A secret value written in the spec: only references to a secret store are allowed.",
  check(raw) {
    const found: Diagnostic[] = [];
    const report = (path: SpecPath, message: string, secret: unknown) => found.push(secretDiagnostic(path, message, String(secret)));
    // A node's path is made only when something is reported there: a spec has tens of thousands of nodes.
    const walk = (value: unknown, at: Place, parentKey: string | undefined, inValues: boolean) => {
      if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") {
        const text = String(value);
        const what = typeof value === "string" ? credentialIn(text) : undefined;
        if (what) report(pathOf(at), `${formatPath(pathOf(at))} holds ${what}`, text);
        else if (inValues && parentKey !== undefined && isSecretName(parentKey) && text.length > 0 && !VARIABLE_REFERENCE.test(text)) {
          report(pathOf(at), `${formatPath(pathOf(at))} sets ${parentKey} to a literal value`, text);
        }
        return;
      }
      if (Array.isArray(value)) {
        value.forEach((item, i) => {
          const previous = value[i - 1];
          const itemAt = { parent: at, key: i };
          if (typeof previous === "string" && SECRET_FLAG.test(previous) && typeof item === "string" && !VARIABLE_REFERENCE.test(item)) {
            report(pathOf(itemAt), `${formatPath(pathOf(itemAt))} passes a literal value to ${previous}`, item);
          } else {
            // An array under a credential name (passwords: [...]) holds credentials too.
            walk(item, itemAt, parentKey, inValues);
          }
        });
        return;
      }
      if (!isObject(value)) return;
      if (looksLikeSecretRef(value)) {
        for (const key of Object.keys(value)) {
          if (VALUE_KEYS.has(key)) report(pathOf({ parent: at, key }), `${formatPath(pathOf({ parent: at, key }))} puts a value into a secret reference`, value[key]);
        }
      }
      // Credential-named keys count inside `env` maps and Helm `values` (at any depth).
      for (const key in value) walk(value[key], { parent: at, key }, key, inValues || key === "env" || key === "values");
    };
    walk(raw, undefined, undefined, false);
    return found;
  },
};

let providerRules: Promise<[typeof import("@secretlint/core"), typeof import("@secretlint/secretlint-rule-preset-recommend")]> | undefined;
/** Starts loading secretlint (call it early: the import overlaps the spec's evaluation). */
export function loadProviderRules() {
  providerRules ??= Promise.all([importModule<typeof import("@secretlint/core")>("@secretlint/core"), importModule<typeof import("@secretlint/secretlint-rule-preset-recommend")>("@secretlint/secretlint-rule-preset-recommend")]);
  return providerRules;
}

/** The names secretlint's rules go by, for messages that never quote the value. */
const PROVIDER_NAMES: Record<string, string> = {
  github: "a GitHub token",
  gcp: "a Google Cloud credential",
  aws: "an AWS credential",
  slack: "a Slack token",
  npm: "an npm token",
  basicauth: "a URL with an embedded password",
  privatekey: "a private key",
  sendgrid: "a SendGrid key",
  shopify: "a Shopify token",
  openai: "an OpenAI key",
  anthropic: "an Anthropic key",
  linear: "a Linear key",
  "1password": "a 1Password token",
  "database-connection-string": "a database connection string with a password",
  azure: "an Azure credential",
};

/**
 * Provider token formats tracked by secretlint's recommended preset, over every string in the spec
 * (one line per string, so a finding maps back to its path). Loaded lazily: start it early, it runs
 * while the spec is evaluated.
 */
export async function providerTokenDiagnostics(raw: unknown, alreadyFound: readonly Diagnostic[], memo?: LoadedDocument["memo"]): Promise<Diagnostic[]> {
  const strings = stringsIn(raw);
  if (strings.values.length === 0) return [];
  const content = strings.values.map((value) => value.replace(/[\r\n]/g, " ")).join("\n");
  // The same strings found clean before (same plinth, same preset): nothing to load or scan.
  const scanned = sha(content);
  if (memo?.get("provider-scan") === scanned) return [];
  const [{ lintSource }, { creator: preset }] = await loadProviderRules();
  const result = await lintSource({
    source: { filePath: "/platform-spec.txt", content, ext: ".txt", contentType: "text" },
    options: { config: { rules: [{ id: "@secretlint/secretlint-rule-preset-recommend", rule: preset }] } },
  });
  const reported = new Set(alreadyFound.map((d) => JSON.stringify(d.path)));
  const found: Diagnostic[] = [];
  for (const message of result.messages) {
    const index = message.loc.start.line - 1;
    const value = strings.values[index];
    if (value === undefined) continue;
    const path = strings.pathOf(index);
    if (reported.has(JSON.stringify(path))) continue;
    reported.add(JSON.stringify(path));
    const provider = message.ruleId.replace(/^@secretlint\/secretlint-rule-/, "");
    found.push(secretDiagnostic(path, `${formatPath(path)} holds ${PROVIDER_NAMES[provider] ?? `a credential (secretlint: ${provider})`}`, value));
  }
  if (found.length === 0) memo?.set("provider-scan", scanned);
  return found;
}
