// The Snowflake SQL API v2 client for one account: submit, poll, cancel, stream partitions, with bounded retries.
//
// Decisions worth knowing:
// - Every statement is submitted with `async=true`. Snowflake otherwise holds the POST open for up to 45 s, during
//   which the client has no statement handle and so cannot cancel; with async the POST answers at once (202 + handle,
//   or 200 when already done), and an abort or a deadline can always be turned into POST .../cancel. The cost is one
//   status poll for statements that would have finished inside the synchronous window. A stop that comes while the
//   POST itself is on the wire (no handle yet) sends it again with retry=true to learn the handle, then cancels.
// - p-limit bounds *statements executing* per account (submit + polling until Snowflake reports the result), not HTTP
//   requests. That is what costs warehouse concurrency and what Snowflake's 429s count. Partition downloads run
//   outside the limit (they need no warehouse and are bounded by the pool's connections), which also means a
//   consumer that reads one result while running another statement cannot deadlock the limiter.
// - A POST whose outcome is unknown (network error, 500, 502, 503, 504) is resubmitted with the same body, the same
//   requestId and `retry=true`, so Snowflake does not run the statement twice. After a 401 or 429 the statement was
//   not accepted, so the flag is only added once an earlier attempt might have reached the warehouse.
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Dispatcher } from 'undici';
import { Pool } from '../undici-core.ts';
import type { BearerToken, TokenSource } from '../auth/token-source.ts';
import { redactText } from '../../util/secret.ts';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../../version.ts';
import { errorForAnswer } from './answer-errors.ts';
import {
  checkPartition,
  checkQueryStatus,
  checkResultSet,
  parseJsonBody,
  type ResultSetEnvelope,
} from './envelope.ts';
import {
  AuthenticationError,
  DeadlineExceededError,
  NetworkError,
  ResponseFormatError,
  RetriesExhaustedError,
  SqlApiError,
  StatementCancelledError,
  type SqlApiErrorDetails,
} from './errors.ts';
import { StatementResult } from './result.ts';
import { statementBody, type StatementBodyOptions, type StatementDefaults } from './statement-body.ts';
import {
  backoffDelay,
  dispositionOf,
  parseRetryAfter,
  resolvePollOptions,
  resolveRetryOptions,
  type PollOptions,
  type ResolvedPollOptions,
  type ResolvedRetryOptions,
  type RetryOptions,
} from './retry.ts';
import { exchange, type HttpAnswer } from './transport.ts';

export interface ExecuteOptions extends StatementBodyOptions {
  /** Aborting cancels the statement on Snowflake (best effort) and rejects with StatementCancelledError. */
  signal?: AbortSignal | undefined;
  /** Give up (cancel, DeadlineExceededError) at this moment: a Date or milliseconds on the client's clock. */
  deadline?: Date | number | undefined;
}

/** Something the client did, for self-metrics and debug logs. Never carries a token or result values. */
export type SqlApiEvent =
  | {
      readonly type: 'request';
      readonly kind: RequestKind;
      readonly method: 'GET' | 'POST';
      readonly status: number | undefined;
      readonly errorCode: string | undefined;
      readonly durationMs: number;
      /** The statement the request is about (status, partition and cancel requests). */
      readonly statementHandle?: string | undefined;
      /** Which partition a partition request fetched. */
      readonly partition?: number | undefined;
    }
  | {
      readonly type: 'retry';
      readonly kind: RequestKind;
      readonly reason: 'status' | 'network' | 'token';
      readonly status: number | undefined;
      readonly attempt: number;
      readonly delayMs: number;
      /** Snowflake's code in the answer being retried (429 bodies carry 390505, say). */
      readonly snowflakeCode?: string | undefined;
      readonly statementHandle?: string | undefined;
    }
  | { readonly type: 'cancel'; readonly statementHandle: string; readonly ok: boolean }
  | {
      /**
       * A statement got its handle: 'running' when Snowflake answered the submit with 202 (the client polls it),
       * 'done' when its result is there, with its row and partition counts.
       */
      readonly type: 'statement';
      readonly state: 'running' | 'done';
      readonly statementHandle: string;
      /** The requestId the client sent (QUERY_HISTORY does not show it; the handle is the QUERY_ID). */
      readonly requestId: string | undefined;
      readonly rows?: number | undefined;
      readonly partitions?: number | undefined;
    };

