import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { groupedDiagnostics } from "../compiler/report.js";
import { ROOT, runPlinth } from "./helpers.js";

const temp = mkdtempSync(path.join(os.tmpdir(), "plinth-ci-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "user.name=ci", "-c", "user.email=ci@localhost", ...args], { cwd, encoding: "utf8" });
const DIGEST = `sha256:${"d".repeat(64)}`;

/** Every --json result, checked against the published schema of results. */
const ajv = new Ajv2020({ strict: false, allErrors: true });
let validateResult: ReturnType<typeof ajv.compile>;
beforeAll(async () => {
  validateResult = ajv.compile(JSON.parse((await runPlinth(["schema", "--results"], temp)).stdout));
});
function expectValidResult(stdout: string, command: string, exitCode: number) {
  const result = JSON.parse(stdout);
  expect(validateResult(result), JSON.stringify(validateResult.errors?.slice(0, 3))).toBe(true);
  expect(result).toMatchObject({ version: 1, command, exitCode, ok: exitCode === 0 });
  return result;
}

describe("the CI recipe, in a git repository made by plinth init", () => {
  const repo = path.join(temp, "platform-repo");
  const summary = path.join(temp, "step-summary.md");
  const actions = { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary };

  beforeAll(async () => {
    mkdirSync(repo);
    git(repo, "init", "-q", "-b", "main");
    expect((await runPlinth(["init", "--name", "acme"], repo)).code).toBe(0);
    expect((await runPlinth(["build"], repo)).code).toBe(0);
    git(repo, "add", "-A");
    git(repo, "commit", "-qm", "platform");
  });

  it("writes a workflow that parses, passes the workflow schema, checks pull requests without secrets and records digests", () => {
    const text = readFileSync(path.join(repo, ".github", "workflows", "platform.yml"), "utf8");
    const validation = validateWorkflow(text) as { errors: unknown[] };
    expect(validation.errors).toEqual([]);
    const workflow = parse(text);
    expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(["pull_request", "workflow_dispatch"]));
    expect(Object.keys(workflow.on)).not.toContain("pull_request_target");
    expect(workflow.jobs.check.permissions).toEqual({ contents: "read" });
    const checkSteps = workflow.jobs.check.steps.map((s: { run?: string }) => s.run ?? "").join("\n");
    expect(checkSteps).toContain("npx plinth check");
    expect(JSON.stringify(workflow.jobs.check)).not.toContain("secrets.");
    const record = workflow.jobs["record-release"].steps.map((s: { run?: string }) => s.run ?? "").join("\n");
    expect(record).toContain('npx plinth release set "$SERVICE" "$ENVIRONMENT" "$DIGEST"');
    // Trigger inputs reach the shell through env only, never spliced into the script.
    expect(record).not.toContain("${{");
    // The README carries the same recipe.
    expect(readFileSync(path.join(ROOT, "README.md"), "utf8")).toContain(text.trim());
  });

  it("a spec edit without a rebuild: check exits 3 with annotations and a step summary", async () => {
    const spec = path.join(repo, "platform.ts");
    writeFileSync(spec, readFileSync(spec, "utf8").replace('quota: { cpu: "2", memory: "4Gi" }', 'quota: { cpu: "3", memory: "4Gi" }'));
    rmSync(summary, { force: true });
    const check = await runPlinth(["check"], repo, actions);
    expect(check.code).toBe(3);
    expect(check.stderr).toMatch(/^::error file=generated\/kubernetes\/main\/dev\.yaml,title=plinth\/drift::/m);
    const markdown = readFileSync(summary, "utf8");
    expect(markdown).toContain("## plinth check");
    expect(markdown).toContain("exit 3");
    expect(markdown).toMatch(/\| `kubernetes\/main\/dev\.yaml` \| changed \| 1 \| 1 \|/);
    const stat = await runPlinth(["check", "--stat"], repo);
    expect(stat.code).toBe(3);
    expect(stat.stdout).toMatch(/kubernetes\/main\/dev\.yaml \|\s+2 \+1 -1/);
    // The quota line, and the manifest's spec hash.
    expect(stat.stdout).toContain("2 files changed, 3 insertions(+), 3 deletions(-)");
    expectValidResult((await runPlinth(["check", "--json"], repo)).stdout, "check", 3);
    expect((await runPlinth(["build"], repo)).code).toBe(0);
    expect((await runPlinth(["check"], repo)).code).toBe(0);
  });

  it("a spec error exits 1 and lists every independent error of one run: spec keys, another object, the lock", async () => {
    const spec = path.join(repo, "platform.ts");
    const good = readFileSync(spec, "utf8");
    writeFileSync(spec, good.replace('tier: "standard",', 'teir: "standard",').replace('storage: "20Gi",', 'storage: "20Gi",\n      instancez: 2,'));
    writeFileSync(path.join(repo, "releases.lock.yaml"), "app:\n  dev: sha256:nothex\n");
    const run = await runPlinth(["check"], repo, actions);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^::error file=platform\.ts,line=\d+,col=\d+,title=schema\/unknown-key::environments\[0\]: unknown key 'teir'/m);
    expect(run.stderr).toMatch(/^::error file=platform\.ts,line=\d+,col=\d+,title=schema\/unknown-key::dataServices\[0\]: unknown key 'instancez'/m);
    expect(run.stderr).toMatch(/^::error file=releases\.lock\.yaml,line=2,/m);
    expect(readFileSync(summary, "utf8")).toContain("failed: the spec or its input is invalid");
    const json = expectValidResult((await runPlinth(["validate", "--json"], repo)).stdout, "validate", 1);
    expect(json.counts.errors).toBe(3);
    writeFileSync(spec, good);
    rmSync(path.join(repo, "releases.lock.yaml"));
  });

  it("release set, then build, then check is clean; warnings fail under --max-warnings and pass once acknowledged", async () => {
    const set = await runPlinth(["release", "set", "app", "dev", DIGEST], repo);
    expect(set.code, set.stderr).toBe(0);
    expect(parse(readFileSync(path.join(repo, "releases.lock.yaml"), "utf8"))).toEqual({ app: { dev: { digest: DIGEST, chart: "0.1.0" } } });
    expect((await runPlinth(["build"], repo)).code).toBe(0);
    const check = await runPlinth(["check"], repo);
    expect(check.code, check.stdout).toBe(0);
    // Only dev has a digest now: production runs unpinned, a warning.
    expect(check.stderr).toContain("release/unpinned-production");
    const strict = await runPlinth(["check", "--max-warnings", "0"], repo);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain("cli/max-warnings: 1 warning, more than --max-warnings 0 allows");
    const spec = path.join(repo, "platform.ts");
    writeFileSync(spec, readFileSync(spec, "utf8").replace("  rollouts: [", '  acknowledge: [{ rule: "release/unpinned-production", reason: "prod gets its first release next week" }],\n  rollouts: ['));
    expect((await runPlinth(["build"], repo)).code).toBe(0);
    const acknowledged = await runPlinth(["check", "--max-warnings", "0"], repo);
    expect(acknowledged.code, acknowledged.stderr).toBe(0);
    expect(acknowledged.stderr).toContain("note release/unpinned-production");
    expect(acknowledged.stderr).toContain("(acknowledged: prod gets its first release next week)");
    const notFirst = await runPlinth(["release", "set", "app", "prod", DIGEST], repo);
    expect(notFirst.code).toBe(1);
    expect(notFirst.stderr).toContain("promotion/skips-rung");
  });

  it("every command's --json result validates against the one published schema", async () => {
    const cases: [string[], string, number][] = [
      [["build", "--json"], "build", 0],
      [["check", "--json"], "check", 0],
      [["diff", "--json"], "diff", 0],
      [["validate", "--json"], "validate", 0],
      [["inspect", "--json"], "inspect", 0],
      [["schema", "--json"], "schema", 0],
      [["explain", "quota/overcommit", "--json"], "explain", 0],
      [["explain", "no/such-rule", "--json"], "explain", 1],
      [["compose", "--tier", "standard", "--out", path.join(temp, "bundle"), "--json"], "compose", 0],
      [["release", "set", "app", "dev", `sha256:${"e".repeat(64)}`, "--json"], "release", 0],
      [["promote", "app", "--from", "dev", "--to", "prod", "--json"], "promote", 0],
      [["build", "--target", "nope", "--json"], "build", 1],
      [["init", path.join(temp, "fresh"), "--json"], "init", 0],
      [["init", path.join(temp, "fresh"), "--json"], "init", 1],
    ];
    for (const [args, command, code] of cases) {
      const run = await runPlinth(args, repo);
      expect(run.code, `${args.join(" ")}: ${run.stderr}`).toBe(code);
      expectValidResult(run.stdout, command, code);
    }
  });
});

