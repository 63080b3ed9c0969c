import { z } from "zod";
import { address } from "./grammar.js";
import { duration } from "./units.js";

export const secretStore = z.strictObject({
  name: z.string().describe("Store name, referenced by secret references (`store`)."),
  backend: z.enum(["vault", "aws-secrets-manager", "kubernetes"]).describe("Where the secrets live."),
  scope: z.enum(["cluster", "namespace"]).default("cluster").describe("A ClusterSecretStore is shared by every namespace; a SecretStore lives in one."),
  vault: z
    .strictObject({
      server: address.describe("Vault address, e.g. \"https://vault.example.com:8200\"."),
      mount: z.string().default("kv").describe("KV secrets engine mount."),
      kvVersion: z.enum(["v1", "v2"]).default("v2").describe("KV engine version."),
      auth: z
        .strictObject({ role: z.string().describe("Vault role External Secrets logs in as."), mountPath: z.string().default("kubernetes").describe("Mount of Vault's Kubernetes auth method.") })
        .describe("Vault's Kubernetes auth: External Secrets logs in with its service account token."),
    })
    .optional().describe("Vault: server address, KV mount and auth role."),
  aws: z.strictObject({ region: z.string().describe("Region of the secrets."), roleName: z.string().optional().describe("IAM role External Secrets assumes.") }).optional().describe("AWS Secrets Manager: region and the IAM role External Secrets assumes (IRSA)."),
  kubernetes: z.strictObject({ namespace: z.string().describe("Namespace the Secrets are read from.") }).optional().describe("Kubernetes: the namespace secrets are read from."),
}).refine((store) => store.backend !== "vault" || store.vault !== undefined, {
  message: "a vault store needs its settings: vault: { server, auth: { role } }",
  path: ["vault"],
});

/** A path or field in a secret store: it lands in HCL labels, YAML and commands. */
const storePath = z.string().regex(/^[^\s\p{Cc}]+$/u, { message: "expected a store path or field without whitespace or control characters" });

/** A reference to a secret: where it lives, never what it is. */
export const secretRef = z.strictObject({
  store: z.string().describe("Name of the secret store (`secretStores[].name`) that holds it."),
  key: storePath.describe("Path of the secret in its store, e.g. \"alerting/discord\"."),
  property: storePath.optional().describe("Field inside the secret, e.g. \"webhook_url\"."),
});

/** A platform secret materialised as a Kubernetes Secret by External Secrets. */
export const secret = z.strictObject({
  name: z.string().describe("Name of the Kubernetes Secret External Secrets creates."),
  namespace: z.string().describe("Namespace the Secret is created in."),
  cluster: z.string().optional().describe("Cluster whose namespace receives it: needed only when two clusters have a namespace of that name."),
  purpose: z.string().optional().describe("What the secret is for (shown in the rotation runbook)."),
  // A key of the Kubernetes Secret: its grammar.
  data: z
    .array(
      z.strictObject({
        secretKey: z.string().regex(/^[-._a-zA-Z0-9]+$/, { message: "expected a Secret key: letters, digits, '-', '_' and '.'" }).describe("Key inside the Kubernetes Secret."),
        ref: secretRef.describe("Where the key's value lives."),
      }),
    )
    .min(1)
    .describe("The Secret's keys, each read from a secret store."),
  rotation: duration.optional().describe("How often the secret's value is rotated, e.g. \"90d\" (the rotation runbook lists it)."),
  refreshInterval: duration.optional().describe("How often External Secrets re-reads the store, e.g. \"1h\"."),
});

/** A service's secret reference: the store may be left to each environment (`environments[].secrets`). */
export const serviceSecretRef = z.strictObject({
  store: z.string().optional().describe("Secret store that holds it; without it, each environment's `secrets.store`."),
  key: storePath.describe("Path of the secret in its store (below the environment's `secrets.prefix` when the store is left to the environment)."),
  property: storePath.optional().describe("Field inside the secret: the variable holds its value. Required unless `wholeObject` is set."),
  wholeObject: z.literal(true).optional().describe("Without `property`, the variable holds the whole secret as a JSON object: say that this is meant."),
});
