import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UserError, didYouMean, type Diagnostic } from "./diagnostics.js";
import { authoringUrl, markCommandRan, SPEC_COMMANDS } from "./spec-commands.js";
import { discardPrestartedEvaluation, prestartEvaluation } from "./load/evaluate.js";
import { packageVersion } from "./load/package-root.js";
import { diagnosticJson, formatDiagnostic, formatGithub, groupedDiagnostics, relativePath, stepSummary } from "./report.js";
import type { CommandName, Result } from "./results.js";

/** Everything a command prints goes through here, so tests can capture it. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: Record<string, string | undefined>;
  isTTY: boolean;
}

interface Command {
  summary: string;
  usage: string;
  /** How many positional arguments it takes (default: counted from usage). */
  positionals?: number;
  options: Record<string, OptionSpec>;
  details?: string;
  run(args: ParsedArgs, io: Io, ui: Ui): Promise<number>;
}

interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

/** The exit-code contract: 0 ok, 1 invalid input, 2 a bug in plinth, 3 drift. */
const EXIT_DRIFT = 3;

const COMMON = {
  json: { type: "boolean", description: "machine-readable output on stdout" },
  format: { type: "string", description: "diagnostics format: text, or github (workflow annotations; the default when GITHUB_ACTIONS=true)" },
  "max-warnings": { type: "string", description: "exit 1 when there are more than this many warnings (0: any warning fails)" },
  "no-color": { type: "boolean", description: "no ANSI colors (NO_COLOR is respected too)" },
  debug: { type: "boolean", description: "show stack traces of internal errors" },
  help: { type: "boolean", short: "h", description: "show help for the command" },
} as const;
const SPEC_OPTIONS = {
  typecheck: { type: "boolean", description: "type-check platform.ts with the TypeScript compiler first (slower)" },
  timeout: { type: "string", description: "seconds a platform.ts may take to evaluate (default 20)" },
} as const;
const OUT_OPTIONS = {
  out: { type: "string", short: "o", description: "output folder (default: the spec's gitopsPath, beside the spec)" },
  target: { type: "string", short: "t", multiple: true, description: "only these targets (repeat or comma-separate): opentofu, kubernetes, argocd, helm, compose, runbook" },
} as const;

type OptionSpec = { type: "string" | "boolean"; short?: string; multiple?: boolean; description?: string };

class Ui {
  readonly color: boolean;
  readonly format: "text" | "github";
  /** Every finding the run reported, for the JSON result, --max-warnings and the step summary. */
  readonly reported: Diagnostic[] = [];
  /** The command's own result, under `data` in the JSON result. */
  data: unknown;
  constructor(
    private readonly io: Io,
    readonly args: ParsedArgs,
  ) {
    // no-color.org: NO_COLOR set to a non-empty value disables color.
    this.color = !args.values["no-color"] && !io.env.NO_COLOR && io.env.FORCE_COLOR !== "0" && (io.isTTY || io.env.FORCE_COLOR !== undefined);
    // Under GitHub Actions the findings become annotations on the pull request without a flag.
    this.format = (args.values.format as "text" | "github" | undefined) ?? (io.env.GITHUB_ACTIONS === "true" ? "github" : "text");
  }
  get json() {
    return this.args.values.json === true;
  }
  /** Diagnostics go to stderr (text/github) or into the JSON document on stdout. */
  diagnostics(diagnostics: readonly Diagnostic[]): void {
    this.reported.push(...diagnostics);
    if (this.json) return;
    if (this.format === "github") {
      for (const d of diagnostics) this.io.stderr(formatGithub(d, this.io.cwd));
      return;
    }
    const secrets = diagnostics.flatMap((d) => (d.secret === undefined ? [] : [d.secret]));
    this.io.stderr(groupedDiagnostics(diagnostics, (d, cache) => formatDiagnostic(d, { color: this.color, cwd: this.io.cwd, secrets }, cache)));
  }
  line(text: string): void {
    if (!this.json) this.io.stdout(`${text}\n`);
  }
}

function specArg(args: ParsedArgs, io: Io): string {
  return path.resolve(io.cwd, args.positionals[0] ?? ".");
}

