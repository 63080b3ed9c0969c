/**
 * The real HCL consumers for tests: HashiCorp's parser (hcl2json, a wasm build of it, loaded once per
 * test file) and, when installed, the terraform (or tofu) binary and a local provider plugin mirror.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { parse } from "@cdktf/hcl2json";

/** HCL → JSON as HashiCorp's parser reads it; rejects on a syntax error. */
export function parseHcl(filename: string, contents: string): Promise<Record<string, unknown>> {
  return parse(filename, contents) as Promise<Record<string, unknown>>;
}

/** terraform or tofu on the PATH (PLINTH_TERRAFORM overrides), or undefined. */
export const TERRAFORM: string | undefined = (() => {
  for (const candidate of [process.env.PLINTH_TERRAFORM, "terraform", "tofu"]) {
    if (!candidate) continue;
    const probe = spawnSync(candidate, ["version"], { encoding: "utf8", env: terraformEnv() });
    if (probe.status === 0) return candidate;
  }
  return undefined;
})();

/** No user CLI config (credentials, mirrors, plugin cache) and no prompts or colour. */
function terraformEnv(): NodeJS.ProcessEnv {
  return { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1" };
}

export function runTerraform(args: string[], cwd: string): { status: number | null; output: string } {
  const result = spawnSync(TERRAFORM!, [...args, ...(args[0] === "fmt" ? [] : ["-no-color"])], { cwd, encoding: "utf8", env: terraformEnv() });
  return { status: result.status, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

/**
 * A folder holding `registry.terraform.io/<namespace>/<type>/<version>/<os_arch>/` (what
 * `terraform providers mirror` writes), usable as `-plugin-dir`. Looked for in PLINTH_TF_PLUGIN_DIR,
 * the CLI's implied local mirror folders, and one level below /opt.
 */
export const PLUGIN_MIRROR: string | undefined = (() => {
  const candidates = [
    process.env.PLINTH_TF_PLUGIN_DIR,
    path.join(homedir(), ".terraform.d", "plugins"),
    path.join(homedir(), ".local", "share", "terraform", "plugins"),
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
    ...childDirs("/opt"),
  ].filter((dir): dir is string => Boolean(dir));
  return candidates.find((dir) => existsSync(path.join(dir, "registry.terraform.io")));
})();

function childDirs(dir: string): string[] {
  try {
    return readdirSync(dir)
      .map((name) => path.join(dir, name))
      .filter((full) => statSync(full).isDirectory());
  } catch {
    return [];
  }
}

/** "hashicorp/aws@5.100.0" for every provider version in the mirror. */
export function mirroredProviders(mirror: string): Set<string> {
  const found = new Set<string>();
  const root = path.join(mirror, "registry.terraform.io");
  for (const namespaceDir of childDirs(root)) {
    for (const typeDir of childDirs(namespaceDir)) {
      for (const versionDir of childDirs(typeDir)) {
        found.add(`${path.basename(namespaceDir)}/${path.basename(typeDir)}@${path.basename(versionDir)}`);
      }
    }
  }
  return found;
}

/** Writes files (relative path → content) into a fresh temporary folder and returns it. */
export function writeTempTree(prefix: string, files: Iterable<[string, string]>): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  for (const [relative, content] of files) {
    const full = path.join(dir, relative);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return dir;
}