export type RequestKind = 'submit' | 'status' | 'partition' | 'cancel';

export interface SqlApiClientOptions {
  /** `https://<account>.snowflakecomputing.com`, or an override (emulator, private link). */
  baseUrl: URL;
  tokenSource: TokenSource;
  /** Statements executing at once for this account. */
  concurrency: number;
  defaults?: StatementDefaults | undefined;
  retry?: RetryOptions | undefined;
  poll?: PollOptions | undefined;
  /** Use this dispatcher instead of a client-owned undici Pool (not closed by close()). */
  dispatcher?: Dispatcher | undefined;
  /** Bound on one decompressed response body. Default 256 MiB. */
  maxResponseBytes?: number | undefined;
  /** Per HTTP request: time to the response headers, and between body chunks. Default 60 s. */
  requestTimeoutMs?: number | undefined;
  /** Bound on the best-effort cancel request. Default 10 s. */
  cancelTimeoutMs?: number | undefined;
  now?: (() => number) | undefined;
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  random?: (() => number) | undefined;
  onEvent?: ((event: SqlApiEvent) => void) | undefined;
}

const STATEMENTS_PATH = '/api/v2/statements';
const USER_AGENT = `${PRODUCT_NAME}/${PRODUCT_VERSION}`;

interface CallContext {
  readonly requestId: string | undefined;
  readonly signal: AbortSignal | undefined;
  /** Absolute time on the client clock, or undefined for none. */
  readonly deadline: number | undefined;
  readonly retry: ResolvedRetryOptions;
  readonly statementHandle?: string | undefined;
}

interface RequestSpec {
  readonly kind: RequestKind;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly query: Record<string, string>;
  readonly body?: string | undefined;
  /** While polling, 429 means "still running": hand it back instead of retrying. */
  readonly return429?: boolean;
  /** Called just before each attempt goes on the wire. */
  readonly onSend?: () => void;
  /** For the request event of a partition request. */
  readonly partition?: number;
}

type Submitted = { readonly done: ResultSetEnvelope } | { readonly running: string };

/** Bound on resending a cut-off submit to learn its handle (the cancel itself is bounded by cancelTimeoutMs). */
const UNANSWERED_LOOKUP_MS = 2000;

/** Internal: the caller's signal fired or the deadline passed; turned into the public errors by the statement flow. */
class Stop extends Error {
  readonly reason: 'aborted' | 'deadline';
  constructor(reason: 'aborted' | 'deadline') {
    super(reason);
    this.reason = reason;
  }
}

export class SqlApiClient {
  readonly #origin: string;
  readonly #pathPrefix: string;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #tokenSource: TokenSource;
  readonly #limit: LimitFunction;
  readonly #defaults: StatementDefaults;
  readonly #retry: ResolvedRetryOptions;
  readonly #poll: ResolvedPollOptions;
  readonly #maxResponseBytes: number;
  readonly #requestTimeoutMs: number;
  readonly #cancelTimeoutMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #random: () => number;
  readonly #onEvent: ((event: SqlApiEvent) => void) | undefined;
  #closed = false;

