import type { Model, ModelEnvironment } from "../../compiler/model.js";
import { codeBlock, mermaidText } from "../shared/markdown.js";
import { gateLabel } from "./format.js";

/** Where an environment runs, in a few words. */
export function placement(env: ModelEnvironment): string {
  if (env.runtime === "compose") return `compose · ${env.tier}`;
  if (env.preview) return `${env.cluster} / ${env.preview.namespacePrefix}N`;
  return `${env.cluster} / ${env.namespace}`;
}

/**
 * The promotion ladder as a Mermaid flowchart: one node per environment (ids by position, so a
 * name can never clash with Mermaid syntax), an edge per promotion labelled with its gate, and a
 * dotted edge from pull requests into each preview environment.
 */
export function ladderDiagram(model: Model, options: { promotableOnly?: boolean } = {}): string {
  const environments = model.environments.filter((e) => !options.promotableOnly || e.promotable);
  const id = new Map(environments.map((e) => [e.name, `env${e.index}`]));
  const lines = ["flowchart LR"];
  for (const env of environments) lines.push(`  ${id.get(env.name)}["${mermaidText(env.name)}<br/>${mermaidText(placement(env))}"]`);
  for (const env of environments) {
    if (env.promoteFrom === undefined || !id.has(env.promoteFrom)) continue;
    lines.push(`  ${id.get(env.promoteFrom)} -->|"${mermaidText(gateLabel(env.approval))}"| ${id.get(env.name)}`);
  }
  for (const env of environments) {
    if (!env.preview) continue;
    const source = `prs${env.index}`;
    lines.push(`  ${source}(["pull requests of ${mermaidText(env.preview.repository)}"]) -.->|"${mermaidText(gateLabel(env.approval))}"| ${id.get(env.name)}`);
  }
  return codeBlock("mermaid", lines);
}
