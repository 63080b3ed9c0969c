export interface SyntheticShape {
  clusters?: number;
  environmentsPerCluster?: number;
  services?: number;
}
/** Writes platform.ts of the synthetic spec into `dir`. */
export declare function generateSpec(dir: string, options?: SyntheticShape): { files: number; bytes: number; environments: number; services: number };
/** The synthetic spec as a plain object (what platform.ts exports). */
export declare function syntheticSpec(options?: SyntheticShape): Record<string, unknown>;
