#!/usr/bin/env node
// The CLI entry: runs the built CLI in dist/ (the package ships it; a checkout builds it with `npm run build`).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
const bundle = new URL("../dist/cli.cjs", import.meta.url);
const start = new URL("../dist/start.js", import.meta.url);
if (!existsSync(bundle) || !existsSync(start)) {
  // Only a source checkout lacks dist/: the published package always carries it.
  const checkout = existsSync(new URL("../spec/index.ts", import.meta.url));
  process.stderr.write(checkout ? "plinth: dist/ is missing in this checkout — run `npm run build`\n" : "plinth: this installation is incomplete (dist/ is missing) — reinstall plinth\n");
  process.exit(2);
}
const { startCli } = await import(start.href);
await startCli(fileURLToPath(bundle), process.argv.slice(2));
