import { randomBytes } from "node:crypto";
import { renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import { DIGEST, type LockedRelease } from "../spec/releases.js";
import { loadServiceCharts } from "./charts.js";
import { didYouMean, UserError } from "./diagnostics.js";
import { LOCK_FILE } from "./load/index.js";
import { acquireLock } from "./lock.js";
import { compileSpec } from "./pipeline.js";
import { deploymentChart } from "./resolve/charts.js";
import { readOwnedFile } from "./safe-fs.js";

/** What a rung runs of a service: the image digest and the chart version, always together. */
export interface Release {
  digest: string;
  chart: string;
}

export interface PromoteResult {
  service: string;
  /** The rung the release came from; absent when CI released a new build into the first rung. */
  from?: string;
  to: string;
  digest: string;
  chart: string;
  previous: { digest: string; chart?: string } | null;
  lockFile: string;
}

/**
 * Moves a service's release (image digest and chart version together) from one rung to the next in
 * releases.lock.yaml, or records a new build CI made (`build`) in a rung nothing is promoted into.
 * What the rung ran until now goes into its history, so a later check can tell a rollback (to
 * something the rung ran before) from a skip. The file's comments and order are kept.
 */
export async function promote(specInput: string, service: string, from: string | undefined, to: string, build?: { digest: string; chart?: string }): Promise<PromoteResult> {
  const { model, specFile } = await compileSpec(specInput);
  const fail = (rule: string, message: string, hint?: string): never => {
    throw new UserError([{ rule, severity: "error", message, ...(hint && { hint }) }]);
  };
  const unknown = (kind: string, name: string, known: string[]): never => {
    const hint = didYouMean(name, known);
    return fail(`ref/unknown-${kind}`, `unknown ${kind} '${name}'${hint ? ` — ${hint}` : ""}`);
  };
  const environments = model.environments.map((e) => e.name);
  const modelService = model.services.find((s) => s.name === service) ?? unknown("service", service, model.services.map((s) => s.name));
  const target = model.environments.find((e) => e.name === to) ?? unknown("environment", to, environments);
  if (from !== undefined && !environments.includes(from)) unknown("environment", from, environments);
  if (target.promoteFrom !== from) {
    fail(
      "promotion/skips-rung",
      target.promoteFrom
        ? `'${to}' is promoted from '${target.promoteFrom}', not from ${from ? `'${from}'` : "a new build"}`
        : `'${to}' is not promoted from another rung: its releases come from CI`,
      target.promoteFrom ? `plinth promote ${service} --from ${target.promoteFrom} --to ${to}` : `plinth promote ${service} --to ${to} --digest <sha256:…>`,
    );
  }
  const deploymentIn = (env: string) => model.deployments.find((d) => d.service === service && d.environment === env);
  let release: Release;
  if (from !== undefined) {
    const digest = model.releases[service]?.[from] ?? fail("promotion/nothing-to-promote", `'${service}' has no release in ${from} to promote`);
    // Pinned: compileSpec refused a ladder chart that follows a branch (release/chart-follows-branch).
    const chart = deploymentIn(from)?.chart ?? fail("promotion/nothing-to-promote", `'${service}' does not run in ${from}`);
    release = { digest, chart: chart.version };
  } else {
    if (!build || !DIGEST.test(build.digest)) fail("cli/missing-option", `a release into ${to} needs --digest sha256:<64 hex> (the image CI built)`);
    // Without --chart, a new build goes out with the newest chart the service's spec allows.
    const shipped = loadServiceCharts();
    const chart = build!.chart ?? deploymentChart(modelService, undefined, shipped, (p) => p).version;
    if (modelService.chart.kind === "plinth-service" && !shipped.some((c) => c.version === chart)) {
      fail("release/unknown-chart-version", `plinth-service ${chart} is not a version this plinth ships (${shipped.map((c) => c.version).join(", ")})`);
    }
    release = { digest: build!.digest, chart };
  }

  const folder = path.dirname(specFile);
  const lockFile = path.join(folder, LOCK_FILE);
  const current: LockedRelease | undefined = model.releaseLock[service]?.[to];
  const previous = current ? { digest: current.digest, ...(current.chart !== undefined && { chart: current.chart }) } : null;
  const same = previous !== null && previous.digest === release.digest && previous.chart === release.chart;
  const history = [...(current?.history ?? []), ...(previous && !same ? [previous] : [])];
  // Read, edit and replace under a lock, so concurrent promotions never lose each other's edits.
  const unlock = acquireLock(path.join(folder, `.${LOCK_FILE}.plinth-lock`), LOCK_FILE);
  try {
    const doc = parseDocument(readOwnedFile(folder, LOCK_FILE) ?? "{}\n");
    doc.setIn([service, to], doc.createNode({ digest: release.digest, chart: release.chart, ...(history.length > 0 && { history }) }));
    const temp = `${lockFile}.${randomBytes(6).toString("hex")}.tmp`;
    writeFileSync(temp, doc.toString(), { flag: "wx" });
    renameSync(temp, lockFile);
  } finally {
    unlock();
  }
  return { service, ...(from !== undefined && { from }), to, ...release, previous, lockFile };
}
