// The statements the emulator knows: their life cycle (running -> succeeded | failed), cancellation and timeouts via
// AbortSignal, multi-statement parents and children, requestId de-duplication for `retry=true`, and bounded
// retention (results are released to the engine when a statement expires or the cap is reached).
import type { ExecuteRequest, SqlEngine, StatementResult } from '../engine/types.ts';
import { SnowflakeStatementError } from '../engine/types.ts';
import { newStatementHandle } from './ids.ts';
import { planPartitions, type PartitionEntry, type PartitionPolicy } from './partitions.ts';
import { CANCELED, INTERNAL_ERROR, timeoutError } from './responses.ts';
import { computedTextColumn, StaticResult } from './static-result.ts';
import { unsupportedCommand } from './statement-text.ts';

export interface StatementFailure {
  code: string;
  message: string;
  sqlState: string;
  /** Status of the answer to the request that was waiting when it failed (408 for a timeout, else the engine's). */
  httpStatus: number;
}

export interface StatementRecord {
  readonly handle: string;
  readonly requestId: string;
  readonly createdOn: number;
  readonly statement: string;
  readonly user: string;
  state: 'running' | 'succeeded' | 'failed';
  result?: StatementResult;
  partitions?: PartitionEntry[];
  childHandles?: string[];
  failure?: StatementFailure;
  finishedAt?: number;
  readonly done: Promise<void>;
}

interface InternalRecord extends StatementRecord {
  readonly abort: AbortController;
  resolveDone(): void;
}

export interface SubmitInput {
  requestId: string;
  statementText: string;
  /** The statements of the request, already split; more than one makes a multi-statement parent. */
  statements: string[];
  multiStatement: boolean;
  base: Omit<ExecuteRequest, 'statement' | 'signal'>;
  /** Seconds from the body's `timeout` (0 already mapped to the maximum), or undefined for the default. */
  timeoutSeconds: number | undefined;
  /** `nullable=false` on the POST: SQL NULL is sent as the text "null" in every partition of the result. */
  nullsAsText?: boolean;
}

export interface StatementCounters {
  submitted: number;
  executions: number;
  succeeded: number;
  failed: number;
  canceled: number;
  timedOut: number;
  evicted: number;
}

export interface StatementStoreOptions {
  engine: SqlEngine;
  partitionPolicy: PartitionPolicy;
  /** How long a finished statement stays fetchable (the real service keeps results for 24 h). */
  retentionMs: number;
  /** Upper bound on remembered statements; the oldest finished ones go first. */
  maxStatements: number;
  /** Milliseconds since the epoch for `createdOn` (the virtual clock when the engine has one). */
  createdOnNow: () => number;
  /** Wall time for retention and timeouts, which follow real seconds. */
  wallNow?: () => number;
}

/** Default STATEMENT_TIMEOUT_IN_SECONDS (2 days), and what `timeout: 0` means (7 days). */
export const DEFAULT_STATEMENT_TIMEOUT_SECONDS = 172_800;
export const MAX_STATEMENT_TIMEOUT_SECONDS = 604_800;

class TimeoutReason extends Error {
  readonly seconds: number;
  constructor(seconds: number) {
    super(`statement timeout of ${seconds} s`);
    this.seconds = seconds;
  }
}

class CancelReason extends Error {
  constructor() {
    super('statement canceled');
  }
}

export class StatementStore {
  readonly counters: StatementCounters = {
    submitted: 0,
    executions: 0,
    succeeded: 0,
    failed: 0,
    canceled: 0,
    timedOut: 0,
    evicted: 0,
  };
  readonly #options: StatementStoreOptions;
  readonly #records = new Map<string, InternalRecord>();
  readonly #byRequestId = new Map<string, string>();
  readonly #wallNow: () => number;
  #closed = false;

  constructor(options: StatementStoreOptions) {
    this.#options = options;
    this.#wallNow = options.wallNow ?? Date.now;
  }

  get size(): number {
    return this.#records.size;
  }

  get(handle: string): StatementRecord | undefined {
    return this.#records.get(handle);
  }

  /** The statement a previous request with this requestId started, for `retry=true`. */
  byRequestId(requestId: string): StatementRecord | undefined {
    const handle = this.#byRequestId.get(requestId);
    return handle === undefined ? undefined : this.#records.get(handle);
  }

