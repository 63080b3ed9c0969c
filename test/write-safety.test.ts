import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse, parseDocument } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manifestFor, writeTree } from "../compiler/write.js";
import { EXAMPLES_DIR, readTreeFiles, ROOT, runPlinth } from "./helpers.js";

const parent = mkdtempSync(path.join(os.tmpdir(), "plinth-links-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));
const BIN = path.join(ROOT, "bin", "plinth.js");

/** A private copy of an example with its tree built into out/. */
async function builtCopy(example = "k3s-homelab"): Promise<{ dir: string; out: string; manifest: { files: Record<string, string> } }> {
  const dir = mkdtempSync(path.join(parent, `${example}-`));
  cpSync(path.join(EXAMPLES_DIR, example), dir, { recursive: true });
  const build = await runPlinth(["build", ".", "--out", "out"], dir);
  expect(build.code, build.stderr).toBe(0);
  const out = path.join(dir, "out");
  return { dir, out, manifest: JSON.parse(readFileSync(path.join(out, "plinth.manifest.json"), "utf8")) };
}

/** A file outside every out dir that no plinth run may touch. */
function victim(): string {
  const file = path.join(mkdtempSync(path.join(parent, "victim-")), "victim.txt");
  writeFileSync(file, "keep me\n");
  return file;
}

describe("the writer never follows a symbolic link", () => {
  it("a link at a generated path: build refuses (write/symlink) and writes nothing", async () => {
    const { dir, out, manifest } = await builtCopy();
    const target = victim();
    const [generated] = Object.keys(manifest.files);
    rmSync(path.join(out, generated!));
    symlinkSync(target, path.join(out, generated!));
    const manifestBefore = readFileSync(path.join(out, "plinth.manifest.json"), "utf8");
    writeFileSync(path.join(dir, "platform.ts"), readFileSync(path.join(dir, "platform.ts"), "utf8").replace("export default", "// an edit\nexport default"));
    const result = await runPlinth(["build", ".", "--out", "out"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("write/symlink");
    expect(readFileSync(target, "utf8")).toBe("keep me\n");
    expect(readlinkSync(path.join(out, generated!))).toBe(target);
    expect(readFileSync(path.join(out, "plinth.manifest.json"), "utf8")).toBe(manifestBefore);
  });

  it("a link planted at a temp-file name is neither written through nor followed", async () => {
    const { dir, out, manifest } = await builtCopy();
    const target = victim();
    const generated = Object.keys(manifest.files).find((f) => f.startsWith("runbooks/"))!;
    symlinkSync(target, path.join(out, `${generated}.plinth-tmp`));
    writeFileSync(path.join(out, generated), "drifted\n");
    const result = await runPlinth(["build", ".", "--out", "out"], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(target, "utf8")).toBe("keep me\n");
    expect(readFileSync(path.join(out, generated), "utf8")).not.toBe("drifted\n");
  });

  it("a folder link inside a target folder plus a manifest entry: prune deletes nothing outside --out", async () => {
    const { dir, out } = await builtCopy();
    const target = victim();
    symlinkSync(path.dirname(target), path.join(out, "runbooks", "elsewhere"));
    const manifestPath = path.join(out, "plinth.manifest.json");
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    manifest.files["runbooks/elsewhere/victim.txt"] = "0";
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    const result = await runPlinth(["build", ".", "--out", "out"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`write/symlink: refusing to follow a symbolic link`);
    expect(result.stderr).toContain("runbooks/elsewhere");
    expect(readFileSync(target, "utf8")).toBe("keep me\n");
  });

  it("an out dir that is a link is refused", async () => {
    const { dir } = await builtCopy();
    const real = mkdtempSync(path.join(parent, "real-out-"));
    symlinkSync(real, path.join(dir, "linked-out"));
    const result = await runPlinth(["build", ".", "--out", "linked-out"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("write/symlink");
    expect(readTreeFiles(real).size).toBe(0);
  });

  it("check and diff never read through a link (a generated file turned into a link to the process environment)", async () => {
    const { dir, out, manifest } = await builtCopy();
    const generated = Object.keys(manifest.files).find((f) => f.startsWith("runbooks/"))!;
    rmSync(path.join(out, generated));
    symlinkSync("/proc/self/environ", path.join(out, generated));
    for (const command of ["check", "diff"]) {
      const run = spawnSync(process.execPath, [BIN, command, ".", "--out", "out", "--json"], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1", CI_SECRET_SENTINEL: "s3ntinel-value-never-printed" },
      });
      expect(run.status).toBe(1);
      expect(run.stdout + run.stderr).not.toContain("s3ntinel-value-never-printed");
      expect(JSON.parse(run.stdout).diagnostics[0].rule).toBe("write/symlink");
    }
  });
});

describe("compose bundles", () => {
  it("a bundle whose secrets folder was replaced by a link is refused, and nothing is written through it", async () => {
    const dir = mkdtempSync(path.join(parent, "bundle-"));
    cpSync(path.join(EXAMPLES_DIR, "bitvault"), dir, { recursive: true });
    const first = await runPlinth(["compose", ".", "--tier", "lite", "--out", "bundle"], dir);
    expect(first.code, first.stderr).toBe(0);
    const elsewhere = mkdtempSync(path.join(parent, "elsewhere-"));
    rmSync(path.join(dir, "bundle", "secrets"), { recursive: true });
    symlinkSync(elsewhere, path.join(dir, "bundle", "secrets"));
    const again = await runPlinth(["compose", ".", "--tier", "lite", "--out", "bundle"], dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("write/symlink");
    expect(readTreeFiles(elsewhere).size).toBe(0);
  });
});

describe("an interrupted or concurrent run", () => {
  let reference: Map<string, string>;
  let dir: string;
  beforeAll(async () => {
    const built = await builtCopy("bitvault");
    dir = built.dir;
    reference = readTreeFiles(built.out);
  });

  const runBuild = (out: string, extra: string[] = []) =>
    new Promise<number | null>((done) => {
      const child = spawn(process.execPath, [BIN, "build", ".", "--out", out, ...extra], { cwd: dir, stdio: "ignore" });
      child.on("exit", (code) => done(code));
    });

  it("a build killed while it writes is finished or cleaned by the next run", async () => {
    // Each trial kills a build a little later after it has journaled its paths (they are recorded
    // before any file is written), so kills land before, between and after the writes.
    let interrupted = 0;
    for (const [trial, extra] of [0, 1, 2, 4, 7, 12].entries()) {
      const out = `killed-${trial}`;
      const journal = path.join(dir, out, "plinth.journal.json");
      const child = spawn(process.execPath, [BIN, "build", ".", "--out", out], { cwd: dir, stdio: "ignore" });
      const exited = new Promise((wait) => child.on("exit", wait));
      const poll = setInterval(() => {
        if (!existsSync(journal)) return;
        clearInterval(poll);
        setTimeout(() => child.kill("SIGKILL"), extra);
      }, 1);
      await exited;
      clearInterval(poll);
      if (existsSync(journal)) interrupted++;
      // A narrower rebuild: whatever the killed run wrote that no manifest lists is pruned.
      expect(await runBuild(out, ["--target", "runbook"])).toBe(0);
      const tree = readTreeFiles(path.join(dir, out));
      const listed = new Set([...Object.keys(JSON.parse(tree.get("plinth.manifest.json")!).files), "plinth.manifest.json"]);
      expect([...tree.keys()].filter((file) => !listed.has(file))).toEqual([]);
      expect(await runBuild(out)).toBe(0);
      expect(readTreeFiles(path.join(dir, out))).toEqual(reference);
    }
    // Witness: the kills did land mid-write.
    expect(interrupted).toBeGreaterThan(0);
  });

  it("two builds into one folder at once both succeed and leave the same tree", async () => {
    const codes = await Promise.all([runBuild("together"), runBuild("together"), runBuild("together")]);
    expect(codes).toEqual([0, 0, 0]);
    expect(readTreeFiles(path.join(dir, "together"))).toEqual(reference);
  });

  it("a lock left by a killed run is taken over; a live one is waited for, then refused", async () => {
    const out = path.join(parent, "locked");
    mkdirSync(out);
    const files = [{ path: "runbooks/a.md", content: "a\n" }];
    // A pid no process has (beyond the kernel's limit).
    writeFileSync(path.join(out, ".plinth.lock"), "4194305\n");
    writeTree(out, files, manifestFor(files, "h", "0", "p"));
    expect(existsSync(path.join(out, ".plinth.lock"))).toBe(false);
    writeFileSync(path.join(out, ".plinth.lock"), `${process.pid}\n`);
    expect(() => writeTree(out, files, manifestFor(files, "h", "0", "p"), undefined, { lockWaitMs: 200 })).toThrow(/locked by another plinth run/);
    // A lock just created whose pid is not written yet (create and write are two steps) belongs to a
    // live run: waited for, never taken over. An old one without a pid is a killed run's.
    writeFileSync(path.join(out, ".plinth.lock"), "");
    expect(() => writeTree(out, files, manifestFor(files, "h", "0", "p"), undefined, { lockWaitMs: 200 })).toThrow(/locked by another plinth run/);
    expect(readFileSync(path.join(out, ".plinth.lock"), "utf8")).toBe("");
    const old = new Date(Date.now() - 60_000);
    utimesSync(path.join(out, ".plinth.lock"), old, old);
    writeTree(out, files, manifestFor(files, "h", "0", "p"));
    expect(existsSync(path.join(out, ".plinth.lock"))).toBe(false);
  });
});

describe("promote", () => {
  it("refuses a releases.lock.yaml that is a link", async () => {
    const dir = mkdtempSync(path.join(parent, "promote-link-"));
    cpSync(path.join(EXAMPLES_DIR, "bitvault"), dir, { recursive: true });
    const real = path.join(parent, `real-lock-${Date.now()}.yaml`);
    cpSync(path.join(dir, "releases.lock.yaml"), real);
    rmSync(path.join(dir, "releases.lock.yaml"));
    symlinkSync(real, path.join(dir, "releases.lock.yaml"));
    const before = readFileSync(real, "utf8");
    const result = await runPlinth(["promote", "api", "--from", "dev", "--to", "staging"], dir);
    expect(result.code).toBe(1);
    expect(readFileSync(real, "utf8")).toBe(before);
  });

  it("concurrent promotions never lose each other's edits", async () => {
    const dir = mkdtempSync(path.join(parent, "promote-"));
    cpSync(path.join(EXAMPLES_DIR, "bitvault"), dir, { recursive: true });
    const lockPath = path.join(dir, "releases.lock.yaml");
    for (const round of [1, 2, 3]) {
      const lock = parse(readFileSync(lockPath, "utf8"));
      const services = Object.keys(lock);
      const digests = Object.fromEntries(services.map((service, i) => [service, `sha256:${String(round * 10 + i).repeat(64).slice(0, 64)}`]));
      // CI's new build in dev: the digest dev ran until now goes into its history.
      const doc = parseDocument(readFileSync(lockPath, "utf8"));
      for (const service of services) {
        const { digest, chart, history = [] } = lock[service].dev;
        doc.setIn([service, "dev"], doc.createNode({ digest: digests[service], chart, history: [...history, { digest, chart }] }));
      }
      writeFileSync(lockPath, doc.toString());
      const codes = await Promise.all(
        services.map(
          (service) =>
            new Promise<number | null>((done) => {
              const child = spawn(process.execPath, [BIN, "promote", service, "--from", "dev", "--to", "staging"], { cwd: dir, stdio: "ignore" });
              child.on("exit", (code) => done(code));
            }),
        ),
      );
      expect(codes.every((code) => code === 0)).toBe(true);
      const after = parse(readFileSync(lockPath, "utf8"));
      for (const service of services) expect(after[service].staging.digest).toBe(digests[service]);
    }
  });
});
