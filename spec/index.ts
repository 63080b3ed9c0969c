/**
 * The authoring API: `import { definePlatform } from "plinth"`.
 * The zod schemas are the single source of truth; types are inferred from them.
 */
export { platformSchema, type PlatformInput, type Spec } from "./schema.js";
export { releaseLock, type ReleaseLock } from "./releases.js";
export { parseDuration, parseQuantity, formatDuration, formatBytes, type Duration, type Quantity } from "./units.js";
export type { z } from "zod";

export * from "./authoring.js";
