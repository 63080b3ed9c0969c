/**
 * Renders an ApplicationSet the way the ApplicationSet controller does with `goTemplate: true` and
 * `missingkey=error`, for the subset of Go template syntax plinth emits: `{{.key}}` and pipelines of
 * sprig's `replace`. Anything else (another function, a missing key) throws, so a template the
 * controller would reject fails the test instead of passing silently.
 *
 * The pull-request generator is stood in for by one sample pull request with the parameters the
 * GitHub provider produces.
 */
type Doc = Record<string, any>;
type Params = Record<string, unknown>;

export const SAMPLE_PULL_REQUEST: Params = {
  number: "42",
  title: "Add checkout",
  branch: "feature/checkout",
  branch_slug: "feature-checkout",
  target_branch: "main",
  // All digits on purpose: a reader that took it for a number would break the image tag.
  head_sha: "1234567890123456789012345678901234567890",
  head_short_sha: "12345678",
  head_short_sha_7: "1234567",
  author: "octocat",
  labels: ["preview"],
};

/** Parameter sets of a generator (list, pull request, or a matrix of them). */
export function generatorParams(generator: Doc): Params[] {
  if (generator.list) return (generator.list.elements ?? []) as Params[];
  if (generator.pullRequest) return [SAMPLE_PULL_REQUEST];
  if (generator.matrix) {
    const [a, b] = generator.matrix.generators as Doc[];
    if (!a || !b || generator.matrix.generators.length !== 2) throw new Error("a matrix combines exactly two generators");
    return generatorParams(a).flatMap((left) => generatorParams(b).map((right) => ({ ...left, ...right })));
  }
  throw new Error(`generator not supported by the test renderer: ${Object.keys(generator).join(", ")}`);
}

/** Every Application the ApplicationSet would create. */
export function renderApplications(appset: Doc): Doc[] {
  if (appset.spec?.goTemplate !== true) throw new Error("ApplicationSet does not use goTemplate");
  if (!(appset.spec.goTemplateOptions ?? []).includes("missingkey=error")) throw new Error("ApplicationSet lacks missingkey=error");
  if (appset.spec.templatePatch !== undefined) throw new Error("templatePatch is not supported by the test renderer");
  return (appset.spec.generators as Doc[]).flatMap(generatorParams).map((params) => {
    const template = renderValue(appset.spec.template, params) as Doc;
    return {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: { ...template.metadata, namespace: appset.metadata.namespace },
      spec: template.spec,
    };
  });
}

export function renderValue(value: unknown, params: Params): unknown {
  if (typeof value === "string") return renderString(value, params);
  if (Array.isArray(value)) return value.map((item) => renderValue(item, params));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v, params)]));
  return value;
}

export function renderString(text: string, params: Params): string {
  return text.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (_, expression: string) => evaluate(expression, params));
}

function evaluate(expression: string, params: Params): string {
  const [head, ...pipes] = expression.split("|").map((part) => part.trim());
  let value = operand(head!, params);
  for (const pipe of pipes) {
    const args = tokens(pipe);
    const [fn, ...rest] = args;
    if (fn !== "replace" || rest.length !== 2) throw new Error(`template function not supported: ${pipe}`);
    const [from, to] = rest.map((arg) => operand(arg, params));
    value = value.split(from!).join(to!);
  }
  return value;
}

function operand(token: string, params: Params): string {
  if (token.startsWith('"') && token.endsWith('"')) return JSON.parse(token) as string;
  const match = /^\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(token);
  if (!match) throw new Error(`template expression not supported: ${token}`);
  const key = match[1]!;
  if (!(key in params)) throw new Error(`map has no entry for key "${key}" (missingkey=error)`);
  const value = params[key];
  if (typeof value !== "string") throw new Error(`key "${key}" is not a string`);
  return value;
}

function tokens(text: string): string[] {
  return [...text.matchAll(/"(?:[^"\\]|\\.)*"|\S+/g)].map((m) => m[0]);
}
