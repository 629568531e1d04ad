// What collection tells the process log. It listens to the engine's reports (a CollectionObserver beside the metrics
// and the status board) and to the findings the sinks are handed, and writes:
//   warn   a source that failed (account, source, error kind, Snowflake's code and one sanitised line), a cycle
//          that could not start (no token, authentication refused, Snowflake's clock unreadable), work around the
//          sources that failed (the state store refusing the cycle history or the credit budget);
//   info   one line per account per cycle (outcome, duration, rows per source, findings by severity, warehouse
//          seconds, credits, statements); a source or a cycle start that works again after failing; progress of a
//          long cycle (rows so far per stream, at most one line every `progressIntervalMs`);
//   debug  the SQL API's own steps: statement handles, partitions fetched, retries with the HTTP status and
//          Snowflake's code, cancels, requests that got no answer.
//
// Not flooding: one warn line per failure per cycle at most, and a failure repeating identically (same account,
// source or step, kind, codes, and message up to its numbers) is written again only once per `repeatIntervalMs`
// (15 min by default), the line then saying how many repeats were left out. A different failure, or the recovery,
// is written at once. The state is one entry per (account, source or step): bounded by the configuration.
import type { Finding } from '../collect/events.ts';
import { formatFailure, oneLine, type FailureDetail } from '../collect/failure-detail.ts';
import type { CollectionObserver, CycleCost, CycleFailure, EngineOperation, SourceErrorKind, SourceOutcome } from '../collect/observer.ts';
import type { DeliveryBatch, Sink } from '../collect/sink.ts';
import { SEVERITIES, type Severity } from '../config/schema.ts';
import type { SqlApiEvent } from '../snowflake/sqlapi/index.ts';

export type CollectionLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type CollectionLogFields = Readonly<Record<string, string | number | boolean>>;
export type CollectionLogWriter = (level: CollectionLogLevel, message: string, fields?: CollectionLogFields) => void;

/** An identical failure is written again at most this often (the suppressed repeats are counted in that line). */
export const DEFAULT_REPEAT_INTERVAL_MS = 15 * 60_000;
/** A long cycle reports its progress at most this often. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 10_000;
/** Sources with rows listed by name in the cycle line; the rest are counted. */
const LISTED_SOURCES = 25;

export interface CollectionLogOptions {
  readonly log: CollectionLogWriter;
  /** Wall-clock milliseconds (default Date.now): rate limits and progress are about what a person reads. */
  readonly now?: (() => number) | undefined;
  readonly repeatIntervalMs?: number | undefined;
  readonly progressIntervalMs?: number | undefined;
}

interface Repeat {
  readonly signature: string;
  readonly firstAt: number;
  lastLoggedAt: number;
  /** Times it happened since it was first seen, the first included. */
  times: number;
  /** Repeats not written since the last line. */
  suppressed: number;
}

interface CycleTally {
  startedAt: number | undefined;
  readonly rows: Map<string, number>;
  readonly failed: Map<string, SourceErrorKind>;
  readonly unavailable: Set<string>;
  readonly deferred: Set<string>;
  readonly findings: Map<Severity, number>;
  /** Steps around the sources that failed since the previous cycle ended (the cycle history comes after it). */
  readonly operations: Set<EngineOperation>;
  cost: CycleCost | undefined;
  readonly progress: Map<string, number>;
  lastProgressAt: number | undefined;
}

function newTally(): CycleTally {
  return {
    startedAt: undefined,
    rows: new Map(),
    failed: new Map(),
    unavailable: new Set(),
    deferred: new Set(),
    findings: new Map(),
    operations: new Set(),
    cost: undefined,
    progress: new Map(),
    lastProgressAt: undefined,
  };
}

/** The failure's identity for the repeat filter: its numbers (attempts, seconds, row counts) do not make it new. */
function signatureOf(failure: FailureDetail): string {
  return [failure.kind, failure.snowflakeCode ?? '', failure.httpStatus ?? '', failure.code ?? '', failure.message.replace(/\d+/g, '#')].join('\u0000');
}

