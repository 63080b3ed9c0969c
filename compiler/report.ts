import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Diagnostic } from "./diagnostics.js";
import { groupBy, pushTo } from "./collections.js";

export interface ReportStyle {
  color: boolean;
  /** Secret values of every finding shown together: masked in every code frame. */
  secrets?: readonly string[];
  /** Paths are shown relative to this folder. */
  cwd: string;
}

const paint = (on: boolean, code: string, text: string) => (on ? `\u001b[${code}m${text}\u001b[0m` : text);
const SEVERITY_COLOR = { error: "31", warning: "33", note: "36" } as const;

export function relativePath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative.startsWith("..") ? file : relative.split(path.sep).join("/");
}

/** file:line:col - error rule: message, a code frame, and a hint — the shape of tsc and eslint. */
export function formatDiagnostic(d: Diagnostic, style: ReportStyle, sourceCache = new Map<string, string[]>()): string {
  const where = d.location ? `${relativePath(d.location.file, style.cwd)}:${d.location.line}:${d.location.column}` : "plinth";
  const head = `${paint(style.color, "1", where)} - ${paint(style.color, SEVERITY_COLOR[d.severity], d.severity)} ${paint(style.color, "2", d.rule)}: ${printable(d.message)}`;
  const lines = [head];
  if (d.location) {
    const frame = codeFrame(d.location.file, d.location.line, d.location.column, style, sourceCache, d.secret);
    if (frame) lines.push("", frame);
  }
  if (d.hint) lines.push(`  ${paint(style.color, "36", "hint")}: ${printable(d.hint)}`);
  return lines.join("\n") + "\n";
}

const FRAME_WIDTH = 240;

/** Control characters (terminal escapes among them) shown as \u escapes, never sent raw. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const MASK = "*****";

/**
 * A source line with a secret masked: the literal that starts at `column` (a quoted string or a
 * number), or everything from `column` on when something else starts there (a YAML key whose value
 * follows), and any other place the value is written verbatim.
 */
