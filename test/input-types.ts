// Type-level check (tsc --noEmit runs it): the documented interface users see is exactly what the
// zod schemas accept, both ways, so the JSDoc never describes a different type.
import type { z } from "zod";
import type { PlatformInput as Documented } from "../spec/input.generated.js";
import type { platformSchema } from "../spec/schema.js";

type FromZod = z.input<typeof platformSchema>;
export const documentedFitsZod = (value: Documented): FromZod => value;
export const zodFitsDocumented = (value: FromZod): Documented => value;
