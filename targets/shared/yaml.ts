import yaml from "js-yaml";

/**
 * Plain scalars that a YAML 1.1 reader (Go's yaml.v2, older Helm and kubectl paths) resolves to
 * something other than a string: booleans like yes/on/y, octal and sexagesimal numbers, underscores
 * in numbers, timestamps, `<<` and `=`. js-yaml quotes a string when any implicit type of the dump
 * schema would resolve it, so teaching the schema these forms makes it quote them.
 */
const YAML11_SPECIAL = new RegExp(
  "^(?:" +
    [
      "y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF",
      "~|null|Null|NULL",
      "[-+]?0b[0-1_]+",
      "[-+]?0[0-7_]+",
      "[-+]?[0-9][0-9_]*",
      "[-+]?0x[0-9a-fA-F_]+",
      "[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+",
      "[-+]?(?:[0-9][0-9_]*)?\\.[0-9._]*(?:[eE][-+]?[0-9]+)?",
      "[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*",
      "[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)",
      "[-+]?(?:[0-9][0-9_]*)?(?:\\.[0-9_]*)?[eE][-+]?[0-9]+",
      "\\d{4}-\\d{1,2}-\\d{1,2}(?:[Tt \\t].*)?",
      "<<|=",
    ].join("|") +
    ")$",
);

const yaml11Scalars = new yaml.Type("tag:plinth.dev,2026:yaml11-scalar", {
  kind: "scalar",
  resolve: (data: unknown) => typeof data === "string" && YAML11_SPECIAL.test(data),
  construct: (data: string) => data,
});

const DUMP_SCHEMA = yaml.DEFAULT_SCHEMA.extend({ implicit: [yaml11Scalars] });

const DUMP_OPTIONS: yaml.DumpOptions = {
  schema: DUMP_SCHEMA,
  noRefs: true,
  lineWidth: -1,
  quotingType: '"',
  noCompatMode: false,
};

/** js-yaml's own dump: what toYaml must equal byte for byte (and what it falls back to). */
export function toYamlWithJsYaml(value: unknown): string {
  return yaml.dump(value, DUMP_OPTIONS);
}

/**
 * One YAML document. Key order is the order the target built the object in.
 *
 * A fast path for the shapes targets build (plain objects, arrays, single-line strings, numbers,
 * booleans, null): js-yaml's block layout written directly, with each distinct string's scalar
 * rendering (plain or quoted, the costly analysis) asked of js-yaml once and remembered. Anything
 * else (a multi-line string, an exotic number, a non-plain object, a key over 1024 characters)
 * makes the whole document go through js-yaml, so the output is always exactly js-yaml's.
 */
export function toYaml(value: unknown): string {
  if (value === undefined) return "";
  const out: string[] = [];
  try {
    write(out, value, 0, true);
  } catch (error) {
    if (error === UNUSUAL) return toYamlWithJsYaml(value);
    throw error;
  }
  out.push("\n");
  // Joined once: a flat string, not a rope of thousands of pieces held until the file is hashed.
  return out.join("");
}

/** Thrown (never escapes toYaml) when a value needs js-yaml itself. */
const UNUSUAL = Symbol("unusual");

/** Rendered single-line strings, the same in any block position (as keys too): a pure cache. */
const scalars = new Map<string, string>();

/**
 * Words js-yaml writes plain, known without a dump: a letter or slash first, then letters, digits,
 * `.`, `/`, `_` and `-`, and nothing a YAML 1.1 or 1.2 reader types (YAML11_SPECIAL covers every
 * implicit type's letter-first forms: booleans, null, `e5`).
 */
const PLAIN_WORD = /^[A-Za-z/][A-Za-z0-9._/-]*$/;

/** Digits only: an integer to any reader, so always double-quoted (js-yaml's quotingType). */
const DIGITS = /^[0-9]+$/;

/** A PLAIN_WORD no reader types: only short words (booleans, null) and `e`/`E` + digits can be. */
const untypedWord = (word: string) => (word.length > 5 && word.charCodeAt(0) !== 101 && word.charCodeAt(0) !== 69) || !YAML11_SPECIAL.test(word);

