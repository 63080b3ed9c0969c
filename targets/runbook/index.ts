import type { Model } from "../../compiler/model.js";
import type { OutputFile, Target } from "../types.js";
import { disasterRecoveryView } from "./disaster-recovery.js";
import { environmentsView } from "./environments.js";
import { firstInstallView } from "./first-install.js";
import { promotionView } from "./promotion.js";
import { render } from "./render.js";
import { secretRotationView } from "./secret-rotation.js";

/** Runbooks a person follows at 3 a.m.: the real names, exact commands in order, and the numbers promised. */
export const runbookTarget: Target = {
  name: "runbook",
  description: "Markdown runbooks: first install, environments, disaster recovery, promotion, secret rotation",
  generate(model: Model): OutputFile[] {
    return [
      { path: "runbooks/disaster-recovery.md", content: render("disaster-recovery", disasterRecoveryView(model)) },
      { path: "runbooks/environments.md", content: render("environments", environmentsView(model)) },
      { path: "runbooks/first-install.md", content: render("first-install", firstInstallView(model)) },
      { path: "runbooks/promotion.md", content: render("promotion", promotionView(model)) },
      { path: "runbooks/secret-rotation.md", content: render("secret-rotation", secretRotationView(model)) },
    ];
  },
};
