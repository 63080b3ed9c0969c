import { z } from "zod";
import { labelKey, labelValue } from "./grammar.js";
import { quantity, resourceAmounts } from "./units.js";

export const peer = z.union([
  z.strictObject({ namespace: z.string().describe("A namespace of the same cluster.") }),
  /** An address range, optionally only on some TCP ports (e.g. 443 for object storage and APIs). */
  z.strictObject({
    cidr: z.string().describe("An address range, e.g. \"10.0.0.0/16\"."),
    ports: z.array(z.number().int().min(1).max(65535)).min(1).optional().describe("Only these TCP ports (e.g. 443 for object storage and APIs); all ports when absent."),
  }),
]).describe("A peer traffic may come from or go to: a namespace, or an address range.");

export const namespace = z.strictObject({
  name: z.string().describe("Namespace name (DNS-1123 label)."),
  cluster: z.string().describe("Cluster the namespace is created on."),
  purpose: z.string().optional().describe("What runs there (a comment on the Namespace and in runbooks)."),
  team: labelValue.optional().describe("Team that owns the namespace (seed 003's IS, DevOps, …)."),
  quota: z
    .strictObject({
      cpu: quantity.optional().describe("Most CPU all pods may request together, e.g. \"4\"."),
      memory: quantity.optional().describe("Most memory all pods may request together, e.g. \"8Gi\"."),
      pods: z.number().int().positive().optional().describe("Most pods."),
    })
    .optional()
    .describe("ResourceQuota of the namespace; checked against the cluster's capacity (quota/overcommit)."),
  limitRange: z
    .strictObject({
      default: resourceAmounts.optional().describe("Limits of a container that sets none."),
      defaultRequest: resourceAmounts.optional().describe("Requests of a container that sets none."),
    })
    .optional()
    .describe("LimitRange container defaults; without it, a quota that caps CPU or memory gets plinth's defaults."),
  networkPolicy: z
    .strictObject({
      defaultDeny: z.boolean().default(true).describe("Deny all traffic not allowed below (ingress, and egress once allowEgressTo lists a peer)."),
      allowFrom: z.array(peer).default([]).describe("Who may reach the namespace (the ingress controller and Prometheus are added where services run)."),
      allowEgressTo: z.array(peer).default([]).describe("Where the namespace may send traffic."),
      allowDns: z.boolean().default(true).describe("Allow DNS egress to kube-system when egress is denied."),
    })
    .optional()
    .describe("NetworkPolicies of the namespace."),
  podSecurity: z.enum(["privileged", "baseline", "restricted"]).default("baseline").describe("Pod Security Admission level enforced in the namespace."),
  labels: z.record(labelKey, labelValue).default({}).describe("Extra labels of the Namespace."),
});