  /** Registers a statement whose failure is known before execution (e.g. a statement-count mismatch). */
  rejected(input: Pick<SubmitInput, 'requestId' | 'statementText' | 'base'>, failure: StatementFailure): StatementRecord {
    this.#sweep();
    this.counters.submitted += 1;
    const record = this.#newRecord(input.requestId, input.statementText, input.base.user);
    this.#finish(record, { failure });
    return record;
  }

  submit(input: SubmitInput): StatementRecord {
    if (this.#closed) throw new Error('statement store is closed');
    this.#sweep();
    this.counters.submitted += 1;
    const record = this.#newRecord(input.requestId, input.statementText, input.base.user);
    this.#byRequestId.set(input.requestId, record.handle);
    const timeout = input.timeoutSeconds ?? DEFAULT_STATEMENT_TIMEOUT_SECONDS;
    const timer = setTimeout(() => record.abort.abort(new TimeoutReason(timeout)), timeout * 1000);
    timer.unref();
    record.abort.signal.addEventListener('abort', () => this.#onAbort(record), { once: true });
    const work = input.multiStatement ? this.#runMulti(record, input) : this.#runSingle(record, input.statements[0] ?? '', input.base, record.abort.signal, input.nullsAsText === true);
    void work.then(
      (outcome) => this.#finish(record, outcome),
      (error: unknown) => this.#finish(record, { failure: this.#failureOf(error, record.abort.signal) }),
    ).finally(() => clearTimeout(timer));
    return record;
  }

  /** Cancels a running statement; a finished one is left as it is (the real service answers 200 either way). */
  cancel(handle: string): StatementRecord | undefined {
    const record = this.#records.get(handle);
    if (record === undefined) return undefined;
    if (record.state === 'running') record.abort.abort(new CancelReason());
    for (const child of record.childHandles ?? []) {
      const childRecord = this.#records.get(child);
      if (childRecord?.state === 'running') childRecord.abort.abort(new CancelReason());
    }
    return record;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const record of this.#records.values()) {
      if (record.state === 'running') record.abort.abort(new CancelReason());
    }
    const releases = [...this.#records.values()].flatMap((record) => (record.result === undefined ? [] : [record.result.release()]));
    this.#records.clear();
    this.#byRequestId.clear();
    await Promise.allSettled(releases);
  }

  #newRecord(requestId: string, statement: string, user: string): InternalRecord {
    let handle = newStatementHandle();
    while (this.#records.has(handle)) handle = newStatementHandle();
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });
    const record: InternalRecord = {
      handle,
      requestId,
      createdOn: this.#options.createdOnNow(),
      statement,
      user,
      state: 'running',
      done,
      abort: new AbortController(),
      resolveDone,
    };
    this.#records.set(handle, record);
    return record;
  }

