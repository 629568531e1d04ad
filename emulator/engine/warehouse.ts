// The warehouse cost model, on the virtual clock. A statement that scans a table resumes its warehouse if it is
// suspended (each resume bills at least 60 seconds), keeps it awake while it runs, and the warehouse suspends
// AUTO_SUSPEND seconds after the last statement ended. Credits per hour double with each size step from X-Small = 1.
//
// Accounting rule (documented for tests and benchmarks): an awake period runs from its resume to its last statement's
// end plus AUTO_SUSPEND (the idle tail Snowflake also bills); it is billed max(60 s, that length). A period that is
// still open is reported as if it suspends on schedule.
//
// Concurrency: a warehouse runs at most `maxConcurrency` statements at once (Snowflake's MAX_CONCURRENCY_LEVEL,
// 8 by default); more queue. With modelled durations the virtual clock stands still while a burst is submitted, so
// without this every statement of a cycle would run "at once" and the burst would look as short as one statement.
// `place()` puts each statement in the slot that frees first; a client that keeps fewer statements in flight (the
// exporter's `concurrency`, 4 by default) is modelled by giving the warehouse that many slots.

export type WarehouseSize = 'X-Small' | 'Small' | 'Medium' | 'Large' | 'X-Large' | '2X-Large' | '3X-Large' | '4X-Large' | '5X-Large' | '6X-Large';

export const CREDITS_PER_HOUR: Readonly<Record<WarehouseSize, number>> = {
  'X-Small': 1,
  Small: 2,
  Medium: 4,
  Large: 8,
  'X-Large': 16,
  '2X-Large': 32,
  '3X-Large': 64,
  '4X-Large': 128,
  '5X-Large': 256,
  '6X-Large': 512,
};

export const MINIMUM_BILLED_SECONDS = 60;

export interface WarehouseConfig {
  size?: WarehouseSize;
  autoSuspendSeconds?: number;
  /** Statements that run at once; more wait for a free slot (default 8, Snowflake's MAX_CONCURRENCY_LEVEL). */
  maxConcurrency?: number;
}

export const DEFAULT_MAX_CONCURRENCY = 8;

export interface StatementLogEntry {
  /** Statement text, truncated to 200 characters. */
  text: string;
  user: string;
  role: string;
  warehouse: string | null;
  queryTag: string | null;
  rows: number;
  /** True if this statement resumed its warehouse. */
  resumed: boolean;
  /** False for metadata-only statements (SHOW, SELECT without a table...). */
  usedWarehouse: boolean;
  startTime: string;
  endTime: string;
  /** Snowflake error code if the statement failed. */
  errorCode: string | null;
}

export interface WarehouseUsage {
  size: WarehouseSize;
  autoSuspendSeconds: number;
  statements: number;
  resumes: number;
  awakeSeconds: number;
  billedSeconds: number;
  credits: number;
  /** State at the clock's current time. */
  state: 'STARTED' | 'SUSPENDED';
}

export interface WarehouseReport {
  /** Every statement the engine ran (metadata included). */
  statements: number;
  /** Statements that needed a warehouse. */
  warehouseStatements: number;
  resumes: number;
  awakeSeconds: number;
  credits: number;
  byWarehouse: Record<string, WarehouseUsage>;
  /** The most recent statements, oldest first (bounded). */
  log: StatementLogEntry[];
}

interface AwakePeriod {
  resumedAt: number;
  lastEnd: number;
  running: number;
}

interface WarehouseState {
  readonly name: string;
  readonly size: WarehouseSize;
  readonly autoSuspendMs: number;
  readonly periods: AwakePeriod[];
  /** Per concurrency slot, the virtual time (ms) it is free again. */
  readonly slotsFreeAt: number[];
  statements: number;
}

export const STATEMENT_LOG_LIMIT = 1000;

export class WarehouseModel {
  private readonly warehouses = new Map<string, WarehouseState>();
  private readonly log: StatementLogEntry[] = [];
  private statements = 0;
  private warehouseStatements = 0;

  constructor(configs: Record<string, WarehouseConfig>) {
    for (const [name, config] of Object.entries(configs)) {
      const size = config.size ?? 'X-Small';
      if (!(size in CREDITS_PER_HOUR)) throw new RangeError(`warehouse ${name}: unknown size ${size}`);
      const autoSuspend = config.autoSuspendSeconds ?? 60;
      if (!Number.isFinite(autoSuspend) || autoSuspend < 0) throw new RangeError(`warehouse ${name}: autoSuspendSeconds must be >= 0`);
      const slots = config.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
      if (!Number.isSafeInteger(slots) || slots < 1) throw new RangeError(`warehouse ${name}: maxConcurrency must be a whole number >= 1`);
      this.warehouses.set(name.toUpperCase(), {
        name: name.toUpperCase(),
        size,
        autoSuspendMs: autoSuspend * 1000,
        periods: [],
        slotsFreeAt: new Array<number>(slots).fill(0),
        statements: 0,
      });
    }
  }

