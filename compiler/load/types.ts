import type { SpecPath } from "../model.js";

export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** What a loader returns: the raw value, and a way to map a spec path back to the source. */
export interface LoadedDocument {
  value: unknown;
  /** Absolute path of the entry file. */
  file: string;
  /** Every local source file that contributed (entry first), with its text. */
  sources: Map<string, string>;
  locate(path: SpecPath): SourcePosition | undefined;
  /** Small facts about this exact content kept beside its transpiled files (warm runs reuse them). */
  memo?: { get(name: string): string | undefined; set(name: string, value: string): void };
  /** Drops whatever was cached for this document (a secret was found in it). */
  forget?(): void;
  /** Whether locating these paths needs the TypeScript compiler loaded first (TS specs only). */
  needsCompiler?(paths: SpecPath[]): boolean;
}
