import { pathToFileURL } from "node:url";
import { authoringEntry } from "./load/package-root.js";

/** Commands that evaluate a spec: their evaluation worker starts while the rest loads. */
export const SPEC_COMMANDS: ReadonlySet<string> = new Set(["build", "check", "diff", "validate", "inspect", "compose", "promote", "release"]);

/** plinth's authoring API as the evaluation worker preloads it. */
export const authoringUrl = () => pathToFileURL(authoringEntry()).href;