describe("explain and grouped warnings", () => {
  it("explain prints when a rule fires, an example and the fix; an unknown rule gets a suggestion", async () => {
    const run = await runPlinth(["explain", "quota/workloads-exceed"], temp);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^quota\/workloads-exceed — warning/);
    expect(run.stdout).toContain("Fires when:");
    expect(run.stdout).toContain("Example:");
    expect(run.stdout).toContain('acknowledge: [{ rule: "quota/workloads-exceed"');
    expect((await runPlinth(["explain", "ref/unknown-cluster"], temp)).stdout).toContain("ref/unknown-<kind>");
    const unknown = await runPlinth(["explain", "quota/overcomit"], temp);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("did you mean 'quota/overcommit'?");
  });

  it("many warnings of one rule print the first three in full, then one line with the count and a tally", () => {
    const warnings = Array.from({ length: 20 }, (_, i) => ({ rule: "quota/workloads-exceed", severity: "warning" as const, message: `namespace ${i} over quota` }));
    const text = groupedDiagnostics([{ rule: "recovery/no-backup", severity: "error", message: "no backup" }, ...warnings], (d) => `${d.severity} ${d.rule}: ${d.message}\n`);
    expect(text.match(/^warning quota\/workloads-exceed/gm)).toHaveLength(3);
    expect(text).toContain("… and 17 more quota/workloads-exceed warnings");
    expect(text).toContain("1 error, 20 warnings (recovery/no-backup ×1, quota/workloads-exceed ×20)");
  });
});

