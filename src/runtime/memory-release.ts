// After a burst of collection, hand the memory it used back to the operating system. A cycle that streams a large
// window grows V8's heap by tens of MB of short-lived rows; V8 collects them, but keeps the emptied pages mapped, so
// without this the process would sit near its peak RSS until the next cycle, an hour later. Once no cycle of any
// account is running, one memory-reducing full collection (V8's "last resort" flavour: it compacts the heap and
// releases pooled pages) returns them: measured 264 -> 196 MB RSS after four accounts' cycles.
//
// It needs `gc` exposed (`node --expose-gc`, which the container image's ENTRYPOINT sets); without it, this does
// nothing. The collection is synchronous and runs at most once per burst: tens of milliseconds, once an hour.

/** The signature of the `gc` global that `--expose-gc` installs. */
export type GcFunction = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async'; flavor?: 'regular' | 'last-resort' }) => unknown;

export interface MemoryReleaserOptions {
  /** True while any cycle is running (the scheduler's `busy`). */
  readonly busy: () => boolean;
  /** Defaults to the `gc` global when the process was started with --expose-gc. */
  readonly gc?: GcFunction | undefined;
  /**
   * How long after a cycle ends to look again: the scheduler marks the cycle done (and may start another account's)
   * only after the cycle reported itself finished.
   */
  readonly settleMs?: number;
  readonly onReleased?: (milliseconds: number) => void;
}

function exposedGc(): GcFunction | undefined {
  const candidate: unknown = (globalThis as { gc?: unknown }).gc;
  return typeof candidate === 'function' ? (candidate as GcFunction) : undefined;
}

export class MemoryReleaser {
  readonly #busy: () => boolean;
  readonly #gc: GcFunction | undefined;
  readonly #settleMs: number;
  readonly #onReleased: ((milliseconds: number) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: MemoryReleaserOptions) {
    this.#busy = options.busy;
    this.#gc = options.gc ?? exposedGc();
    this.#settleMs = options.settleMs ?? 1000;
    this.#onReleased = options.onReleased;
  }

  /** Whether releases happen at all (gc available). */
  get enabled(): boolean {
    return this.#gc !== undefined;
  }

  /** A cycle ended: release once every cycle has ended (the last one to finish triggers it). */
  cycleFinished(): void {
    if (this.#gc === undefined || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#release();
    }, this.#settleMs);
    // Never keeps the process alive on its own.
    this.#timer.unref();
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #release(): void {
    const gc = this.#gc;
    if (gc === undefined || this.#busy()) return;
    const started = performance.now();
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    this.#onReleased?.(performance.now() - started);
  }
}
