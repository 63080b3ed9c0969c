import { z } from "zod";
import { address } from "./grammar.js";

export const repositories = z.union([
  z.strictObject({
    app: address.describe("Application source, Dockerfiles and chart source."),
    gitops: address.describe("GitOps config repository that ArgoCD reads."),
    infra: address.describe("Infrastructure-as-code repository."),
  }),
  z.strictObject({ monorepo: address.describe("One repository for application, GitOps config and infrastructure code.") }),
]).describe("Where the application, GitOps and infrastructure code live: three repositories, or one monorepo.");

export const decision = z.strictObject({
  id: z.string().describe("Decision record id, e.g. \"ADR-0012\"."),
  title: z.string().describe("Title of the decision."),
  decision: z.string().optional().describe("What was decided, in one sentence."),
});

export const platformInfo = {
  name: z.string().describe("Platform name; used as a prefix for cloud resources. DNS-1123."),
  organisation: z.string().describe("Organisation that runs the platform (runbooks and labels)."),
  domain: z.string().optional().describe("Apex domain, e.g. \"bitvault.io\"."),
  repositories,
  revision: z.string().default("main").describe("Branch or tag ArgoCD tracks in the GitOps repository."),
  gitopsPath: z
    .string()
    .refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), { message: "gitopsPath must be relative and stay inside the repository" })
    .default("generated").describe("Where the generated tree lives in the GitOps repository, relative to the spec file (the spec is kept in the GitOps repository). ArgoCD reads these paths, and `plinth build` writes there by default."),
  certificates: z
    .strictObject({
      acmeEmail: z.string().regex(/^[^@\s]+@[^@\s]+$/, "expected an email address").describe("Email the ACME server sends expiry notices to."),
      server: z.enum(["letsencrypt", "letsencrypt-staging"]).default("letsencrypt").describe("ACME directory: Let's Encrypt, or its staging directory for trials."),
    })
    .optional().describe("TLS certificates for ingress hosts from an ACME issuer through cert-manager (on clusters that install it): the email ACME sends expiry notices to, and the ACME directory."),
  decisions: z.array(decision).default([]).describe("Architecture decision records this spec implements (kept for runbooks)."),
};