function targetArg(args: ParsedArgs, known: readonly string[]): import("../targets/types.js").TargetName[] | undefined {
  const raw = (args.values.target as string[] | undefined)?.flatMap((t) => t.split(",")).map((t) => t.trim()).filter(Boolean);
  if (!raw || raw.length === 0) return undefined;
  for (const name of raw) {
    if (!known.includes(name)) {
      const hint = didYouMean(name, known);
      throw new UserError([{ rule: "cli/unknown-target", severity: "error", message: `unknown target '${name}'${hint ? ` — ${hint}` : ""}; targets: ${known.join(", ")}` }]);
    }
  }
  return raw as import("../targets/types.js").TargetName[];
}

function specOptions(args: ParsedArgs): import("./pipeline.js").CompileOptions {
  const timeout = args.values.timeout as string | undefined;
  const seconds = timeout === undefined ? undefined : Number(timeout);
  if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0 && seconds <= 3600)) {
    throw new UserError([{ rule: "cli/bad-option", severity: "error", message: `--timeout must be a number of seconds between 0 and 3600, not '${timeout}'` }]);
  }
  return { typecheck: args.values.typecheck === true, ...(seconds !== undefined && { timeoutMs: Math.round(seconds * 1000) }) };
}

/**
 * Starts loading the command's spec; its evaluation (in a worker) overlaps loading the schemas,
 * checks and targets, which the caller imports only after this.
 */
async function startSpecArg(args: ParsedArgs, io: Io) {
  const { startSpec } = await import("./load/index.js");
  return startSpec(specArg(args, io), specOptions(args));
}

async function compileAndEmit(args: ParsedArgs, io: Io) {
  const targets = args.values.target === undefined ? undefined : targetArg(args, (await import("../targets/index.js")).TARGET_NAMES);
  const started = await startSpecArg(args, io);
  const { compileSpec } = await import("./pipeline.js");
  const { emit, ownedFolders } = await import("./emit.js");
  const { readManifest, scopedManifest } = await import("./write.js");
  const result = await compileSpec(started);
  const files = emit(result.model, targets);
  // By default the tree goes where the spec says it lives in the GitOps repository (gitopsPath,
  // relative to the spec), so the paths ArgoCD reads are the paths build writes.
  const outDir = path.resolve(io.cwd, (args.values.out as string | undefined) ?? path.join(path.dirname(result.specFile), result.model.platform.gitopsPath));
  const scope = ownedFolders(targets);
  // Read once for check and diff; build reads it again under its lock.
  const previous = readManifest(outDir);
  const manifest = scopedManifest(outDir, files, result.specHash, packageVersion(), scope, result.model.platform.name, previous);
  return { ...result, files, manifest, previous, outDir, scope };
}

