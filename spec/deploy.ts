import { z } from "zod";

/**
 * Something the generated tree needs but plinth does not create, because the team provides it out of
 * band (a DNS token created by hand, a StorageClass an existing cluster already has). Declaring it
 * with a reason satisfies `deploy/unprovided`; the first-install runbook lists it, with the command
 * that creates it where plinth knows one (values prompted, never written).
 */
export const prerequisite = z.strictObject({
  kind: z.enum(["secret", "storageClass", "volumeSnapshotClass", "ipPool", "identity", "registryCredential", "crd", "bucket"]).describe("What kind of thing the team provides."),
  cluster: z.string().optional().describe("Cluster it exists on; every cluster when left out (not for secrets, identities and pools)."),
  namespace: z.string().optional().describe("Namespace of a secret or of an identity's service account."),
  name: z.string().describe("Its name: a Secret, StorageClass, VolumeSnapshotClass, bucket or service account; an IP pool's name; `<group>/<Kind>` for a CRD; the registry host for registry credentials."),
  keys: z.array(z.string()).default([]).describe("Keys the Secret must hold (secret prerequisites), so the runbook can prompt for each."),
  reason: z.string().min(10).describe("Why it is out of band, and who creates it."),
});
