// How long the sink waits before exporting a failed chunk again: exponential with jitter, capped, and never shorter
// than what the collector's throttling answer (Retry-After) asked for.

export interface BackoffPolicy {
  /** Wait after the first failure. */
  readonly initialMs: number;
  /** Longest wait from the exponential part (a Retry-After may ask for more, up to its own bound). */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000 };
/** ±20 %: sinks of several exporters restarting together do not hammer a recovering collector in step. */
const JITTER = 0.2;

/**
 * The delay before the next attempt after `failures` consecutive failures (1 = the first). `random` in [0, 1).
 */
export function retryDelayMs(policy: BackoffPolicy, failures: number, retryAfterMs: number | undefined, random: () => number): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  const exponential = Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
  const jittered = exponential * (1 + (random() * 2 - 1) * JITTER);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
