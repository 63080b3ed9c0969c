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

/** One YAML document. Key order is the order the target built the object in. */
export function toYaml(value: unknown): string {
  return yaml.dump(value, {
    schema: DUMP_SCHEMA,
    noRefs: true,
    lineWidth: -1,
    quotingType: '"',
    noCompatMode: false,
  });
}

/** Several documents in one file, separated by `---`. */
export function toYamlDocuments(values: readonly unknown[]): string {
  return values.map((value) => `---\n${toYaml(value)}`).join("");
}
