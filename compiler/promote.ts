import { randomBytes } from "node:crypto";
import { renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import { didYouMean, UserError } from "./diagnostics.js";
import { LOCK_FILE } from "./load/index.js";
import { acquireLock } from "./lock.js";
import { compileSpec } from "./pipeline.js";
import { readOwnedFile } from "./safe-fs.js";

/**
 * Copies a service's digest from one rung to the next in releases.lock.yaml, keeping the file's
 * comments and order. Refuses to skip a rung or to promote what the source rung does not run.
 */
export async function promote(specInput: string, service: string, from: string, to: string) {
  const { model, specFile } = await compileSpec(specInput);
  const fail = (rule: string, message: string, hint?: string): never => {
    throw new UserError([{ rule, severity: "error", message, ...(hint && { hint }) }]);
  };
  const unknown = (kind: string, name: string, known: string[]): never => {
    const hint = didYouMean(name, known);
    return fail(`ref/unknown-${kind}`, `unknown ${kind} '${name}'${hint ? ` — ${hint}` : ""}`);
  };
  const environments = model.environments.map((e) => e.name);
  if (!model.services.some((s) => s.name === service)) unknown("service", service, model.services.map((s) => s.name));
  const target = model.environments.find((e) => e.name === to) ?? unknown("environment", to, environments);
  if (!environments.includes(from)) unknown("environment", from, environments);
  if (target.promoteFrom !== from) {
    fail(
      "promotion/skips-rung",
      target.promoteFrom ? `'${to}' is promoted from '${target.promoteFrom}', not from '${from}'` : `'${to}' is not promoted from another rung: its digests come from CI`,
      target.promoteFrom ? `plinth promote ${service} --from ${target.promoteFrom} --to ${to}` : "CI writes new digests for it into releases.lock.yaml",
    );
  }
  const digest = model.releases[service]?.[from] ?? fail("promotion/nothing-to-promote", `'${service}' has no release in ${from} to promote`);
  const folder = path.dirname(specFile);
  const lockFile = path.join(folder, LOCK_FILE);
  // Read, edit and replace under a lock, so concurrent promotions never lose each other's edits.
  const release = acquireLock(path.join(folder, `.${LOCK_FILE}.plinth-lock`), LOCK_FILE);
  try {
    const doc = parseDocument(readOwnedFile(folder, LOCK_FILE) ?? "{}\n");
    const previous = doc.getIn([service, to]) as string | undefined;
    doc.setIn([service, to], digest);
    const temp = `${lockFile}.${randomBytes(6).toString("hex")}.tmp`;
    writeFileSync(temp, doc.toString(), { flag: "wx" });
    renameSync(temp, lockFile);
    return { service, from, to, digest, previous: previous ?? null, lockFile };
  } finally {
    release();
  }
}
