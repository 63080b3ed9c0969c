import { z } from "zod";
import { address } from "./grammar.js";

export const repositories = z.union([
  z.strictObject({
    /** Application source, Dockerfiles and chart source. */
    app: address,
    /** GitOps config repository that ArgoCD reads. */
    gitops: address,
    /** Infrastructure-as-code repository. */
    infra: address,
  }),
  z.strictObject({ monorepo: address }),
]);

export const decision = z.strictObject({
  id: z.string(),
  title: z.string(),
  decision: z.string().optional(),
});

export const platformInfo = {
  /** Platform name; used as a prefix for cloud resources. DNS-1123. */
  name: z.string(),
  organisation: z.string(),
  /** Apex domain, e.g. "bitvault.io". */
  domain: z.string().optional(),
  repositories,
  /** Branch or tag ArgoCD tracks in the GitOps repository. */
  revision: z.string().default("main"),
  /**
   * Where the generated tree lives in the GitOps repository, relative to the spec file (the spec is
   * kept in the GitOps repository). ArgoCD reads these paths, and `plinth build` writes there by default.
   */
  gitopsPath: z
    .string()
    .refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), { message: "gitopsPath must be relative and stay inside the repository" })
    .default("generated"),
  /**
   * TLS certificates for ingress hosts from an ACME issuer through cert-manager (on clusters that
   * install it): the email ACME sends expiry notices to, and the ACME directory.
   */
  certificates: z
    .strictObject({
      acmeEmail: z.string().regex(/^[^@\s]+@[^@\s]+$/, "expected an email address"),
      server: z.enum(["letsencrypt", "letsencrypt-staging"]).default("letsencrypt"),
    })
    .optional(),
  /** Architecture decision records this spec implements (kept for runbooks). */
  decisions: z.array(decision).default([]),
};
