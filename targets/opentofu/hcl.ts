/**
 * A small HCL printer: a typed tree of bodies (attributes, blocks, comments) and values, printed in
 * the form `terraform fmt` / hclwrite produce, so generated files never need formatting.
 *
 * hclwrite's rules that matter here (hclwrite/format.go):
 * - indentation is two spaces per open bracket or block;
 * - the `=` of consecutive lines that hold a whole `key = value` (brackets balanced on the line; a
 *   heredoc counts as balanced) is aligned one column after the longest key, counted in grapheme
 *   clusters; a blank line, a comment, a block or a line that opens a multi-line value ends the run;
 * - blank lines are kept as written: we put one between blocks and around them.
 */

export type HclValue =
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "null" }
  | { kind: "list"; items: HclValue[] }
  | { kind: "object"; entries: { key: string; value: HclValue }[] }
  /** A reference or expression printed verbatim (single line), e.g. `var.region`, `list(string)`. */
  | { kind: "expression"; text: string }
  /** A string template: literal parts are escaped, `{ expression }` parts are interpolated. */
  | { kind: "template"; parts: (string | { expression: string })[] }
  | { kind: "call"; name: string; args: HclValue[] };

export type HclBodyItem =
  | { kind: "attribute"; name: string; value: HclValue }
  | { kind: "block"; type: string; labels: string[]; body: HclBodyItem[] }
  | { kind: "comment"; text: string }
  /** An empty line, e.g. between meta-arguments and arguments; it also ends an alignment run. */
  | { kind: "blank" };

/** What attribute and list helpers accept: a value node, or a plain string, number, boolean, null or array. */
export type HclInput = HclValue | string | number | boolean | null | readonly HclInput[];

// ---------------------------------------------------------------------------------------------
// Constructors

export const str = (value: string): HclValue => ({ kind: "string", value });
export const num = (value: number): HclValue => ({ kind: "number", value });
export const bool = (value: boolean): HclValue => ({ kind: "bool", value });
export const nil: HclValue = { kind: "null" };
export const expr = (text: string): HclValue => ({ kind: "expression", text });
export const list = (items: readonly HclInput[]): HclValue => ({ kind: "list", items: items.map(lift) });
export const call = (name: string, ...args: HclInput[]): HclValue => ({ kind: "call", name, args: args.map(lift) });

/** An object constructor; entries keep the given order. */
export function obj(entries: Record<string, HclInput> | readonly (readonly [string, HclInput])[]): HclValue {
  const pairs = Array.isArray(entries) ? (entries as readonly (readonly [string, HclInput])[]) : Object.entries(entries as Record<string, HclInput>);
  return { kind: "object", entries: pairs.map(([key, value]) => ({ key, value: lift(value) })) };
}

/**
 * A string template. Tagged-template use: tpl`${"arn"}:${expr("var.x")}`: plain strings are literal
 * text (escaped), expression nodes are interpolated.
 */
export function tpl(strings: TemplateStringsArray, ...values: (string | HclValue)[]): HclValue {
  const parts: (string | { expression: string })[] = [];
  strings.forEach((text, i) => {
    if (text !== "") parts.push(text);
    if (i < values.length) {
      const value = values[i]!;
      if (typeof value === "string") parts.push(value);
      else if (value.kind === "expression") parts.push({ expression: value.text });
      else if (value.kind === "string") parts.push(value.value);
      else throw new Error(`tpl: only strings and expressions can be interpolated, got ${value.kind}`);
    }
  });
  return { kind: "template", parts };
}

export const attr = (name: string, value: HclInput): HclBodyItem => ({ kind: "attribute", name, value: lift(value) });
export const block = (type: string, labels: readonly string[], body: readonly (HclBodyItem | false | undefined)[]): HclBodyItem => ({
  kind: "block",
  type,
  labels: [...labels],
  body: body.filter((item): item is HclBodyItem => item !== false && item !== undefined),
});
export const comment = (text: string): HclBodyItem => ({ kind: "comment", text });
export const blank: HclBodyItem = { kind: "blank" };

function isNode(value: unknown): value is HclValue {
  return typeof value === "object" && value !== null && !Array.isArray(value) && typeof (value as { kind?: unknown }).kind === "string";
}

/** A plain string, number, boolean, null or array as a value node. */
export function lift(value: HclInput): HclValue {
  if (value === null) return nil;
  if (typeof value === "string") return str(value);
  if (typeof value === "number") return num(value);
  if (typeof value === "boolean") return bool(value);
  if (Array.isArray(value)) return list(value);
  if (isNode(value)) return value;
  throw new Error(`not an HCL value: ${String(value)}`);
}

