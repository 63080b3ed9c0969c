import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { starterSpec } from "../compiler/init.js";
import { EXAMPLES_DIR, runPlinth } from "./helpers.js";

const parent = mkdtempSync(path.join(os.tmpdir(), "plinth-hostile-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** A minimal valid platform.yaml. */
const YAML_SPEC = `name: shop
organisation: shop
repositories:
  monorepo: https://github.com/example/shop
profiles:
  - name: onprem
    cloud: onprem
    dns: { provider: powerdns, zone: shop.lan }
    secrets: { backend: kubernetes }
    objectStorage: { provider: minio }
    registry: { provider: harbor, url: harbor.shop.lan }
    storageClass: local-path
clusters:
  - name: edge
    profile: onprem
    kind: k3s
    capacity: { cpu: 4, memory: 8Gi }
namespaces:
  - { name: dev, cluster: edge }
environments:
  - name: dev
    cluster: edge
    namespace: dev
    sync: auto
`;

function specFolder(file: string, content: string | Buffer): string {
  const dir = mkdtempSync(path.join(parent, "spec-"));
  writeFileSync(path.join(dir, file), content);
  return dir;
}

/** The starter platform.ts with one edit, which must apply. */
function editedStarter(from: string, to: string): string {
  const text = starterSpec("shop");
  expect(text).toContain(from);
  return specFolder("platform.ts", text.replace(from, to));
}

/** Exit 1, a located error with this rule, no internal error, no stack trace. */
async function expectLocated(dir: string, rule: string, file: string, args: string[] = ["build", ".", "--out", "out"]) {
  const result = await runPlinth(args, dir);
  expect(result.stderr).not.toContain("internal error");
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(new RegExp(`^${file.replace(".", "\\.")}:\\d+:\\d+ - error ${rule.replace("/", "\\/")}: `));
  return result;
}

describe("YAML and JSON inputs are parsed strictly", () => {
  it("sanity: the base YAML spec builds", async () => {
    const result = await runPlinth(["build", ".", "--out", "out"], specFolder("platform.yaml", YAML_SPEC));
    expect(result.code, result.stderr).toBe(0);
  });

  it("an alias to no anchor is a located error, in the spec and in the release lock", async () => {
    await expectLocated(specFolder("platform.yaml", `${YAML_SPEC}x-extra: *nowhere\n`), "load/undefined-alias", "platform.yaml");
    const dir = mkdtempSync(path.join(parent, "lock-"));
    cpSync(path.join(EXAMPLES_DIR, "bitvault"), dir, { recursive: true });
    writeFileSync(path.join(dir, "releases.lock.yaml"), `${readFileSync(path.join(dir, "releases.lock.yaml"), "utf8")}extra:\n  dev: *nowhere\n`);
    await expectLocated(dir, "load/undefined-alias", "releases.lock.yaml", ["validate"]);
  });

  it("an alias bomb is refused before it expands", async () => {
    const lines = ["x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
    const names = "abcdefghij";
    for (let i = 1; i < names.length; i++) lines.push(`x-${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(", ")}]`);
    const result = await expectLocated(specFolder("platform.yaml", `${YAML_SPEC}${lines.join("\n")}\n`), "load/alias-expansion", "platform.yaml");
    expect(result.stderr).toMatch(/^platform\.yaml:26:\d+/);
  });

  it("unknown tags, duplicate keys and __proto__ keys are refused", async () => {
    await expectLocated(specFolder("platform.yaml", `${YAML_SPEC}x-tag: !custom foo\n`), "load/unknown-tag", "platform.yaml");
    await expectLocated(specFolder("platform.yaml", `${YAML_SPEC}name: again\n`), "load/syntax-error", "platform.yaml");
    await expectLocated(specFolder("platform.yaml", YAML_SPEC.replace("name: shop\n", "name: shop\n__proto__: { polluted: true }\n")), "load/forbidden-key", "platform.yaml");
  });

  it("platform.json is strict JSON: YAML syntax in it is an error, located", async () => {
    const { parse } = await import("yaml");
    const json = JSON.stringify(parse(YAML_SPEC), null, 2);
    expect((await runPlinth(["validate"], specFolder("platform.json", json))).code).toBe(0);
    const comment = await expectLocated(specFolder("platform.json", json.replace("{\n", "{\n  # a comment\n")), "load/syntax-error", "platform.json", ["validate"]);
    expect(comment.stderr).toMatch(/^platform\.json:2:3 - error load\/syntax-error: cannot parse JSON/);
    await expectLocated(specFolder("platform.json", json.replace('"name": "shop"', "name: shop")), "load/syntax-error", "platform.json", ["validate"]);
    await expectLocated(specFolder("platform.json", json.replace("{\n", '{\n  "__proto__": {},\n')), "load/forbidden-key", "platform.json", ["validate"]);
  });

  it("invalid UTF-8 is refused with the place of the first bad byte", async () => {
    const bytes = Buffer.concat([Buffer.from(YAML_SPEC), Buffer.from('x-bad: "'), Buffer.from([0xff, 0xfe]), Buffer.from('"\n')]);
    const result = await expectLocated(specFolder("platform.yaml", bytes), "load/invalid-utf8", "platform.yaml");
    expect(result.stderr).toMatch(/^platform\.yaml:25:9 /);
  });

  it("an oversized input is refused before it is parsed", async () => {
    const big = `${YAML_SPEC}x-big: [${Array.from({ length: 700_000 }, (_, i) => i).join(",")}]\n`;
    expect(big.length).toBeGreaterThan(4 * 1024 * 1024);
    await expectLocated(specFolder("platform.yaml", big), "load/too-large", "platform.yaml");
  });

  it("20,000-deep nesting in YAML is a located error", async () => {
    await expectLocated(specFolder("platform.yaml", `${YAML_SPEC}x-deep: ${"[".repeat(20000)}${"]".repeat(20000)}\n`), "load/too-deep", "platform.yaml");
  });
});

describe("inputs validate once accepted by build crashed on are located errors", () => {
  it("a canary step {}", async () => {
    await expectLocated(editedStarter('{ pause: "5m" }', "{}"), "schema/invalid-value", "platform.ts");
  });

  it("a six-field cron and a cron field out of range", async () => {
    const six = await expectLocated(editedStarter('"0 3 * * *"', '"0 0 3 * * *"'), "schema/invalid-value", "platform.ts");
    expect(six.stderr).toContain("five-field cron");
    await expectLocated(editedStarter('"0 3 * * *"', '"0 25 * * *"'), "schema/invalid-value", "platform.ts");
  });

  it("CR/LF in environments[].secrets.prefix", async () => {
    await expectLocated(editedStarter('prefix: "dev"', 'prefix: "dev\\r\\nX-Injected: 1"'), "spec/control-character", "platform.ts");
  });

  it("an open-ended pause ({ pause: undefined }) still builds", async () => {
    const result = await runPlinth(["build", ".", "--out", "out"], editedStarter('{ pause: "5m" }', "{ pause: undefined }"));
    expect(result.code, result.stderr).toBe(0);
  });
});

describe("diagnostics never print terminal control characters raw", () => {
  it("a key holding an escape sequence is shown escaped", async () => {
    const dir = mkdtempSync(path.join(parent, "escape-"));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "platform.yaml"), `${YAML_SPEC}"evil\\e[2J": 1\n`);
    const result = await runPlinth(["validate", "--no-color"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain("\u001b");
    expect(result.stderr).toContain("\\u001b[2J");
  });
});
