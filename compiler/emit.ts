import { TARGET_FOLDERS, TARGETS, type OutputFile, type TargetName } from "../targets/index.js";
import type { Model } from "./model.js";

/** Runs the selected targets (all by default) and returns their files sorted by path. */
export function emit(model: Model, targets?: readonly TargetName[]): OutputFile[] {
  const selected = targets && targets.length > 0 ? TARGETS.filter((t) => targets.includes(t.name)) : TARGETS;
  const files = selected.flatMap((target) =>
    target.generate(model).map((file) => {
      if (!file.path.startsWith(`${TARGET_FOLDERS[target.name]}/`)) throw new Error(`target ${target.name} wrote ${file.path}, outside its folder ${TARGET_FOLDERS[target.name]}/`);
      return file;
    }),
  );
  const seen = new Set<string>();
  for (const file of files) {
    if (!isSafeOutputPath(file.path)) throw new Error(`target produced an unsafe path: ${JSON.stringify(file.path)}`);
    if (seen.has(file.path)) throw new Error(`two targets produced ${file.path}`);
    if (!file.content.endsWith("\n") || file.content.includes("\r")) throw new Error(`${file.path}: output must use LF and end with a newline`);
    seen.add(file.path);
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Relative, POSIX, no `..`, no empty or absolute segments: nothing escapes --out. */
export function isSafeOutputPath(path: string): boolean {
  if (path.length === 0 || path.startsWith("/") || path.includes("\\") || path.includes("\0")) return false;
  // Segment by segment in one scan (asked twice for each of tens of thousands of files): none
  // empty, none "." or "..".
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i < path.length && path.charCodeAt(i) !== 47) continue;
    const length = i - start;
    if (length === 0 || (length <= 2 && path.charCodeAt(start) === 46 && (length === 1 || path.charCodeAt(start + 1) === 46))) return false;
    start = i + 1;
  }
  return true;
}

/** The folders a run owns: those of the selected targets, or all. */
export function ownedFolders(targets?: readonly TargetName[]): string[] {
  const names = targets && targets.length > 0 ? targets : (Object.keys(TARGET_FOLDERS) as TargetName[]);
  return names.map((name) => TARGET_FOLDERS[name]).sort();
}
