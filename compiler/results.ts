import { z } from "zod";

/**
 * The one shape of every command's `--json` result (and its published JSON Schema,
 * `plinth schema --results`). Bump RESULT_VERSION on any change that is not an addition.
 */
export const RESULT_VERSION = 1;

const diagnostic = z.strictObject({
  rule: z.string().describe("Stable rule id, e.g. quota/overcommit; `plinth explain <rule>` describes it"),
  severity: z.enum(["error", "warning", "note"]),
  message: z.string(),
  hint: z.string().optional().describe("What to do about it"),
  file: z.string().optional().describe("Where, relative to the working folder"),
  line: z.number().int().positive().optional(),
  column: z.number().int().positive().optional(),
});

const fileStat = z.strictObject({
  path: z.string(),
  status: z.enum(["added", "changed", "removed"]),
  added: z.number().int().nonnegative().describe("Lines the rebuilt file adds"),
  removed: z.number().int().nonnegative().describe("Lines the rebuilt file removes"),
});

const treeDiff = {
  out: z.string().describe("The generated tree's folder"),
  added: z.array(z.string()).describe("Files the spec generates that the tree lacks"),
  changed: z.array(z.string()),
  removed: z.array(z.string()).describe("Files in the tree the spec no longer generates"),
  stat: z.array(fileStat),
};

/** What each command adds under `data`; every field optional so a failed run can leave it empty. */
const data = {
  build: z.strictObject({ out: z.string(), files: z.number().int(), written: z.array(z.string()), removed: z.array(z.string()) }),
  check: z.strictObject({ ...treeDiff, drifted: z.boolean() }),
  diff: z.strictObject({ ...treeDiff, patch: z.string() }),
  validate: z.strictObject({ spec: z.string(), environments: z.number().int(), clusters: z.number().int(), services: z.number().int() }),
  inspect: z.strictObject({ model: z.record(z.string(), z.unknown()) }),
  schema: z.strictObject({ schema: z.record(z.string(), z.unknown()) }),
  init: z.strictObject({ files: z.array(z.string()) }),
  compose: z.strictObject({ tier: z.string(), out: z.string(), files: z.array(z.string()), addedSettings: z.array(z.string()).optional().describe("Settings .env.example gained since the bundle was last written") }),
  promote: z.strictObject({
    service: z.string(),
    from: z.string().optional(),
    to: z.string(),
    digest: z.string(),
    chart: z.string(),
    previous: z.strictObject({ digest: z.string(), chart: z.string().optional() }).nullable(),
    lockFile: z.string(),
  }),
  explain: z.strictObject({ rules: z.array(z.strictObject({ id: z.string(), severity: z.string(), description: z.string(), example: z.string(), fix: z.string() })) }),
} as const;

export type CommandName = keyof typeof data | "release";
export type ResultData<C extends CommandName> = z.input<(typeof data)[C extends "release" ? "promote" : C]>;

const envelope = (command: z.ZodType, payload: z.ZodType) =>
  z.strictObject({
    version: z.literal(RESULT_VERSION).describe("Version of this result shape"),
    command,
    ok: z.boolean().describe("True when the exit code is 0"),
    exitCode: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]).describe("0 ok, 1 invalid input (or too many warnings), 2 a bug in plinth, 3 drift"),
    counts: z.strictObject({ errors: z.number().int(), warnings: z.number().int(), notes: z.number().int() }),
    diagnostics: z.array(diagnostic),
    data: payload.optional().describe("The command's own result; absent when the run failed before producing one"),
  });

export const resultSchema = z.union([
  ...Object.entries(data).map(([name, shape]) => envelope(z.literal(name), shape)),
  envelope(z.literal("release"), data.promote),
]);

export type Result = z.input<typeof resultSchema>;

export function resultJsonSchema(): Record<string, unknown> {
  return {
    $id: `https://plinth.dev/schemas/result-v${RESULT_VERSION}.json`,
    title: "plinth --json result",
    description: "What every plinth command prints on stdout under --json",
    ...z.toJSONSchema(resultSchema, { target: "draft-2020-12" }),
  };
}
