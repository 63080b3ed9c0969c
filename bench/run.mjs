#!/usr/bin/env node
// Benchmark: wall time of whole CLI runs (what a user and CI wait for), never timed tests.
//   1. the node floor (`node -e 0`), the CLI bundle's start, and what each lazily loaded package costs on top of it;
//   2. examples/bitvault: validate cold (empty transpile cache) and warm, build warm (tree up to date);
//   3. the synthetic generator (bench/generate.mjs) at 2 clusters × 5 environments and 250, 500,
//      1,000 and 2,000 services: warm build, validate and check, and a rebuild after a one-line edit
//      of the spec; peak RSS of the build; output files and bytes; each size's ratio to the previous.
// Medians of BENCH_RUNS runs (default 5, 3 for the generator). BENCH_SIZES=250,500 picks sizes.
// Peak RSS comes from GNU time (`/usr/bin/time -f %M`, as `/usr/bin/time -v` reports it) when installed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateSpec } from "./generate.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = path.join(root, "bin", "plinth.js");
const runs = Number(process.env.BENCH_RUNS ?? 5);
const generatorRuns = Number(process.env.BENCH_RUNS ?? 3);
const sizes = (process.env.BENCH_SIZES ?? "250,500,1000,2000").split(",").map(Number);
const work = mkdtempSync(path.join(os.tmpdir(), "plinth-bench-"));
const gnuTime = ["/usr/bin/time", "/bin/time"].find((t) => existsSync(t) && spawnSync(t, ["-f", "%M", "true"]).status === 0);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Wall time (ms) of one process; its peak RSS (MiB) when GNU time is there. Non-zero exits other than 3 (drift) fail. */
function run(command, args, env = {}) {
  const full = gnuTime ? [gnuTime, ["-f", "PLINTH_BENCH_RSS=%M", command, ...args]] : [command, args];
  const start = process.hrtime.bigint();
  const result = spawnSync(full[0], full[1], { env: { ...process.env, ...env, NO_COLOR: "1" }, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0 && result.status !== 3) throw new Error(`${command} ${args.join(" ")} exited ${result.status}:\n${result.stderr.slice(-2000)}`);
  const rss = /PLINTH_BENCH_RSS=(\d+)/.exec(result.stderr ?? "");
  return { ms, rssMiB: rss ? Number(rss[1]) / 1024 : undefined };
}
const plinth = (args, cache) => run(process.execPath, [bin, ...args], { PLINTH_CACHE_DIR: cache });

function treeSize(dir) {
  let files = 0;
  let bytes = 0;
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) (files++, (bytes += statSync(full).size));
    }
  };
  walk(dir);
  return { files, bytes };
}

const ms = (v) => `${Math.round(v)} ms`;
const mib = (v) => (v === undefined ? "n/a" : `${Math.round(v)} MiB`);
const row = (cells) => `| ${cells.join(" | ")} |`;
const out = [];
const print = (line = "") => {
  out.push(line);
  console.log(line);
};

print(`plinth bench — node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} at start; medians, wall time of whole processes`);
print();

// 1. The floor and each import's share of a start.
const floor = median(Array.from({ length: runs }, () => run(process.execPath, ["-e", "0"]).ms));
const imports = [
  ["the CLI bundle, loaded and started (`plinth --version`)", undefined],
  ["secretlint (provider tokens, first run of a spec)", "@secretlint/core"],
  ["ajv (own charts' values schemas)", "ajv"],
  ["typescript (cold runs and --typecheck only)", "typescript"],
];
print(row(["import", "time over the floor"]));
print(row(["---", "---:"]));
print(row(["`node -e 0` (the floor)", ms(floor)]));
for (const [label, specifier] of imports) {
  const args = specifier === undefined ? [bin, "--version"] : ["--input-type=module", "-e", `await import(${JSON.stringify(specifier)})`];
  const t = median(Array.from({ length: runs }, () => run(process.execPath, args, {}).ms));
  print(row([label, ms(Math.max(0, t - floor))]));
}
print();

