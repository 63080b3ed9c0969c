import Handlebars from "handlebars";
import { environmentsTemplate } from "./templates/environments.hbs.js";
import { disasterRecoveryTemplate } from "./templates/disaster-recovery.hbs.js";
import { promotionTemplate } from "./templates/promotion.hbs.js";
import { rotationStepsPartial, secretRotationTemplate } from "./templates/secret-rotation.hbs.js";
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
handlebars.registerPartial("header", compile(headerPartial));
handlebars.registerPartial("contents", compile(contentsPartial));
handlebars.registerPartial("rotationSteps", compile(rotationStepsPartial));
const compiled = new Map<RunbookName, HandlebarsTemplateDelegate>();

/**
 * A template as the sources hold it (a string, compiled here: tests run the sources) or as dist/
 * holds it (compiled at build time by tsup.config.ts, where `handlebars` is only the runtime).
 */
function compile(template: string | TemplateSpecification): HandlebarsTemplateDelegate {
  return typeof template === "string" ? handlebars.compile(template, { noEscape: true, strict: true }) : handlebars.template(template);
}

/**
 * Renders a runbook from its view. Views hold finished Markdown (escaped in TypeScript), so HTML
 * escaping is off: it would turn `=` in commands into `&#x3D;`. `strict` makes a view that lacks
 * a field the template reads fail loudly instead of printing nothing.
 */
export function render(name: RunbookName, view: object): string {
  let template = compiled.get(name);
  if (!template) {
    template = compile(TEMPLATES[name]);
    compiled.set(name, template);
  }
  return `${template(view).replace(/\n+$/, "")}\n`;
}