const COMMANDS: Record<string, Command> = {
  build: {
    summary: "compile the spec and write every target's files",
    usage: "plinth build [spec] [--out dir] [--target name…]",
    details:
      "spec is platform.ts, platform.yaml, platform.json, or a folder holding one (default: .).\n" +
      "The default --out is the spec's gitopsPath (default generated/), relative to the spec.\n" +
      "Writes atomically, records plinth.manifest.json, removes files it generated before and no longer generates,\n" +
      "never touches other files, and refuses to overwrite a file it did not generate. With --target, only those\n" +
      "targets' folders are written and pruned.",
    options: { ...OUT_OPTIONS, ...SPEC_OPTIONS },
    async run(args, io, ui) {
      const built = await compileAndEmit(args, io);
      const { writeTree } = await import("./write.js");
      const written = writeTree(built.outDir, built.files, built.manifest, built.scope);
      ui.diagnostics(built.diagnostics);
      ui.data = { out: relativePath(built.outDir, io.cwd), files: built.files.length, written: written.written, removed: written.removed };
      ui.line(`wrote ${built.files.length} files to ${relativePath(built.outDir, io.cwd)} (${written.written.length} changed, ${written.removed.length} removed)`);
      return 0;
    },
  },
  check: {
    summary: "regenerate in memory and compare with the committed tree; exit 3 on drift",
    usage: "plinth check [spec] [--out dir] [--target name…] [--stat]",
    options: { ...OUT_OPTIONS, ...SPEC_OPTIONS, stat: { type: "boolean", description: "list the files that differ with their added/removed line counts instead of the whole diff" } },
    async run(args, io, ui) {
      const built = await compileAndEmit(args, io);
      const { diffTree } = await import("./diff.js");
      const drift = diffTree(built.outDir, built.files, built.manifest, built.scope, built.previous);
      ui.diagnostics([...built.diagnostics, ...lostStatefulWarnings(drift)]);
      const drifted = drift.added.length + drift.changed.length + drift.removed.length > 0;
      const out = relativePath(built.outDir, io.cwd);
      ui.data = { out, added: drift.added, changed: drift.changed, removed: drift.removed, stat: drift.stat, drifted };
      if (ui.json) return drifted ? EXIT_DRIFT : 0;
      if (drifted) {
        io.stdout(args.values.stat ? formatStat(drift.stat) : colorPatch(drift.patch, ui.color));
        io.stderr(
          `\n${out} has drifted from the spec: ${drift.changed.length} changed, ${drift.added.length} missing, ${drift.removed.length} no longer generated.\nRun \`plinth build\` and commit the result.\n`,
        );
        if (ui.format === "github") {
          for (const file of [...drift.changed, ...drift.added, ...drift.removed]) io.stderr(`::error file=${relativePath(path.join(built.outDir, file), io.cwd)},title=plinth/drift::generated file differs from the spec; run plinth build\n`);
        }
      } else {
        ui.line(`${out} is up to date (${built.files.length} files)`);
      }
      return drifted ? EXIT_DRIFT : 0;
    },
  },
  diff: {
    summary: "show, as a unified diff, what build would change",
    usage: "plinth diff [spec] [--out dir] [--target name…] [--exit-code] [--stat]",
    options: {
      ...OUT_OPTIONS,
      ...SPEC_OPTIONS,
      "exit-code": { type: "boolean", description: "exit 3 when there are differences" },
      stat: { type: "boolean", description: "list the files that differ with their added/removed line counts instead of the whole diff" },
    },
    async run(args, io, ui) {
      const built = await compileAndEmit(args, io);
      const { diffTree } = await import("./diff.js");
      const drift = diffTree(built.outDir, built.files, built.manifest, built.scope, built.previous);
      ui.diagnostics([...built.diagnostics, ...lostStatefulWarnings(drift)]);
      ui.data = { out: relativePath(built.outDir, io.cwd), added: drift.added, changed: drift.changed, removed: drift.removed, stat: drift.stat, patch: drift.patch };
      if (!ui.json) io.stdout(args.values.stat ? formatStat(drift.stat) : colorPatch(drift.patch, ui.color));
      return args.values["exit-code"] && drift.patch !== "" ? EXIT_DRIFT : 0;
    },
  },
  validate: {
    summary: "load, validate and check the spec; render nothing",
    usage: "plinth validate [spec] [--typecheck]",
    options: { ...SPEC_OPTIONS },
    async run(args, io, ui) {
      const started = await startSpecArg(args, io);
      const { compileSpec } = await import("./pipeline.js");
      const result = await compileSpec(started);
      ui.diagnostics(result.diagnostics);
      ui.data = { spec: relativePath(result.specFile, io.cwd), environments: result.model.environments.length, clusters: result.model.clusters.length, services: result.model.services.length };
      ui.line(`${relativePath(result.specFile, io.cwd)} is valid (${count(result.model.environments.length, "environment")}, ${count(result.model.clusters.length, "cluster")}, ${count(result.model.services.length, "service")})`);
      return 0;
    },
  },
  inspect: {
    summary: "print the resolved Model as JSON",
    usage: "plinth inspect [spec]",
    options: { ...SPEC_OPTIONS },
    async run(args, io, ui) {
      const started = await startSpecArg(args, io);
      const { compileSpec } = await import("./pipeline.js");
      const result = await compileSpec(started);
      ui.diagnostics(result.diagnostics);
      // The Model is the output itself; under --json it goes into the result.
      if (ui.json) ui.data = { model: result.model };
      else io.stdout(`${JSON.stringify(result.model, null, 2)}\n`);
      return 0;
    },
  },
  schema: {
    summary: "print the JSON Schema of the spec (for platform.yaml / platform.json editors)",
    usage: "plinth schema [--results] [--out file]",
    options: {
      out: { type: "string", short: "o", description: "write to this file instead of stdout" },
      results: { type: "boolean", description: "the JSON Schema of every command's --json result instead" },
    },
    async run(args, io, ui) {
      const schema = args.values.results ? (await import("./results.js")).resultJsonSchema() : (await import("./json-schema.js")).platformJsonSchema();
      const text = `${JSON.stringify(schema, null, 2)}\n`;
      if (ui.json) ui.data = { schema };
      else if (args.values.out) writeFileSync(path.resolve(io.cwd, args.values.out as string), text);
      else io.stdout(text);
      return 0;
    },
  },
  init: {
    summary: "scaffold a new repository: platform.ts, package.json scripts, tsconfig.json, .gitignore, a CI workflow",
    usage: "plinth init [dir] [--name name]",
    details: "Writes each file only when it is absent (package.json gets plinth's scripts and dev dependencies added),\nso the files are yours once written; init never overwrites one.",
    options: { name: { type: "string", description: "platform name (default: the folder's name, as DNS-1123)" } },
    async run(args, io, ui) {
      const { scaffold } = await import("./init.js");
      const dir = path.resolve(io.cwd, args.positionals[0] ?? ".");
      const name = (args.values.name as string | undefined) ?? path.basename(dir);
      const files = scaffold(name, packageVersion(), (file) => (existsSync(path.join(dir, file)) ? readFileSync(path.join(dir, file), "utf8") : undefined));
      if (files.length === 0) throw new UserError([{ rule: "init/exists", severity: "error", message: `${relativePath(path.join(dir, "platform.ts"), io.cwd)} and everything else init writes already exist; not overwriting them` }]);
      for (const file of files) {
        mkdirSync(path.dirname(path.join(dir, file.path)), { recursive: true });
        writeFileSync(path.join(dir, file.path), file.content);
      }
      const written = files.map((f) => relativePath(path.join(dir, f.path), io.cwd));
      const where = relativePath(dir, io.cwd) || ".";
      ui.line(`wrote ${written.join(", ")}\nnext: npm install, then npx plinth build ${where} and commit platform.ts with its generated tree`);
      ui.data = { files: written };
      return 0;
    },
  },
  compose: {
    summary: "write a self-contained Docker Compose bundle for one tier",
    usage: "plinth compose [spec] --tier <tier> --out <dir>",
    options: {
      tier: { type: "string", description: "the dependency tier: lite, standard or full (as the spec defines)" },
      out: { type: "string", short: "o", description: "bundle folder: must be empty, or an earlier bundle" },
      ...SPEC_OPTIONS,
    },
    async run(args, io, ui) {
      const tier = args.values.tier as string | undefined;
      const out = args.values.out as string | undefined;
      if (!tier || !out) throw new UserError([{ rule: "cli/missing-option", severity: "error", message: "plinth compose needs --tier <tier> and --out <dir>" }]);
      const { compileSpec } = await import("./pipeline.js");
      const { writeComposeBundle } = await import("./compose-bundle.js");
      const result = await compileSpec(specArg(args, io), specOptions(args));
      const written = await writeComposeBundle(result.model, tier, path.resolve(io.cwd, out));
      ui.diagnostics(result.diagnostics);
      const where = relativePath(path.resolve(io.cwd, out), io.cwd);
      ui.data = { tier, out: where, files: written.files, addedSettings: written.addedSettings };
      ui.line(`wrote the ${tier} bundle to ${where}: ${written.files.join(", ")}`);
      if (written.projectRenamed) {
        ui.line(`COMPOSE_PROJECT_NAME in .env: ${written.projectRenamed[0]} → ${written.projectRenamed[1]} (the new tier's volumes start empty: restore your backups into it)`);
      }
      if (written.addedSettings.length > 0) ui.line(`new settings in .env.example since the last run: ${written.addedSettings.join(", ")} — copy them into .env`);
      ui.line("next: read its README.md, fill secrets/, then docker compose up -d");
      return 0;
    },
  },
  promote: {
    summary: "move a service's release (image digest and chart version) one rung up the ladder in releases.lock.yaml",
    usage: "plinth promote <service> --from <env> --to <env> [--spec path]\n       plinth promote <service> --to <first rung> --digest <sha256:…> [--chart <version>] [--spec path]",
    details: "The second form is for CI: it records a new build in a rung nothing is promoted into. Either way, what the rung ran before is kept in its history.",
    options: {
      from: { type: "string", description: "environment the release is taken from" },
      to: { type: "string", description: "environment that receives it (must be the next rung)" },
      digest: { type: "string", description: "image digest of a new build (CI, into the first rung)" },
      chart: { type: "string", description: "chart version of a new build (default: the newest the service's chart allows)" },
      spec: { type: "string", description: "spec file or folder (default: .)" },
    },
    async run(args, io, ui) {
      const service = args.positionals[0];
      const from = args.values.from as string | undefined;
      const to = args.values.to as string | undefined;
      const digest = args.values.digest as string | undefined;
      const chart = args.values.chart as string | undefined;
      if (!service || !to || (from === undefined) === (digest === undefined)) {
        throw new UserError([{ rule: "cli/missing-option", severity: "error", message: "usage: plinth promote <service> --from <env> --to <env>, or plinth promote <service> --to <env> --digest <sha256:…>" }]);
      }
      const { promote } = await import("./promote.js");
      const result = await promote(path.resolve(io.cwd, (args.values.spec as string | undefined) ?? "."), service, from, to, digest === undefined ? undefined : { digest, ...(chart !== undefined && { chart }) });
      reportRelease(ui, io, result);
      return 0;
    },
  },
  explain: {
    summary: "explain a rule: when it fires, an example, and the fix (without a rule: list them all)",
    usage: "plinth explain [rule]",
    options: {},
    async run(args, _io, ui) {
      const { RULE_DOCS, ruleDoc } = await import("./rule-docs.js");
      const id = args.positionals[0];
      const docs = id === undefined ? RULE_DOCS : [ruleDoc(id)].filter((d) => d !== undefined);
      if (id !== undefined && docs.length === 0) {
        const hint = didYouMean(id, RULE_DOCS.flatMap((d) => d.ids));
        throw new UserError([{ rule: "cli/unknown-rule", severity: "error", message: `no rule '${id}'${hint ? ` — ${hint}` : ""}; \`plinth explain\` lists them all` }]);
      }
      ui.data = { rules: docs.flatMap((d) => d.ids.map((rule) => ({ id: rule, severity: d.severity, description: d.when, example: d.example, fix: d.fix }))) };
      if (id === undefined) {
        ui.line(docs.map((d) => `${d.ids.join(", ")} (${d.severity})\n    ${d.when}`).join("\n"));
      } else {
        const d = docs[0]!;
        const acknowledge = d.severity.startsWith("warning") ? `\nOr acknowledge it in the spec (reported as a note): acknowledge: [{ rule: "${id}", reason: "…" }]` : "";
        ui.line(`${d.ids.join(", ")} — ${d.severity}\n\nFires when: ${d.when}.\n${d.example ? `\nExample:\n    ${d.example}\n` : ""}\nFix: ${d.fix}.${acknowledge}`);
      }
      return 0;
    },
  },
  release: {
    summary: "record a new build (CI): set a service's image digest, and chart version, in the first rung of releases.lock.yaml",
    usage: "plinth release set <service> <environment> <digest> [--chart-version v] [--spec path]",
    positionals: 4,
    details:
      "The environment must be a rung nothing is promoted into (the first of the ladder); later rungs get the release\n" +
      "with `plinth promote`. What the rung ran before is kept in its history. Without --chart-version the newest\n" +
      "chart the service's spec allows is recorded. Run `plinth build` afterwards and commit both.",
    options: {
      "chart-version": { type: "string", description: "chart version of the build (default: the newest the service's chart allows)" },
      spec: { type: "string", description: "spec file or folder (default: .)" },
    },
    async run(args, io, ui) {
      const [action, service, environment, digest] = args.positionals;
      if (action !== "set" || !service || !environment || !digest) {
        throw new UserError([{ rule: "cli/missing-option", severity: "error", message: "usage: plinth release set <service> <environment> <digest> [--chart-version v]" }]);
      }
      const chart = args.values["chart-version"] as string | undefined;
      const { promote } = await import("./promote.js");
      const result = await promote(path.resolve(io.cwd, (args.values.spec as string | undefined) ?? "."), service, undefined, environment, { digest, ...(chart !== undefined && { chart }) });
      reportRelease(ui, io, result);
      return 0;
    },
  },
};

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

