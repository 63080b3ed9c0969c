import { z } from "zod";

/** The release lock's file name, beside the spec. */
export const LOCK_FILE = "releases.lock.yaml";

export const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** releases.lock.yaml: service → environment → image digest. CI edits it; `plinth promote` too. */
export const releaseLock = z.record(
  z.string(),
  z.record(z.string(), z.string().regex(DIGEST, 'expected an image digest "sha256:<64 hex>"')),
);
export type ReleaseLock = z.infer<typeof releaseLock>;
