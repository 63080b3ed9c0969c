import { z } from "zod";
import { labelKey, labelValue } from "./grammar.js";
import { quantity, resourceAmounts } from "./units.js";

export const peer = z.union([
  z.strictObject({ namespace: z.string() }),
  /** An address range, optionally only on some TCP ports (e.g. 443 for object storage and APIs). */
  z.strictObject({ cidr: z.string(), ports: z.array(z.number().int().min(1).max(65535)).min(1).optional() }),
]);

export const namespace = z.strictObject({
  name: z.string(),
  cluster: z.string(),
  purpose: z.string().optional(),
  team: labelValue.optional().describe("Team that owns the namespace (seed 003's IS, DevOps, …)."),
  quota: z
    .strictObject({ cpu: quantity.optional(), memory: quantity.optional(), pods: z.number().int().positive().optional() })
    .optional(),
  limitRange: z.strictObject({ default: resourceAmounts.optional(), defaultRequest: resourceAmounts.optional() }).optional(),
  networkPolicy: z
    .strictObject({
      defaultDeny: z.boolean().default(true),
      allowFrom: z.array(peer).default([]),
      allowEgressTo: z.array(peer).default([]),
      allowDns: z.boolean().default(true).describe("Allow DNS egress to kube-system when egress is denied."),
    })
    .optional(),
  podSecurity: z.enum(["privileged", "baseline", "restricted"]).default("baseline"),
  labels: z.record(labelKey, labelValue).default({}),
});
