import { lookup } from "../../compiler/model-lookup.js";
import type { Model, ModelCluster, ModelStateBackend } from "../../compiler/model.js";
import type { OutputFile } from "../types.js";
import { attr, blank, block, comment, expr, obj, printHcl, type HclBodyItem, type HclInput, type HclValue } from "./hcl.js";
import { PROVIDERS, REQUIRED_VERSION, type ProviderName } from "./versions.js";

export interface Variable {
  name: string;
  /** A type constraint expression, e.g. `string`, `list(string)`. */
  type: string;
  description: string;
  default?: HclInput;
  sensitive?: boolean;
}

export interface Output {
  name: string;
  description: string;
  value: HclValue;
  /** Credentials: OpenTofu prints them as (sensitive); remote-state readers still get them. */
  sensitive?: boolean;
}

/**
 * One OpenTofu root module under opentofu/<folder>/, collected section by section and printed as the
 * six files every stack has: versions.tf, backend.tf, providers.tf, variables.tf, outputs.tf, main.tf.
 */
export class Stack {
  private readonly providers = new Map<ProviderName, HclBodyItem[]>();
  private readonly required = new Set<ProviderName>();
  private readonly variables = new Map<string, Variable>();
  private readonly outputs: Output[] = [];
  private readonly locals: [string, HclInput][] = [];
  private readonly sections: { title: string; items: HclBodyItem[] }[] = [];
  private readonly declared = new Set<string>();
  private introText?: string;

  constructor(
    readonly folder: string,
    private readonly backend: ModelStateBackend,
    /** One line on what the stack is for; heads every file. */
    private readonly purpose: string,
  ) {
    if (backend.encrypted === true) {
      this.variable({
        name: "state_passphrase",
        type: "string",
        description: "Passphrase the state and plans are encrypted with (at least 16 characters; set TF_VAR_state_passphrase). Lose it and the state cannot be read.",
        sensitive: true,
      });
    }
  }

  /** Runs `declare` the first time `key` is asked for: blocks several parts of a stack share (a data source). */
  once(key: string, declare: () => void): void {
    if (this.declared.has(key)) return;
    this.declared.add(key);
    declare();
  }

  /** Requires a provider; its configuration body is given once, by whoever needs it first. */
  provider(name: ProviderName, config: HclBodyItem[] = []): void {
    if (!this.providers.has(name)) this.providers.set(name, config);
  }

  /**
   * Requires a provider without configuring it: the stack only forgets resources of that provider
   * (`removed` blocks), and OpenTofu still needs its schema to read them from the state.
   */
  require(name: ProviderName): void {
    this.required.add(name);
  }

  uses(name: ProviderName): boolean {
    return this.providers.has(name);
  }

  /** Declares an input variable (once per name) and returns a reference to it. */
  variable(variable: Variable): HclValue {
    if (!this.variables.has(variable.name)) this.variables.set(variable.name, variable);
    return expr(`var.${variable.name}`);
  }

  local(name: string, value: HclInput): HclValue {
    this.locals.push([name, value]);
    return expr(`local.${name}`);
  }

  output(output: Output): void {
    this.outputs.push(output);
  }

  /** A paragraph at the top of main.tf: what the stack is for and how it relates to the others. */
  intro(text: string): void {
    this.introText = wrap(text, 98);
  }

  /** A titled group of blocks in main.tf; the title becomes a comment above the first one. */
  /** Addresses (`type.name`) of the managed resources of the given types this stack declares, in order. */
  resourceAddresses(typePrefix: string): string[] {
    return this.resources(typePrefix).map((r) => `${r.type}.${r.name}`);
  }

  /** The managed resources of the given types, with their literal string attributes and references. */
  resources(typePrefix: string): { type: string; name: string; strings: Record<string, string>; references: Record<string, string> }[] {
    return this.sections.flatMap((section) =>
      section.items.flatMap((item) => {
        if (item.kind !== "block" || item.type !== "resource" || !item.labels[0]!.startsWith(typePrefix)) return [];
        const strings: Record<string, string> = {};
        const references: Record<string, string> = {};
        for (const child of item.body) {
          if (child.kind !== "attribute") continue;
          if (child.value.kind === "string") strings[child.name] = child.value.value;
          if (child.value.kind === "expression") references[child.name] = child.value.text;
        }
        return [{ type: item.labels[0]!, name: item.labels[1]!, strings, references }];
      }),
    );
  }

