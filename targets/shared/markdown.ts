/**
 * Markdown building blocks for targets that write documentation (GitHub-flavoured Markdown).
 * Every function takes plain text and returns Markdown; values are escaped here, so a template
 * only places finished strings.
 */

/** Characters that start or end inline constructs anywhere in a line (CommonMark backslash-escapable). */
const INLINE_SIGNIFICANT = /[\\`*_[\]<>|~&]/g;

/**
 * Plain text as inline Markdown: emphasis, links, code, HTML, entities and table pipes are
 * escaped, newlines become spaces, and a leading block marker (`#`, `-`, `+`, `1.`, `>`) is
 * neutralised so the text can start a line or a table cell.
 */
export function escapeText(text: string): string {
  const inline = text.replace(/\r?\n/g, " ").replace(INLINE_SIGNIFICANT, "\\$&");
  return inline.replace(/^(\s*)([#+=-])/, "$1\\$2").replace(/^(\s*\d+)([.)])/, "$1\\$2");
}

/** An inline code span holding `text` verbatim (fence chosen longer than any backtick run inside). */
export function code(text: string): string {
  if (!/[`\n]/.test(text)) return `\`${text}\``;
  const single = text.replace(/\r?\n/g, " ");
  const longestRun = Math.max(0, ...(single.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = single.startsWith("`") || single.endsWith("`") ? " " : "";
  return `${fence}${pad}${single}${pad}${fence}`;
}

/**
 * Inline Markdown made safe for one table cell: no line breaks, and every pipe that is not already
 * escaped gets a backslash (GFM splits cells on pipes before it parses code spans, so this applies
 * inside code spans too).
 */
export function escapeTableCell(markdown: string): string {
  if (!/[|\n]/.test(markdown)) {
    const trimmed = markdown.trim();
    return trimmed === "" ? "—" : trimmed;
  }
  // A pipe after an even run of backslashes (none included) is not escaped yet.
  const out = markdown.replace(/\r?\n/g, " ").replace(/(\\*)\|/g, (match, backslashes: string) => (backslashes.length % 2 === 0 ? `${backslashes}\\|` : match));
  const trimmed = out.trim();
  // An empty cell is legal, but a visible dash reads better at 3 a.m.
  return trimmed === "" ? "—" : trimmed;
}

export type Align = "left" | "center" | "right";

/**
 * A GFM table. Headers and cells are inline Markdown (use `escapeText` / `code` to build them);
 * pipes and line breaks are escaped here.
 */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeTableCell).join(" | ")} |`;
  const rule = headers.map((_, i) => (align[i] === "right" ? "---:" : align[i] === "center" ? ":---:" : "---"));
  const lines = [line(headers), `| ${rule.join(" | ")} |`];
  // Indexed: tables run to thousands of rows, and a spread or for-of steps through an iterator.
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.length !== headers.length) throw new Error(`table row has ${row.length} cells, expected ${headers.length}`);
    lines.push(line(row));
  }
  return lines.join("\n");
}

/** A fenced code block with a language; the fence is longer than any backtick run in the body. */
export function codeBlock(lang: string, body: string | readonly string[]): string {
  const text = (typeof body === "string" ? body : body.join("\n")).replace(/\n+$/, "");
  const longestRun = Math.max(2, ...(text.match(/`{3,}/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  return `${fence}${lang}\n${text}\n${fence}`;
}

/** A bulleted list of inline Markdown items. */
export function bulletList(items: readonly string[]): string {
  return items.map((item) => `- ${item.replace(/\r?\n/g, " ")}`).join("\n");
}

/**
 * The anchor GitHub gives a heading (and markdownlint's MD051 checks): lower case, punctuation
 * other than `-` and `_` dropped, spaces to hyphens. `text` is the heading's rendered text.
 */
export function headingSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{Letter}\p{Mark}\p{Number}\p{Connector_Punctuation}\- ]/gu, "")
    .replace(/ /g, "-");
}

/**
 * Anchors for a document's headings in order, with GitHub's `-1`, `-2` suffixes for repeats.
 * Pass every heading of the document (not only those listed in a table of contents).
 */
export function headingAnchors(headings: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return headings.map((heading) => {
    const base = headingSlug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return count === 0 ? base : `${base}-${count}`;
  });
}

/** A link to a heading in the same document; `text` is plain text. */
export function anchorLink(text: string, anchor: string): string {
  return `[${escapeText(text)}](#${anchor})`;
}

/**
 * Text inside a quoted Mermaid label (`id["…"]`, `-->|"…"|`): quotes and angle brackets become
 * Mermaid entity codes so they cannot end the label or open HTML.
 */
export function mermaidText(text: string): string {
  return text
    .replace(/\r?\n/g, " ")
    .replace(/#/g, "#35;")
    .replace(/"/g, "#quot;")
    .replace(/</g, "#lt;")
    .replace(/>/g, "#gt;")
    .replace(/\|/g, "#124;");
}

/** A block (code fence, paragraph) indented to sit inside a list item whose content starts at `spaces`. */
export function indentBlock(block: string, spaces: number): string {
  const pad = " ".repeat(spaces);
  return block
    .split("\n")
    .map((line) => (line === "" ? "" : pad + line))
    .join("\n");
}
