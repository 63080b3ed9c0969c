import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parse, parseAllDocuments } from "yaml";
import { toYaml, toYamlDocuments, toYamlWithJsYaml } from "../targets/shared/yaml.js";

/** What Go's yaml.v2 (and so older Helm and kubectl paths) sees: YAML 1.1 with its implicit types. */
const readAsYaml11 = (text: string): unknown => parse(text, { version: "1.1", uniqueKeys: true, strict: true });
const readAsYaml12 = (text: string): unknown => parse(text, { version: "1.2", uniqueKeys: true, strict: true });

/** Plain scalars YAML 1.1 resolves to booleans, null, numbers or timestamps. */
const YAML11_TRAPS = [
  "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N",
  "true", "False", "~", "null", "Null", "NULL", "",
  "0755", "0o755", "0x1F", "0b101", "1_000", "1e3", "1E3", "-1.5e-3", "+12", ".5", "1.", "12:30", "1:20:30", "-12:30.5",
  ".inf", "-.inf", "+.INF", ".nan", ".NaN", "2024-01-01", "2024-1-1", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5",
  // Forms the emitter once let through (found by the property test below): exponent without a
  // mantissa, underscores after the point, leading-zero decimals and sexagesimals.
  "E0", "e5", ".e1", "._", "1._5", "09", "0:30", "2024-01-01\t10:00:00",
  "<<", "=", "- item", "key: value", "#comment", "'quoted'", "\"double\"", " leading", "trailing ", "line\nbreak", "tab\there",
  "&anchor", "*alias", "!tag", "%directive", "@at", "`tick", "{a: 1}", "[1]", "? key", "| block", "> folded", "---", "...",
];

describe("toYaml: strings survive a YAML 1.1 reader", () => {
  it.each(YAML11_TRAPS.map((s) => [JSON.stringify(s), s]))("%s round-trips as a value and as a key", (_, text) => {
    const value = { value: text, list: [text], [text]: "key" };
    const emitted = toYaml(value);
    expect(readAsYaml11(emitted)).toEqual(value);
    expect(readAsYaml12(emitted)).toEqual(value);
  });

  it("quotes the strings YAML 1.1 would misread, and leaves ordinary words plain", () => {
    for (const text of ["yes", "on", "off", "y", "n", "0755", "1e3", "1_000", "~", "null", "12:30", "2024-01-01", ".inf", ""]) {
      expect(toYaml({ v: text }), text).toMatch(/^v: ["']/);
    }
    expect(toYaml({ v: "nginx" })).toBe("v: nginx\n");
  });

  it("keeps numbers, booleans and null typed", () => {
    const value = { int: 8080, float: 0.5, negative: -3, yes: true, no: false, nothing: null, nested: { list: [1, "1", true, "true"] } };
    expect(readAsYaml11(toYaml(value))).toEqual(value);
  });

  it("random strings come back exactly, in YAML 1.1 and 1.2", () => {
    const trap = fc.constantFrom(..."0179_:.-+eExbonyYNOfalsuTt ~#'\"\n\t<=!&*%@`|>[]{},?\\".split(""));
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: trap, maxLength: 12 }),
      fc.string({ unit: fc.constantFrom(..."0123456789_:.-+eE \t".split("")), maxLength: 10 }),
      fc.string({ unit: "binary", maxLength: 20 }),
      fc.constantFrom(...YAML11_TRAPS),
    );
    fc.assert(
      fc.property(text, text, (value, key) => {
        // A multi-line string of only blanks is a block scalar with only whitespace lines, which
        // parsers read differently (the spec's prose and grammar disagree, see eemeli/yaml#313):
        // left out here, listed as a known divergence.
        fc.pre(!(/\n/.test(value) && /^[ \t\n]*$/.test(value)));
        const data = { [key]: value, list: [value] };
        const emitted = toYaml(data);
        expect(readAsYaml11(emitted)).toEqual(data);
        expect(readAsYaml12(emitted)).toEqual(data);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("toYamlDocuments", () => {
  it("writes each value as its own document, in order", () => {
    const values = [{ kind: "A", v: "on" }, { kind: "B", v: "0755" }, { kind: "C", v: "" }];
    const text = toYamlDocuments(values);
    expect(text.startsWith("---\n")).toBe(true);
    const docs = parseAllDocuments(text, { version: "1.1", uniqueKeys: true });
    expect(docs.map((d) => d.errors)).toEqual([[], [], []]);
    expect(docs.map((d) => d.toJS())).toEqual(values);
  });
});

describe("toYaml's fast path", () => {
  const traps = fc.constantFrom(...YAML11_TRAPS);
  const scalar = fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), traps, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.constant(-0));
  const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
    tree: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      scalar,
      fc.array(tie("tree"), { maxLength: 4 }),
      fc.dictionary(fc.oneof(fc.string(), traps), tie("tree"), { maxKeys: 4 }),
    ),
  }));

  it("writes exactly what js-yaml writes, for any tree of plain values", () => {
    fc.assert(
      fc.property(tree, (value) => {
        expect(toYaml(value)).toBe(toYamlWithJsYaml(value));
      }),
      { numRuns: 2000 },
    );
  });

  it("writes a word of letters, digits, dots, slashes, underscores and dashes, or of digits alone, exactly as js-yaml does (its shortcuts)", () => {
    const word = fc.oneof(
      fc.string({ unit: fc.constantFrom(..."aAyYnNoOtTfFlLsSeEuU019./_-:# ".split("")), minLength: 1, maxLength: 8 }),
      fc.stringMatching(/^[eE][-+]?[0-9]{1,9}$/),
      fc.stringMatching(/^[0-9]{1,14}$/),
      traps,
    );
    fc.assert(
      fc.property(word, word, (key, value) => {
        const tree = { [key]: value, list: [value] };
        expect(toYaml(tree)).toBe(toYamlWithJsYaml(tree));
      }),
      { numRuns: 5000 },
    );
  });

  it("writes several documents exactly as one document each, unusual ones through js-yaml", () => {
    const document = fc.oneof(tree, fc.constant({ a: "line\nbreak" }), fc.constant(undefined));
    fc.assert(
      fc.property(fc.array(document, { maxLength: 5 }), (values) => {
        expect(toYamlDocuments(values)).toBe(values.map((value) => `---\n${toYaml(value)}`).join(""));
      }),
      { numRuns: 1000 },
    );
  });

  it("falls back to js-yaml for what it does not lay out itself (multi-line strings, dates, exponents)", () => {
    for (const value of [{ a: "line\nbreak" }, { d: new Date(0) }, [1e21, 1e-7], { k: { ["x".repeat(1100)]: 1 } }]) expect(toYaml(value)).toBe(toYamlWithJsYaml(value));
  });
});
