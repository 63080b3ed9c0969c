import type { Spec } from "../../spec/schema.js";
import type { ModelProfile, ModelStateBackend } from "../model.js";

/** Profiles (adapters) with their state backend defaulted: a local file unless the spec names one. */
export function resolveProfiles(spec: Spec): ModelProfile[] {
  return spec.profiles.map((p, i) => ({
    name: p.name,
    cloud: p.cloud,
    ...(p.region !== undefined && { region: p.region }),
    ...(p.accountId !== undefined && { accountId: p.accountId }),
    dns: p.dns,
    secrets: p.secrets,
    objectStorage: p.objectStorage,
    registry: p.registry,
    storageClass: p.storageClass,
    ...(p.volumeGroup !== undefined && { volumeGroup: p.volumeGroup }),
    stateBackend: stateBackendOf(spec.name, p.stateBackend),
    at: ["profiles", i],
  }));
}

/**
 * One stack's state in the profile's backend: every stack needs a state of its own, so the S3 key and an
 * absolute local path get the stack folder before the file name, and an HTTP address gets it appended
 * (the state name is the last path segment in GitLab-style endpoints). A relative local path already
 * lives in the stack's own folder.
 */
export function stackStateBackend(backend: ModelStateBackend, stack: string): ModelStateBackend {
  const inFolder = (path: string) => {
    const slash = path.lastIndexOf("/");
    return slash < 0 ? `${stack}/${path}` : `${path.slice(0, slash)}/${stack}/${path.slice(slash + 1)}`;
  };
  switch (backend.type) {
    case "s3":
      return { ...backend, key: inFolder(backend.key) };
    case "local":
      return backend.path.startsWith("/") ? { ...backend, path: inFolder(backend.path) } : backend;
    case "http":
      return { ...backend, address: `${backend.address.replace(/\/+$/, "")}/${stack}` };
  }
}

function stateBackendOf(platform: string, backend: Spec["profiles"][number]["stateBackend"]): ModelStateBackend {
  if (backend === undefined) return { type: "local", path: "terraform.tfstate" };
  const encrypted = backend.encryption === "passphrase" ? { encrypted: true } : {};
  switch (backend.type) {
    case "s3":
      return { type: "s3", bucket: backend.bucket, region: backend.region, key: backend.key ?? `${platform}/terraform.tfstate`, ...encrypted };
    case "local":
      return { type: "local", path: backend.path ?? "terraform.tfstate", ...encrypted };
    case "http":
      return { type: "http", address: backend.address, ...encrypted };
  }
}
