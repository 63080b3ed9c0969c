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
try {
  const { startCli } = await import(start.href);
  await startCli(fileURLToPath(bundle), process.argv.slice(2));
} catch (error) {
  // The CLI reports its own failures; this is one before (or outside) it: still a bug, exit 2.
  process.stderr.write(`plinth: internal error: ${error instanceof Error ? error.message : String(error)}\nThis is a bug in plinth. Please report it with the output of the same command run with --debug.\n`);
  if (process.argv.includes("--debug") && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 2;
}
