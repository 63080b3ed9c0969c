import { z } from "zod";
import { address } from "./grammar.js";
import { duration } from "./units.js";

export const analysis = z.strictObject({
  name: z.string().describe("Analysis name: its AnalysisTemplate, referenced by rollout steps."),
  prometheus: address.describe("Prometheus server the query runs against."),
  query: z.string().describe("PromQL query whose result the conditions test."),
  successCondition: z.string().describe("Argo Rollouts expression over `result`, e.g. \"result[0] >= 0.99\"."),
  failureCondition: z.string().optional().describe("Argo Rollouts expression over `result` that fails a measurement outright, e.g. \"result[0] < 0.95\"."),
  interval: duration.default("1m").describe("Time between measurements."),
  count: z.number().int().positive().default(5).describe("Number of measurements."),
  failureLimit: z.number().int().nonnegative().default(1).describe("Failed measurements tolerated before the analysis fails (and the rollout aborts)."),
  measures: z
    .enum(["http", "other"])
    .optional()
    .describe("What the query measures: `http` metrics exist only for services that serve HTTP (a port other than `metrics`). Inferred from the query (an `http_` metric) when omitted."),
});

export const canaryStep = z.union([
  z.strictObject({ setWeight: z.number().int().min(0).max(100).describe("Percent of traffic the new version gets.") }),
  // `{ pause: undefined }` is an open-ended pause; `{}` is no step at all.
  z
    .strictObject({ pause: duration.optional().describe("How long to wait, e.g. \"5m\"; until promoted by hand when undefined.") })
    .refine((step) => "pause" in step, { message: "a canary step needs setWeight, pause or analysis" }),
  z.strictObject({ analysis: z.array(z.string()).min(1).describe("Analyses that must pass before the next step.") }),
]).describe("A canary step: shift traffic, pause, or run analyses.");

export const rollout = z.discriminatedUnion("strategy", [
  z.strictObject({
    name: z.string().describe("Rollout policy name, referenced by environments (`rollout`) and service overrides."),
    strategy: z.literal("canary").describe("Argo Rollouts canary: traffic moves to the new version step by step."),
    steps: z.array(canaryStep).min(1).describe("The canary steps, in order."),
    backgroundAnalysis: z.array(z.string()).default([]).describe("Analyses that run in the background for the whole rollout."),
    autoRollback: z.boolean().default(true).describe("A failed analysis aborts back to the stable version (Argo Rollouts' own behaviour)."),
  }),
  z.strictObject({
    name: z.string().describe("Rollout policy name, referenced by environments (`rollout`) and service overrides."),
    strategy: z.literal("blueGreen").describe("Argo Rollouts blue-green: the new version runs beside the old behind a preview Service, then takes over at once."),
    autoPromotion: z.boolean().default(false).describe("Switch traffic without a manual promotion."),
    prePromotionAnalysis: z.array(z.string()).default([]).describe("Analyses that must pass before the switch."),
    scaleDownDelay: duration.default("30s").describe("How long the old version keeps running after the switch."),
  }),
  z.strictObject({
    name: z.string().describe("Rollout policy name, referenced by environments (`rollout`) and service overrides."),
    strategy: z.literal("rolling").describe("A Deployment rolling update."),
    maxSurge: z.string().default("25%").describe("Pods above the desired count during the update: a number or a percentage."),
    maxUnavailable: z.string().default("0").describe("Pods that may be unavailable during the update: a number or a percentage."),
  }),
  z.strictObject({ name: z.string().describe("Rollout policy name, referenced by environments (`rollout`) and service overrides."), strategy: z.literal("recreate").describe("Stop every old pod, then start the new ones.") }),
]);
