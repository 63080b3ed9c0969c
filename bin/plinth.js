#!/usr/bin/env node
// The CLI entry: runs the built CLI in dist/ (built by `npm ci` through the prepare script).
import { existsSync } from "node:fs";
const entry = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("plinth: dist/ is missing — run `npm run build` (npm ci runs it for you)\n");
  process.exit(2);
}
const { main } = await import(entry.href);
await main();
