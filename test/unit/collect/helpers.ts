// In-test parts for the collection engine's unit tests. Each is a real implementation of the engine's contracts
// (Clock, StateStore, CollectionObserver, Source), kept small:
// - ManualClock: time moves only when a test says so, so hours of scheduling run in milliseconds, deterministically.
// - MemoryStateStore: the StateStore contract in memory. It stands in for the node:sqlite store that another part of
//   the project provides; the scheduler only uses recordCycle and getValue/setValue here.
// - RecordingObserver: records every report.
// - TestSource: a real Source whose behaviour (succeed, fail, hang until aborted, take some clock time) is set by
//   the test; it records each run and the signal it was given. These are test sources, not Snowflake readers.
import type { Clock, CycleScope, SourceContextFactory } from '../../../src/collect/cycle.ts';
import type { CollectionObserver, CycleCost, SourceErrorKind, SourceOutcome } from '../../../src/collect/observer.ts';
import type { Source, SourceContext, SourceRunResult } from '../../../src/collect/source.ts';
import { loadConfigFromText, type AccountConfig } from '../../../src/config/index.ts';
import type { SqlApiClient, SqlApiEvent } from '../../../src/snowflake/sqlapi/index.ts';
import type { CycleRecord, StateStore, StreamPosition } from '../../../src/state/store.ts';

export const T0 = Date.UTC(2026, 10, 26, 6, 0, 0);
export const MINUTE = 60_000;

/** Lets every pending promise chain run (several macrotask turns, since a turn drains all microtasks). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

interface Sleeper {
  readonly at: number;
  readonly resolve: () => void;
}

export class ManualClock implements Clock {
  #now: number;
  #sleepers: Sleeper[] = [];

  constructor(start = T0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted === true || ms <= 0) {
        resolve();
        return;
      }
      const sleeper: Sleeper = {
        at: this.#now + ms,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.#sleepers = this.#sleepers.filter((other) => other !== sleeper);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#sleepers.push(sleeper);
    });
  }

  /** Moves time forward by `ms`, waking each sleeper at its own time, in order, letting the code react in between. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await flush();
      const next = this.#sleepers.filter((sleeper) => sleeper.at <= target).sort((a, b) => a.at - b.at)[0];
      if (next === undefined) break;
      this.#now = Math.max(this.#now, next.at);
      const woken = this.#sleepers.filter((sleeper) => sleeper.at <= this.#now);
      this.#sleepers = this.#sleepers.filter((sleeper) => sleeper.at > this.#now);
      for (const sleeper of woken) sleeper.resolve();
    }
    this.#now = target;
    await flush();
  }

  get pendingSleepers(): number {
    return this.#sleepers.length;
  }
}

export class MemoryStateStore implements StateStore {
  readonly cycles: CycleRecord[] = [];
  readonly values = new Map<string, string>();
  readonly #positions = new Map<string, StreamPosition>();
  readonly #seen = new Map<string, number>();

  getPosition(account: string, stream: string): StreamPosition | undefined {
    return this.#positions.get(`${account}\u0000${stream}`);
  }

  filterSeen(account: string, stream: string, ids: readonly string[]): Set<string> {
    return new Set(ids.filter((id) => this.#seen.has(`${account}\u0000${stream}\u0000${id}`)));
  }

  commit(account: string, stream: string, delivered: readonly string[], retainUntil: Date, watermark?: Date): void {
    for (const id of delivered) this.#seen.set(`${account}\u0000${stream}\u0000${id}`, retainUntil.getTime());
    if (watermark !== undefined) this.#positions.set(`${account}\u0000${stream}`, { watermark, updatedAt: new Date() });
  }

  expireSeen(now: Date): number {
    let expired = 0;
    for (const [key, until] of this.#seen) {
      if (until <= now.getTime()) {
        this.#seen.delete(key);
        expired += 1;
      }
    }
    return expired;
  }

  recordCycle(cycle: CycleRecord): void {
    this.cycles.push(cycle);
  }

  recentCycles(account: string, limit: number): CycleRecord[] {
    return this.cycles.filter((cycle) => cycle.account === account).slice(-limit).reverse();
  }

  getValue(namespace: string, key: string): string | undefined {
    return this.values.get(`${namespace}\u0000${key}`);
  }

  setValue(namespace: string, key: string, value: string): void {
    this.values.set(`${namespace}\u0000${key}`, value);
  }

  close(): void {}
}

export type ObserverCall =
  | { readonly type: 'succeeded'; readonly outcome: SourceOutcome }
  | { readonly type: 'failed'; readonly account: string; readonly source: string; readonly kind: SourceErrorKind }
  | { readonly type: 'skipped'; readonly account: string; readonly source: string; readonly reason: 'unavailable' | 'budget' }
  | { readonly type: 'cycle'; readonly account: string; readonly outcome: string; readonly seconds: number }
  | { readonly type: 'cost'; readonly cost: CycleCost }
  | { readonly type: 'budget'; readonly account: string; readonly credits: number; readonly budget: number | undefined; readonly exhausted: boolean }
  | { readonly type: 'up'; readonly account: string; readonly up: boolean };

export class RecordingObserver implements CollectionObserver {
  readonly calls: ObserverCall[] = [];
  readonly sqlEvents: SqlApiEvent[] = [];

  sourceSucceeded(outcome: SourceOutcome): void {
    this.calls.push({ type: 'succeeded', outcome });
  }
  sourceFailed(account: string, source: string, kind: SourceErrorKind): void {
    this.calls.push({ type: 'failed', account, source, kind });
  }
  sourceSkipped(account: string, source: string, reason: 'unavailable' | 'budget'): void {
    this.calls.push({ type: 'skipped', account, source, reason });
  }
  cycleFinished(account: string, outcome: 'ok' | 'partial' | 'failed' | 'cancelled', seconds: number): void {
    this.calls.push({ type: 'cycle', account, outcome, seconds });
  }
  cost(cost: CycleCost): void {
    this.calls.push({ type: 'cost', cost });
  }
  budgetState(account: string, credits: number, budget: number | undefined, exhausted: boolean): void {
    this.calls.push({ type: 'budget', account, credits, budget, exhausted });
  }
  accountUp(account: string, up: boolean): void {
    this.calls.push({ type: 'up', account, up });
  }
  sqlApiEvent(_account: string, event: SqlApiEvent): void {
    this.sqlEvents.push(event);
  }

  of<T extends ObserverCall['type']>(type: T): Extract<ObserverCall, { type: T }>[] {
    return this.calls.filter((call): call is Extract<ObserverCall, { type: T }> => call.type === type);
  }
}

export type TestBehaviour = (context: SourceContext, run: number) => Promise<SourceRunResult>;

export interface TestSourceOptions {
  readonly needsWarehouse?: boolean;
  readonly critical?: boolean;
  readonly behaviour?: TestBehaviour;
}

/** A test source: records every run, the context it got, and how many runs overlapped. */
export class TestSource implements Source {
  readonly id: string;
  readonly view: string;
  readonly needsWarehouse: boolean;
  readonly critical: boolean;
  readonly runs: { readonly at: number; readonly context: SourceContext }[] = [];
  behaviour: TestBehaviour;
  active = 0;
  maxActive = 0;
  readonly #clock: Clock;

