import { z } from "zod";

export const roleAction = z.enum(["get", "sync", "override", "action", "delete", "approve", "promote", "rotate-secrets", "restore"]);

/** Who may do what (seed 004's developer / approver / operator). */
export const role = z.strictObject({
  name: z.string().describe("Role name, referenced by projects (`roles`)."),
  description: z.string().optional().describe("What the role is for."),
  groups: z.array(z.string().regex(/^[^,"\p{Cc}]+$/u, { message: "expected an SSO group name without commas or quotes (ArgoCD's RBAC policy is CSV)" })).default([]).describe("SSO groups mapped to the role. They land in ArgoCD's CSV RBAC policy: no commas or quotes."),
  environments: z.array(z.string()).optional().describe("Environments the role acts on; all when omitted."),
  actions: z.array(roleAction).min(1).describe("What the role may do: ArgoCD actions (get, sync, override, action, delete) and platform ones (approve, promote, rotate-secrets, restore)."),
});

/** An ArgoCD AppProject: a team or a platform concern with its repos and destinations. */
export const project = z.strictObject({
  name: z.string().describe("AppProject name."),
  description: z.string().optional().describe("What the project holds."),
  namespaces: z.array(z.string()).min(1).describe("Namespaces (by name) the project may deploy into."),
  sourceRepos: z.array(z.string()).default([]).describe("Extra source repositories beyond the platform's own."),
  roles: z.array(z.string()).default([]).describe("Roles (`roles[].name`) granted in the project."),
  clusterResources: z.boolean().default(false).describe("May create cluster-scoped resources (CRDs, ClusterRoles)."),
});
