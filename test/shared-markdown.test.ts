import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { code, escapeTableCell } from "../targets/shared/markdown.js";

/** The cell escaping spelled out character by character: what escapeTableCell must equal. */
function escapeTableCellByCharacter(markdown: string): string {
  let out = "";
  let backslashes = 0;
  for (const char of markdown.replace(/\r?\n/g, " ")) {
    if (char === "|" && backslashes % 2 === 0) out += "\\";
    out += char;
    backslashes = char === "\\" ? backslashes + 1 : 0;
  }
  const trimmed = out.trim();
  return trimmed === "" ? "—" : trimmed;
}

const tricky = fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(..."\\|`\n\r a".split("")), maxLength: 16 }));

describe("markdown table cells", () => {
  it("escape every pipe not already escaped, however many backslashes come before it", () => {
    expect(escapeTableCell("a|b")).toBe("a\\|b");
    expect(escapeTableCell("a\\|b")).toBe("a\\|b");
    expect(escapeTableCell("a\\\\|b")).toBe("a\\\\\\|b");
    expect(escapeTableCell(" \n ")).toBe("—");
    fc.assert(
      fc.property(tricky, (text) => {
        expect(escapeTableCell(text)).toBe(escapeTableCellByCharacter(text));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("markdown code spans", () => {
  it("fence text with backticks by a longer run, and text without them by one backtick", () => {
    expect(code("kubectl get pods")).toBe("`kubectl get pods`");
    expect(code("a`b")).toBe("``a`b``");
    expect(code("`a")).toBe("`` `a ``");
    expect(code("a\nb")).toBe("`a b`");
    fc.assert(
      fc.property(tricky, (text) => {
        const span = code(text);
        const fence = /^`+/.exec(span)![0];
        expect(span.endsWith(fence)).toBe(true);
        expect(text.replace(/\r?\n/g, " ").includes(fence)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
