/**
 * The README's generated sections (scripts/update-readme.mjs writes them, test/readme.test.ts
 * fails when they differ): the rules table, the versions table and the CI workflow.
 */
import { ARGOCD_APPS_CHART, PROVIDERS, REQUIRED_VERSION } from "../targets/opentofu/versions.js";
import { WORKFLOW } from "./init.js";
import { COMPONENT_CATALOG, ENGINE_DEFAULTS, VELERO_AWS_PLUGIN_IMAGE } from "./resolve/components.js";
import { COMPONENT_NOTICES, MOVED_IMAGES } from "./resolve/component-notices.js";
import { rulesTable } from "./rule-docs.js";

/** Every chart, image and provider version a generated tree pins, from the constants the targets use. */
export function versionsTable(): string {
  const rows: string[] = [];
  const notice = (name: string) => {
    const n = COMPONENT_NOTICES[name];
    return n ? `⚠ ${n.status}; use ${n.instead}` : "—";
  };
  for (const [name, entry] of Object.entries(COMPONENT_CATALOG).sort(([a], [b]) => a.localeCompare(b))) {
    rows.push(`| component \`${name}\` | chart \`${entry.chart}\` from \`${entry.repoURL}\` | ${entry.version} | ${notice(name)} |`);
  }
  rows.push(`| root application | chart \`${ARGOCD_APPS_CHART.name}\` from \`${ARGOCD_APPS_CHART.repository}\` | ${ARGOCD_APPS_CHART.version} | — |`);
  const [pluginImage, pluginTag] = VELERO_AWS_PLUGIN_IMAGE.split(":");
  rows.push(`| Velero AWS plugin | image \`${pluginImage}\` | ${pluginTag} | — |`);
  rows.push(`| OpenTofu / Terraform | \`required_version\` | \`${REQUIRED_VERSION}\` | — |`);
  for (const [name, provider] of Object.entries(PROVIDERS)) rows.push(`| provider \`${name}\` | \`${provider.source}\` | ${provider.version} | — |`);
  for (const [engine, defaults] of Object.entries(ENGINE_DEFAULTS)) rows.push(`| Compose image of \`${engine}\` | \`${defaults.image("<version>")}\` | the data service's \`version\` | — |`);
  for (const moved of MOVED_IMAGES) rows.push(`| images matching \`${moved.prefix.source}\` | — | — | ⚠ ${moved.status}; use ${moved.instead} |`);
  return ["| what | source | version | notice |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

export function readmeSections(): Record<string, string> {
  return { rules: rulesTable(), versions: versionsTable(), workflow: ["```yaml", WORKFLOW.trimEnd(), "```"].join("\n") };
}

/** The README with each `<!-- generated:NAME -->` … `<!-- /generated:NAME -->` section replaced. */
export function renderReadme(readme: string): string {
  let out = readme;
  for (const [name, body] of Object.entries(readmeSections())) {
    const pattern = new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(<!-- /generated:${name} -->)`);
    if (!pattern.test(out)) throw new Error(`README.md has no generated:${name} section`);
    out = out.replace(pattern, (_, open: string, close: string) => `${open}${body}\n${close}`);
  }
  return out;
}