function failureFields(failure: FailureDetail): Record<string, string | number> {
  return {
    kind: failure.kind,
    ...(failure.snowflakeCode === undefined ? {} : { snowflakeCode: failure.snowflakeCode }),
    ...(failure.httpStatus === undefined ? {} : { httpStatus: failure.httpStatus }),
    ...(failure.code === undefined ? {} : { code: failure.code }),
  };
}

const OPERATION_TEXT: Readonly<Record<EngineOperation, string>> = {
  'cycle history': 'recording the cycle in the state store failed',
  'credit budget': 'reading or saving the daily credit budget failed (sources run as if under budget)',
  cycle: 'a collection cycle ended with an unexpected error (a defect); the account retries in a few minutes',
};

export class CollectionLog implements CollectionObserver {
  readonly #log: CollectionLogWriter;
  readonly #now: () => number;
  readonly #repeatIntervalMs: number;
  readonly #progressIntervalMs: number;
  readonly #repeats = new Map<string, Repeat>();
  readonly #tallies = new Map<string, CycleTally>();

  /** Counts, per account and severity, the findings handed to the sinks; never rejects, holds nothing. */
  readonly findingsSink: Sink = {
    name: 'collection-log',
    deliver: (batch: DeliveryBatch) => {
      this.#countFindings(batch.findings);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };

  constructor(options: CollectionLogOptions) {
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#repeatIntervalMs = options.repeatIntervalMs ?? DEFAULT_REPEAT_INTERVAL_MS;
    this.#progressIntervalMs = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  }

  #tally(account: string): CycleTally {
    let tally = this.#tallies.get(account);
    if (tally === undefined) {
      tally = newTally();
      this.#tallies.set(account, tally);
    }
    return tally;
  }

  // ---- the engine's reports ---------------------------------------------------------------------------------------

  /** A source of the account's cycle starts (the context factory calls this): the cycle's start for the progress log. */
  sourceStarted(account: string): void {
    const tally = this.#tally(account);
    tally.startedAt ??= this.#now();
  }

  /** Rows a stream has read so far in the running cycle (SourceContext.reportProgress). */
  progress(account: string, stream: string, rows: number): void {
    const tally = this.#tally(account);
    tally.progress.set(stream, rows);
    const now = this.#now();
    tally.startedAt ??= now;
    const since = tally.lastProgressAt ?? tally.startedAt;
    if (now - since < this.#progressIntervalMs) return;
    tally.lastProgressAt = now;
    const streams = [...tally.progress].map(([name, count]) => `${name}=${count}`).join(', ');
    const total = [...tally.progress.values()].reduce((sum, count) => sum + count, 0);
    this.#log('info', `account ${account}: cycle running for ${Math.round((now - tally.startedAt) / 1000)} s; rows so far: ${streams}`, {
      account,
      rows: total,
      elapsedSeconds: Math.round((now - tally.startedAt) / 1000),
    });
  }

  sourceSucceeded(outcome: SourceOutcome): void {
    this.#tally(outcome.account).rows.set(outcome.source, Number.isFinite(outcome.rows) ? outcome.rows : 0);
    this.#recovered(`${outcome.account}\u0000source\u0000${outcome.source}`, `account ${outcome.account}: source ${outcome.source} works again`, {
      account: outcome.account,
      source: outcome.source,
    });
  }

  sourceFailed(account: string, source: string, kind: SourceErrorKind, _at: Date, failure?: FailureDetail): void {
    this.#tally(account).failed.set(source, kind);
    const detail = failure ?? { kind, message: `failed (${kind})` };
    this.#warn(`${account}\u0000source\u0000${source}`, detail, `account ${account}: source ${source} failed`, { account, source });
  }

  sourceSkipped(account: string, source: string, reason: 'unavailable' | 'budget'): void {
    const tally = this.#tally(account);
    if (reason === 'unavailable') tally.unavailable.add(source);
    else tally.deferred.add(source);
  }

  cost(cost: CycleCost): void {
    this.#tally(cost.account).cost = cost;
  }

  budgetState(): void {
    // The cycle line says what the cycle cost; the day's total is in the metrics and on the page.
  }

  accountUp(): void {
    // Said by the cycle line (and, when down, by the warning about why).
  }

  operationFailed(account: string, operation: EngineOperation, failure: FailureDetail): void {
    this.#tally(account).operations.add(operation);
    this.#warn(`${account}\u0000operation\u0000${operation}`, failure, `account ${account}: ${OPERATION_TEXT[operation]}`, { account, operation });
  }

  cycleFinished(account: string, outcome: 'ok' | 'partial' | 'failed' | 'cancelled', durationSeconds: number, failure?: CycleFailure): void {
    const tally = this.#tally(account);
    this.#tallies.delete(account);
    const startKey = `${account}\u0000start`;
    if (failure?.stage === 'start') {
      this.#warn(startKey, failure, `account ${account}: the collection cycle could not start, no source ran`, { account });
    } else if (outcome !== 'cancelled') {
      this.#recovered(startKey, `account ${account}: collection cycles start again`, { account });
    }
    for (const operation of ['cycle history', 'credit budget'] as const) {
      if (!tally.operations.has(operation)) {
        this.#recovered(`${account}\u0000operation\u0000${operation}`, `account ${account}: the state store takes the ${operation} again`, { account, operation });
      }
    }
    this.#cycleLine(account, outcome, durationSeconds, tally);
  }

  sqlApiEvent(account: string, event: SqlApiEvent): void {
    switch (event.type) {
      case 'statement':
        if (event.state === 'running') {
          this.#log('debug', `account ${account}: statement ${event.statementHandle} is running (request ${event.requestId ?? 'none'})`, {
            account,
            statementHandle: event.statementHandle,
          });
        } else {
          this.#log(
            'debug',
            `account ${account}: statement ${event.statementHandle} done: ${event.rows ?? 0} rows in ${event.partitions ?? 0} partition(s)`,
            { account, statementHandle: event.statementHandle, rows: event.rows ?? 0, partitions: event.partitions ?? 0 },
          );
        }
        return;
      case 'request':
        if (event.kind === 'partition' || event.status === undefined) {
          const what = event.kind === 'partition' ? `partition ${event.partition ?? '?'} of statement ${event.statementHandle ?? '?'}` : `${event.kind} request`;
          const answer = event.status === undefined ? `no answer (${event.errorCode ?? 'network error'})` : `HTTP ${event.status}`;
          this.#log('debug', `account ${account}: ${what}: ${answer} in ${Math.round(event.durationMs)} ms`, {
            account,
            request: event.kind,
            ...(event.status === undefined ? {} : { httpStatus: event.status }),
          });
        }
        return;
      case 'retry': {
        const why = [
          event.reason === 'token' ? 'token renewed' : event.reason === 'network' ? 'no answer' : undefined,
          event.status === undefined ? undefined : `HTTP ${event.status}`,
          event.snowflakeCode === undefined ? undefined : `Snowflake ${event.snowflakeCode}`,
        ].filter((part) => part !== undefined);
        const statement = event.statementHandle === undefined ? '' : ` (statement ${event.statementHandle})`;
        const when = event.reason === 'token' ? 'at once' : `attempt ${event.attempt}, in ${Math.round(event.delayMs)} ms`;
        this.#log('debug', `account ${account}: ${event.kind} request${statement} retried (${when}): ${why.join(', ')}`, {
          account,
          request: event.kind,
          attempt: event.attempt,
          ...(event.status === undefined ? {} : { httpStatus: event.status }),
          ...(event.snowflakeCode === undefined ? {} : { snowflakeCode: event.snowflakeCode }),
        });
        return;
      }
      case 'cancel':
        this.#log('debug', `account ${account}: cancel of statement ${event.statementHandle} ${event.ok ? 'accepted' : 'not confirmed'}`, {
          account,
          statementHandle: event.statementHandle,
        });
        return;
    }
  }

  /** The delivery pipeline's periodic clean-up of delivered ids failed (the state store refused). */
  housekeepingFailed(failure: FailureDetail): void {
    this.#warn('\u0000housekeeping', failure, 'state store: expiring old delivered ids failed (retried in a minute)', {});
  }

  // ---- writing ----------------------------------------------------------------------------------------------------

  #warn(key: string, failure: FailureDetail, headline: string, fields: Record<string, string>): void {
    const now = this.#now();
    const signature = signatureOf(failure);
    const seen = this.#repeats.get(key);
    if (seen !== undefined && seen.signature === signature) {
      seen.times += 1;
      if (now - seen.lastLoggedAt < this.#repeatIntervalMs) {
        seen.suppressed += 1;
        return;
      }
    }
    const repeat: Repeat =
      seen !== undefined && seen.signature === signature ? seen : { signature, firstAt: now, lastLoggedAt: now, times: 1, suppressed: 0 };
    const left = repeat.suppressed;
    const since = repeat.times > 1 ? `; failing like this ${repeat.times} times since ${new Date(repeat.firstAt).toISOString()}` : '';
    const omitted = left > 0 ? `, ${left} not logged` : '';
    repeat.lastLoggedAt = now;
    repeat.suppressed = 0;
    this.#repeats.set(key, repeat);
    this.#log('warn', `${headline}: ${formatFailure(failure)}${since}${omitted}`, { ...fields, ...failureFields(failure), repeats: repeat.times });
  }

  #recovered(key: string, message: string, fields: Record<string, string>): void {
    const seen = this.#repeats.get(key);
    if (seen === undefined) return;
    this.#repeats.delete(key);
    this.#log('info', `${message} (after ${seen.times} failure(s) since ${new Date(seen.firstAt).toISOString()})`, { ...fields, failures: seen.times });
  }

  #countFindings(findings: readonly Finding[]): void {
    for (const finding of findings) {
      const tally = this.#tally(finding.account);
      tally.findings.set(finding.severity, (tally.findings.get(finding.severity) ?? 0) + 1);
    }
  }

  #cycleLine(account: string, outcome: string, durationSeconds: number, tally: CycleTally): void {
    const rows = [...tally.rows].filter(([, count]) => count > 0).sort(([a], [b]) => a.localeCompare(b));
    const empty = tally.rows.size - rows.length;
    const listed = rows.slice(0, LISTED_SOURCES).map(([source, count]) => `${source}=${count}`);
    if (rows.length > LISTED_SOURCES) listed.push(`${rows.length - LISTED_SOURCES} more`);
    const totalRows = [...tally.rows.values()].reduce((sum, count) => sum + count, 0);
    const findings = [...SEVERITIES].reverse().filter((severity) => (tally.findings.get(severity) ?? 0) > 0);
    const totalFindings = [...tally.findings.values()].reduce((sum, count) => sum + count, 0);
    const cost = tally.cost;
    const parts = [
      `rows: ${listed.length === 0 ? 'none' : listed.join(', ')}${empty > 0 ? ` (${empty} source(s) read none)` : ''}`,
      `findings: ${findings.length === 0 ? 'none' : findings.map((severity) => `${severity}=${tally.findings.get(severity) ?? 0}`).join(', ')}`,
      cost === undefined ? undefined : `warehouse ${cost.warehouseSeconds.toFixed(0)} s, ${cost.credits.toFixed(4)} credits, ${cost.statements} statements`,
      tally.failed.size === 0 ? undefined : `failed: ${[...tally.failed].map(([source, kind]) => `${source} (${kind})`).join(', ')}`,
      tally.unavailable.size === 0 ? undefined : `unavailable: ${[...tally.unavailable].join(', ')}`,
      tally.deferred.size === 0 ? undefined : `deferred (budget): ${[...tally.deferred].join(', ')}`,
    ].filter((part) => part !== undefined);
    const fields: Record<string, string | number> = {
      account,
      outcome,
      durationSeconds: Math.round(durationSeconds * 1000) / 1000,
      rows: totalRows,
      findings: totalFindings,
      ...(cost === undefined ? {} : { warehouseSeconds: cost.warehouseSeconds, credits: cost.credits, statements: cost.statements }),
    };
    for (const severity of findings) fields[`findings_${severity}`] = tally.findings.get(severity) ?? 0;
    this.#log('info', oneLine(`account ${account}: cycle ${outcome} in ${durationSeconds.toFixed(1)} s; ${parts.join('; ')}`, 4000), fields);
  }
}
