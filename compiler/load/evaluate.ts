import { Worker } from "node:worker_threads";
import { formatPath } from "../diagnostics.js";
import type { SpecPath } from "../model.js";

/** What a spec evaluation ended with. Everything but "value" becomes a located load/* error. */
export type Evaluation =
  | { kind: "value"; value: unknown }
  | { kind: "no-default" }
  | { kind: "shape"; problem: ValueProblem["problem"]; path: SpecPath }
  | { kind: "import" | "uncaught" | "rejection" | "exit"; message: string; stack: string; code?: number }
  | { kind: "timeout" }
  | { kind: "memory" };

export interface EvaluationLimits {
  timeoutMs: number;
  memoryMb: number;
}

export const DEFAULT_LIMITS: EvaluationLimits = { timeoutMs: 20_000, memoryMb: 512 };

/** Deeper than any real spec, shallow enough that no later walk of the value runs out of stack. */
export const MAX_DEPTH = 64;

export interface ValueProblem {
  problem: "cycle" | "depth" | "function" | "symbol";
  path: SpecPath;
}

/**
 * A value that is plain data: no cycle, no function or symbol, at most MAX_DEPTH deep. Self-contained
 * (no imports, no outer names) because the evaluation worker runs its source text too.
 */
export function valueProblem(root: unknown, maxDepth: number): ValueProblem | undefined {
  const path: (string | number)[] = [];
  const open = new Set<object>();
  const walk = (value: unknown): ValueProblem | undefined => {
    if (typeof value === "function") return { problem: "function", path: [...path] };
    if (typeof value === "symbol") return { problem: "symbol", path: [...path] };
    if (value === null || typeof value !== "object") return undefined;
    if (path.length >= maxDepth) return { problem: "depth", path: [...path] };
    if (open.has(value)) return { problem: "cycle", path: [...path] };
    open.add(value);
    const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
    for (const key of keys) {
      path.push(key);
      const found = walk((value as Record<string | number, unknown>)[key]);
      path.pop();
      if (found) return found;
    }
    open.delete(value);
    return undefined;
  };
  return walk(root);
}

/** The rule and message for a value that is not plain data. */
export function describeValueProblem(found: ValueProblem): { rule: string; message: string } {
  const what = {
    cycle: "refers to itself (a cycle): a spec must be plain data",
    depth: `is nested deeper than ${MAX_DEPTH} levels`,
    function: "is a function: a spec must be plain data",
    symbol: "is a symbol: a spec must be plain data",
  }[found.problem];
  const rule = { cycle: "load/cycle", depth: "load/too-deep", function: "load/not-data", symbol: "load/not-data" }[found.problem];
  // A path 20,000 levels deep is no help: its start says where.
  const where = `${formatPath(found.path.slice(0, 12)) || "the top level"}${found.path.length > 12 ? "…" : ""}`;
  return { rule, message: `the value at ${where} ${what}` };
}

