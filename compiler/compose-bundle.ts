// PLACEHOLDER written by the lead so the CLI builds; the compose helper replaces this whole file.
import type { Model } from "./model.js";

export async function writeComposeBundle(_model: Model, _tier: string, _outDir: string): Promise<string[]> {
  throw new Error("compose bundles are not implemented yet");
}