  /** The canonical (upper-case) names of the configured warehouses. */
  names(): string[] {
    return [...this.warehouses.keys()];
  }

  /** The canonical (upper-case) name of a configured warehouse, or undefined. */
  resolve(name: string | undefined | null): string | undefined {
    if (!name) return undefined;
    const unquoted = name.startsWith('"') && name.endsWith('"') ? name.slice(1, -1) : name.toUpperCase();
    return this.warehouses.has(unquoted) ? unquoted : undefined;
  }

  /** A statement starts on the warehouse at virtual time `at`; returns whether it resumed the warehouse. */
  begin(name: string, at: Date): { resumed: boolean } {
    const state = this.state(name);
    const t = at.getTime();
    state.statements++;
    const current = state.periods[state.periods.length - 1];
    if (current && (current.running > 0 || t <= current.lastEnd + state.autoSuspendMs)) {
      current.running++;
      current.lastEnd = Math.max(current.lastEnd, t);
      return { resumed: false };
    }
    state.periods.push({ resumedAt: t, lastEnd: t, running: 1 });
    return { resumed: true };
  }

  /**
   * Where a statement submitted at `requestedAt` that runs `durationMs` falls in time: in the slot that frees first,
   * starting when both it and the slot are ready. Used with modelled durations only (see the module comment).
   */
  place(name: string, requestedAt: Date, durationMs: number): { start: Date; end: Date } {
    const slots = this.state(name).slotsFreeAt;
    let chosen = 0;
    for (let i = 1; i < slots.length; i++) if (slots[i]! < slots[chosen]!) chosen = i;
    const start = Math.max(requestedAt.getTime(), slots[chosen]!);
    const end = start + Math.max(0, Math.round(durationMs));
    slots[chosen] = end;
    return { start: new Date(start), end: new Date(end) };
  }

  end(name: string, at: Date): void {
    const state = this.state(name);
    const current = state.periods[state.periods.length - 1];
    if (!current) return;
    current.running = Math.max(0, current.running - 1);
    current.lastEnd = Math.max(current.lastEnd, at.getTime());
  }

  record(entry: StatementLogEntry): void {
    this.statements++;
    if (entry.usedWarehouse) this.warehouseStatements++;
    this.log.push(entry);
    if (this.log.length > STATEMENT_LOG_LIMIT) this.log.splice(0, this.log.length - STATEMENT_LOG_LIMIT);
  }

  report(now: Date): WarehouseReport {
    const byWarehouse: Record<string, WarehouseUsage> = {};
    let resumes = 0;
    let awakeSeconds = 0;
    let credits = 0;
    for (const state of this.warehouses.values()) {
      let awake = 0;
      let billed = 0;
      for (const period of state.periods) {
        const end = Math.max(period.lastEnd, period.running > 0 ? now.getTime() : period.lastEnd) + state.autoSuspendMs;
        const seconds = (end - period.resumedAt) / 1000;
        awake += seconds;
        billed += Math.max(MINIMUM_BILLED_SECONDS, seconds);
      }
      const last = state.periods[state.periods.length - 1];
      const started = last !== undefined && (last.running > 0 || now.getTime() < last.lastEnd + state.autoSuspendMs);
      const usage: WarehouseUsage = {
        size: state.size,
        autoSuspendSeconds: state.autoSuspendMs / 1000,
        statements: state.statements,
        resumes: state.periods.length,
        awakeSeconds: awake,
        billedSeconds: billed,
        credits: (billed / 3600) * CREDITS_PER_HOUR[state.size],
        state: started ? 'STARTED' : 'SUSPENDED',
      };
      byWarehouse[state.name] = usage;
      resumes += usage.resumes;
      awakeSeconds += awake;
      credits += usage.credits;
    }
    return { statements: this.statements, warehouseStatements: this.warehouseStatements, resumes, awakeSeconds, credits, byWarehouse, log: [...this.log] };
  }

  private state(name: string): WarehouseState {
    const state = this.warehouses.get(name);
    if (!state) throw new Error(`unknown warehouse ${name}`);
    return state;
  }
}
