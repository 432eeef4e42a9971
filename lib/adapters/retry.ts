import pRetry from 'p-retry';

/** How often and how long a transient failure is tried again. */
export interface RetryPolicy {
  /** Tries after the first; 0 turns retrying off. */
  retries: number;
  /** The first wait; each next one doubles, up to `maxDelayMs`. */
  minDelayMs: number;
  maxDelayMs: number;
}

/** About 0.1 s, 0.2 s, 0.4 s (each times a random 1–2): well inside a Lambda's 29 s. */
export const DEFAULT_RETRY: RetryPolicy = { retries: 3, minDelayMs: 100, maxDelayMs: 2_000 };

/** One try: for a call inside another that is retried as a whole. */
export const NO_RETRY: RetryPolicy = { retries: 0, minDelayMs: 0, maxDelayMs: 0 };

/**
 * The one retry helper of kanari's adapters (p-retry): runs `attempt` again while `transient`
 * says its failure may pass (a 5xx, a timeout, a reset connection, a throttled request), with
 * exponential backoff and jitter, and at most `policy.retries` more times. Anything else, and
 * the last failure, is thrown as is.
 */
export const withRetries = <T>(
  attempt: () => Promise<T>,
  transient: (error: unknown) => boolean,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<T> =>
  pRetry(attempt, {
    retries: policy.retries,
    factor: 2,
    minTimeout: policy.minDelayMs,
    maxTimeout: policy.maxDelayMs,
    randomize: true,
    shouldRetry: ({ error }) => transient(error),
  });
