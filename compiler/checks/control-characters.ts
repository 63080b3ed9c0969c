import { formatPath, type Diagnostic } from "../diagnostics.js";
import type { RawRule } from "./types.js";

/** Control characters no output format carries safely (tab and line feed are text). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/**
 * A carriage return, escape or other control character anywhere in the spec, keys included: outputs
 * are LF text, and terminals would act on an escape.
 */
export const controlCharactersRule: RawRule = {
  id: "spec/control-character",
  severity: "error",
  stage: "raw",
  description: "A string or key in the spec holds a control character (CR, ESC, NUL…).",
  check(raw) {
    const out: Diagnostic[] = [];
    // One path, pushed and popped as the walk goes: a node's own copy is made only when it reports.
    const path: (string | number)[] = [];
    const walk = (value: unknown) => {
      if (typeof value === "string") {
        if (CONTROL.test(value)) out.push({ rule: this.id, severity: "error", path: [...path], message: `${formatPath(path) || "a value"} holds a control character (${JSON.stringify(CONTROL.exec(value)![0])}): only printable text, tabs and line feeds are allowed` });
      } else if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          path.push(i);
          walk(value[i]);
          path.pop();
        }
      } else if (value !== null && typeof value === "object") {
        for (const key of Object.keys(value)) {
          path.push(key);
          if (CONTROL.test(key)) out.push({ rule: this.id, severity: "error", path: [...path], message: `the key ${JSON.stringify(key)} holds a control character` });
          else walk((value as Record<string, unknown>)[key]);
          path.pop();
        }
      }
    };
    walk(raw);
    return out;
  },
};
