import type { Spec } from "../../spec/schema.js";
import type { Model } from "../model.js";
export function resolveDeployGraph(_spec: Spec, _model: Omit<Model, "deploy">): { nodes: [] } { return { nodes: [] }; }