  constructor(options: SqlApiClientOptions) {
    if (!(options.baseUrl instanceof URL) || !['https:', 'http:'].includes(options.baseUrl.protocol)) {
      throw new TypeError('baseUrl must be an http(s) URL');
    }
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError('concurrency must be an integer >= 1');
    }
    this.#origin = options.baseUrl.origin;
    this.#pathPrefix = options.baseUrl.pathname.replace(/\/+$/, '');
    this.#tokenSource = options.tokenSource;
    this.#limit = pLimit(options.concurrency);
    this.#defaults = { ...options.defaults };
    // A default that is not an identifier would fail every statement: say so now (IdentifierError names it).
    statementBody('SELECT 1', {}, this.#defaults);
    this.#retry = resolveRetryOptions(options.retry);
    this.#poll = resolvePollOptions(options.poll);
    this.#maxResponseBytes = options.maxResponseBytes ?? 256 * 1024 * 1024;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.#cancelTimeoutMs = options.cancelTimeoutMs ?? 10_000;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
    this.#random = options.random ?? Math.random;
    this.#onEvent = options.onEvent;
    this.#ownsDispatcher = options.dispatcher === undefined;
    // One pool per account host; a few more connections than statements so partition downloads do not queue
    // behind status polls.
    this.#dispatcher =
      options.dispatcher ?? new Pool(this.#origin, { connections: options.concurrency * 2 + 2, pipelining: 1 });
  }

  /**
   * Runs one statement and resolves when Snowflake has its result (rows stream from the returned object).
   * Rejects with a SqlApiError subclass: SnowflakeQueryError (422), StatementTimeoutError (408),
   * StatementCancelledError (abort), DeadlineExceededError, AuthenticationError, SnowflakeHttpError,
   * RetriesExhaustedError, ResponseFormatError.
   */
  async execute(statement: string, options: ExecuteOptions = {}): Promise<StatementResult> {
    if (this.#closed) throw new TypeError('SqlApiClient is closed');
    if (typeof statement !== 'string' || statement.trim() === '') throw new TypeError('statement must be non-empty SQL text');
    const requestId = randomUUID();
    const body = statementBody(statement, options, this.#defaults);
    const timeoutSeconds = options.timeoutSeconds ?? this.#defaults.timeoutSeconds;
    const explicitDeadline = toMillis(options.deadline);
    const envelope = await this.#limited(options.signal, requestId, () =>
      // The default deadline starts when the statement leaves the queue: waiting for a slot is not running time.
      this.#runStatement(body, {
        requestId,
        signal: options.signal,
        deadline: this.#deadlineFor(explicitDeadline, timeoutSeconds),
        retry: this.#retry,
      }),
    );
    return this.#resultOf(envelope, { requestId, signal: options.signal, deadline: explicitDeadline, retry: this.#retry });
  }