  /** True when the stack declares nothing (no file is worth writing). */
  isEmpty(): boolean {
    return this.sections.length === 0;
  }

  section(title: string, items: HclBodyItem[]): void {
    if (items.length > 0) this.sections.push({ title: wrap(title, 98), items });
  }

  files(): OutputFile[] {
    const header = (what: string) => comment(`${this.folder}: ${what} of ${this.purpose}.\nGenerated by plinth from platform.ts: change the spec and rebuild rather than editing this file.`);
    const file = (name: string, what: string, body: HclBodyItem[], empty: string): OutputFile => ({
      path: `opentofu/${this.folder}/${name}`,
      content: printHcl([header(what), blank, ...(body.length > 0 ? body : [comment(empty)])]),
    });
    const providerNames = (Object.keys(PROVIDERS) as ProviderName[]).filter((name) => this.providers.has(name));
    return [
      file("versions.tf", "tool and provider versions", [versionsBlock((Object.keys(PROVIDERS) as ProviderName[]).filter((name) => this.providers.has(name) || this.required.has(name)))], ""),
      file("backend.tf", "state backend", backendBlocks(this.backend), ""),
      file(
        "providers.tf",
        "provider configuration",
        providerNames.map((name) => block("provider", [name], this.providers.get(name)!)),
        "No provider needs configuration.",
      ),
      file("variables.tf", "inputs", [...this.variables.values()].map(variableBlock), "No inputs: everything comes from the spec."),
      file("outputs.tf", "outputs", this.outputs.map(outputBlock), "No outputs."),
      file(
        "main.tf",
        "resources",
        [
          ...(this.introText !== undefined ? [comment(this.introText), blank] : []),
          ...(this.locals.length > 0 ? [block("locals", [], this.locals.map(([name, value]) => attr(name, value)))] : []),
          ...this.sections.flatMap((section) => [comment(section.title), ...section.items]),
        ],
        "Nothing to provision: this profile's adapters need no resources for this cluster.",
      ),
    ];
  }
}

function versionsBlock(providers: ProviderName[]): HclBodyItem {
  return block("terraform", [], [
    attr("required_version", REQUIRED_VERSION),
    providers.length > 0 &&
      block(
        "required_providers",
        [],
        providers.map((name) => attr(name, obj({ source: PROVIDERS[name].source, version: PROVIDERS[name].version }))),
      ),
  ]);
}

function backendBlocks(backend: ModelStateBackend): HclBodyItem[] {
  if (backend.encrypted !== true) return plainBackendBlocks(backend);
  const [note, terraform] = plainBackendBlocks(backend) as [HclBodyItem, HclBodyItem & { kind: "block" }];
  const method = expr("method.aes_gcm.state");
  return [
    note,
    comment("State and plans are encrypted by OpenTofu before they are written (and remote state it\nreads is decrypted with the same key): the keys this state holds never rest in clear text."),
    block("terraform", [], [
      ...terraform.body,
      blank,
      block("encryption", [], [
        block("key_provider", ["pbkdf2", "state"], [attr("passphrase", expr("var.state_passphrase"))]),
        block("method", ["aes_gcm", "state"], [attr("keys", expr("key_provider.pbkdf2.state"))]),
        block("state", [], [attr("method", method), attr("enforced", true)]),
        block("plan", [], [attr("method", method), attr("enforced", true)]),
        block("remote_state_data_sources", [], [block("default", [], [attr("method", method)])]),
      ]),
    ]),
  ];
}

/**
 * How a stack of this cluster reads another's state (`terraform_remote_state`): the same backend, at
 * the other stack's location. A relative local path is relative to the reading stack's folder.
 */
export function remoteStateBlock(name: string, backend: ModelStateBackend, folder: string): HclBodyItem {
  const config =
    backend.type === "s3"
      ? obj({ bucket: backend.bucket, key: backend.key, region: backend.region })
      : backend.type === "http"
        ? obj({ address: backend.address })
        : obj({ path: backend.path.startsWith("/") ? backend.path : `../${folder}/${backend.path}` });
  return block("data", ["terraform_remote_state", name], [attr("backend", backend.type), attr("config", config)]);
}

