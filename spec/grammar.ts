import { z } from "zod";
import { parseDuration } from "./units.js";

/**
 * The grammars of the strings that reach a consumer unchanged (Kubernetes, OCI registries, DNS,
 * shells): checked at the spec, so a bad one is a located error instead of an invalid output.
 */

/** A Kubernetes name (DNS-1123 label): lowercase letters, digits, '-', at most 63. */
export const dnsLabel = z.string().regex(/^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
  message: "expected a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
});

/** A port name (IANA service name, as Kubernetes requires): at most 15, lowercase, a letter, no '--'. */
export const portName = z.string().regex(/^(?=.{1,15}$)(?=[^a-z]*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/, {
  message: "expected an IANA service name: at most 15 lowercase letters, digits and single '-', with at least one letter",
});

/** An environment variable name as Kubernetes and Compose accept everywhere: a C identifier. */
export const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "expected an environment variable name: letters, digits and '_', not starting with a digit" });

/** A host name (RFC 1123), optionally a wildcard for one label ("*.example.com"). */
export const hostName = z
  .string()
  .regex(/^(?=.{1,253}$)(\*\.)?((?!-)[A-Za-z0-9-]{1,63}(?<!-)\.)*(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/, {
    message: 'expected a host name such as "app.example.com" or "*.example.com": letters, digits, "-" and dots',
  });

const REPOSITORY = String.raw`(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*`;

/** A repository path inside a registry, without the registry's host: "catalyst-forge/worker". */
export const imagePath = z.string().regex(new RegExp(`^(?=.{1,255}$)[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$`), {
  message: 'expected a repository path without a registry host, such as "catalyst-forge/worker"',
});

/** An image repository without tag or digest (OCI distribution grammar): releases pin the digest. */
export const imageRepository = z.string().regex(new RegExp(`^(?=.{1,255}$)${REPOSITORY}$`), {
  message: 'expected an image repository without tag or digest, such as "ghcr.io/acme/api" (the digest comes from releases.lock.yaml)',
});

/** A full image reference: repository, optional tag, optional digest. */
export const imageReference = z.string().regex(new RegExp(`^${REPOSITORY}(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,})?$`), {
  message: 'expected an image reference such as "postgres:16" or "redis:7@sha256:<64 hex>"',
});

/** A Kubernetes label value: at most 63 letters, digits, '-', '_', '.', alphanumeric at both ends. */
export const labelValue = z.string().regex(/^(?=.{0,63}$)(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/, {
  message: "expected a Kubernetes label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
});

/** A Kubernetes label key: an optional DNS prefix and a name. */
export const labelKey = z.string().regex(/^(?:(?=.{1,253}\/)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(?=.{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, {
  message: "expected a Kubernetes label key such as \"team\" or \"example.com/team\"",
});

/** A URL or repository address: no whitespace or control characters (it lands in YAML, HCL and commands). */
export const address = z.string().regex(/^[^\s\p{Cc}]+$/u, { message: "expected an address without whitespace or control characters" });

/** An HTTP path: absolute, no whitespace or control characters. */
export const httpPath = z.string().regex(/^\/[^\s\p{Cc}]*$/u, { message: 'expected an HTTP path starting with "/" (no spaces)' });

/** A duration longer than zero (a retention of "0d" keeps nothing). */
export const positiveDuration = (duration: z.ZodType<string>) =>
  duration.refine((text) => (parseDuration(text) ?? 0) > 0, { message: "expected a duration longer than zero" });
