/**
 * End to end, in a temporary Git repository: CI records builds in dev, `plinth promote` moves them
 * to staging and then prod, the generated tree pins digest and chart version together in every
 * environment, and `plinth check` is clean after each commit. What the rung below never ran is
 * refused; a rollback to what a rung ran before is not.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, parseDocument } from "yaml";
import { loadServiceCharts } from "../compiler/charts.js";
import { RULES, type ModelRule } from "../compiler/checks/index.js";
import { emit } from "../compiler/emit.js";
import { resolve } from "../compiler/resolve/index.js";
import { lockedReleases, releaseLock } from "../spec/releases.js";
import { editedExample, EXAMPLES_DIR, runPlinth } from "./helpers.js";

type Doc = Record<string, any>;

const temp = mkdtempSync(path.join(os.tmpdir(), "plinth-ladder-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const digest = (c: string) => `sha256:${c.repeat(64)}`;

describe("a release climbs the ladder with its chart", () => {
  const repo = path.join(temp, "bitvault");
  cpSync(path.join(EXAMPLES_DIR, "bitvault"), repo, { recursive: true });
  // worker deploys with its own chart from a chart repository, so its chart version can move too.
  const services = path.join(repo, "services.ts");
  writeFileSync(services, readFileSync(services, "utf8").replace('    name: "worker",\n', '    name: "worker",\n    chart: { repoURL: "https://charts.bitvault.io", name: "worker", version: "1.0.0" },\n'));
  const lockFile = path.join(repo, "releases.lock.yaml");
  const started = parseDocument(readFileSync(lockFile, "utf8"));
  for (const environment of ["dev", "staging", "prod"]) started.setIn(["worker", environment, "chart"], "1.0.0");
  writeFileSync(lockFile, started.toString());

  const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=plinth", "-c", "user.email=plinth@localhost", ...args], { cwd: repo, encoding: "utf8" });
  const plinth = (...args: string[]) => runPlinth(args, repo);
  const lock = (): Doc => parse(readFileSync(lockFile, "utf8"));
  const file = (relative: string): Doc => parse(readFileSync(path.join(repo, "generated", relative), "utf8"));
  /** The list element of `service` in an environment's ApplicationSet: where ArgoCD takes its chart from. */
  const chartSource = (cluster: string, environment: string, service: string): Doc => {
    const appset = file(`argocd/${cluster}/applicationsets/${environment}.yaml`);
    return appset.spec.generators[0].list.elements.find((e: Doc) => e.service === service);
  };

  /** Build, commit, and check that the committed tree is exactly what the spec and lock generate. */
  async function buildCommitCheck(message: string): Promise<void> {
    const build = await plinth("build", ".", "--out", "generated");
    expect(build.code, build.stderr).toBe(0);
    git("add", "-A");
    git("commit", "-q", "-m", message);
    const check = await plinth("check", ".", "--out", "generated");
    expect(check.code, `${message}: ${check.stdout}${check.stderr}`).toBe(0);
    expect(check.stderr, message).not.toMatch(/warning|error/);
    expect(git("status", "--porcelain"), message).toBe("");
  }

  it("CI release → staging → prod: digest and chart version move together; skipping or unknown releases are refused", async () => {
    git("init", "-q", "-b", "main");
    await buildCommitCheck("start from the example");

    // CI records a new api build and a new worker build (with a new chart version) in dev.
    for (const args of [
      ["api", "--to", "dev", "--digest", digest("1")],
      ["worker", "--to", "dev", "--digest", digest("2"), "--chart", "1.1.0"],
    ]) {
      const release = await plinth("promote", ...args);
      expect(release.code, release.stderr).toBe(0);
    }
    expect(lock().api.dev).toMatchObject({ digest: digest("1"), chart: "0.1.0" });
    expect(lock().api.dev.history).toHaveLength(1);
    expect(lock().worker.dev).toMatchObject({ digest: digest("2"), chart: "1.1.0" });
    await buildCommitCheck("CI: new builds in dev");
    expect(file("helm/dev/api.values.yaml").image.digest).toBe(digest("1"));
    expect(chartSource("nonprod", "dev", "worker")).toMatchObject({ chart: "worker", chartRevision: "1.1.0" });
    expect(chartSource("nonprod", "staging", "worker")).toMatchObject({ chart: "worker", chartRevision: "1.0.0" });

    // Straight to prod skips staging.
    const skip = await plinth("promote", "worker", "--from", "dev", "--to", "prod");
    expect(skip.code).toBe(1);
    expect(skip.stderr).toContain("promotion/skips-rung");
    // CI cannot write a promoted rung.
    const ciIntoStaging = await plinth("promote", "api", "--to", "staging", "--digest", digest("3"));
    expect(ciIntoStaging.code).toBe(1);
    expect(ciIntoStaging.stderr).toContain("promotion/skips-rung");

    for (const [from, to, cluster] of [
      ["dev", "staging", "nonprod"],
      ["staging", "prod", "prod"],
    ] as const) {
      for (const service of ["api", "worker"]) {
        const promoted = await plinth("promote", service, "--from", from, "--to", to);
        expect(promoted.code, promoted.stderr).toBe(0);
      }
      expect(lock().api[to]).toMatchObject({ digest: digest("1"), chart: "0.1.0" });
      expect(lock().worker[to]).toMatchObject({ digest: digest("2"), chart: "1.1.0" });
      await buildCommitCheck(`promote dev's builds to ${to}`);
      expect(file(`helm/${to}/api.values.yaml`).image.digest).toBe(digest("1"));
      expect(file(`helm/${to}/worker.values.yaml`).image.digest).toBe(digest("2"));
      expect(chartSource(cluster, to, "worker")).toMatchObject({ chart: "worker", chartRevision: "1.1.0" });
      // plinth-service is read from its version folder, which the build wrote into the tree.
      expect(chartSource(cluster, to, "api").chartPath).toBe("generated/helm/_charts/plinth-service/0.1.0");
      expect(readFileSync(path.join(repo, "generated/helm/_charts/plinth-service/0.1.0/Chart.yaml"), "utf8")).toContain("version: 0.1.0");
    }
    // What staging ran before is its history: a rollback target.
    expect(lock().worker.staging.history).toEqual([lock().worker.dev.history[0]]);
    expect(lock().worker.dev.history[0].chart).toBe("1.0.0");
  });

  it("a rung may roll back to what it ran before, never to what the rung below never ran", async () => {
    const before = readFileSync(lockFile, "utf8");
    const setStaging = (release: Doc) => {
      const doc = parseDocument(before);
      doc.setIn(["api", "staging"], doc.createNode(release));
      writeFileSync(lockFile, doc.toString());
    };
    // Staging goes back to a build it ran before, one dev has no record of: allowed by staging's own history.
    setStaging({ digest: digest("7"), chart: "0.1.0", history: [{ digest: digest("7"), chart: "0.1.0" }, { digest: digest("1"), chart: "0.1.0" }] });
    await buildCommitCheck("roll staging back");
    expect(file("helm/staging/api.values.yaml").image.digest).toBe(digest("7"));
    // The same build without that history never ran anywhere below.
    setStaging({ digest: digest("7"), chart: "0.1.0" });
    const never = await plinth("check", ".", "--out", "generated");
    expect(never.code).toBe(1);
    expect(never.stderr).toContain(`'api' runs ${digest("7").slice(0, 19)}… in staging, which dev never ran: the digest skipped a rung`);
    // A plinth-service version plinth does not ship.
    setStaging({ digest: digest("1"), chart: "7.0.0" });
    const unknown = await plinth("check", ".", "--out", "generated");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("release/unknown-chart-version");
    expect(unknown.stderr).toContain("'api' runs chart 7.0.0 in staging, which dev never ran");
    writeFileSync(lockFile, before);
  });
});

