import { inspect } from "node:util";
import { runCli } from "./cli.js";

/** The process entry: real stdio, real exit code. */
export async function main(): Promise<void> {
  // stdout is plinth's (--json, inspect, schema): whatever a spec prints, whenever, goes to stderr.
  console.log = console.info = console.debug = (...args: unknown[]) => console.error(...args);
  console.dir = (item: unknown, options?: object) => void process.stderr.write(`${inspect(item, options)}\n`);
  const code = await runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    isTTY: process.stderr.isTTY === true,
  });
  process.exitCode = code;
}

export { runCli, type Io } from "./cli.js";
