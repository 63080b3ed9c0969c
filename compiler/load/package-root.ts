import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/** This package's root folder (where its package.json says name "plinth"), from source or dist. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "plinth") return (cached = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("plinth's package.json not found above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export function packageVersion(): string {
  return JSON.parse(readFileSync(path.join(packageRoot(), "package.json"), "utf8")).version;
}

/** The built entry of the authoring helpers (definePlatform, define*, secretRef). */
export function authoringEntry(): string {
  return path.join(packageRoot(), "dist", "spec", "authoring.js");
}
