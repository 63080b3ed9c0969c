import { parseDuration } from "../../spec/units.js";

/**
 * A spec duration in the form Go's time.ParseDuration accepts, which is what Kubernetes controllers
 * (External Secrets, Argo Rollouts) parse: it knows h/m/s/ms but not days or weeks, so "1d" becomes
 * "24h". Durations already in Go form are returned unchanged.
 */
export function toGoDuration(text: string): string {
  if (!/[dw]/.test(text)) return text;
  const seconds = parseDuration(text);
  if (seconds === undefined) throw new Error(`not a duration: ${JSON.stringify(text)}`);
  let rest = Math.round(seconds * 1000);
  let out = "";
  for (const [unit, size] of [["h", 3_600_000], ["m", 60_000], ["s", 1000], ["ms", 1]] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out === "" ? "0s" : out;
}
