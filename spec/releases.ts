import { z } from "zod";

/** The release lock's file name, beside the spec. */
export const LOCK_FILE = "releases.lock.yaml";

export const DIGEST = /^sha256:[a-f0-9]{64}$/;

const digest = z.string().regex(DIGEST, 'expected an image digest "sha256:<64 hex>"');
/** A plinth-service or chart-repository version, or the Git revision (tag, commit) of a chart in a repository. */
const chartVersion = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, "expected a chart version or a Git tag or commit");
const ran = z.strictObject({ digest, chart: chartVersion.optional() });

/**
 * releases.lock.yaml: service → environment → what runs there. CI writes the first rung; `plinth
 * promote` copies digest and chart version one rung up and keeps what the rung ran before in its
 * history. A bare digest (the lock's first format) still reads as a release without chart or history.
 */
export const releaseLock = z.record(
  z.string(),
  z.record(z.string(), z.union([digest, z.strictObject({ digest, chart: chartVersion.optional(), history: z.array(ran).optional() })])),
);
export type ReleaseLock = z.infer<typeof releaseLock>;

/** What one environment runs of one service: image digest, chart version, and what it ran before (oldest first). */
export interface LockedRelease {
  digest: string;
  chart?: string;
  history: { digest: string; chart?: string }[];
}
export type LockedReleases = Record<string, Record<string, LockedRelease>>;

export function lockedReleases(lock: ReleaseLock): LockedReleases {
  return Object.fromEntries(
    Object.entries(lock).map(([service, byEnv]) => [
      service,
      Object.fromEntries(
        Object.entries(byEnv).map(([env, entry]) => [
          env,
          typeof entry === "string" ? { digest: entry, history: [] } : { digest: entry.digest, ...(entry.chart !== undefined && { chart: entry.chart }), history: entry.history ?? [] },
        ]),
      ),
    ]),
  );
}

/** service → environment → digest: what resolving images needs. */
export function lockedDigests(lock: LockedReleases): Record<string, Record<string, string>> {
  return Object.fromEntries(Object.entries(lock).map(([service, byEnv]) => [service, Object.fromEntries(Object.entries(byEnv).map(([env, r]) => [env, r.digest]))]));
}
