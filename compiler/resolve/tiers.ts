import type { ModelDataService, ModelEnvironment, ModelService, ModelTier, Tier } from "../model.js";

const sorted = (items: Iterable<string>) => [...new Set(items)].sort();

/**
 * Dependency tiers of the self-host packaging: what each runs, which image digest its bundle pins
 * and the recovery point its backups must meet.
 */
export function resolveTiers(
  tiers: readonly { name: Tier; description: string }[],
  services: readonly ModelService[],
  dataServices: readonly ModelDataService[],
  environments: readonly ModelEnvironment[],
  releases: Record<string, Record<string, string>>,
): ModelTier[] {
  const serviceByName = new Map(services.map((s) => [s.name, s]));
  return tiers.map((t) => {
    const tierServices = sorted(services.filter((s) => s.tiers.includes(t.name)).map((s) => s.name));
    const onTier = environments.filter((e) => e.tier === t.name);
    const recovery = strictestRecovery(onTier);
    return {
      name: t.name,
      description: t.description,
      services: tierServices,
      dataServices: sorted(dataServices.filter((d) => d.tiers.includes(t.name)).map((d) => d.name)),
      images: Object.fromEntries(
        tierServices.map((name) => {
          const service = serviceByName.get(name)!;
          const pin = digestFor(t.name, releases[name] ?? {}, environments);
          return [name, { repository: service.image, ...pin }];
        }),
      ),
      ...(recovery && { recovery }),
    };
  });
}

/**
 * Whose digest a tier's bundle runs. A bundle is what a compose-runtime environment runs, so that
 * environment's lock entry comes first (one on this tier, then any); without one, the digest that
 * passed the most gates: the highest promotable rung that has one.
 */
function digestFor(tier: Tier, locked: Record<string, string>, environments: readonly ModelEnvironment[]): { digest?: string; environment?: string } {
  const compose = environments.filter((e) => e.runtime === "compose");
  const candidates = [
    ...compose.filter((e) => e.tier === tier),
    ...compose.filter((e) => e.tier !== tier),
    ...environments.filter((e) => e.promotable).reverse(),
  ];
  const chosen = candidates.find((e) => locked[e.name] !== undefined);
  return chosen ? { digest: locked[chosen.name]!, environment: chosen.name } : {};
}

function strictestRecovery(environments: readonly ModelEnvironment[]): ModelTier["recovery"] {
  let best: ModelEnvironment | undefined;
  for (const e of environments) {
    if (e.recovery && (best === undefined || e.recovery.rpoSeconds < best.recovery!.rpoSeconds)) best = e;
  }
  if (!best?.recovery) return undefined;
  return { environment: best.name, rpo: best.recovery.rpo, rpoSeconds: best.recovery.rpoSeconds, backupSchedule: cronWithin(best.recovery.rpoSeconds) };
}

/**
 * A cron schedule whose longest gap between runs is at most `seconds` (every minute when the
 * window is shorter than two minutes, the finest cron can do). Steps divide the hour or the day
 * evenly so the gap is the same across midnight.
 */
export function cronWithin(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  if (minutes < 2) return "* * * * *";
  if (minutes < 60) return `*/${largestDivisorAtMost(60, minutes)} * * * *`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const step = largestDivisorAtMost(24, hours);
    return step === 1 ? "0 * * * *" : `0 */${step} * * *`;
  }
  return "0 0 * * *";
}

function largestDivisorAtMost(whole: number, limit: number): number {
  for (let d = Math.min(whole, limit); d > 1; d--) if (whole % d === 0) return d;
  return 1;
}
