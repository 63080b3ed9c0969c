import { rmSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  attr,
  blank,
  block,
  call,
  comment,
  escapeString,
  expr,
  fromData,
  list,
  nil,
  obj,
  printHcl,
  printHclValue,
  str,
  tpl,
  type HclBodyItem,
  type HclValue,
} from "../../targets/opentofu/hcl.js";
import { parseHcl, runTerraform, TERRAFORM, writeTempTree } from "../support/terraform.js";

/**
 * hcl2json answers in Terraform's JSON syntax, where `${` and `%{` in a string are template syntax: a
 * literal one comes back doubled. This is what a string with the given value looks like there.
 */
const asTerraformJson = (value: string) => value.normalize("NFC").replaceAll("${", () => "$${").replaceAll("%{", () => "%%{");

/** The JSON hcl2json gives for a value node without expressions. */
function expectedJson(value: HclValue): unknown {
  switch (value.kind) {
    case "string":
      return asTerraformJson(value.value);
    case "number":
    case "bool":
      return value.value;
    case "null":
      return null;
    case "list":
      return value.items.map(expectedJson);
    case "object":
      return Object.fromEntries(value.entries.map((e) => [asTerraformJson(e.key), expectedJson(e.value)]));
    default:
      throw new Error(`no plain JSON for ${value.kind}`);
  }
}

/** The JSON hcl2json gives for a body: attributes by name; blocks nested by type, then labels, then a list. */
function expectedBody(items: readonly HclBodyItem[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    if (item.kind === "attribute") out[item.name] = expectedJson(item.value);
    if (item.kind === "block") {
      let holder = out as Record<string, unknown>;
      const keys = [item.type, ...item.labels];
      keys.slice(0, -1).forEach((key) => (holder = (holder[key] ??= {}) as Record<string, unknown>));
      ((holder[keys[keys.length - 1]!] ??= []) as unknown[]).push(expectedBody(item.body));
    }
  }
  return out;
}

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

// -------------------------------------------------------------------------------------------------
// Unit cases

describe("HCL strings", () => {
  it("escapes quotes, backslashes, newlines, template sequences and control characters", () => {
    expect(escapeString('say "hi" \\ now')).toBe('say \\"hi\\" \\\\ now');
    expect(escapeString("a\nb\rc\td")).toBe("a\\nb\\rc\\td");
    expect(escapeString("${var.x} and %{ if }")).toBe("$${var.x} and %%{ if }");
    expect(escapeString("$${already}")).toBe("$$${already}");
    expect(escapeString("\u0000\u001b\u007f\u0085")).toBe("\\u0000\\u001B\\u007F\\u0085");
    expect(escapeString("$ alone, % alone, {braces}")).toBe("$ alone, % alone, {braces}");
  });

  it("keeps non-ASCII text as UTF-8", () => {
    expect(escapeString("café ☕ 😀 日本")).toBe("café ☕ 😀 日本");
  });

  it("prints multi-line text as an indented heredoc with template sequences escaped", () => {
    const printed = printHcl([block("locals", [], [attr("script", "first line\n  indented ${x}\n\nlast\n")])]);
    expect(printed).toBe(["locals {", "  script = <<-EOT", "    first line", "      indented $${x}", "", "    last", "    EOT", "}", ""].join("\n"));
  });

  it("picks another heredoc delimiter when a line is EOT", () => {
    expect(printHclValue("EOT\nEOT1\nx\n")).toBe("<<-EOT2\n  EOT\n  EOT1\n  x\n  EOT2");
  });

  it("quotes multi-line text a heredoc cannot carry exactly", () => {
    expect(printHclValue("no trailing newline\nsecond")).toBe('"no trailing newline\\nsecond"');
    expect(printHclValue("  all lines\n  indented\n")).toBe('"  all lines\\n  indented\\n"');
    expect(printHclValue("a\n   \nb\n")).toBe('"a\\n   \\nb\\n"');
    expect(printHclValue("carriage\r\nreturn\n")).toBe('"carriage\\r\\nreturn\\n"');
    expect(printHclValue("one line\n")).toBe('"one line\\n"');
  });
});

