import { z } from "zod";
import { platformSchema } from "../spec/schema.js";

/** The spec's JSON Schema, generated from the zod schemas (what users write: defaults optional). */
export function platformJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(platformSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown> & { properties: Record<string, unknown> };
  // A platform.yaml / platform.json may name this schema for its editor.
  const properties = { $schema: { type: "string", description: "The JSON Schema this file follows (for editors); plinth ignores it" }, ...schema.properties };
  return { $id: "https://plinth.dev/schema/platform.json", title: "plinth platform spec", ...schema, properties };
}