const FS_ERROR_CODES = new Set(["EACCES", "EPERM", "EEXIST", "ENOENT", "ENOTDIR", "EISDIR", "ENOSPC", "EROFS", "EBUSY"]);
function isFileSystemError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === "string" && FS_ERROR_CODES.has((error as NodeJS.ErrnoException).code!);
}

function helpFor(command: Command): string {
  const options = Object.entries({ ...command.options, ...COMMON } as Record<string, OptionSpec>).map(([flag, spec]) => {
    const left = `${spec.short ? `-${spec.short}, ` : "    "}--${flag}${spec.type === "string" ? " <value>" : ""}`;
    return `  ${left.padEnd(28)} ${spec.description ?? ""}`;
  });
  return `${command.summary}\n\nUsage: ${command.usage}\n${command.details ? `\n${command.details}\n` : ""}\nOptions:\n${options.join("\n")}\n`;
}

function mainHelp(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `plinth ${packageVersion()} — compile one platform.ts into OpenTofu, Kubernetes, ArgoCD, Helm values, Compose bundles and runbooks

Usage: plinth <command> [options]

Commands:
${lines.join("\n")}

Run \`plinth <command> --help\` for a command's options.
Exit codes: 0 ok, 1 invalid spec (or input, or more warnings than --max-warnings), 2 internal error (a bug),
3 drift (check, diff --exit-code). \`plinth explain <rule>\` explains a finding's rule.
`;
}

