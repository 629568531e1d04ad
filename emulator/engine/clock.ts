// The emulator's virtual clock. CURRENT_TIMESTAMP(), view latency and the warehouse model all read it; only tests
// and scenarios move it, so a run can cover hours of Snowflake time in milliseconds of wall time.

export interface VirtualClock {
  now(): Date;
  set(t: Date): void;
  advance(ms: number): void;
}

export function createVirtualClock(start: Date = new Date()): VirtualClock {
  let current = start.getTime();
  if (!Number.isFinite(current)) throw new RangeError('createVirtualClock: start is not a valid date');
  return {
    now: () => new Date(current),
    set: (t: Date) => {
      const ms = t.getTime();
      if (!Number.isFinite(ms)) throw new RangeError('VirtualClock.set: not a valid date');
      current = ms;
    },
    advance: (ms: number) => {
      if (!Number.isFinite(ms)) throw new RangeError('VirtualClock.advance: not a finite number of milliseconds');
      current += ms;
    },
  };
}
