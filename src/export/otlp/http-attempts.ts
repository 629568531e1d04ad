// Sees every HTTP request the OTLP exporter makes to our logs URL, through Node's built-in diagnostics channels. The
// exporter retries 429/502/503/504 and network errors itself (up to 5 attempts within its timeout, honouring
// Retry-After) but reports only "failed" once it gives up: how many attempts it made and what throttling answer the
// collector gave are lost. Watching the requests recovers both without replacing the exporter's HTTP code, so the
// sink can count retried records and keep waiting as long as the collector asked.
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

const REQUEST_START = 'http.client.request.start';
const RESPONSE_FINISH = 'http.client.response.finish';

/** Longest Retry-After honoured; a larger answer is taken as this (a collector asking for hours is broken). */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

export interface AttemptWindow {
  /** Requests started since the window opened. */
  readonly attempts: number;
  /** HTTP status of the last answer, if any. */
  readonly lastStatus: number | undefined;
  /** The delay the last throttling answer (429, 503 with Retry-After) asked for, in ms. */
  readonly retryAfterMs: number | undefined;
}

interface MutableWindow {
  attempts: number;
  lastStatus: number | undefined;
  retryAfterMs: number | undefined;
}

export class HttpAttemptObserver {
  readonly #host: string;
  readonly #path: string;
  #window: MutableWindow | undefined;
  readonly #onStart = (message: unknown): void => {
    const request = (message as { request?: ClientRequest }).request;
    if (this.#window !== undefined && request !== undefined && this.#matches(request)) this.#window.attempts++;
  };
  readonly #onResponse = (message: unknown): void => {
    const { request, response } = message as { request?: ClientRequest; response?: IncomingMessage };
    if (this.#window === undefined || request === undefined || response === undefined || !this.#matches(request)) return;
    this.#window.lastStatus = response.statusCode;
    this.#window.retryAfterMs = retryAfterMs(response.headers['retry-after'], Date.now());
  };
  #subscribed = false;

  constructor(url: URL) {
    this.#host = url.host;
    this.#path = `${url.pathname}${url.search}`;
  }

  /** Opens a window: attempts and answers are counted until the returned function closes it. */
  open(): () => AttemptWindow {
    this.#subscribe();
    const window: MutableWindow = { attempts: 0, lastStatus: undefined, retryAfterMs: undefined };
    this.#window = window;
    return () => {
      if (this.#window === window) this.#window = undefined;
      return { ...window };
    };
  }

  close(): void {
    if (!this.#subscribed) return;
    this.#subscribed = false;
    diagnostics.unsubscribe(REQUEST_START, this.#onStart);
    diagnostics.unsubscribe(RESPONSE_FINISH, this.#onResponse);
  }

  #subscribe(): void {
    if (this.#subscribed) return;
    this.#subscribed = true;
    diagnostics.subscribe(REQUEST_START, this.#onStart);
    diagnostics.subscribe(RESPONSE_FINISH, this.#onResponse);
  }

  #matches(request: ClientRequest): boolean {
    return request.method === 'POST' && request.path === this.#path && request.getHeader('host') === this.#host;
  }
}

/** Retry-After as delay-seconds or an HTTP date, in ms (bounded); undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, nowMs: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  let delay: number;
  if (/^\d+$/.test(text)) delay = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    delay = Math.max(0, at - nowMs);
  }
  return Math.min(delay, MAX_RETRY_AFTER_MS);
}
