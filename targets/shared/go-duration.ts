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

/**
 * A spec duration as Go's time.Duration.String() prints it ("30d" → "720h0m0s"): the form Velero
 * itself writes (`velero schedule create --ttl`, `velero backup describe`), so a diff against what
 * the controller shows stays empty. Sub-second parts are rounded away (backup retentions are days).
 */
export function toGoDurationString(text: string): string {
  const seconds = parseDuration(text);
  if (seconds === undefined) throw new Error(`not a duration: ${JSON.stringify(text)}`);
  const total = Math.round(seconds);
  if (total === 0) return "0s";
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  return h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
}
