import type { Diagnostic } from "../diagnostics.js";
import type { ModelRule } from "./types.js";

/**
 * Every backup has something that takes it (compiler/resolve/performers.ts): an object of the
 * generated tree or a declared external performer. A method plinth cannot perform where it runs is
 * refused at its spec line. And the bucket keeps a backup's objects for its whole recovery window.
 */
export const backupPerformersRule: ModelRule = {
  id: "recovery/performer",
  severity: "error",
  stage: "model",
  description: "A backup nothing performs, or whose objects expire before its recovery window ends.",
  check(model) {
    const out: Diagnostic[] = [];
    const seen = new Set<string>();
    // A data service running in several places has one backup per place, all from one spec entry.
    const once = (diagnostic: Diagnostic) => {
      const key = `${diagnostic.rule}\u0000${(diagnostic.path ?? []).join(".")}`;
      if (!seen.has(key)) out.push(diagnostic) && seen.add(key);
    };
    for (const backup of model.backups) {
      if (backup.performer.kind === "none") {
        once({
          rule: backup.performer.rule,
          severity: "error",
          path: [...backup.at, "method"],
          message: `backup '${backup.name}' (${backup.method}) is taken by nothing: ${backup.performer.reason}`,
          hint: backup.performer.hint,
        });
      }
      if (backup.bucket !== undefined && backup.expireAfterDays < backup.windowDays) {
        once({
          rule: "recovery/lifecycle-shorter-than-window",
          severity: "error",
          path: [...backup.at, "expireAfter"],
          message: `backup '${backup.name}' expires its objects after ${backup.expireAfterDays}d, but restoring its oldest point (retention ${backup.retention}) needs the backup taken up to one interval before it: ${backup.windowDays}d`,
          hint: `set expireAfter to at least "${backup.windowDays}d", or leave it out (plinth then keeps retention + one interval)`,
        });
      }
    }
    return out;
  },
};
