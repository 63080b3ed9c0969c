import { createTwoFilesPatch } from "diff";
import type { OutputFile } from "../targets/types.js";
import { lostStatefulAddresses } from "./formats/stateful.js";
import { MANIFEST, readJournal, readManifest, readTree, renderManifest, type Manifest } from "./write.js";

export interface TreeDiff {
  added: string[];
  changed: string[];
  removed: string[];
  /** Unified diff of every difference, in path order. */
  patch: string;
  /** Per file: its status and the lines the rebuilt file adds and removes. */
  stat: { path: string; status: "added" | "changed" | "removed"; added: number; removed: number }[];
  /** Stateful OpenTofu resources the new tree would destroy (`<stack>: type.name`). */
  lostStateful: string[];
}

/**
 * Compares what a build would write with what is in outDir: generated files that differ or are
 * missing, files the committed manifest lists that are no longer generated, and the manifest itself.
 */
export function diffTree(outDir: string, files: readonly OutputFile[], manifest: Manifest, scope?: readonly string[], previous: Manifest | undefined = readManifest(outDir)): TreeDiff {
  const expected = new Map<string, string>();
  for (let i = 0; i < files.length; i++) expected.set(files[i]!.path, files[i]!.content);
  expected.set(MANIFEST, renderManifest(manifest));
  const inScope = (file: string) => !scope || scope.some((folder) => file.startsWith(`${folder}/`));
  // Paths an interrupted build was writing are owned too: left there, they are drift. (Added one
  // by one: tens of thousands of paths, where spreads step through iterators.)
  // The generated paths, then the paths only the previous manifest or a journal still owns.
  const owned = [...expected.keys()];
  const others = new Set<string>();
  for (const file of Object.keys(previous?.files ?? {})) if (inScope(file) && !expected.has(file)) others.add(file);
  for (const file of readJournal(outDir)) if (!expected.has(file)) others.add(file);
  for (const file of others) owned.push(file);
  const actual = readTree(outDir, owned, { content: expected, sha: manifest.files });
  const result: TreeDiff = { added: [], changed: [], removed: [], patch: "", stat: [], lostStateful: lostStatefulAddresses(actual, expected) };
  const patches: string[] = [];
  // Only the files that differ are sorted (an unchanged tree of 20,000 has none).
  const differing: string[] = [];
  for (let i = 0; i < owned.length; i++) if (expected.get(owned[i]!) !== actual.get(owned[i]!)) differing.push(owned[i]!);
  for (const file of differing.sort()) {
    const want = expected.get(file);
    const have = actual.get(file);
    if (want === undefined) {
      if (have === undefined) continue;
      result.removed.push(file);
    } else if (have === undefined) {
      result.added.push(file);
    } else {
      result.changed.push(file);
    }
    const patch = createTwoFilesPatch(have === undefined ? "/dev/null" : `a/${file}`, want === undefined ? "/dev/null" : `b/${file}`, have ?? "", want ?? "", undefined, undefined, { context: 3 });
    patches.push(patch);
    const body = patch.split("\n").slice(4);
    result.stat.push({
      path: file,
      status: want === undefined ? "removed" : have === undefined ? "added" : "changed",
      added: body.filter((line) => line.startsWith("+")).length,
      removed: body.filter((line) => line.startsWith("-")).length,
    });
  }
  result.patch = patches.join("");
  return result;
}
