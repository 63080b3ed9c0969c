import { existsSync, lstatSync, mkdirSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { composeBundleFiles } from "../targets/compose/index.js";
import { didYouMean, UserError } from "./diagnostics.js";
import { refuseLinks, replaceFile, symlinkError } from "./safe-fs.js";
import type { Model } from "./model.js";

/** Marks a folder as a bundle `plinth compose` wrote, so a later run may refresh it. */
export const BUNDLE_MARKER = ".plinth-bundle";

/**
 * Writes one tier's self-host bundle (compose.yaml, .env.example, README.md, secrets/README.md and
 * secrets/.gitignore, plus the marker) into `outDir`, and returns the paths written, relative to it.
 * It refuses a folder that holds anything unless an earlier bundle's marker is there; it never
 * touches files it does not write, so an operator's .env and secret files survive a refresh.
 */
export async function writeComposeBundle(model: Model, tierName: string, outDir: string): Promise<string[]> {
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
  refuseLinks(root, files.map((f) => f.path));
  mkdirSync(root, { recursive: true });
  mkdirSync(path.join(root, "secrets"), { recursive: true, mode: 0o700 });
  for (const file of files) replaceFile(path.join(root, ...file.path.split("/")), file.content);
  return files.map((f) => f.path);
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