export function maskSecret(text: string, secret: string, column?: number): string {
  let masked = text;
  if (column !== undefined && column >= 1 && column <= text.length) {
    // Located at the key (`DB_PASSWORD: "…"`): the value is the literal after its colon.
    const key = /^(["']?)[\w$.-]+\1\s*:\s*/.exec(text.slice(column - 1));
    const start = column - 1 + (key && key.index + key[0].length < text.length - column + 1 ? key[0].length : 0);
    const quote = text[start]!;
    let replaced: string;
    if (quote === '"' || quote === "'" || quote === "`") {
      let end = start + 1;
      while (end < text.length && text[end] !== quote) end += text[end] === "\\" ? 2 : 1;
      replaced = `${quote}${MASK}${quote}${text.slice(Math.min(end + 1, text.length))}`;
    } else if (/[0-9+-]/.test(quote)) {
      replaced = `${MASK}${text.slice(start + /^[-+0-9._a-fA-FxXn]*/.exec(text.slice(start))![0].length)}`;
    } else {
      replaced = MASK;
    }
    masked = `${text.slice(0, start)}${replaced}`;
  }
  return secret.length >= 3 ? masked.split(secret).join(MASK) : masked;
}

/** Masks each of these secrets wherever it is written verbatim. */
const maskAll = (text: string, secrets: readonly string[]) => secrets.reduce((line, secret) => maskSecret(line, secret), text);

function codeFrame(file: string, line: number, column: number, style: ReportStyle, cache: Map<string, string[]>, secret?: string): string | undefined {
  let text = cache.get(file);
  if (!text) {
    if (!existsSync(file)) return undefined;
    text = readFileSync(file, "utf8").split(/\r?\n/);
    cache.set(file, text);
  }
  if (line < 1 || line > text.length) return undefined;
  const first = Math.max(1, line - 1);
  const last = Math.min(text.length, line + 1);
  const width = String(last).length;
  const out: string[] = [];
  // A window of the line around the column: a minified or hostile line must not flood the terminal.
  const start = text[line - 1]!.length > FRAME_WIDTH ? Math.max(0, column - 1 - FRAME_WIDTH / 2) : 0;
  for (let n = first; n <= last; n++) {
    const marker = n === line ? ">" : " ";
    const own = secret === undefined ? text[n - 1]! : maskSecret(text[n - 1]!, secret, n === line ? column : undefined);
    const full = maskAll(own, style.secrets ?? []);
    const shown = full.length <= start ? "" : `${start > 0 ? "…" : ""}${full.slice(start, start + FRAME_WIDTH)}${full.length > start + FRAME_WIDTH ? "…" : ""}`;
    out.push(`${marker} ${String(n).padStart(width)} | ${printable(shown)}`);
    if (n === line) out.push(`  ${" ".repeat(width)} | ${" ".repeat(Math.max(0, column - 1 - start + (start > 0 ? 1 : 0)))}${paint(style.color, "31", "^")}`);
  }
  return out.join("\n");
}

/** GitHub Actions workflow commands: annotations on the PR's files. */
export function formatGithub(d: Diagnostic, cwd: string): string {
  const level = d.severity === "note" ? "notice" : d.severity;
  const escape = (text: string) => text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  const property = (text: string) => escape(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
  const props = d.location
    ? `file=${property(relativePath(d.location.file, cwd))},line=${d.location.line},col=${d.location.column},title=${property(d.rule)}`
    : `title=${property(d.rule)}`;
  return `::${level} ${props}::${escape(d.message + (d.hint ? ` (${d.hint})` : ""))}\n`;
}

export function diagnosticJson(d: Diagnostic, cwd: string) {
  return {
    rule: d.rule,
    severity: d.severity,
    message: d.message,
    ...(d.hint && { hint: d.hint }),
    ...(d.location && { file: relativePath(d.location.file, cwd), line: d.location.line, column: d.location.column }),
  };
}

/** Findings of one rule beyond this many are summed up in one line (errors are always all shown). */
const GROUP_AFTER = 3;

/**
 * Every error, then warnings and notes grouped per rule: the first few of a rule in full, the rest
 * as one line with their count, and a closing tally per rule — a large spec stays readable.
 */
export function groupedDiagnostics(diagnostics: readonly Diagnostic[], format: (d: Diagnostic, cache: Map<string, string[]>) => string): string {
  if (diagnostics.length === 0) return "";
  const cache = new Map<string, string[]>();
  const shown = new Map<string, number>();
  const hidden = new Map<string, Diagnostic[]>();
  let out = "";
  for (const d of diagnostics) {
    const key = `${d.severity} ${d.rule}`;
    const n = shown.get(key) ?? 0;
    if (d.severity !== "error" && n >= GROUP_AFTER) {
      pushTo(hidden, key, d);
      continue;
    }
    shown.set(key, n + 1);
    out += format(d, cache);
  }
  for (const [, rest] of hidden) {
    const { rule, severity } = rest[0]!;
    const where = rest.map((d) => (d.location ? `${path.basename(d.location.file)}:${d.location.line}` : "")).filter(Boolean);
    out += `… and ${rest.length} more ${rule} ${severity}${rest.length === 1 ? "" : "s"}${where.length > 0 ? ` (${where.slice(0, 8).join(", ")}${where.length > 8 ? ", …" : ""})` : ""}; \`plinth explain ${rule}\` says how to fix or acknowledge them\n`;
  }
  const tally = new Map<string, number>();
  for (const d of diagnostics) tally.set(`${d.severity} ${d.rule}`, (tally.get(`${d.severity} ${d.rule}`) ?? 0) + 1);
  const totals = (["error", "warning", "note"] as const)
    .map((s) => [s, diagnostics.filter((d) => d.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}${n === 1 ? "" : "s"}`);
  const perRule = [...tally].map(([key, n]) => `${key.split(" ")[1]} ×${n}`);
  return `${out}\n${totals.join(", ")}${tally.size > 1 && [...tally.values()].some((n) => n > 1) ? ` (${perRule.join(", ")})` : ""}\n`;
}

/** The Markdown a run appends to $GITHUB_STEP_SUMMARY: its verdict, what drifted, its findings per rule. */
export function stepSummary(
  title: string,
  exitCode: number,
  diagnostics: readonly Diagnostic[],
  data: { stat?: readonly { path: string; status: string; added: number; removed: number }[] } | undefined,
  cwd: string,
): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
  const verdict = ["passed", "failed: the spec or its input is invalid", "failed: an internal error (a bug in plinth)", "failed: the generated tree has drifted from the spec"][exitCode] ?? "failed";
  const lines = [`## ${title}`, "", `**${exitCode === 0 ? "✅" : "❌"} ${verdict}** (exit ${exitCode})`, ""];
  const stat = data?.stat ?? [];
  if (stat.length > 0) {
    lines.push("Run `plinth build` and commit the result.", "", "| file | status | + | - |", "| --- | --- | ---: | ---: |");
    for (const s of stat) lines.push(`| \`${cell(s.path)}\` | ${s.status} | ${s.added} | ${s.removed} |`);
    lines.push("");
  }
  if (diagnostics.length > 0) {
    lines.push("| severity | rule | count | first finding |", "| --- | --- | ---: | --- |");
    for (const [, group] of groupBy(diagnostics, (d) => `${d.severity} ${d.rule}`)) {
      const first = group[0]!;
      const where = first.location ? `${relativePath(first.location.file, cwd)}:${first.location.line}: ` : "";
      lines.push(`| ${first.severity} | \`${first.rule}\` | ${group.length} | ${cell(printable(where + first.message))} |`);
    }
    lines.push("");
  }
  return `${lines.join("\n")}\n`;
}
