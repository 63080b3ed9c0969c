import { z } from "zod";
import { address } from "./grammar.js";
import { duration } from "./units.js";

export const analysis = z.strictObject({
  name: z.string(),
  prometheus: address.describe("Prometheus server the query runs against."),
  query: z.string(),
  successCondition: z.string().describe("Argo Rollouts expression over `result`, e.g. \"result[0] >= 0.99\"."),
  failureCondition: z.string().optional(),
  interval: duration.default("1m"),
  count: z.number().int().positive().default(5),
  failureLimit: z.number().int().nonnegative().default(1),
  /**
   * What the query measures: `http` metrics exist only for services that serve HTTP (a port other
   * than `metrics`). Inferred from the query (an `http_` metric) when omitted.
   */
  measures: z.enum(["http", "other"]).optional(),
});

export const canaryStep = z.union([
  z.strictObject({ setWeight: z.number().int().min(0).max(100) }),
  // `{ pause: undefined }` is an open-ended pause; `{}` is no step at all.
  z.strictObject({ pause: duration.optional() }).refine((step) => "pause" in step, { message: "a canary step needs setWeight, pause or analysis" }),
  z.strictObject({ analysis: z.array(z.string()).min(1) }),
]);

export const rollout = z.discriminatedUnion("strategy", [
  z.strictObject({
    name: z.string(),
    strategy: z.literal("canary"),
    steps: z.array(canaryStep).min(1),
    backgroundAnalysis: z.array(z.string()).default([]).describe("Analyses that run in the background for the whole rollout."),
    autoRollback: z.boolean().default(true),
  }),
  z.strictObject({
    name: z.string(),
    strategy: z.literal("blueGreen"),
    autoPromotion: z.boolean().default(false),
    prePromotionAnalysis: z.array(z.string()).default([]),
    scaleDownDelay: duration.default("30s"),
  }),
  z.strictObject({ name: z.string(), strategy: z.literal("rolling"), maxSurge: z.string().default("25%"), maxUnavailable: z.string().default("0") }),
  z.strictObject({ name: z.string(), strategy: z.literal("recreate") }),
]);