  /**
   * The result of a statement known by handle (for example a child of a multi-statement request): polls until it is
   * done, like execute() after its submit.
   */
  async resultOf(
    statementHandle: string,
    options: { signal?: AbortSignal | undefined; deadline?: Date | number | undefined } = {},
  ): Promise<StatementResult> {
    if (this.#closed) throw new TypeError('SqlApiClient is closed');
    const explicitDeadline = toMillis(options.deadline);
    const ctx: CallContext = { requestId: undefined, signal: options.signal, deadline: explicitDeadline, retry: this.#retry, statementHandle };
    const envelope = await this.#limited(options.signal, undefined, () =>
      this.#followStatement(statementHandle, { ...ctx, deadline: this.#deadlineFor(explicitDeadline, undefined) }, 0),
    );
    return this.#resultOf(envelope, ctx);
  }

  /** Asks Snowflake to cancel a statement. Best effort: resolves false instead of throwing. */
  async cancel(statementHandle: string): Promise<boolean> {
    const signal = AbortSignal.timeout(this.#cancelTimeoutMs);
    const ctx: CallContext = {
      requestId: undefined,
      signal,
      deadline: this.#now() + this.#cancelTimeoutMs,
      retry: { ...this.#retry, maxAttempts: 2, maxElapsedMs: this.#cancelTimeoutMs },
      statementHandle,
    };
    let ok = false;
    try {
      const answer = await this.#request(
        { kind: 'cancel', method: 'POST', path: `${this.#statementPath(statementHandle)}/cancel`, query: { requestId: randomUUID() } },
        ctx,
      );
      ok = answer.status === 200;
    } catch {
      ok = false;
    }
    this.#emit({ type: 'cancel', statementHandle, ok });
    return ok;
  }

  /** Closes the client-owned pool. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  // ---- statement flow ------------------------------------------------------------------------------------------

  /**
   * Runs `task` under the per-account limit. A caller that aborts while its statement still waits for a slot is
   * answered at once (nothing was sent, so there is nothing to cancel); the queued task then stops before any request.
   */
  #limited<T>(signal: AbortSignal | undefined, requestId: string | undefined, task: () => Promise<T>): Promise<T> {
    if (signal === undefined) return this.#limit(task);
    let started = false;
    const queued = this.#limit(() => {
      started = true;
      return task();
    });
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        if (!started) reject(new StatementCancelledError('statement cancelled by the caller before it started', { requestId, cause: signal.reason }));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      queued.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  #deadlineFor(explicit: number | undefined, timeoutSeconds: number | undefined): number {
    if (explicit !== undefined) return explicit;
    // No caller deadline: Snowflake's own timeout ends the statement; poll a little longer than that, never forever.
    const statementMs = timeoutSeconds !== undefined && timeoutSeconds > 0 ? timeoutSeconds * 1000 : 3_600_000;
    return this.#now() + statementMs + this.#poll.graceMs;
  }

  async #runStatement(body: string, ctx: CallContext): Promise<ResultSetEnvelope> {
    let submitted: Submitted;
    let sent = false;
    try {
      submitted = await this.#submit(body, ctx, () => (sent = true));
    } catch (error) {
      // Stopped while the submit was on the wire: Snowflake may have the statement and the handle never arrived.
      if (error instanceof Stop && sent) await this.#cancelUnanswered(body, ctx);
      throw this.#publicStop(error, ctx);
    }
    if ('done' in submitted) return submitted.done;
    this.#emit({ type: 'statement', state: 'running', statementHandle: submitted.running, requestId: ctx.requestId });
    return this.#followStatement(submitted.running, ctx, 1);
  }

  /**
   * Cancels a statement whose submit was cut off before its answer arrived (a shutdown or a deadline at that
   * moment), so it does not run on for nobody. The SQL API has no lookup by request id, so the same request is sent
   * again with `retry=true`: Snowflake answers with the statement it already has under that id (its handle), and
   * that handle is cancelled. Had the first request never arrived, the resubmission starts the statement, and it is
   * cancelled at once. Best effort, and brief: the caller is usually shutting down, and a Snowflake too slow to
   * answer this within UNANSWERED_LOOKUP_MS is left to end the statement by its own timeout.
   */
  async #cancelUnanswered(body: string, parent: CallContext): Promise<void> {
    const budgetMs = Math.min(this.#cancelTimeoutMs, UNANSWERED_LOOKUP_MS);
    const ctx: CallContext = {
      ...parent,
      signal: AbortSignal.timeout(budgetMs),
      deadline: this.#now() + budgetMs,
      retry: { ...this.#retry, maxAttempts: 2, maxElapsedMs: budgetMs },
    };
    try {
      const submitted = await this.#submit(body, ctx, () => undefined, true);
      if ('running' in submitted) await this.cancel(submitted.running);
    } catch {
      // Best effort: the statement's own timeout (STATEMENT_TIMEOUT_IN_SECONDS) still ends it.
    }
  }

  /** Polls a statement until it has a result; cancels it on abort or deadline. */
  async #followStatement(handle: string, parent: CallContext, startAttempt: number): Promise<ResultSetEnvelope> {
    const ctx: CallContext = { ...parent, statementHandle: handle };
    try {
      return await this.#pollUntilDone(handle, ctx, startAttempt);
    } catch (error) {
      if (error instanceof Stop) {
        await this.cancel(handle);
        throw this.#publicStop(error, ctx);
      }
      // Polling gave up while the statement may still be running (transport trouble, unreadable answers, a token
      // that stopped working): cancel it so it does not keep a warehouse busy for a result nobody will read.
      if (error instanceof RetriesExhaustedError || error instanceof ResponseFormatError || error instanceof AuthenticationError) {
        await this.cancel(handle);
      }
      throw error;
    }
  }

  async #submit(body: string, ctx: CallContext, onSend: () => void, alreadySent = false): Promise<Submitted> {
    let resubmission = alreadySent;
    const answer = await this.#request(
      {
        kind: 'submit',
        method: 'POST',
        path: STATEMENTS_PATH,
        get query(): Record<string, string> {
          const query: Record<string, string> = { requestId: ctx.requestId ?? '', async: 'true' };
          if (resubmission) query.retry = 'true';
          return query;
        },
        body,
        onSend,
      },
      ctx,
      () => {
        resubmission = true;
      },
    );
    const details = this.#details(ctx, answer);
    if (answer.status === 200) {
      return { done: checkResultSet(parseJsonBody(answer.body, 'statement result', details), details) };
    }
    if (answer.status === 202) {
      return { running: checkQueryStatus(parseJsonBody(answer.body, 'statement status', details), details).statementHandle };
    }
    throw this.#errorFor(answer, ctx);
  }

  async #pollUntilDone(handle: string, ctx: CallContext, startAttempt: number): Promise<ResultSetEnvelope> {
    let polls = startAttempt;
    let retryAfterMs: number | undefined;
    for (;;) {
      if (polls > 0) {
        const wait = Math.max(
          retryAfterMs ?? 0,
          backoffDelay(polls, this.#poll.initialDelayMs, this.#poll.maxDelayMs, this.#random),
        );
        await this.#wait(wait, ctx);
      }
      polls++;
      const answer = await this.#request(
        { kind: 'status', method: 'GET', path: this.#statementPath(handle), query: {}, return429: true },
        ctx,
      );
      const details = this.#details(ctx, answer);
      switch (answer.status) {
        case 200:
          return checkResultSet(parseJsonBody(answer.body, 'statement result', details), details);
        case 202:
          checkQueryStatus(parseJsonBody(answer.body, 'statement status', details), details);
          retryAfterMs = undefined;
          break;
        case 429:
          // "Still running, slow down": honour Retry-After up to the same bound as for any other request.
          retryAfterMs = Math.min(parseRetryAfter(answer.headers['retry-after'], this.#now()) ?? 0, this.#retry.maxRetryAfterMs);
          break;
        default:
          throw this.#errorFor(answer, ctx);
      }
    }
  }

  #resultOf(envelope: ResultSetEnvelope, ctx: CallContext): StatementResult {
    const handle = envelope.statementHandle;
    const rowsCtx: CallContext = { ...ctx, statementHandle: handle };
    this.#emit({ type: 'statement', state: 'done', statementHandle: handle, requestId: ctx.requestId, rows: envelope.numRows, partitions: envelope.partitionInfo.length });
    return new StatementResult(envelope, ctx.requestId ?? '', async (index) => {
      try {
        const answer = await this.#request(
          { kind: 'partition', method: 'GET', path: this.#statementPath(handle), query: { partition: String(index) }, partition: index },
          rowsCtx,
        );
        const details = this.#details(rowsCtx, answer);
        if (answer.status !== 200) throw this.#errorFor(answer, rowsCtx);
        return checkPartition(parseJsonBody(answer.body, `partition ${index}`, details), details);
      } catch (error) {
        throw this.#publicStop(error, rowsCtx);
      }
    });
  }

  // ---- one request with retries ---------------------------------------------------------------------------------

  /**
   * Sends one logical request, repeating it on 401 (once, with a renewed token), 429/503/504 (backoff, Retry-After)
   * and 500/502/network errors (resubmit), within the retry bounds. Returns the first answer that is not retried.
   */
  async #request(spec: RequestSpec, ctx: CallContext, onUnknownOutcome?: () => void): Promise<HttpAnswer> {
    const started = this.#now();
    let attempt = 0;
    let renewedToken = false;
    const where = { statementHandle: ctx.statementHandle, ...(spec.partition === undefined ? {} : { partition: spec.partition }) };
    for (;;) {
      this.#checkStop(ctx);
      attempt++;
      let token: BearerToken;
      try {
        token = await this.#tokenSource.getToken(ctx.signal);
      } catch (error) {
        this.#checkStop(ctx);
        throw error; // the token source's own typed error (e.g. re-authorization required)
      }
      const sentAt = this.#now();
      spec.onSend?.();
      let answer: HttpAnswer | undefined;
      let failure: SqlApiError;
      /** Snowflake's code in a retried answer, for the retry event. */
      let failureCode: string | undefined;
      let retryAfterMs: number | undefined;
      try {
        answer = await exchange(
          this.#dispatcher,
          this.#origin,
          {
            method: spec.method,
            path: `${this.#pathPrefix}${spec.path}${queryString(spec.query)}`,
            headers: this.#headers(token),
            body: spec.body,
            signal: this.#requestSignal(ctx),
          },
          { maxResponseBytes: this.#maxResponseBytes, requestTimeoutMs: this.#requestTimeoutMs },
        );
      } catch (error) {
        this.#emit({ type: 'request', kind: spec.kind, method: spec.method, status: undefined, errorCode: errorCodeOf(error), durationMs: this.#now() - sentAt, ...where });
        this.#checkStop(ctx);
        if (error instanceof SqlApiError) throw error; // too large, unsupported encoding: repeating will not help
        failure = new NetworkError(`${spec.kind} request failed: ${describeNetworkError(error, token)}`, this.#details(ctx));
        if (spec.kind === 'submit') onUnknownOutcome?.();
        answer = undefined;
      }

      if (answer !== undefined) {
        this.#emit({ type: 'request', kind: spec.kind, method: spec.method, status: answer.status, errorCode: undefined, durationMs: this.#now() - sentAt, ...where });
        const disposition = dispositionOf(answer.status);
        if (disposition === 'final' || (answer.status === 429 && spec.return429 === true)) return answer;
        if (disposition === 'renew-token') {
          if (renewedToken) throw this.#errorFor(answer, ctx);
          renewedToken = true;
          this.#tokenSource.invalidate(token);
          attempt--; // the renewal is not a backoff attempt
          this.#emit({ type: 'retry', kind: spec.kind, reason: 'token', status: 401, attempt, delayMs: 0, statementHandle: ctx.statementHandle });
          continue;
        }
        failure = this.#errorFor(answer, ctx);
        failureCode = failure.snowflakeCode;
        // 500/502/503/504 after a POST: it may have reached the warehouse. 429: it was refused, nothing ran.
        if (spec.kind === 'submit' && answer.status !== 429) onUnknownOutcome?.();
        if (disposition === 'backoff') retryAfterMs = parseRetryAfter(answer.headers['retry-after'], this.#now());
      }

      const retry = ctx.retry;
      const exhausted = (why: string): RetriesExhaustedError =>
        new RetriesExhaustedError(`${spec.kind} request gave up after ${attempt} attempt(s) (${why}): ${failure.message}`, attempt, failure);
      if (attempt >= retry.maxAttempts) throw exhausted(`limit of ${retry.maxAttempts} attempts`);
      if (retryAfterMs !== undefined && retryAfterMs > retry.maxRetryAfterMs) {
        throw exhausted(`Retry-After of ${Math.round(retryAfterMs / 1000)} s exceeds the ${Math.round(retry.maxRetryAfterMs / 1000)} s bound`);
      }
      const wait = retryAfterMs ?? backoffDelay(attempt, retry.initialDelayMs, retry.maxDelayMs, this.#random);
      if (this.#now() + wait - started > retry.maxElapsedMs) throw exhausted(`retry time bound of ${retry.maxElapsedMs} ms`);
      this.#emit({
        type: 'retry',
        kind: spec.kind,
        reason: answer === undefined ? 'network' : 'status',
        status: answer?.status,
        attempt,
        delayMs: wait,
        snowflakeCode: failureCode,
        statementHandle: ctx.statementHandle,
      });
      await this.#wait(wait, ctx);
    }
  }

  #headers(token: BearerToken): Record<string, string> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token.token}`,
      'x-snowflake-authorization-token-type': token.type,
      accept: 'application/json',
      'user-agent': USER_AGENT,
      'accept-encoding': 'gzip',
      // The SQL API lists Content-Type as required on every call; bodiless calls send it too, as the recordings do.
      'content-type': 'application/json',
    };
    return headers;
  }

  /** The signal handed to undici: the caller's abort, plus the deadline while one is set. */
  #requestSignal(ctx: CallContext): AbortSignal | undefined {
    const signals: AbortSignal[] = [];
    if (ctx.signal !== undefined) signals.push(ctx.signal);
    if (ctx.deadline !== undefined) signals.push(AbortSignal.timeout(Math.max(1, ctx.deadline - this.#now())));
    if (signals.length === 0) return undefined;
    return signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  }

  /** Sleeps `ms`, but never past the deadline, and wakes on abort. */
  async #wait(ms: number, ctx: CallContext): Promise<void> {
    this.#checkStop(ctx);
    let wait = ms;
    if (ctx.deadline !== undefined) wait = Math.min(wait, Math.max(0, ctx.deadline - this.#now()));
    try {
      await this.#sleep(wait, ctx.signal);
    } catch (error) {
      this.#checkStop(ctx);
      throw error;
    }
    this.#checkStop(ctx);
  }

  #checkStop(ctx: CallContext): void {
    if (ctx.signal?.aborted === true) throw new Stop('aborted');
    if (ctx.deadline !== undefined && this.#now() >= ctx.deadline) throw new Stop('deadline');
  }

  #publicStop(error: unknown, ctx: CallContext): unknown {
    if (!(error instanceof Stop)) return error;
    const details: SqlApiErrorDetails = { requestId: ctx.requestId, statementHandle: ctx.statementHandle, cause: ctx.signal?.reason };
    if (error.reason === 'aborted') return new StatementCancelledError('statement cancelled by the caller', details);
    return new DeadlineExceededError('statement did not finish before its deadline', { ...details, cause: undefined });
  }

  #statementPath(handle: string): string {
    return `${STATEMENTS_PATH}/${encodeURIComponent(handle)}`;
  }

  #details(ctx: CallContext, answer?: HttpAnswer): SqlApiErrorDetails {
    return { requestId: ctx.requestId, statementHandle: ctx.statementHandle, httpStatus: answer?.status };
  }

  #errorFor(answer: HttpAnswer, ctx: CallContext): SqlApiError {
    return errorForAnswer(answer, { requestId: ctx.requestId, statementHandle: ctx.statementHandle, tokenMethod: this.#tokenSource.method });
  }

  #emit(event: SqlApiEvent): void {
    if (this.#onEvent === undefined) return;
    try {
      this.#onEvent(event);
    } catch {
      // an observer must never break a statement
    }
  }
}

function toMillis(deadline: Date | number | undefined): number | undefined {
  if (deadline === undefined) return undefined;
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  if (!Number.isFinite(ms)) throw new RangeError('deadline must be a valid Date or a finite number of milliseconds');
  return ms;
}

function queryString(query: Record<string, string>): string {
  const text = new URLSearchParams(query).toString();
  return text === '' ? '' : `?${text}`;
}

function errorCodeOf(error: unknown): string | undefined {
  if (error instanceof SqlApiError) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A short description of a transport failure: its code and message, with the token removed should it appear. */
function describeNetworkError(error: unknown, token: BearerToken): string {
  const code = errorCodeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return redactText(`${code === undefined ? '' : `${code} `}${message}`.slice(0, 300), [token.token]);
}
