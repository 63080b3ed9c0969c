import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import { UserError } from "./diagnostics.js";
import { LOCK_FILE } from "./load/index.js";
import { compileSpec } from "./pipeline.js";

/**
 * Copies a service's digest from one rung to the next in releases.lock.yaml, keeping the file's
 * comments and order. Refuses to skip a rung or to promote what the source rung does not run.
 */
export async function promote(specInput: string, service: string, from: string, to: string) {
  const { model, specFile } = await compileSpec(specInput);
  const fail = (rule: string, message: string, hint?: string): never => {
    throw new UserError([{ rule, severity: "error", message, ...(hint && { hint }) }]);
  };
  if (!model.services.some((s) => s.name === service)) fail("ref/unknown-service", `unknown service '${service}'`);
  const target = model.environments.find((e) => e.name === to) ?? fail("ref/unknown-environment", `unknown environment '${to}'`);
  if (!model.environments.some((e) => e.name === from)) fail("ref/unknown-environment", `unknown environment '${from}'`);
  if (target.promoteFrom !== from) {
    fail("promotion/skips-rung", `'${to}' is promoted from '${target.promoteFrom ?? "CI"}', not from '${from}'`, target.promoteFrom ? `plinth promote ${service} --from ${target.promoteFrom} --to ${to}` : undefined);
  }
  const digest = model.releases[service]?.[from] ?? fail("promotion/nothing-to-promote", `'${service}' has no release in ${from} to promote`);
  const lockFile = path.join(path.dirname(specFile), LOCK_FILE);
  const doc = parseDocument(existsSync(lockFile) ? readFileSync(lockFile, "utf8") : "{}\n");
  const previous = doc.getIn([service, to]) as string | undefined;
  doc.setIn([service, to], digest);
  writeFileSync(`${lockFile}.tmp`, doc.toString());
  renameSync(`${lockFile}.tmp`, lockFile);
  return { service, from, to, digest, previous: previous ?? null, lockFile };
}
