/**
 * The helpers a spec calls (definePlatform, define*, secretRef): plain functions with no runtime
 * dependency, so evaluating a spec that imports only these never loads the schemas.
 */
import type { PlatformInput } from "./schema.js";

/**
 * Declares the platform. Returns its argument unchanged; it exists for types and completion. The
 * parameter is the input type itself (not a generic bound), so a misspelt key is a type error.
 */
export function definePlatform(platform: PlatformInput): PlatformInput {
  return platform;
}

type Part<K extends keyof PlatformInput> = NonNullable<PlatformInput[K]> extends ReadonlyArray<infer Item> ? Item : never;
export type ClusterInput = Part<"clusters">;
export type NamespaceInput = Part<"namespaces">;
export type EnvironmentInput = Part<"environments">;
export type ServiceInput = Part<"services">;
export type DataServiceInput = Part<"dataServices">;
export type SecretStoreInput = Part<"secretStores">;
export type SecretInput = Part<"secrets">;
export type RolloutInput = Part<"rollouts">;
export type AnalysisInput = Part<"analyses">;
export type ProfileInput = Part<"profiles">;

/** Helpers for multi-file specs: typed pieces that a platform.ts imports. */
export const defineClusters = (items: ClusterInput[]): ClusterInput[] => items;
export const defineNamespaces = (items: NamespaceInput[]): NamespaceInput[] => items;
export const defineEnvironments = (items: EnvironmentInput[]): EnvironmentInput[] => items;
export const defineServices = (items: ServiceInput[]): ServiceInput[] => items;
export const defineDataServices = (items: DataServiceInput[]): DataServiceInput[] => items;
export const defineRollouts = (items: RolloutInput[]): RolloutInput[] => items;
export const defineAnalyses = (items: AnalysisInput[]): AnalysisInput[] => items;
export const defineProfiles = (items: ProfileInput[]): ProfileInput[] => items;
/** A secret reference: where a secret lives, never its value. */
export const secretRef = (store: string, key: string, property?: string) =>
  property === undefined ? { store, key } : { store, key, property };