describe("acknowledgements", () => {
  it("an acknowledgement must name a rule plinth has", async () => {
    const dir = path.join(temp, "ack");
    expect((await runPlinth(["init", dir, "--name", "ack"], temp)).code).toBe(0);
    const spec = path.join(dir, "platform.ts");
    writeFileSync(spec, readFileSync(spec, "utf8").replace("  rollouts: [", '  acknowledge: [{ rule: "quota/workloads-excede", reason: "a typo that would hide nothing" }],\n  rollouts: ['));
    const run = await runPlinth(["validate"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^platform\.ts:\d+:\d+ - error ref\/unknown-rule: acknowledge\[0\]: no rule 'quota\/workloads-excede' — did you mean 'quota\/workloads-exceed'\?/m);
  });
});

describe("--typecheck reads the nearest tsconfig.json", () => {
  it("a spec using process.env type-checks when its tsconfig brings Node's types, and fails when it leaves them out", async () => {
    const dir = path.join(temp, "typed");
    expect((await runPlinth(["init", dir, "--name", "typed"], temp)).code).toBe(0);
    const spec = path.join(dir, "platform.ts");
    writeFileSync(spec, readFileSync(spec, "utf8").replace('domain: "typed.example.com",', 'domain: process.env.PLATFORM_DOMAIN ?? "typed.example.com",'));
    const tsconfig = (types: string[]) =>
      writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", skipLibCheck: true, types, typeRoots: [path.join(ROOT, "node_modules", "@types")] } }));
    tsconfig(["node"]);
    const withNode = await runPlinth(["validate", "--typecheck"], dir);
    expect(withNode.code, withNode.stderr).toBe(0);
    tsconfig([]);
    const without = await runPlinth(["validate", "--typecheck"], dir);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/load\/type-error: TS25\d\d: Cannot find name 'process'/);
  });
});
