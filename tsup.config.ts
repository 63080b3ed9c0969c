import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import Handlebars from "handlebars";
import ts from "typescript";
import { defineConfig, type Options } from "tsup";
import { chartValuesSchema } from "./targets/helm/schema.js";

/**
 * The runbook templates (targets/runbook/templates/*.hbs.ts, each exporting template strings) are
 * compiled by Handlebars here, at build time: dist/ carries the compiled functions and only the
 * Handlebars runtime, so no run parses a template or loads the Handlebars compiler. Tests run the
 * sources, where render.ts compiles the strings itself; the golden trees hold both paths to the
 * same bytes (update:golden renders with dist/, the golden test with the sources).
 */
const precompiledTemplates: NonNullable<Options["esbuildPlugins"]>[number] = {
  name: "precompile-handlebars-templates",
  setup(build) {
    // Templates arrive compiled, so dist/ holds only the runtime.
    build.onResolve({ filter: /^handlebars$/ }, () => ({ path: createRequire(import.meta.url).resolve("handlebars/runtime") }));
    build.onLoad({ filter: /[\\/]templates[\\/][^\\/]+\.hbs\.ts$/ }, async ({ path }) => {
      const source = ts.transpileModule(await readFile(path, "utf8"), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      const exports = (await import(`data:text/javascript;base64,${Buffer.from(source).toString("base64")}`)) as Record<string, unknown>;
      const lines = Object.entries(exports).map(([name, template]) => {
        if (typeof template !== "string") throw new Error(`${path}: export ${name} is not a template string`);
        // The same options render.ts compiles with.
        return `export const ${name} = ${Handlebars.precompile(template, { noEscape: true, strict: true })};`;
      });
      return { contents: lines.join("\n"), loader: "js" };
    });
  },
};

/**
 * zod's namespace export carries every locale's messages (about 360 KB that each run parses); plinth
 * words its own messages and uses only the English default, so dist/ gets a locales module with
 * English alone.
 */
const englishZodLocale: NonNullable<Options["esbuildPlugins"]>[number] = {
  name: "zod-english-locale-only",
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, ({ importer, resolveDir }) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(importer) ? { path: "zod-locales-english", namespace: "zod-english-locale-only", pluginData: resolveDir } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "zod-english-locale-only" }, ({ pluginData }) => ({
      contents: 'export { default as en } from "../locales/en.js";',
      resolveDir: pluginData as string,
      loader: "js",
    }));
  },
};

export default defineConfig([
  {
    // readme: the README's generated sections, for scripts/update-readme.mjs. start: what bin/plinth.js
    // loads the CLI bundle with.
    entry: { start: "compiler/start.ts", "spec/index": "spec/index.ts", "spec/authoring": "spec/authoring.ts", readme: "compiler/readme.ts" },
    format: ["esm"],
    target: "node20",
    platform: "node",
    splitting: true,
    sourcemap: false,
    clean: true,
    // Types only for the authoring API users import as "plinth".
    dts: { entry: { "spec/index": "spec/index.ts" } },
    // Loaded only when a command needs them, so a warm `validate` never pays for them.
    external: ["typescript"],
    esbuildPlugins: [precompiledTemplates, englishZodLocale],
    // Bundled into dist/: one module each instead of many small files to resolve and read on every
    // run (npm run bench: about 10-15 % less CPU for a warm validate or build of bitvault). The rest
    // stay external: loaded only by the commands that need them.
    noExternal: ["handlebars", "zod", "yaml", "semver"],
    // Bundled CommonJS (yaml, semver, the Handlebars runtime) requires Node's built-ins.
    banner: { js: 'import { createRequire as __plinthCreateRequire } from "node:module"; const require = __plinthCreateRequire(import.meta.url);' },
  },
  {
    // The CLI as one CommonJS script: bin/plinth.js compiles it with V8's code cache (compiler/start.ts),
    // which Node 20 offers for scripts, not for ES modules. Modules the CLI imports lazily stay lazy:
    // esbuild initialises each on its first import().
    entry: { cli: "compiler/main.ts" },
    format: ["cjs"],
    target: "node20",
    platform: "node",
    sourcemap: false,
    outExtension: () => ({ js: ".cjs" }),
    external: ["typescript"],
    esbuildPlugins: [precompiledTemplates, englishZodLocale],
    // js-yaml (targets) and diff (check, diff) too: inside the bundle they are compiled from the code
    // cache and still initialised only by the commands that import them.
    noExternal: ["handlebars", "zod", "yaml", "semver", "js-yaml", "diff"],
    // The bundle's own URL, where the sources ask for import.meta.url; the chart's values schema as
    // JSON text (targets/helm/schema.ts), so no build converts the zod schema again.
    define: { "import.meta.url": "__plinthBundleUrl", __PLINTH_CHART_VALUES_SCHEMA__: JSON.stringify(JSON.stringify(chartValuesSchema())) },
    banner: { js: 'const __plinthBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  },
  {
    // `require("plinth")` from CommonJS (Node 20 cannot require an ES module): the authoring API only.
    entry: { "spec/index": "spec/index.ts" },
    format: ["cjs"],
    target: "node20",
    platform: "node",
    sourcemap: false,
    dts: { entry: { "spec/index": "spec/index.ts" } },
    outExtension: () => ({ js: ".cjs", dts: ".d.cts" }),
  },
]);
