// A virtual clock for simulated days with many accounts: the scheduler's sleeps park on it, and the driver moves it
// (and the emulator's clock with it) to the earliest sleeper once every account loop is parked and no cycle runs.
// Time stands still while cycles run, as in test/integration/cost/simulated-day.ts (which drives one account).
import type { VirtualClock } from '../../emulator/engine/index.ts';
import type { Clock } from '../../src/collect/cycle.ts';

interface Sleeper {
  readonly at: number;
  readonly wake: () => void;
}

export class ParkedClock implements Clock {
  readonly #engineClock: VirtualClock;
  readonly #sleepers = new Set<Sleeper>();
  #now: number;
  #waiters: (() => void)[] = [];

  constructor(start: Date, engineClock: VirtualClock) {
    this.#now = start.getTime();
    this.#engineClock = engineClock;
    engineClock.set(start);
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      const sleeper: Sleeper = {
        at: this.#now + Math.max(0, ms),
        wake: () => {
          this.#sleepers.delete(sleeper);
          signal?.removeEventListener('abort', sleeper.wake);
          resolve();
        },
      };
      this.#sleepers.add(sleeper);
      signal?.addEventListener('abort', sleeper.wake, { once: true });
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const wake of waiters) wake();
    });
  }

  /** How many loops are parked now. */
  get sleeping(): number {
    return this.#sleepers.size;
  }

  /** The earliest time a sleeper waits for. */
  earliest(): number | undefined {
    let earliest: number | undefined;
    for (const sleeper of this.#sleepers) if (earliest === undefined || sleeper.at < earliest) earliest = sleeper.at;
    return earliest;
  }

  /** Resolves at the next sleep() call. */
  nextSleep(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Moves both clocks to `t` and wakes every sleeper due by then. */
  advanceTo(t: number): void {
    this.#now = Math.max(this.#now, t);
    this.#engineClock.set(new Date(this.#now));
    for (const sleeper of [...this.#sleepers]) if (sleeper.at <= this.#now) sleeper.wake();
  }
}
