#!/usr/bin/env node
// Benchmark: wall time of whole CLI runs (what a user and CI wait for) on the examples and on a large
// synthetic spec. Cold = empty transpile cache; warm = cache filled. Median of several runs.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateSpec } from "./generate.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = path.join(root, "bin", "plinth.js");
const runs = Number(process.env.BENCH_RUNS ?? 5);
const work = mkdtempSync(path.join(os.tmpdir(), "plinth-bench-"));

function time(args, env) {
  const start = process.hrtime.bigint();
  try {
    execFileSync(process.execPath, [bin, ...args], { env: { ...process.env, ...env, NO_COLOR: "1" }, stdio: "pipe" });
  } catch (error) {
    if (error.status !== 0) throw new Error(`plinth ${args.join(" ")} failed:\n${error.stderr}`);
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function measure(label, spec) {
  const cold = [];
  const warm = [];
  const build = [];
  for (let i = 0; i < runs; i++) {
    const cache = path.join(work, `cache-${label}-${i}`);
    cold.push(time(["validate", spec], { PLINTH_CACHE_DIR: cache }));
    warm.push(time(["validate", spec], { PLINTH_CACHE_DIR: cache }));
    build.push(time(["build", spec, "--out", path.join(work, `out-${label}`)], { PLINTH_CACHE_DIR: cache }));
  }
  return { label, cold: median(cold), warm: median(warm), build: median(build) };
}

const big = path.join(work, "synthetic");
const shape = generateSpec(big, { clusters: 4, environmentsPerCluster: 5, services: 40 });
const rows = [
  ...["bitvault", "k3s-homelab", "gitops-monorepo", "catalyst-forge"].map((name) => measure(name, path.join(root, "examples", name))),
  measure(`synthetic (${shape.environments} envs × ${shape.services} services)`, big),
];
console.log(`plinth bench — median of ${runs} runs, ms (node ${process.version}, ${os.cpus().length} cores)`);
console.log(["spec".padEnd(44), "validate cold", "validate warm", "build warm"].join("  "));
for (const row of rows) console.log([row.label.padEnd(44), row.cold.toFixed(0).padStart(13), row.warm.toFixed(0).padStart(13), row.build.toFixed(0).padStart(10)].join("  "));
rmSync(work, { recursive: true, force: true });
