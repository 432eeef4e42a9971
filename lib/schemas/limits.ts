import * as z from './mini.ts';

/**
 * The length and character limits of the fields that become Kubernetes names, DynamoDB keys or
 * text in the ledger. A rollout id (`cluster/namespace/name`) stays far below DynamoDB's 1 KiB
 * sort-key and 2 KiB partition-key limits, and a spec far below its 400 KB item limit.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A kubeconfig context or EKS cluster name: no '/', which separates the parts of an id. */
const CLUSTER = /^[A-Za-z0-9][A-Za-z0-9._:@-]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A Kubernetes DNS-1123 label (namespaces, rollout names, subsets): at most 63 characters. */
export const dnsLabel = (what: string) =>
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(63),
      z.regex(DNS_LABEL, `${what} must be a DNS label: lowercase letters, digits and '-'`),
    );

/** A Kubernetes DNS-1123 subdomain (object names): at most 253 characters. */
export const dnsSubdomain = (what: string) =>
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(253),
      z.regex(DNS_SUBDOMAIN, `${what} must be a DNS name: lowercase letters, digits, '-' and '.'`),
    );

/** The cluster part of a rollout id. */
export const clusterName = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(100),
    z.regex(CLUSTER, "cluster must be letters, digits and . _ : @ - (no spaces or '/')"),
  );

/** An Istio host: a DNS name, optionally `*.`-wildcarded. */
export const istioHost = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(253),
    z.regex(
      /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
      "host must be a DNS name: lowercase letters, digits, '-' and '.'",
    ),
  );

/** Free text of at most `max` characters without control characters. */
export const plainText = (max: number) =>
  z.string().check(
    z.minLength(1),
    z.maxLength(max),
    z.refine((text) => !CONTROL.test(text), 'must not hold control characters'),
  );

/** A number JSON and DynamoDB both keep exactly. */
export const safeNumber = z
  .number()
  .check(z.gte(-Number.MAX_SAFE_INTEGER), z.lte(Number.MAX_SAFE_INTEGER));

/** How many of each list a spec may hold. */
export const MAX_METRICS = 20;
export const MAX_MATCHERS = 50;
export const MAX_CONDITIONS = 50;