  async #runSingle(
    record: InternalRecord,
    statement: string,
    base: SubmitInput['base'],
    signal: AbortSignal,
    nullsAsText: boolean,
  ): Promise<{ result: StatementResult; partitions: PartitionEntry[] }> {
    this.counters.executions += 1;
    const executed = await this.#options.engine.execute({ ...base, statement, signal });
    const result = nullsAsText ? withNullsAsText(executed) : executed;
    if (signal.aborted || record.state !== 'running') {
      await result.release();
      throw signal.reason;
    }
    try {
      const partitions = await planPartitions(result, this.#options.partitionPolicy);
      return { result, partitions };
    } catch (error) {
      await result.release();
      throw error;
    }
  }

  async #runMulti(record: InternalRecord, input: SubmitInput): Promise<{ result: StatementResult; partitions: PartitionEntry[] }> {
    const children: string[] = [];
    record.childHandles = children;
    for (const statement of input.statements) {
      const child = this.#newRecord(input.requestId, statement, input.base.user);
      children.push(child.handle);
      // Children share the parent's signal: cancelling or timing out the request stops the statement in flight.
      const signal = record.abort.signal;
      try {
        // The engine's account is read-only and has no transactions; inside a multi-statement request BEGIN, COMMIT
        // and ROLLBACK are legal, so they are acknowledged here the way Snowflake answers them.
        const outcome = unsupportedCommand(statement, false)?.startsWith('TRANSACTION_')
          ? await this.#acknowledge()
          : await this.#runSingle(child, statement, input.base, signal, input.nullsAsText === true);
        this.#finish(child, outcome);
      } catch (error) {
        const failure = this.#failureOf(error, signal);
        this.#finish(child, { failure });
        if (signal.aborted) throw signal.reason;
        throw new SnowflakeStatementError({
          code: '100132',
          sqlState: 'P0000',
          message: `Uncaught exception of type 'STATEMENT_ERROR' on line 1 at position 0 : ${failure.message}`,
          httpStatus: 422,
        });
      }
    }
    const result = new StaticResult([computedTextColumn('multiple statement execution')], [['Multiple statements executed successfully.']]);
    return { result, partitions: await planPartitions(result, this.#options.partitionPolicy) };
  }

  async #acknowledge(): Promise<{ result: StatementResult; partitions: PartitionEntry[] }> {
    const result = new StaticResult([computedTextColumn('status')], [['Statement executed successfully.']]);
    return { result, partitions: await planPartitions(result, this.#options.partitionPolicy) };
  }

  #onAbort(record: InternalRecord): void {
    if (record.state !== 'running') return;
    this.#finish(record, { failure: this.#failureOf(record.abort.signal.reason, record.abort.signal) });
  }

  #failureOf(error: unknown, signal: AbortSignal): StatementFailure {
    const reason: unknown = signal.aborted ? signal.reason : error;
    if (reason instanceof TimeoutReason) return { ...timeoutError(reason.seconds), httpStatus: 408 };
    if (reason instanceof CancelReason) return { ...CANCELED, httpStatus: 422 };
    if (reason instanceof SnowflakeStatementError) {
      return { code: reason.code, message: reason.message, sqlState: reason.sqlState, httpStatus: reason.httpStatus };
    }
    return { ...INTERNAL_ERROR, httpStatus: 422 };
  }

  #finish(
    record: InternalRecord,
    outcome: { result: StatementResult; partitions: PartitionEntry[] } | { failure: StatementFailure },
  ): void {
    if (record.state !== 'running' || !this.#records.has(record.handle)) {
      // Lost the race against a cancel or a timeout (or evicted at close): the late result is of no use.
      if ('result' in outcome) void outcome.result.release().catch(() => undefined);
      return;
    }
    record.finishedAt = this.#wallNow();
    if ('result' in outcome) {
      record.state = 'succeeded';
      record.result = outcome.result;
      record.partitions = outcome.partitions;
      this.counters.succeeded += 1;
    } else {
      record.state = 'failed';
      record.failure = outcome.failure;
      if (outcome.failure.code === CANCELED.code) this.counters.canceled += 1;
      else if (outcome.failure.code === '000630') this.counters.timedOut += 1;
      else this.counters.failed += 1;
    }
    record.resolveDone();
  }

  #sweep(): void {
    const now = this.#wallNow();
    const expired = (record: InternalRecord): boolean =>
      record.state !== 'running' && record.finishedAt !== undefined && now - record.finishedAt > this.#options.retentionMs;
    let excess = this.#records.size - this.#options.maxStatements + 1;
    for (const record of this.#records.values()) {
      if (record.state === 'running') continue;
      if (expired(record) || excess > 0) {
        this.#evict(record);
        excess -= 1;
      }
    }
  }

  #evict(record: InternalRecord): void {
    this.#records.delete(record.handle);
    if (this.#byRequestId.get(record.requestId) === record.handle) this.#byRequestId.delete(record.requestId);
    this.counters.evicted += 1;
    void record.result?.release().catch(() => undefined);
  }
}

/** The result as `nullable=false` asks for it: SQL NULL becomes the text "null" (planning and serving both see it). */
function withNullsAsText(result: StatementResult): StatementResult {
  return {
    rowType: result.rowType,
    rowCount: result.rowCount,
    ...(result.stats === undefined ? {} : { stats: result.stats }),
    readRows: async (offset, limit) => (await result.readRows(offset, limit)).map((row) => row.map((value) => value ?? 'null')),
    release: () => result.release(),
  };
}
