/**
 * Pinned components that users can no longer rely on pulling or patching: past their end of life,
 * or whose images moved. One list, read by the component/end-of-life check and the README's
 * versions table.
 */
export interface ComponentNotice {
  /** What happened and when. */
  status: string;
  /** What to use instead. */
  instead: string;
}

export const COMPONENT_NOTICES: Record<string, ComponentNotice> = {
  "ingress-nginx": {
    status: "retired by Kubernetes SIG Network in March 2026: no releases or security fixes after that",
    instead: "envoy-gateway (Gateway API), or the cluster's own ingress (k3s' Traefik)",
  },
};

/** Image repositories that moved; an image reference under one of these prefixes will stop pulling. */
export const MOVED_IMAGES: { prefix: RegExp; status: string; instead: string }[] = [
  {
    prefix: /^(docker\.io\/)?bitnami\//,
    status: "Bitnami's public images moved to the unmaintained bitnamilegacy repository in 2025",
    instead: "the upstream project's own image (e.g. postgres, redis, nats, opensearchproject/opensearch)",
  },
];