  constructor(id: string, clock: Clock, options: TestSourceOptions = {}) {
    this.id = id;
    this.view = `TEST_${id.toUpperCase()}`;
    this.needsWarehouse = options.needsWarehouse ?? true;
    this.critical = options.critical ?? false;
    this.behaviour = options.behaviour ?? (() => Promise.resolve({ rows: 1, delivered: 1 }));
    this.#clock = clock;
  }

  async run(context: SourceContext): Promise<SourceRunResult> {
    this.runs.push({ at: this.#clock.now(), context });
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      return await this.behaviour(context, this.runs.length);
    } finally {
      this.active -= 1;
    }
  }
}

/** Takes `ms` of clock time, then succeeds; stops early (rejecting with the abort reason) when the signal aborts. */
export function takes(clock: Clock, ms: number, result: SourceRunResult = { rows: 10, delivered: 10 }): TestBehaviour {
  return async (context) => {
    await clock.sleep(ms, context.signal);
    if (context.signal.aborted) throw context.signal.reason;
    return result;
  };
}

/** Never finishes by itself; rejects when the cycle's signal aborts. */
export const hangsUntilAborted: TestBehaviour = (context) =>
  new Promise<SourceRunResult>((_resolve, reject) => {
    if (context.signal.aborted) reject(context.signal.reason as Error);
    context.signal.addEventListener('abort', () => reject(context.signal.reason as Error), { once: true });
  });

let contextAccount: AccountConfig | undefined;

/** A context factory that needs no delivery pipeline: test sources do not deliver. */
export const bareContext: SourceContextFactory = (_source: Source, scope: CycleScope): SourceContext => ({
  account: (contextAccount ??= testAccount()),
  // Test sources never send statements; the client is not part of what these tests exercise.
  client: undefined as unknown as SqlApiClient,
  snowflakeNow: scope.snowflakeNow,
  signal: scope.signal,
  position: () => undefined,
  deliver: (_stream, events, findings) => Promise.resolve(events.length + findings.length),
  commitWatermark: () => undefined,
  publishPosture: () => undefined,
});

/** Reads the manual clock as if it were Snowflake's (the real CURRENT_TIMESTAMP() read is tested on the emulator). */
export function clockTime(clock: Clock): (signal: AbortSignal) => Promise<Date> {
  return () => Promise.resolve(new Date(clock.now()));
}

/** A resolved account, through the real configuration loader; `extra` is YAML added to the account block. */
export function testAccount(name = 'prod', extra = ''): AccountConfig {
  const yaml = `
accounts:
  - name: ${name}
    account: myorg-${name}
    role: R
    warehouse: W
    auth: { method: pat, token: "env:TEST_PAT" }
${extra
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => `    ${line}`)
  .join('\n')}
`;
  const { config } = loadConfigFromText(yaml, { sourcePath: '/test/config.yaml', env: { TEST_PAT: 'pat-0123456789' }, cwd: '/test' });
  const account = config.accounts[0];
  if (account === undefined) throw new Error('no account');
  return account;
}
