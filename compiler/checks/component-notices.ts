import { COMPONENT_NOTICES, MOVED_IMAGES } from "../resolve/component-notices.js";
import type { Diagnostic } from "../diagnostics.js";
import type { SpecPath } from "../model.js";
import type { SpecRule } from "./types.js";

/** Every string in a value, with its path (image references hide at any depth of Helm values). */
function* strings(value: unknown, at: SpecPath): Generator<[string, SpecPath]> {
  if (typeof value === "string") yield [value, at];
  else if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* strings(item, [...at, i]);
  else if (value !== null && typeof value === "object") for (const [key, item] of Object.entries(value)) yield* strings(item, [...at, key]);
}

/** A pinned component past its end of life, or an image from a repository that moved. */
export const componentNoticesRule: SpecRule = {
  id: "component/end-of-life",
  severity: "warning",
  stage: "spec",
  description: "A component past its end of life, or an image whose repository moved.",
  check(spec) {
    const out: Diagnostic[] = [];
    for (const [c, cluster] of spec.clusters.entries()) {
      for (const [i, component] of cluster.components.entries()) {
        const name = typeof component === "string" ? component : component.name;
        const notice = COMPONENT_NOTICES[name];
        if (notice) {
          out.push({ rule: "component/end-of-life", severity: "warning", path: ["clusters", c, "components", i], message: `cluster '${cluster.name}' installs ${name}, ${notice.status}`, hint: `move to ${notice.instead}` });
        }
      }
    }
    const images: [string, SpecPath][] = [
      ...spec.services.map((s, i): [string, SpecPath] => [typeof s.image === "string" ? s.image : s.image.path, ["services", i, "image"]]),
      ...spec.dataServices.flatMap((d, i): [string, SpecPath][] => (d.composeImage ? [[d.composeImage, ["dataServices", i, "composeImage"]]] : [])),
      ...spec.clusters.flatMap((cluster, c) => cluster.components.flatMap((component, i) => (typeof component === "string" ? [] : [...strings(component.values ?? {}, ["clusters", c, "components", i, "values"])]))),
    ];
    for (const [image, at] of images) {
      const moved = MOVED_IMAGES.find((m) => m.prefix.test(image));
      if (moved) out.push({ rule: "component/moved-image", severity: "warning", path: at, message: `${image}: ${moved.status}`, hint: `use ${moved.instead}` });
    }
    return out;
  },
};