function plainBackendBlocks(backend: ModelStateBackend): HclBodyItem[] {
  switch (backend.type) {
    case "s3":
      return [
        comment("State in S3, locked with S3-native lock files (use_lockfile): no DynamoDB table is needed."),
        block("terraform", [], [
          block("backend", ["s3"], [
            attr("bucket", backend.bucket),
            attr("key", backend.key),
            attr("region", backend.region),
            attr("encrypt", true),
            attr("use_lockfile", true),
          ]),
        ]),
      ];
    case "http":
      return [
        comment(
          "State behind an HTTP endpoint (e.g. GitLab-managed state). Credentials come from\nTF_HTTP_USERNAME and TF_HTTP_PASSWORD; set TF_HTTP_LOCK_ADDRESS and TF_HTTP_UNLOCK_ADDRESS\nif the server supports locking.",
        ),
        block("terraform", [], [block("backend", ["http"], [attr("address", backend.address)])]),
      ];
    case "local":
      return [
        comment(
          "Local state: the profile names no remote backend. The state file can hold sensitive values:\nkeep it out of Git, back it up, and let one person or runner apply at a time (no locking\nacross machines). Switch the profile's stateBackend to s3 or http to share it.",
        ),
        block("terraform", [], [block("backend", ["local"], [attr("path", backend.path)])]),
      ];
  }
}

function variableBlock(variable: Variable): HclBodyItem {
  return block("variable", [variable.name], [
    attr("description", variable.description),
    attr("type", expr(variable.type)),
    variable.default !== undefined && attr("default", variable.default),
    variable.sensitive === true && attr("sensitive", true),
  ]);
}

function outputBlock(output: Output): HclBodyItem {
  return block("output", [output.name], [attr("description", output.description), attr("value", output.value), output.sensitive === true && attr("sensitive", true)]);
}

/**
 * A resource label from a name (resource labels are identifiers): other characters become `_`, and a
 * leading digit gets a `_` in front. `used` keeps labels unique within one resource type.
 */
export function labelFor(name: string, used: Set<string>): string {
  let label = name.replace(/[^A-Za-z0-9_-]/g, "_");
  if (!/^[A-Za-z_]/.test(label)) label = `_${label}`;
  let unique = label;
  for (let n = 2; used.has(unique); n++) unique = `${label}_${n}`;
  used.add(unique);
  return unique;
}

/** Words wrapped into lines of at most `width` characters (a longer word gets a line of its own). */
export function wrap(text: string, width: number): string {
  return text
    .split("\n")
    .map((paragraph) => {
      const lines: string[] = [];
      let line = "";
      for (const word of paragraph.split(" ")) {
        if (line !== "" && line.length + 1 + word.length > width) {
          lines.push(line);
          line = word;
        } else {
          line = line === "" ? word : `${line} ${word}`;
        }
      }
      lines.push(line);
      return lines.join("\n");
    })
    .join("\n");
}

/**
 * Where a cluster's stack sits among its stacks, from the deploy graph's levels: infra, bootstrap, then
 * the in-cluster configuration (after Vault is initialised when Vault runs in the cluster).
 */
export function stageOrderText(model: Model, cluster: ModelCluster, stack: "infra" | "bootstrap" | "config"): string {
  const level = (id: string) => lookup(model).deployNode(`${cluster.name}/stack/${id}`)?.level;
  const order = (["infra", "bootstrap", "config"] as const).filter((s) => level(s) !== undefined).sort((a, b) => level(a)! - level(b)!);
  const at = order.indexOf(stack);
  const before = order[at - 1];
  const after = order[at + 1];
  const parts = [
    before ? `Apply it after ${cluster.stacks[before]}` : "Apply it first",
    ...(after ? [`before ${cluster.stacks[after]}`] : []),
  ];
  const vaultInCluster = lookup(model).deployNode(`${cluster.name}/step/vault-init`) !== undefined;
  return `${parts.join(" and ")}${stack === "config" && vaultInCluster ? ", once Vault runs in the cluster and is initialised" : ""} (runbooks/first-install.md gives the whole order).`;
}