// 2. bitvault.
{
  const spec = path.join(root, "examples", "bitvault");
  const outDir = path.join(work, "bitvault-out");
  const cold = [];
  const warm = [];
  const build = [];
  for (let i = 0; i < runs; i++) {
    const cache = path.join(work, `cache-bitvault-${i}`);
    cold.push(plinth(["validate", spec], cache).ms);
    warm.push(plinth(["validate", spec], cache).ms);
    plinth(["build", spec, "--out", outDir], cache);
    build.push(plinth(["build", spec, "--out", outDir], cache).ms);
  }
  print(row(["examples/bitvault", "median", "× node floor"]));
  print(row(["---", "---:", "---:"]));
  for (const [label, values] of [["validate, cold", cold], ["validate, warm", warm], ["build, warm", build]]) print(row([label, ms(median(values)), `${(median(values) / floor).toFixed(1)}×`]));
  print();
}

// 3. The generator.
const results = [];
for (const services of sizes) {
  const dir = path.join(work, `synthetic-${services}`);
  generateSpec(dir, { clusters: 2, environmentsPerCluster: 5, services });
  const specFile = path.join(dir, "platform.ts");
  const original = readFileSync(specFile, "utf8");
  const outDir = path.join(work, `synthetic-${services}-out`);
  const cache = path.join(work, `cache-synthetic-${services}`);
  // Warm: the transpile cache filled and the tree written and up to date (twice: the writer trusts
  // a file's recorded stat only once it is older than a second), and each command's code cache
  // written (a command's first run compiles the CLI for it, which would be one of check's three).
  plinth(["build", dir, "--out", outDir], cache);
  plinth(["build", dir, "--out", outDir], cache);
  plinth(["validate", dir], cache);
  plinth(["check", dir, "--out", outDir], cache);
  const build = [];
  const validate = [];
  const check = [];
  const edit = [];
  let rss;
  for (let i = 0; i < generatorRuns; i++) {
    const b = plinth(["build", dir, "--out", outDir], cache);
    build.push(b.ms);
    rss = Math.max(rss ?? 0, b.rssMiB ?? 0) || undefined;
    validate.push(plinth(["validate", dir], cache).ms);
    check.push(plinth(["check", dir, "--out", outDir], cache).ms);
  }
  for (let i = 0; i < generatorRuns; i++) {
    // One line of the spec changed: that service's log level, a new value each time.
    writeFileSync(specFile, original.replace('"LOG_LEVEL": "info"', `"LOG_LEVEL": "edit-${i}"`));
    edit.push(plinth(["build", dir, "--out", outDir], cache).ms);
  }
  writeFileSync(specFile, original);
  plinth(["build", dir, "--out", outDir], cache);
  const { files, bytes } = treeSize(outDir);
  const runbook = (name) => statSync(path.join(outDir, "runbooks", name)).size;
  const runbooks = { rotation: runbook("secret-rotation.md"), firstInstall: runbook("first-install.md"), promotion: runbook("promotion.md") };
  results.push({ services, build: median(build), validate: median(validate), check: median(check), edit: median(edit), rss, files, bytes, ...runbooks });
  rmSync(outDir, { recursive: true, force: true });
}
if (results.length > 0) {
  print(row(["services × 10 envs", "build", "validate", "check", "rebuild after edit", "peak RSS (build)", "files", "bytes", "secret-rotation.md", "first-install.md", "promotion.md", "build ratio to previous"]));
  print(row(["---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:"]));
  results.forEach((r, i) => {
    const previous = results[i - 1];
    print(
      row([
        r.services.toLocaleString("en"),
        ms(r.build),
        ms(r.validate),
        ms(r.check),
        ms(r.edit),
        mib(r.rss),
        r.files.toLocaleString("en"),
        `${(r.bytes / 1048576).toFixed(1)} MiB`,
        `${Math.round(r.rotation / 1024)} KiB`,
        `${Math.round(r.firstInstall / 1024)} KiB`,
        `${Math.round(r.promotion / 1024)} KiB`,
        previous ? `${(r.build / previous.build).toFixed(2)}× (${(r.services / previous.services).toFixed(0)}× services)` : "—",
      ]),
    );
  });
}
if (!gnuTime) print("\n(peak RSS needs GNU time: apt-get install time)");
rmSync(work, { recursive: true, force: true });
if (process.env.BENCH_OUTPUT) writeFileSync(process.env.BENCH_OUTPUT, `${out.join("\n")}\n`);