describe("HCL values", () => {
  it("prints scalars, references, templates and calls", () => {
    expect(printHclValue(42)).toBe("42");
    expect(printHclValue(-0)).toBe("0");
    expect(printHclValue(1.5)).toBe("1.5");
    expect(printHclValue(true)).toBe("true");
    expect(printHclValue(null)).toBe("null");
    expect(printHclValue(expr("aws_s3_bucket.backups.arn"))).toBe("aws_s3_bucket.backups.arn");
    expect(printHclValue(tpl`${expr("aws_s3_bucket.b.arn")}/${"${literal}"}/*`)).toBe('"${aws_s3_bucket.b.arn}/$${literal}/*"');
    expect(printHclValue(call("max", 1, expr("var.n")))).toBe("max(1, var.n)");
    expect(() => printHclValue(Number.NaN)).toThrow();
    expect(() => printHclValue(expr("a\nb"))).toThrow();
  });

  it("keeps short scalar lists on one line and breaks the others with trailing commas", () => {
    expect(printHclValue(["a", "b"])).toBe('["a", "b"]');
    expect(printHclValue([])).toBe("[]");
    expect(printHclValue(["x".repeat(60), "y".repeat(60)])).toBe(`[\n  "${"x".repeat(60)}",\n  "${"y".repeat(60)}",\n]`);
    expect(printHclValue([obj({ a: 1 })])).toBe("[\n  {\n    a = 1\n  },\n]");
  });

  it("prints objects one entry a line with aligned keys, quoting keys that are not identifiers", () => {
    const value = obj({ a: 1, "app.kubernetes.io/name": "x", for: true, long_key: obj({}), nested: obj({ z: null }) });
    expect(printHclValue(value)).toBe(
      ["{", "  a                        = 1", '  "app.kubernetes.io/name" = "x"', '  "for"                    = true', "  long_key                 = {}", "  nested = {", "    z = null", "  }", "}"].join("\n"),
    );
  });

  it("wraps a multi-line argument of a call", () => {
    expect(printHclValue(call("jsonencode", obj({ Version: "2012-10-17" })))).toBe('jsonencode({\n  Version = "2012-10-17"\n})');
  });

  it("turns plain data into values", () => {
    expect(fromData({ b: [1, "x", null], a: { c: false } })).toEqual(obj({ b: [1, "x", nil], a: obj({ c: false }) }));
  });
});

