import Handlebars from "handlebars";
import { environmentsTemplate } from "./templates/environments.hbs.js";
import { disasterRecoveryTemplate } from "./templates/disaster-recovery.hbs.js";
import { promotionTemplate } from "./templates/promotion.hbs.js";
import { secretRotationTemplate } from "./templates/secret-rotation.hbs.js";
import { firstInstallTemplate } from "./templates/first-install.hbs.js";
import { contentsPartial, headerPartial } from "./templates/header.hbs.js";

const TEMPLATES = {
  environments: environmentsTemplate,
  "disaster-recovery": disasterRecoveryTemplate,
  promotion: promotionTemplate,
  "secret-rotation": secretRotationTemplate,
  "first-install": firstInstallTemplate,
} as const;

export type RunbookName = keyof typeof TEMPLATES;

// A private Handlebars environment: nothing registered globally, nothing shared with other code.
const handlebars = Handlebars.create();
handlebars.registerPartial("header", headerPartial);
handlebars.registerPartial("contents", contentsPartial);
const compiled = new Map<RunbookName, HandlebarsTemplateDelegate>();

/**
 * Renders a runbook from its view. Views hold finished Markdown (escaped in TypeScript), so HTML
 * escaping is off: it would turn `=` in commands into `&#x3D;`. `strict` makes a view that lacks
 * a field the template reads fail loudly instead of printing nothing.
 */
export function render(name: RunbookName, view: object): string {
  let template = compiled.get(name);
  if (!template) {
    template = handlebars.compile(TEMPLATES[name], { noEscape: true, strict: true });
    compiled.set(name, template);
  }
  return `${template(view).replace(/\n+$/, "")}\n`;
}
