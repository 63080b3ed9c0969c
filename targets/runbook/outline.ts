import { anchorLink, escapeText, headingAnchors } from "../shared/markdown.js";

/**
 * The headings of one document, recorded in the order the template prints them, so the table of
 * contents links to the anchors GitHub really generates (repeats get `-1`, `-2` …).
 */
export class Outline {
  private readonly headings: { level: number; text: string; listed: boolean }[] = [];

  /** Records a heading and returns its text escaped for Markdown (the template adds the `#`s). */
  heading(level: number, text: string, listed = true): string {
    this.headings.push({ level, text, listed });
    return escapeText(text);
  }

  /** A nested bulleted list linking the listed headings of levels 2 to `maxLevel`. */
  tableOfContents(maxLevel: number): string {
    const anchors = headingAnchors(this.headings.map((h) => h.text));
    const lines: string[] = [];
    this.headings.forEach((h, i) => {
      if (!h.listed || h.level < 2 || h.level > maxLevel) return;
      lines.push(`${"  ".repeat(h.level - 2)}- ${anchorLink(h.text, anchors[i]!)}`);
    });
    return lines.join("\n");
  }
}