describe("HCL bodies", () => {
  it("aligns `=` across consecutive one-line attributes, like terraform fmt", () => {
    const printed = printHcl([
      block("resource", ["aws_s3_bucket", "backups"], [
        attr("bucket", "acme-backups"),
        attr("force_destroy", false),
        attr("tags", obj({ Name: "acme", Environment: "prod" })),
        attr("x", 1),
        attr("policy", "line one\nline two\n"),
        attr("longer_name", 2),
        blank,
        attr("y", 3),
        comment("why this"),
        attr("zz", 4),
      ]),
    ]);
    expect(printed).toBe(
      [
        'resource "aws_s3_bucket" "backups" {',
        '  bucket        = "acme-backups"',
        "  force_destroy = false",
        "  tags = {",
        '    Name        = "acme"',
        '    Environment = "prod"',
        "  }",
        "  x           = 1",
        "  policy      = <<-EOT",
        "    line one",
        "    line two",
        "    EOT",
        "  longer_name = 2",
        "",
        "  y = 3",
        "  # why this",
        "  zz = 4",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("separates blocks by one blank line and keeps a comment with the block below it", () => {
    const printed = printHcl([
      comment("header\n\nsecond paragraph"),
      block("terraform", [], [attr("required_version", ">= 1.10.0")]),
      block("locals", [], [attr("a", 1), block("inner", [], []), attr("b", 2)]),
      comment("about the output"),
      block("output", ["x"], [attr("value", expr("local.a"))]),
    ]);
    expect(printed).toBe(
      [
        "# header",
        "#",
        "# second paragraph",
        "terraform {",
        '  required_version = ">= 1.10.0"',
        "}",
        "",
        "locals {",
        "  a = 1",
        "",
        "  inner {}",
        "",
        "  b = 2",
        "}",
        "",
        "# about the output",
        'output "x" {',
        "  value = local.a",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("rejects names that are not identifiers and labels it cannot print", () => {
    expect(() => printHcl([attr("not valid", 1)])).toThrow(/attribute/);
    expect(() => printHcl([block("resource", ["a${b}"], [])])).toThrow(/label/);
  });
});

// -------------------------------------------------------------------------------------------------
// Properties: what we print is what HashiCorp's parser reads back, and what terraform fmt leaves alone.

/** Strings rich in what HCL escaping must handle: template sequences, quotes, backslashes, newlines, unicode. */
const tricky = fc
  .array(
    fc.oneof(
      fc.constantFrom("${", "%{", "$${", "%%{", "$", "%", "{", "}", '"', "\\", "\\n", "\n", "\r", "\t", " ", "  ", "EOT", "\u0000", "\u007f", "\u0085", "\u00a0", "\u2028", "é", "日本", "😀", "\u0301", "e\u0301"),
      fc.string({ unit: "grapheme", maxLength: 6 }),
      fc.string({ unit: "binary", maxLength: 4 }),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(""))
  // Lone surrogates have no UTF-8 form; a file cannot hold them.
  .filter((s) => !/\p{Surrogate}/u.test(s))
  // Random supplementary-plane letters are left to the constants above: hcl2json's NFC step (Go
  // x/text, older Unicode tables) rewrites some that postdate it, e.g. "\u{11F30}\u0301" (Kawi,
  // Unicode 15) comes back as "\u1F34". That is the parser's Unicode version, not our escaping.
  .filter((s) => [...s].every((c) => c.codePointAt(0)! < 0x10000 || c === "😀"));

/** Multi-line strings, so the heredoc path is exercised as often as the quoted one. */
const multiline = fc
  .array(fc.oneof(tricky, fc.constantFrom("", "  indented", "\tTab", "plain", "EOT", "  EOT")), { minLength: 2, maxLength: 6 })
  .map((lines) => `${lines.join("\n")}\n`);

const anyString = fc.oneof(tricky, multiline);

const identifier = fc.stringMatching(/^[a-z_][a-z0-9_-]{0,12}$/);

const valueArb: fc.Arbitrary<HclValue> = fc.letrec<{ value: HclValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    anyString.map(str),
    fc.integer({ min: -1e9, max: 1e9 }).map((n) => printable(n)),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((n) => printable(n)),
    fc.boolean().map((b) => fromData(b)),
    fc.constant(nil),
    fc.array(tie("value"), { maxLength: 4 }).map((items) => list(items)),
    fc.uniqueArray(fc.tuple(fc.oneof(identifier, anyString), tie("value")), { maxLength: 4, selector: ([key]) => key }).map((entries) => obj(entries)),
  ),
})).value;

function printable(n: number): HclValue {
  return fromData(Object.is(n, -0) ? 0 : n);
}

const bodyArb: fc.Arbitrary<HclBodyItem[]> = fc.letrec<{ body: HclBodyItem[] }>((tie) => ({
  body: fc
    .array(
      fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.tuple(identifier, valueArb).map(([name, value]) => attr(name, value)),
        fc.tuple(identifier, fc.array(identifier, { maxLength: 2 }), tie("body")).map(([type, labels, body]) => block(type, labels, body)),
        anyString.map(comment),
        fc.constant(blank),
      ),
      { maxLength: 6 },
    )
    // An attribute name may appear once per body and not also as a block type; a block type keeps one
    // label count (hcl2json nests blocks by label).
    .map((items) => {
      const seen = new Set<string>();
      const labelCount = new Map<string, number>();
      for (const i of items) if (i.kind === "block" && !labelCount.has(i.type)) labelCount.set(i.type, i.labels.length);
      return items.filter((i) =>
        i.kind === "attribute"
          ? !seen.has(i.name) && !labelCount.has(i.name) && Boolean(seen.add(i.name))
          : i.kind !== "block" || labelCount.get(i.type) === i.labels.length,
      );
    }),
})).body;

describe("printer properties (hcl2json)", () => {
  it("any string survives print → parse unchanged", async () => {
    await fc.assert(
      fc.asyncProperty(anyString, async (value) => {
        const parsed = (await parseHcl("value.tf", printHcl([block("locals", [], [attr("value", value)])]))) as { locals: { value: unknown }[] };
        expect(parsed.locals[0]!.value).toBe(asTerraformJson(value));
      }),
      { numRuns: 400 },
    );
  });

  it("any string survives as an object key and inside a list", async () => {
    await fc.assert(
      fc.asyncProperty(anyString, anyString, async (key, item) => {
        const parsed = (await parseHcl("value.tf", printHcl([attr("m", obj([[key, [item]]]))]))) as { m: Record<string, unknown> };
        expect(parsed.m).toEqual({ [asTerraformJson(key)]: [asTerraformJson(item)] });
      }),
      { numRuns: 200 },
    );
  });

  it("any body parses to the attributes and blocks it was built from", async () => {
    await fc.assert(
      fc.asyncProperty(bodyArb, async (body) => {
        const parsed = await parseHcl("body.tf", printHcl(body));
        expect(parsed).toEqual(expectedBody(body));
      }),
      { numRuns: 200 },
    );
  });
});

describe.skipIf(!TERRAFORM)(`printer output is terraform fmt canonical${TERRAFORM ? "" : " (skipped: no terraform or tofu binary on PATH)"}`, () => {
  it("terraform fmt -check accepts every printed body and string", () => {
    // One folder, one terraform call: a file per sample.
    const bodies = fc.sample(bodyArb, { numRuns: 150, seed: 20260501 });
    const strings = fc.sample(anyString, { numRuns: 300, seed: 20260502 });
    const files: [string, string][] = [
      ...bodies.map((body, i): [string, string] => [`body${i}.tf`, printHcl(body)]),
      ...strings.map((value, i): [string, string] => [`string${i}.tf`, printHcl([block("locals", [], [attr("value", value), attr("in_list", [value]), attr("as_key", obj([[value, 1]]))])])]),
    ];
    const dir = writeTempTree("plinth-hcl-fmt-", files);
    tempDirs.push(dir);
    const { status, output } = runTerraform(["fmt", "-check", "-diff", "-recursive", "."], dir);
    expect(output, `terraform fmt would change (in ${path.basename(dir)}):\n${output}`).toBe("");
    expect(status).toBe(0);
  });
});
