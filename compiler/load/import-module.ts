/**
 * import() of an ES module (the authoring API, secretlint, ajv, TypeScript). Inside the CLI bundle
 * (dist/cli.cjs), which bin/plinth.js compiles from V8's code cache, Node 20 loses the bundle's own
 * import() callback with the cache, so the starter hands the bundle an importer (compiler/start.ts).
 */
declare const __plinthImportModule: ((specifier: string) => Promise<unknown>) | undefined;

export function importModule<T>(specifier: string): Promise<T> {
  return (typeof __plinthImportModule === "function" ? __plinthImportModule(specifier) : import(specifier)) as Promise<T>;
}