/** JSON-like data (e.g. Helm values) as HCL: objects keep their key order. */
export function fromData(value: unknown): HclValue {
  if (value === null || value === undefined) return nil;
  if (typeof value === "string") return str(value);
  if (typeof value === "number") return num(value);
  if (typeof value === "boolean") return bool(value);
  if (Array.isArray(value)) return { kind: "list", items: value.map(fromData) };
  if (typeof value === "object") {
    return { kind: "object", entries: Object.entries(value as Record<string, unknown>).map(([key, v]) => ({ key, value: fromData(v) })) };
  }
  throw new Error(`cannot print ${typeof value} as HCL`);
}

// ---------------------------------------------------------------------------------------------
// Lexical helpers

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Bare object keys that would parse as something else (`for` starts a for expression, `null` is no key). */
const KEYWORDS = new Set(["for", "in", "if", "true", "false", "null", "endfor", "endif", "else"]);

export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** A backslash, quote, control character, or what could start `${` or `%{`. */
const NEEDS_ESCAPE = /[\\"\u0000-\u001f\u007f-\u009f$%]/;

/** Escape a string's content for a quoted HCL template (the surrounding quotes are not added). */
export function escapeString(value: string): string {
  // Most strings hold nothing to escape: told by one scan.
  if (!NEEDS_ESCAPE.test(value)) return value;
  let out = "";
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    switch (ch) {
      case "\\":
        out += "\\\\";
        continue;
      case '"':
        out += '\\"';
        continue;
      case "\n":
        out += "\\n";
        continue;
      case "\r":
        out += "\\r";
        continue;
      case "\t":
        out += "\\t";
        continue;
    }
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
    else out += ch;
  }
  return escapeTemplateSequences(out);
}

/** `${` and `%{` start interpolations and directives in every HCL template; doubling escapes them. */
function escapeTemplateSequences(text: string): string {
  if (!text.includes("{")) return text;
  return text.replaceAll("${", () => "$${").replaceAll("%{", () => "%%{");
}

export const quote = (value: string): string => `"${escapeString(value)}"`;

// Made on first use: creating one costs milliseconds of ICU set-up, and ASCII text never needs it.
let segmenter: Intl.Segmenter | undefined;
const segments = (text: string) => (segmenter ??= new Intl.Segmenter("en", { granularity: "grapheme" })).segment(text);

function graphemes(text: string): number {
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let count = 0;
  for (const _ of segments(text)) count++;
  return count;
}

/**
 * Width of an object key as hclwrite counts it: grapheme clusters per token. A quoted key is the
 * quotes plus literal tokens, which the scanner splits at `$` and `%` (`$${` is one token).
 */