describe("two plinth-service versions", () => {
  it("dev moves to the newest version while staging and prod stay on the one they were promoted with", async () => {
    const { spec } = await editedExample("bitvault");
    const lock = lockedReleases(releaseLock.parse(parse(readFileSync(path.join(EXAMPLES_DIR, "bitvault", "releases.lock.yaml"), "utf8"))));
    // CI recorded new builds in dev with the newest chart; what dev ran before is its history.
    for (const [service, byEnv] of Object.entries(lock)) {
      byEnv.dev = { digest: digest(service === "api" ? "1" : service === "web" ? "2" : "3"), chart: "0.2.0", history: [{ digest: byEnv.dev!.digest, chart: "0.1.0" }] };
    }
    const [current] = loadServiceCharts();
    const next = { version: "0.2.0", files: current!.files.map((f) => (f.path === "Chart.yaml" ? { ...f, content: f.content.replace("version: 0.1.0", "version: 0.2.0") } : f)) };
    const model = resolve(spec, lock, [current!, next]);
    const chartIn = (environment: string) => [...new Set(model.deployments.filter((d) => d.environment === environment).map((d) => d.chart.version))];
    expect([chartIn("dev"), chartIn("staging"), chartIn("prod")]).toEqual([["0.2.0"], ["0.1.0"], ["0.1.0"]]);
    // Both versions are written, each in its own folder, and each ApplicationSet reads its own.
    const files = emit(model, ["helm", "argocd"]);
    for (const version of ["0.1.0", "0.2.0"]) {
      expect(files.find((f) => f.path === `helm/_charts/plinth-service/${version}/Chart.yaml`)?.content).toContain(`version: ${version}\n`);
    }
    const chartPaths = (environment: string) => {
      const appset = parse(files.find((f) => f.path === `argocd/nonprod/applicationsets/${environment}.yaml`)!.content) as Doc;
      return [...new Set((appset.spec.generators[0].list.elements as Doc[]).map((e) => e.chartPath))];
    };
    expect(chartPaths("dev")).toEqual(["generated/helm/_charts/plinth-service/0.2.0"]);
    expect(chartPaths("staging")).toEqual(["generated/helm/_charts/plinth-service/0.1.0"]);
    // Staging runs what dev ran before: no rung was skipped. Without that record in dev's history it would be.
    const errors = (m: typeof model) => RULES.filter((r) => r.stage === "model").flatMap((r) => (r as ModelRule).check(m)).filter((d) => d.severity === "error");
    expect(errors(model)).toEqual([]);
    for (const byEnv of Object.values(lock)) byEnv.dev!.history = [];
    const forgotten = errors(resolve(spec, lock, [current!, next])).map((d) => d.message);
    expect(forgotten).toContain("'api' runs chart 0.1.0 in staging, which dev never ran: the chart skipped a rung");
  });
});