// The worker: imports the transpiled entry, awaits its default export, checks it is plain data and
// posts it back. process.exit, uncaught errors and rejections are reported instead of obeyed, and
// timers still pending when the value is posted die with the worker.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
process.setSourceMapsEnabled(true);
const valueProblem = ${valueProblem.toString()};
const realExit = process.exit.bind(process);
// What the spec prints travels on the same port as its result, so none of it is lost or reordered
// when the worker ends right after the value is posted.
for (const stream of [process.stdout, process.stderr]) {
  stream.write = (chunk, encoding, callback) => {
    parentPort.postMessage({ kind: "output", text: typeof chunk === "string" ? chunk : Buffer.from(chunk).toString() });
    const done = typeof encoding === "function" ? encoding : callback;
    if (typeof done === "function") done();
    return true;
  };
}
let settled = false;
const settle = (message) => {
  if (settled) return;
  settled = true;
  parentPort.postMessage(message);
};
const failure = (kind, error) => ({
  kind,
  message: error instanceof Error ? String(error.message) : String(error),
  stack: error instanceof Error ? String(error.stack ?? "") : "",
});
process.exit = process.reallyExit = process.abort = (code) => {
  settle({ kind: "exit", code: typeof code === "number" ? code : 0, message: "", stack: String(new Error().stack) });
  realExit(0);
};
process.on("uncaughtException", (error) => settle(failure("uncaught", error)));
process.on("unhandledRejection", (error) => settle(failure("rejection", error)));
// A prestarted worker loads plinth's authoring API while the main thread starts up, then waits
// for the module to evaluate.
const preload = workerData.preload ? import(workerData.preload).catch(() => undefined) : undefined;
parentPort.once("message", ({ url }) => Promise.resolve(preload).then(() => import(url)).then(
  async (exports) => {
    if (!("default" in exports) || exports.default === undefined) return settle({ kind: "no-default" });
    const value = await exports.default;
    // One turn of the timer queue: a timer the spec set with no delay runs (and may throw) first.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const problem = valueProblem(value, workerData.maxDepth);
    if (problem) return settle({ kind: "shape", ...problem });
    try {
      settle({ kind: "value", value });
    } catch (error) {
      settled = false;
      settle({ kind: "shape", problem: "function", path: [] });
    }
  },
  (error) => settle(failure("import", error)),
).catch((error) => settle(failure("uncaught", error))));
`;

interface EvaluationWorker {
  worker: Worker;
  streams: Promise<void>[];
  exited: boolean;
}

function spawnWorker(memoryMb: number, preload?: string): EvaluationWorker {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { maxDepth: MAX_DEPTH, ...(preload && { preload }) },
    stdout: true,
    stderr: true,
    resourceLimits: { maxOldGenerationSizeMb: memoryMb },
  });
  const spawned: EvaluationWorker = { worker, streams: [], exited: false };
  spawned.streams = [worker.stdout, worker.stderr].map(
    (stream) =>
      new Promise<void>((done) => {
        stream.on("data", (chunk: Buffer) => process.stderr.write(chunk));
        stream.on("end", done);
        stream.on("error", () => done());
      }),
  );
  worker.on("exit", () => (spawned.exited = true));
  return spawned;
}

/**
 * The prestarted worker is kept on globalThis: bin/plinth.js's starter (dist/start.js, which holds
 * its own copy of this module) starts it before the CLI bundle has even loaded, and the bundle's
 * copy takes it over.
 */
const PRESTARTED = Symbol.for("plinth.prestartedEvaluation");
const slot = globalThis as { [PRESTARTED]?: EvaluationWorker };

/**
 * Starts the evaluation worker early (it loads plinth's authoring API meanwhile), so a warm run
 * does not wait for it. Its output streams keep the process alive until it ends: every run ends it
 * (runCli's discardPrestartedEvaluation), used or not.
 */
export function prestartEvaluation(preloadUrl: string): void {
  if (slot[PRESTARTED]) return;
  slot[PRESTARTED] = spawnWorker(DEFAULT_LIMITS.memoryMb, preloadUrl);
  slot[PRESTARTED].worker.unref();
}

export function discardPrestartedEvaluation(): void {
  if (slot[PRESTARTED]) void slot[PRESTARTED].worker.terminate();
  slot[PRESTARTED] = undefined;
}

/**
 * Evaluates a transpiled spec module in a worker thread with a time and memory limit. What the
 * spec prints (stdout and stderr alike) goes to plinth's stderr: stdout belongs to plinth.
 */
export function evaluateModule(moduleUrl: string, limits: EvaluationLimits): Promise<Evaluation> {
  const prestarted = slot[PRESTARTED];
  const usable = prestarted && !prestarted.exited && limits.memoryMb === DEFAULT_LIMITS.memoryMb ? prestarted : undefined;
  if (prestarted && !usable) discardPrestartedEvaluation();
  slot[PRESTARTED] = undefined;
  const { worker, streams } = usable ?? spawnWorker(limits.memoryMb);
  worker.ref();
  return new Promise((resolve) => {
    let outcome: Evaluation | undefined;
    const finish = (result: Evaluation) => {
      outcome ??= result;
      void worker.terminate();
    };
    const timer = setTimeout(() => finish({ kind: "timeout" }), limits.timeoutMs);
    worker.on("message", (message: Evaluation | { kind: "output"; text: string }) => {
      if (message.kind === "output") process.stderr.write(message.text);
      else finish(message);
    });
    worker.on("error", (error: Error & { code?: string }) =>
      finish(error.code === "ERR_WORKER_OUT_OF_MEMORY" ? { kind: "memory" } : { kind: "uncaught", message: error.message, stack: String(error.stack ?? "") }),
    );
    worker.on("exit", (code) => {
      clearTimeout(timer);
      // Whatever the spec printed is flushed before the result is acted on (bounded: a stream
      // that never ends must not hang the run).
      const flushed = Promise.race([Promise.all(streams), new Promise((done) => setTimeout(done, 200).unref())]);
      void flushed.then(() => resolve(outcome ?? { kind: "exit", code, message: "", stack: "" }));
    });
    worker.postMessage({ url: moduleUrl });
  });
}