function keyColumns(key: string): number {
  if (!key.startsWith('"')) return graphemes(key);
  const tokens = key.slice(1, -1).match(/\$\$\{|%%\{|\$|%|[^$%]+/g) ?? [];
  return 2 + tokens.reduce((sum, token) => sum + graphemes(token), 0);
}

/** Characters Go's unicode.IsSpace accepts (plus U+FEFF, to be safe). */
const SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff";
const LEADING_SPACE = new RegExp(`^[${SPACE}]`);
const ONLY_SPACE = new RegExp(`^[${SPACE}]+$`);
const HEREDOC_FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * The lines of an indented heredoc (`<<-EOT`) for this string, or undefined when it cannot be one
 * exactly. HCL strips the smallest leading whitespace of the non-blank lines (in grapheme clusters)
 * and keeps whitespace-only lines as they are, so it is exact when: the string ends with a newline
 * and has at least two lines, has no control characters but tabs, no whitespace-only line, at least
 * one line starting with a non-space, and no line starting with a combining character (it would
 * merge with the indentation).
 */
function heredocLines(value: string): string[] | undefined {
  if (!value.endsWith("\n") || HEREDOC_FORBIDDEN.test(value)) return undefined;
  const lines = value.slice(0, -1).split("\n");
  if (lines.length < 2) return undefined;
  let flush = false;
  for (const line of lines) {
    if (line === "") continue;
    if (ONLY_SPACE.test(line)) return undefined;
    if (!LEADING_SPACE.test(line)) flush = true;
    // An ASCII character never joins the space before it into one grapheme cluster.
    if (/^[\x00-\x7f]/.test(line)) continue;
    const first = segments(` ${line}`)[Symbol.iterator]().next().value;
    if (first?.segment !== " ") return undefined;
  }
  return flush ? lines : undefined;
}

function heredocDelimiter(lines: readonly string[]): string {
  const taken = new Set(lines.map((line) => line.trim()));
  let delimiter = "EOT";
  for (let n = 1; taken.has(delimiter); n++) delimiter = `EOT${n}`;
  return delimiter;
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`HCL has no literal for ${value}`);
  return Object.is(value, -0) ? "0" : String(value);
}

// ---------------------------------------------------------------------------------------------
// Printing

/**
 * A printed value: its lines (the first continues the line that holds `key =`, the others carry their
 * own indentation) and whether hclwrite sees the first line as a whole `key = value` (aligned).
 */
interface Printed {
  lines: string[];
  aligned: boolean;
}

const pads: string[] = [];
const pad = (indent: number) => (pads[indent] ??= " ".repeat(indent));

/** The value on one line, or undefined when it needs several. Strings are always quoted here. */
function printInline(value: HclValue): string | undefined {
  switch (value.kind) {
    case "string":
      return quote(value.value);
    case "number":
      return formatNumber(value.value);
    case "bool":
      return String(value.value);
    case "null":
      return "null";
    case "expression":
      if (value.text.includes("\n")) throw new Error(`an HCL expression must be one line: ${value.text}`);
      return value.text;
    case "template":
      return `"${value.parts.map((part) => (typeof part === "string" ? escapeString(part) : `\${${part.expression}}`)).join("")}"`;
    case "list": {
      if (value.items.length === 0) return "[]";
      const items = value.items.map((item) => (item.kind === "list" || item.kind === "object" ? undefined : printInline(item)));
      if (items.some((item) => item === undefined)) return undefined;
      const text = `[${items.join(", ")}]`;
      return text.length <= 100 ? text : undefined;
    }
    case "object":
      return value.entries.length === 0 ? "{}" : undefined;
    case "call": {
      const args = value.args.map(printInline);
      if (args.some((arg) => arg === undefined)) return undefined;
      return `${value.name}(${args.join(", ")})`;
    }
  }
}

/** Print a value whose first line continues at the current position and whose block is at `indent`. */
function printValue(value: HclValue, indent: number): Printed {
  // Heredocs only where the closing marker can end its line: an attribute or object entry value, or
  // the only item of a list (whose closing bracket then goes on the next line, as terraform fmt keeps it).
  const heredoc = value.kind === "string" ? printHeredoc(value.value, indent) : undefined;
  if (heredoc) return { lines: heredoc, aligned: true };
  const only = value.kind === "list" && value.items.length === 1 ? value.items[0]! : undefined;
  const onlyHeredoc = only?.kind === "string" ? printHeredoc(only.value, indent) : undefined;
  if (onlyHeredoc) return { lines: [`[${onlyHeredoc[0]}`, ...onlyHeredoc.slice(1), `${pad(indent)}]`], aligned: false };

  const inline = printInline(value);
  if (inline !== undefined) return { lines: [inline], aligned: true };
  switch (value.kind) {
    case "list": {
      const lines = ["["];
      for (const item of value.items) {
        // A heredoc cannot be followed by a comma on its line, so list items are always quoted.
        const printed = item.kind === "string" ? [quote(item.value)] : printValue(item, indent + 2).lines;
        const last = printed.length - 1;
        if (last === 0) lines.push(`${pad(indent + 2)}${printed[0]},`);
        else {
          lines.push(`${pad(indent + 2)}${printed[0]}`);
          for (let i = 1; i < last; i++) lines.push(printed[i]!);
          lines.push(`${printed[last]},`);
        }
      }
      lines.push(`${pad(indent)}]`);
      return { lines, aligned: false };
    }
    case "object": {
      const rows = value.entries.map((entry) => ({
        key: isIdentifier(entry.key) && !KEYWORDS.has(entry.key) ? entry.key : quote(entry.key),
        printed: printValue(entry.value, indent + 2),
      }));
      const lines = ["{"];
      alignRows(lines, rows, indent + 2);
      lines.push(`${pad(indent)}}`);
      return { lines, aligned: false };
    }
    case "call": {
      // One multi-line argument, e.g. jsonencode({ ... }): it opens and closes around the call.
      if (value.args.length !== 1) throw new Error(`${value.name}(): only a single argument may span lines`);
      const arg = printValue(value.args[0]!, indent);
      const last = arg.lines.length - 1;
      return {
        lines: arg.lines.map((line, i) => (i === 0 ? `${value.name}(${line}` : i === last ? `${line})` : line)),
        aligned: false,
      };
    }
    default:
      throw new Error(`cannot print ${value.kind}`);
  }
}

function printHeredoc(value: string, indent: number): string[] | undefined {
  const lines = heredocLines(value);
  if (!lines) return undefined;
  const delimiter = heredocDelimiter(lines);
  const inner = pad(indent + 2);
  return [`<<-${delimiter}`, ...lines.map((line) => (line === "" ? "" : inner + escapeTemplateSequences(line))), inner + delimiter];
}

/**
 * Appends `key = value` rows at `indent` to out, with `=` aligned across each run of aligned rows.
 * (Appended in place, without spreads or destructuring: a stack of a large platform has tens of
 * thousands of rows.)
 */
function alignRows(out: string[], rows: readonly { key: string; printed: Printed }[], indent: number): void {
  const columns = rows.map((row) => keyColumns(row.key));
  const appendRest = (lines: readonly string[]) => {
    for (let i = 1; i < lines.length; i++) out.push(lines[i]!);
  };
  let runStart = 0;
  const flush = (end: number) => {
    let width = 0;
    for (let i = runStart; i < end; i++) width = Math.max(width, columns[i]!);
    for (let i = runStart; i < end; i++) {
      const row = rows[i]!;
      out.push(`${pad(indent)}${row.key}${pad(width - columns[i]!)} = ${row.printed.lines[0]}`);
      appendRest(row.printed.lines);
    }
  };
  rows.forEach((row, i) => {
    if (row.printed.aligned) return;
    flush(i);
    runStart = i + 1;
    out.push(`${pad(indent)}${row.key} = ${row.printed.lines[0]}`);
    appendRest(row.printed.lines);
  });
  flush(rows.length);
}

function commentLines(out: string[], text: string, indent: number): void {
  for (const line of text.split(/\r\n|\r|\n/)) out.push(line === "" ? `${pad(indent)}#` : `${pad(indent)}# ${line}`);
}

/** Labels are literal strings: escapes work, but terraform fmt mangles a label holding `$${`. */
function quoteLabel(label: string): string {
  if (label.includes("${") || label.includes("%{") || /[\u0000-\u001f\u007f-\u009f]/.test(label)) {
    throw new Error(`invalid HCL block label: ${JSON.stringify(label)}`);
  }
  return quote(label);
}

function checkIdentifier(name: string, what: string): void {
  if (!isIdentifier(name)) throw new Error(`invalid HCL ${what} name: ${JSON.stringify(name)}`);
}

/**
 * Appends body items at `indent` to out (whose lines before this body are not looked at): blocks are
 * separated from their neighbours by one blank line.
 */
function printBody(out: string[], items: readonly HclBodyItem[], indent: number): void {
  const start = out.length;
  let rows: { key: string; printed: Printed }[] = [];
  const flushRows = () => {
    alignRows(out, rows, indent);
    rows = [];
  };
  const separate = () => {
    if (out.length > start && out[out.length - 1] !== "") out.push("");
  };
  items.forEach((item, i) => {
    const previous = items[i - 1];
    switch (item.kind) {
      case "attribute":
        checkIdentifier(item.name, "attribute");
        if (previous?.kind === "block") separate();
        rows.push({ key: item.name, printed: printValue(item.value, indent) });
        return;
      case "blank":
        flushRows();
        separate();
        return;
      case "comment": {
        flushRows();
        // A comment belongs to the block right after it: the blank line goes above the comment.
        let next = i;
        while (items[next]?.kind === "comment") next++;
        if (previous?.kind === "block" || (previous?.kind !== "comment" && items[next]?.kind === "block")) separate();
        commentLines(out, item.text, indent);
        return;
      }
      case "block": {
        flushRows();
        checkIdentifier(item.type, "block type");
        if (previous?.kind !== "comment") separate();
        const header = [item.type, ...item.labels.map(quoteLabel)].join(" ");
        if (item.body.length === 0) {
          out.push(`${pad(indent)}${header} {}`);
        } else {
          out.push(`${pad(indent)}${header} {`);
          printBody(out, item.body, indent + 2);
          out.push(`${pad(indent)}}`);
        }
        return;
      }
    }
  });
  flushRows();
  while (out.length > start && out[out.length - 1] === "") out.pop();
}

/** A whole file: LF line endings and a trailing newline. */
export function printHcl(body: readonly HclBodyItem[]): string {
  const lines: string[] = [];
  printBody(lines, body, 0);
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** One value as it would appear after `key = ` at the top level (for tests and diagnostics). */
export function printHclValue(value: HclInput): string {
  return printValue(lift(value), 0).lines.join("\n");
}
