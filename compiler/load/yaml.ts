import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { isAlias, isCollection, isNode, isScalar, LineCounter, parseDocument, visit, type Node } from "yaml";
import { UserError } from "../diagnostics.js";
import { describeValueProblem, MAX_DEPTH, valueProblem } from "./evaluate.js";
import type { SpecPath } from "../model.js";
import type { LoadedDocument } from "./types.js";

/** Larger than any real spec or lock by far; a bigger file is refused before it is parsed. */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;
/** Aliases a document may expand: enough for real reuse, far too few for an alias bomb. */
const MAX_ALIAS_COUNT = 1000;

/** A spec or lock file's text: refused (located) when too large or not valid UTF-8. */
export function readSourceText(file: string, source: "spec" | "lock" = "spec"): string {
  const fail = (rule: string, message: string, location = { file, line: 1, column: 1 }): never => {
    throw new UserError([{ rule, severity: "error", source, message, location }]);
  };
  const size = statSync(file).size;
  if (size > MAX_INPUT_BYTES) fail("load/too-large", `${path.basename(file)} is ${(size / 1048576).toFixed(1)} MB; plinth reads spec and lock files of up to ${MAX_INPUT_BYTES / 1048576} MB`);
  const bytes = readFileSync(file);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // The first byte that does not decode: everything before it does.
    let good = 0;
    for (let end = 1; end <= bytes.length; end++) {
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(good, end));
      } catch {
        if (end - good >= 4) break;
        continue;
      }
      good = end;
    }
    const before = new TextDecoder().decode(bytes.subarray(0, good)).split("\n");
    return fail("load/invalid-utf8", `${path.basename(file)} is not valid UTF-8 (byte ${good + 1})`, { file, line: before.length, column: before[before.length - 1]!.length + 1 });
  }
}

/**
 * platform.yaml / platform.json / releases.lock.yaml: parsed with source ranges kept for errors.
 * platform.json is strict JSON; YAML tags plinth does not know, aliases that point nowhere or expand
 * without bound, duplicate keys and __proto__ keys are refused, each located.
 */
export function loadYamlFile(file: string, source: "spec" | "lock" = "spec"): LoadedDocument {
  const text = readSourceText(file, source);
  const lineCounter = new LineCounter();
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, column: pos.col };
  };
  const json = file.endsWith(".json");
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const fail = (problems: { rule: string; message: string; offset: number }[]): never => {
    throw new UserError(problems.map((p) => ({ rule: p.rule, severity: "error" as const, source, message: p.message, location: at(p.offset) })));
  };
  if (json) {
    try {
      JSON.parse(text);
    } catch (error) {
      const message = (error as Error).message;
      const position = /at position (\d+)/.exec(message);
      fail([{ rule: "load/syntax-error", message: `cannot parse JSON: ${message.replace(/ in JSON at position \d+.*$/, "").replace(/ \(line \d+ column \d+\)$/, "")}`, offset: position ? Number(position[1]) : 0 }]);
    }
  }
  if (doc.errors.length > 0) {
    fail(
      doc.errors.map((error) =>
        /call stack/i.test(error.message)
          ? { rule: "load/too-deep", message: "the document is nested too deeply to be read", offset: error.pos[0] }
          : { rule: "load/syntax-error", message: `cannot parse ${json ? "JSON" : "YAML"}: ${error.message.split("\n")[0]}`, offset: error.pos[0] },
      ),
    );
  }
  const problems: { rule: string; message: string; offset: number }[] = [];
  for (const warning of doc.warnings) {
    if (warning.code === "TAG_RESOLVE_FAILED") problems.push({ rule: "load/unknown-tag", message: `${warning.message.split("\n")[0]}: plinth reads plain YAML values only`, offset: warning.pos[0] });
  }
  const anchors = new Set<string>();
  visit(doc, {
    Node(_, node) {
      if (isAlias(node)) {
        if (!anchors.has(node.source)) problems.push({ rule: "load/undefined-alias", message: `alias *${node.source} refers to no anchor defined before it`, offset: node.range?.[0] ?? 0 });
      } else if (node.anchor) {
        anchors.add(node.anchor);
      }
    },
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === "__proto__") problems.push({ rule: "load/forbidden-key", message: "the key __proto__ is not allowed", offset: pair.key.range?.[0] ?? 0 });
    },
  });
  if (problems.length > 0) fail(problems);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const firstAlias = /alias/i.test(String((error as Error).message)) ? /(^|[\s\[{,:-])\*[^\s,\]}]+/m.exec(text) : null;
    fail([
      {
        rule: "load/alias-expansion",
        message: `the document's aliases expand too far (more than ${MAX_ALIAS_COUNT} alias expansions): an alias bomb?`,
        offset: firstAlias ? firstAlias.index + firstAlias[1]!.length : 0,
      },
    ]);
  }
  const locate = (path: SpecPath) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = findNode(doc.contents as Node | null, path.slice(0, depth), depth < path.length ? undefined : path);
      if (node?.range) return at(node.range[0]);
    }
    return { file, line: 1, column: 1 };
  };
  const shape = valueProblem(value, MAX_DEPTH);
  if (shape) throw new UserError([{ ...describeValueProblem(shape), severity: "error", source, location: locate(shape.path) }]);
  // `$schema` points an editor at `plinth schema`'s output; it is not part of the spec.
  if (source === "spec" && value !== null && typeof value === "object" && !Array.isArray(value) && typeof (value as Record<string, unknown>).$schema === "string") {
    delete (value as Record<string, unknown>).$schema;
  }
  return { value, file, sources: new Map([[file, text]]), locate };
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