function colorPatch(patch: string, color: boolean): string {
  if (!color) return patch;
  return patch
    .split("\n")
    .map((line) => (line.startsWith("+") && !line.startsWith("+++") ? `\u001b[32m${line}\u001b[0m` : line.startsWith("-") && !line.startsWith("---") ? `\u001b[31m${line}\u001b[0m` : line.startsWith("@@") ? `\u001b[36m${line}\u001b[0m` : line))
    .join("\n");
}

/** Runs one CLI invocation and returns its exit code: 0 ok, 1 user error, 2 bug, 3 drift. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  // Whatever path the run takes (help, a usage error, the command), a worker started early for the
  // spec's evaluation ends with it: its output streams would otherwise keep the process alive.
  try {
    return await runCommandLine(argv, io);
  } finally {
    discardPrestartedEvaluation();
  }
}

async function runCommandLine(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(mainHelp());
    return name === undefined ? 1 : 0;
  }
  if (name === "--version" || name === "-v") {
    io.stdout(`${packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  const debug = rest.includes("--debug");
  if (!command) {
    const hint = didYouMean(name, Object.keys(COMMANDS));
    io.stderr(`plinth: unknown command '${name}'${hint ? ` — ${hint}` : ""}\nRun \`plinth --help\` for the list.\n`);
    return 1;
  }
  let args: ParsedArgs;
  try {
    const options = Object.fromEntries(
      Object.entries({ ...command.options, ...COMMON } as Record<string, OptionSpec>).map(([flag, { type, short, multiple }]) => [flag, { type, ...(short && { short }), ...(multiple && { multiple }) }]),
    ) as ParseArgsConfig["options"];
    const parsed = parseArgs({ args: [...rest], options, allowPositionals: true, strict: true });
    args = { positionals: parsed.positionals, values: parsed.values as ParsedArgs["values"] };
  } catch (error) {
    io.stderr(`plinth ${name}: ${(error as Error).message.replace(/\. To specify a positional argument.*$/s, "")}\nRun \`plinth ${name} --help\` for its options.\n`);
    return 1;
  }
  if (args.values.help) {
    io.stdout(helpFor(command));
    return 0;
  }
  const maxPositionals = command.positionals ?? (command.usage.match(/<service>|\[spec\]|\[dir\]|<rule>|\[rule\]/g) ?? []).length;
  if (args.positionals.length > maxPositionals) {
    io.stderr(`plinth ${name}: unexpected argument '${args.positionals[maxPositionals]}'\nUsage: ${command.usage}\n`);
    return 1;
  }
  if (args.values.format !== undefined && args.values.format !== "text" && args.values.format !== "github") {
    io.stderr(`plinth ${name}: --format must be text or github\n`);
    return 1;
  }
  const maxWarningsText = args.values["max-warnings"] as string | undefined;
  const maxWarnings = maxWarningsText === undefined ? undefined : Number(maxWarningsText);
  if (maxWarnings !== undefined && !(Number.isInteger(maxWarnings) && maxWarnings >= 0)) {
    io.stderr(`plinth ${name}: --max-warnings must be a whole number (0 or more), not '${maxWarningsText}'\n`);
    return 1;
  }
  const ui = new Ui(io, args);
  if (SPEC_COMMANDS.has(name)) prestartEvaluation(authoringUrl());
  let code: 0 | 1 | 2 | 3;
  let bug: string | undefined;
  try {
    code = (await command.run(args, io, ui)) as 0 | 3;
    markCommandRan();
    const warnings = ui.reported.filter((d) => d.severity === "warning").length;
    if (maxWarnings !== undefined && warnings > maxWarnings) {
      ui.diagnostics([{ rule: "cli/max-warnings", severity: "error", message: `${count(warnings, "warning")}, more than --max-warnings ${maxWarnings} allows` }]);
      code = 1;
    }
  } catch (error) {
    code = 1;
    if (isFileSystemError(error)) {
      // The machine said no (a file where a folder should be, no permission, a full disk): the
      // user's to fix, not a bug.
      const fsError = error as NodeJS.ErrnoException;
      ui.diagnostics([{ rule: "io/error", severity: "error", message: `${fsError.code}: ${fsError.message}` }]);
    } else if (error instanceof UserError) {
      ui.diagnostics(error.diagnostics);
    } else {
      code = 2;
      bug = error instanceof Error ? error.message : String(error);
      io.stderr(`plinth: internal error: ${bug}\nThis is a bug in plinth, not in your spec. Please report it${debug ? "" : " with the output of the same command run with --debug"}.\n`);
      if (debug && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    }
  } finally {
    discardPrestartedEvaluation();
  }
  const counts = {
    errors: ui.reported.filter((d) => d.severity === "error").length,
    warnings: ui.reported.filter((d) => d.severity === "warning").length,
    notes: ui.reported.filter((d) => d.severity === "note").length,
  };
  if (ui.json) {
    // The result's zod shapes load only for --json.
    const { RESULT_VERSION } = await import("./results.js");
    const diagnostics = ui.reported.map((d) => diagnosticJson(d, io.cwd));
    if (bug !== undefined) diagnostics.push({ rule: "internal/bug", severity: "error", message: `internal error: ${bug} (this is a bug in plinth)` });
    const result = { version: RESULT_VERSION, command: name as CommandName, ok: code === 0, exitCode: code, counts, diagnostics, ...(ui.data !== undefined && { data: ui.data }) } as Result;
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  }
  const summaryFile = io.env.GITHUB_STEP_SUMMARY;
  if (summaryFile && ui.format === "github") {
    appendFileSync(summaryFile, stepSummary(`plinth ${name}`, code, ui.reported, ui.data as { stat?: { path: string; status: string; added: number; removed: number }[] } | undefined, io.cwd));
  }
  return code;
}

function reportRelease(ui: Ui, io: Io, result: import("./promote.js").PromoteResult): void {
  const now = `${result.digest} with chart ${result.chart}`;
  ui.data = { ...result, lockFile: relativePath(result.lockFile, io.cwd) };
  if (result.previous?.digest === result.digest && result.previous.chart === result.chart) ui.line(`${result.service}: ${result.to} already runs ${now}; nothing to change`);
  else ui.line(`${result.service}: ${result.to} now runs ${now} (${result.from ? `from ${result.from}` : "new build"}) in ${relativePath(result.lockFile, io.cwd)}\nnext: plinth build, then commit both`);
}

/** `git diff --stat`'s shape: each file with its added/removed line counts. */
function formatStat(stat: readonly { path: string; added: number; removed: number }[]): string {
  const width = Math.max(...stat.map((s) => s.path.length));
  const lines = stat.map((s) => ` ${s.path.padEnd(width)} | ${String(s.added + s.removed).padStart(5)} +${s.added} -${s.removed}`);
  const added = stat.reduce((n, s) => n + s.added, 0);
  const removed = stat.reduce((n, s) => n + s.removed, 0);
  return `${lines.join("\n")}\n ${count(stat.length, "file")} changed, ${added} insertions(+), ${removed} deletions(-)\n`;
}

/** A warning per stateful OpenTofu resource the rebuilt tree would destroy. */
function lostStatefulWarnings(drift: { lostStateful: string[] }): Diagnostic[] {
  return drift.lostStateful.map((address) => ({
    rule: "state/stateful-address-removed",
    severity: "warning" as const,
    message: `${address} holds state and disappears from its stack without a removed block: applying the rebuilt tree would destroy it`,
    hint: "rename or move it with a moved/removed block (or tofu state mv) before applying",
  }));
}

