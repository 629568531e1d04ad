// Retry arithmetic: which HTTP outcomes are worth repeating, how long to wait, and when to stop. Kept free of I/O so
// the bounds can be reasoned about (and tested) on their own; the client supplies the clock and the sleeper.

export interface RetryOptions {
  /** Attempts per request including the first (401 renewal not counted). Default 6. */
  maxAttempts?: number;
  /** Total time a request may spend retrying, from its first attempt. Default 120 s. */
  maxElapsedMs?: number;
  /** First backoff; doubles per attempt. Default 500 ms. */
  initialDelayMs?: number;
  /** Largest computed backoff. Default 20 s. */
  maxDelayMs?: number;
  /** A Retry-After longer than this is not honoured: the request fails instead of sleeping that long. Default 60 s. */
  maxRetryAfterMs?: number;
}

export interface PollOptions {
  /** First wait between status polls. Default 250 ms. */
  initialDelayMs?: number;
  /** Polling backs off by doubling up to this. Default 5 s. */
  maxDelayMs?: number;
  /**
   * When the caller gives no deadline: how long past the statement's timeout (or 1 hour without one) the client keeps
   * polling before it cancels. Default 60 s.
   */
  graceMs?: number;
}

export type ResolvedRetryOptions = Required<RetryOptions>;
export type ResolvedPollOptions = Required<PollOptions>;

export function resolveRetryOptions(options: RetryOptions = {}): ResolvedRetryOptions {
  const resolved = {
    maxAttempts: options.maxAttempts ?? 6,
    maxElapsedMs: options.maxElapsedMs ?? 120_000,
    initialDelayMs: options.initialDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 20_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
  };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new RangeError('retry.maxAttempts must be an integer >= 1');
  }
  for (const [key, value] of Object.entries(resolved)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`retry.${key} must be a finite number >= 0`);
  }
  return resolved;
}

export function resolvePollOptions(options: PollOptions = {}): ResolvedPollOptions {
  const resolved = {
    initialDelayMs: options.initialDelayMs ?? 250,
    maxDelayMs: options.maxDelayMs ?? 5_000,
    graceMs: options.graceMs ?? 60_000,
  };
  for (const [key, value] of Object.entries(resolved)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`poll.${key} must be a finite number >= 0`);
  }
  return resolved;
}

/** What the client does with an HTTP status on a request it may repeat. */
export type StatusDisposition =
  | 'backoff' // 429, 503, 504: the server asks us to slow down; same request again later
  | 'resubmit' // 500, 502: outcome unknown; POST again with the same requestId and retry=true
  | 'renew-token' // 401: renew the token once, then repeat
  | 'final'; // everything else: the caller interprets it

export function dispositionOf(status: number): StatusDisposition {
  switch (status) {
    case 429:
    case 503:
    case 504:
      return 'backoff';
    case 500:
    case 502:
      return 'resubmit';
    case 401:
      return 'renew-token';
    default:
      return 'final';
  }
}

/**
 * Exponential backoff with "equal jitter": half the window fixed, half random, so waits never collapse to zero (which
 * full jitter allows) yet concurrent clients still spread out. `attempt` counts from 1 (the wait after the 1st failure).
 */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
  const window = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(window / 2 + random() * (window / 2));
}

/**
 * Parses Retry-After: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Returns milliseconds from `nowMs`, or undefined
 * when absent or unreadable. A date in the past gives 0.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Every HTTP-date form names its month in letters; this keeps Date.parse from reading "-1" as a year.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
