import { pathToFileURL } from "node:url";
import { authoringEntry } from "./load/package-root.js";

/** Commands that evaluate a spec: their evaluation worker starts while the rest loads. */
export const SPEC_COMMANDS: ReadonlySet<string> = new Set(["build", "check", "diff", "validate", "inspect", "compose", "promote", "release"]);

/** plinth's authoring API as the evaluation worker preloads it. */
export const authoringUrl = () => pathToFileURL(authoringEntry()).href;

/**
 * Set on globalThis once a command has run to its end: only such a run's compiled code is worth
 * caching (compiler/start.ts, which is not part of the CLI bundle, reads it by the same symbol).
 */
const COMMAND_RAN = Symbol.for("plinth.commandRan");
export const commandRan = (): boolean => (globalThis as { [COMMAND_RAN]?: boolean })[COMMAND_RAN] === true;
export const markCommandRan = (): void => void ((globalThis as { [COMMAND_RAN]?: boolean })[COMMAND_RAN] = true);
