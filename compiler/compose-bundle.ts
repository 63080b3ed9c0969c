import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { composeBundleFiles } from "../targets/compose/index.js";
import { didYouMean, UserError } from "./diagnostics.js";
import { readOwnedFile, refuseLinks, replaceFile, symlinkError } from "./safe-fs.js";
import type { Model } from "./model.js";

/** Marks a folder as a bundle `plinth compose` wrote, so a later run may refresh it. */
export const BUNDLE_MARKER = ".plinth-bundle";

/**
 * Writes one tier's self-host bundle (compose.yaml, .env.example, README.md, secrets/README.md and
 * secrets/.gitignore, plus the marker) into `outDir`, and returns the paths written, relative to it.
 * It refuses a folder that holds anything unless an earlier bundle's marker is there; it never
 * touches files it does not write, so an operator's .env and secret files survive a refresh.
 */
export interface ComposeBundleResult {
  /** Paths written, relative to the bundle folder. */
  files: string[];
  /** Settings .env.example gained since the bundle was last written (or that .env lacks). */
  addedSettings: string[];
  /** COMPOSE_PROJECT_NAME in .env, changed by a tier switch: [from, to]. */
  projectRenamed?: [string, string];
}

/** The setting names of a .env-style file. */
const settingNames = (text: string | undefined) => new Set((text ?? "").split("\n").flatMap((line) => /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line)?.[1] ?? []));

export async function writeComposeBundle(model: Model, tierName: string, outDir: string): Promise<ComposeBundleResult> {
  const tier = model.tiers.find((t) => t.name === tierName);
  if (!tier) {
    const names = model.tiers.map((t) => t.name);
    const hint = didYouMean(tierName, names);
    throw new UserError([
      {
        rule: "compose/unknown-tier",
        severity: "error",
        message:
          names.length === 0
            ? `the spec defines no tiers, so there is no '${tierName}' bundle`
            : `unknown tier '${tierName}': the spec defines ${names.map((n) => `'${n}'`).join(", ")}`,
        ...(hint !== undefined ? { hint } : names.length === 0 ? { hint: "add `tiers: [{ name, description }]` to the spec" } : {}),
      },
    ]);
  }

  const root = path.resolve(outDir);
  if (lstatSync(root, { throwIfNoEntry: false })?.isSymbolicLink()) throw symlinkError([root], "bundle folder");
  if (existsSync(root)) {
    if (!statSync(root).isDirectory()) throw outNotEmpty(outDir, "is a file, not a folder");
    const entries = readdirSync(root);
    if (entries.length > 0 && !entries.includes(BUNDLE_MARKER)) {
      throw outNotEmpty(outDir, `is not empty and is not a bundle plinth wrote (no ${BUNDLE_MARKER} in it)`);
    }
  }

  // Rendered in full before anything is written.
  const files = [
    ...composeBundleFiles(model, tier),
    { path: BUNDLE_MARKER, content: `${JSON.stringify({ generator: "plinth compose", platform: model.platform.name, tier: tier.name }, null, 2)}\n` },
  ];
  // Nothing is written through a link: not a file, not the secrets folder the operator fills.
  refuseLinks(root, [...files.map((f) => f.path), ".env"]);
  const exists = existsSync(root);
  const previousExample = exists ? readOwnedFile(root, ".env.example") : undefined;
  const env = exists ? readOwnedFile(root, ".env") : undefined;
  const example = files.find((f) => f.path === ".env.example")!.content;
  // What the operator has to add: new in .env.example, and not already in their .env.
  const known = env !== undefined ? settingNames(env) : settingNames(previousExample);
  const addedSettings = previousExample === undefined && env === undefined ? [] : [...settingNames(example)].filter((name) => !known.has(name));
  const previousTier = exists ? bundleTier(readOwnedFile(root, BUNDLE_MARKER)) : undefined;
  mkdirSync(root, { recursive: true });
  mkdirSync(path.join(root, "secrets"), { recursive: true, mode: 0o700 });
  for (const file of files) replaceFile(path.join(root, ...file.path.split("/")), file.content);
  // A tier switch: the operator's .env still names the old tier's project; point it at the new one.
  const project = /^COMPOSE_PROJECT_NAME=(.*)$/m.exec(example)?.[1];
  const current = env === undefined ? undefined : /^COMPOSE_PROJECT_NAME=(.*)$/m.exec(env)?.[1];
  let projectRenamed: [string, string] | undefined;
  if (env !== undefined && project !== undefined && current !== undefined && current !== project && previousTier !== undefined && previousTier !== tier.name) {
    const envFile = path.join(root, ".env");
    const mode = statSync(envFile).mode & 0o777;
    replaceFile(envFile, env.replace(/^COMPOSE_PROJECT_NAME=.*$/m, `COMPOSE_PROJECT_NAME=${project}`));
    chmodSync(envFile, mode);
    projectRenamed = [current, project];
  }
  return { files: files.map((f) => f.path), addedSettings, ...(projectRenamed && { projectRenamed }) };
}

/** The tier an earlier bundle's marker records. */
function bundleTier(marker: string | undefined): string | undefined {
  try {
    const tier = (JSON.parse(marker ?? "null") as { tier?: unknown } | null)?.tier;
    return typeof tier === "string" ? tier : undefined;
  } catch {
    return undefined;
  }
}

function outNotEmpty(outDir: string, why: string): UserError {
  return new UserError([
    {
      rule: "compose/out-not-empty",
      severity: "error",
      message: `refusing to write the bundle: ${outDir} ${why}`,
      hint: "choose a new or empty folder, or the folder of an earlier `plinth compose` bundle",
    },
  ]);
}