function scalar(text: string): string {
  // Most strings are plain words or digits: told by one scan, and the cache stays small.
  if (PLAIN_WORD.test(text)) {
    if (untypedWord(text)) return text;
  } else if (DIGITS.test(text)) return `"${text}"`;
  let rendered = scalars.get(text);
  if (rendered === undefined) {
    if (text.includes("\n")) throw UNUSUAL;
    rendered = toYamlWithJsYaml(text).slice(0, -1);
    scalars.set(text, rendered);
  }
  return rendered;
}

function number(value: number): string {
  // Integers (not -0) and floats without an exponent print as JavaScript prints them.
  if (Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
  const text = String(value);
  if (Number.isFinite(value) && !Object.is(value, -0) && !text.includes("e")) return text;
  throw UNUSUAL;
}

/** Indentation by level, made once. */
const newlines: string[] = [];
const newline = (level: number) => (newlines[level] ??= `\n${"  ".repeat(level)}`);

const isPlainObject = (value: object) => {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/** Mirrors js-yaml's writeNode for block collections; the caller leaves undefined out, as js-yaml does. */
function write(out: string[], value: unknown, level: number, compact: boolean): void {
  if (value === null) return void out.push("null");
  switch (typeof value) {
    case "string":
      return void out.push(scalar(value));
    case "number":
      return void out.push(number(value));
    case "boolean":
      return void out.push(value ? "true" : "false");
    case "object": {
      if (Array.isArray(value)) return value.length === 0 ? void out.push("[]") : sequence(out, value, level, compact);
      if (!isPlainObject(value)) throw UNUSUAL;
      return mapping(out, value as Record<string, unknown>, level, compact);
    }
    default:
      throw UNUSUAL;
  }
}

// Fewer, longer pieces join faster: a line's start (newline, indentation and the key or dash) is one
// piece, made once per level and key.

/** A sequence item's start at `level` on its own line: newline, indentation, dash. */
const dashes: string[] = [];
const dash = (level: number) => (dashes[level] ??= `${newline(level)}- `);

function sequence(out: string[], items: readonly unknown[], level: number, compact: boolean): void {
  for (let i = 0; i < items.length; i++) {
    // An item is written compact, so it never begins on its own line; a missing item is null, as js-yaml writes it.
    out.push(!compact || i > 0 ? dash(level) : "- ");
    write(out, items[i] === undefined ? null : items[i], level + 1, true);
  }
}

function mapping(out: string[], object: Record<string, unknown>, level: number, compact: boolean): void {
  let first = true;
  for (const key in object) {
    const value = object[key];
    // A key is looked at (and one over 1024 characters sent to js-yaml) even when its value is left out.
    const start = keyStart(key, !compact || !first ? level : -1);
    if (value === undefined) continue;
    out.push(start[0]);
    const at = out.length - 1;
    write(out, value, level + 1, false);
    // A block value begins on its own line (its first piece starts with a newline): then the key ends in ":".
    if (out[at + 1]!.charCodeAt(0) === 10) out[at] = start[1];
    first = false;
  }
  if (first) out.push("{}");
}

/**
 * A mapping entry's start: `key: ` and, before a block value, `key:`; on its own line at `level`,
 * or (-1) where the line has begun. Keys are few and repeat in every document: each is made once.
 */
const keyStarts: Map<string, readonly [string, string]>[] = [];

function keyStart(key: string, level: number): readonly [string, string] {
  const byKey = (keyStarts[level + 1] ??= new Map());
  let start = byKey.get(key);
  if (start === undefined) {
    const dumped = scalar(key);
    if (dumped.length > 1024) throw UNUSUAL;
    const line = level < 0 ? dumped : `${newline(level)}${dumped}`;
    start = [`${line}: `, `${line}:`];
    byKey.set(key, start);
  }
  return start;
}

/** Several documents in one file, separated by `---`. */
export function toYamlDocuments(values: readonly unknown[]): string {
  // All documents into one array of pieces, joined once.
  const out: string[] = [];
  for (const value of values) {
    out.push("---\n");
    if (value === undefined) continue;
    const start = out.length;
    try {
      write(out, value, 0, true);
      out.push("\n");
    } catch (error) {
      if (error !== UNUSUAL) throw error;
      out.length = start;
      out.push(toYamlWithJsYaml(value));
    }
  }
  return out.join("");
}
