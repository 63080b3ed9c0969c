import { readFileSync } from "node:fs";
import { isCollection, isNode, LineCounter, parseDocument, type Node } from "yaml";
import { UserError } from "../diagnostics.js";
import type { SpecPath } from "../model.js";
import type { LoadedDocument } from "./types.js";

/** platform.yaml / platform.json / releases.lock.yaml: parsed with source ranges kept for errors. */
export function loadYamlFile(file: string, source: "spec" | "lock" = "spec"): LoadedDocument {
  const text = readFileSync(file, "utf8");
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new UserError(
      doc.errors.map((error) => {
        const pos = lineCounter.linePos(error.pos[0]);
        return {
          rule: "load/syntax-error",
          severity: "error" as const,
          source,
          message: `cannot parse ${file.endsWith(".json") ? "JSON" : "YAML"}: ${error.message.split("\n")[0]}`,
          location: { file, line: pos.line, column: pos.col },
        };
      }),
    );
  }
  const locate = (path: SpecPath) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = findNode(doc.contents as Node | null, path.slice(0, depth), depth < path.length ? undefined : path);
      if (node?.range) {
        const pos = lineCounter.linePos(node.range[0]);
        return { file, line: pos.line, column: pos.col };
      }
    }
    return { file, line: 1, column: 1 };
  };
  return { value: doc.toJS(), file, sources: new Map([[file, text]]), locate };
}

/** The node at a path; for the full path, prefer the map key so "unknown key" points at the key. */
function findNode(root: Node | null, path: SpecPath, full: SpecPath | undefined): Node | undefined {
  let node: unknown = root;
  for (let i = 0; i < path.length; i++) {
    if (!isCollection(node)) return undefined;
    const segment = path[i]!;
    if (i === path.length - 1 && full && "items" in node) {
      const pair = (node.items as { key?: unknown; value?: unknown }[]).find(
        (item) => isNode(item.key) && String((item.key as { value?: unknown }).value) === String(segment),
      );
      if (pair && isNode(pair.key)) return pair.key as Node;
    }
    node = node.get(segment, true);
  }
  return isNode(node) ? node : undefined;
}
