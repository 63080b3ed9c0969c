import fc from "fast-check";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isSafeOutputPath } from "../compiler/emit.js";
import { diffTree } from "../compiler/diff.js";
import { treeStatsFile } from "../compiler/tree-stats.js";
import { manifestFor, readManifest, writeTree } from "../compiler/write.js";

// One parent folder for everything these tests write, removed afterwards.
const parent = mkdtempSync(path.join(os.tmpdir(), "plinth-write-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));
const fresh = () => mkdtempSync(path.join(parent, "out-"));

describe("writeTree", () => {
  it("writes files and the manifest, then prunes only what it generated before", () => {
    const out = fresh();
    const first = [
      { path: "a/one.yaml", content: "one: 1\n" },
      { path: "a/two.yaml", content: "two: 2\n" },
    ];
    writeTree(out, first, manifestFor(first, "h1", "0.0.0", "p"));
    writeFileSync(path.join(out, "a", "mine.txt"), "hand-written\n");
    const second = [{ path: "a/one.yaml", content: "one: 1\n" }];
    const result = writeTree(out, second, manifestFor(second, "h2", "0.0.0", "p"));
    expect(result).toEqual({ written: [], unchanged: ["a/one.yaml"], removed: ["a/two.yaml"] });
    expect(existsSync(path.join(out, "a", "two.yaml"))).toBe(false);
    expect(readFileSync(path.join(out, "a", "mine.txt"), "utf8")).toBe("hand-written\n");
    expect(readManifest(out)?.specHash).toBe("h2");
  });

  it("removes folders it emptied, but not folders holding other files", () => {
    const out = fresh();
    const files = [{ path: "gone/deep/x.yaml", content: "x: 1\n" }];
    writeTree(out, files, manifestFor(files, "h", "0.0.0", "p"));
    writeTree(out, [], manifestFor([], "h", "0.0.0", "p"));
    expect(existsSync(path.join(out, "gone"))).toBe(false);
  });

  it("sweeps temporary files a crashed run left behind: below the root when its journal is there, in the root always", () => {
    const out = fresh();
    // Killed while writing k/ns.yaml: its journal, written first, lists the file.
    mkdirSync(path.join(out, "k"), { recursive: true });
    writeFileSync(path.join(out, "k", "ns.yaml.plinth-tmp"), "partial");
    writeFileSync(path.join(out, "plinth.journal.json"), `${JSON.stringify({ files: ["k/ns.yaml"] })}\n`);
    writeTree(out, [], manifestFor([], "h", "0.0.0", "p"));
    expect(existsSync(path.join(out, "k", "ns.yaml.plinth-tmp"))).toBe(false);
    expect(existsSync(path.join(out, "plinth.journal.json"))).toBe(false);
    // Killed while writing the journal itself: only its temp file, in the root.
    writeFileSync(path.join(out, "plinth.journal.json.abc.plinth-tmp"), "{");
    writeTree(out, [], manifestFor([], "h", "0.0.0", "p"));
    expect(existsSync(path.join(out, "plinth.journal.json.abc.plinth-tmp"))).toBe(false);
  });

  it("never writes outside the output folder, even when told to by a manifest", () => {
    const out = fresh();
    const outside = path.join(path.dirname(out), `${path.basename(out)}-victim.txt`);
    writeFileSync(outside, "keep me\n");
    writeFileSync(
      path.join(out, "plinth.manifest.json"),
      JSON.stringify({ plinth: "0", specHash: "x", files: { [`../${path.basename(outside)}`]: "0" } }),
    );
    writeTree(out, [], manifestFor([], "h", "0.0.0", "p"));
    expect(readFileSync(outside, "utf8")).toBe("keep me\n");
    expect(() => writeTree(out, [{ path: "../escape.txt", content: "x\n" }], manifestFor([], "h", "0", "p"))).toThrow(/outside/);
  });
});

describe("writeTree refuses", () => {
  it("a manifest it cannot read, instead of disowning every file", () => {
    const out = fresh();
    writeFileSync(path.join(out, "plinth.manifest.json"), "<<<<<<< HEAD\n{}\n=======\n");
    expect(() => writeTree(out, [], manifestFor([], "h", "0", "p"))).toThrow(/not a plinth manifest/);
  });

  it("another platform's tree", () => {
    const out = fresh();
    const files = [{ path: "runbooks/a.md", content: "a\n" }];
    writeTree(out, files, manifestFor(files, "h", "0", "shop"));
    expect(() => writeTree(out, [], manifestFor([], "h", "0", "bank"))).toThrow(/platform 'shop', not 'bank'/);
    expect(readFileSync(path.join(out, "runbooks", "a.md"), "utf8")).toBe("a\n");
  });
});

describe("isSafeOutputPath", () => {
  it.each(["a.yaml", "kubernetes/prod/bitvault.yaml", "compose/lite/.env.example"])("accepts %s", (p) => expect(isSafeOutputPath(p)).toBe(true));
  it.each(["", "/etc/passwd", "../x", "a/../../x", "a//b", "a/./b", "a\\b", "a/\0"])("refuses %j", (p) => expect(isSafeOutputPath(p)).toBe(false));
  it("agrees with its definition: relative, no backslash or NUL, no empty, \".\" or \"..\" segment", () => {
    const definition = (path: string) =>
      path.length > 0 && !path.startsWith("/") && !path.includes("\\") && !path.includes("\0") && path.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
    const pathLike = fc.array(fc.constantFrom("a", "b", ".", "..", "...", ".a", "a.", "", "/", "\\", "\0", "x/y"), { maxLength: 8 }).map((parts) => parts.join(""));
    fc.assert(fc.property(fc.oneof(pathLike, fc.string()), (path) => isSafeOutputPath(path) === definition(path)), { numRuns: 5000 });
  });
});

describe("warm writes", () => {
  /** Makes the stats this user's last run recorded old enough to be trusted (they are racy for a second). */
  const ageRecord = (out: string) => {
    const file = treeStatsFile(path.join(process.env.PLINTH_CACHE_DIR!, "trees"), path.resolve(out));
    const [header, ...lines] = readFileSync(file, "utf8").split("\n");
    writeFileSync(file, [`${header!.split("\t")[0]}\t${Date.now() + 5_000}`, ...lines].join("\n"));
  };
  const files = [
    { path: "a/one.yaml", content: "one: 1\n" },
    { path: "b/two.yaml", content: "two: 2\n" },
  ];

  it("neither reads back nor rewrites a file unchanged since the last run, yet finds a hand edit that keeps size and mtime", () => {
    const out = fresh();
    const manifest = manifestFor(files, "h", "0.0.0", "p");
    writeTree(out, files, manifest);
    ageRecord(out);
    const read: string[] = [];
    expect(writeTree(out, files, manifest, undefined, { onRead: (f) => read.push(f) })).toEqual({ written: [], unchanged: ["a/one.yaml", "b/two.yaml"], removed: [] });
    expect(read).toEqual([]);
    expect(diffTree(out, files, manifest).patch).toBe("");

    // Same size, mtime put back: only the ctime (which no user can set) betrays the edit.
    const edited = path.join(out, "a", "one.yaml");
    const { atime, mtime } = statSync(edited);
    writeFileSync(edited, "one: 9\n");
    utimesSync(edited, atime, mtime);
    expect(diffTree(out, files, manifest).changed).toEqual(["a/one.yaml"]);
    ageRecord(out);
    const again: string[] = [];
    expect(writeTree(out, files, manifest, undefined, { onRead: (f) => again.push(f) }).written).toEqual(["a/one.yaml"]);
    expect(again).toEqual(["a/one.yaml"]);
    expect(readFileSync(edited, "utf8")).toBe("one: 1\n");
  });

  it("reads every file again when the record is missing or unreadable", () => {
    const out = fresh();
    const manifest = manifestFor(files, "h", "0.0.0", "p");
    writeTree(out, files, manifest);
    ageRecord(out);
    writeFileSync(treeStatsFile(path.join(process.env.PLINTH_CACHE_DIR!, "trees"), path.resolve(out)), "plinth-tree-stats-1\tnot a time\n");
    const read: string[] = [];
    writeTree(out, files, manifest, undefined, { onRead: (f) => read.push(f) });
    expect(read).toEqual(["a/one.yaml", "b/two.yaml"]);
  });
});
