#!/usr/bin/env node
// Rewrites README.md's generated sections (rules, versions, CI workflow) from the built sources.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { renderReadme } = await import(path.join(root, "dist", "readme.js"));
const file = path.join(root, "README.md");
writeFileSync(file, renderReadme(readFileSync(file, "utf8")));
process.stdout.write("README.md: generated sections written\n");
