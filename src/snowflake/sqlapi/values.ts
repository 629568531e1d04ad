// Value classes for the Snowflake types that no JavaScript primitive holds without loss: TIME and TIMESTAMP_* carry
// nanoseconds (a Date keeps milliseconds only). Both keep whole seconds and nanoseconds as two safe integers, which
// is exact over Snowflake's whole range and cheaper to build than a bigint per value; epochNanos is derived on demand.

const NANOS_PER_SECOND = 1_000_000_000;

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** A TIME value: seconds since midnight plus nanoseconds. */
export class SnowflakeTime {
  readonly secondsOfDay: number;
  readonly nanos: number;

  constructor(secondsOfDay: number, nanos: number) {
    this.secondsOfDay = secondsOfDay;
    this.nanos = nanos;
  }

  get nanosOfDay(): number {
    // 86,400 × 10^9 < 2^53, so this is exact.
    return this.secondsOfDay * NANOS_PER_SECOND + this.nanos;
  }

  /** `HH:MM:SS.nnnnnnnnn` */
  toString(): string {
    const s = this.secondsOfDay;
    return `${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor((s % 3600) / 60), 2)}:${pad(s % 60, 2)}.${pad(this.nanos, 9)}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

export type TimestampKind = 'ntz' | 'ltz' | 'tz';

/**
 * A TIMESTAMP_NTZ / _LTZ / _TZ value. `epochSeconds` + `nanos` (0..999,999,999) is the instant (for NTZ: the wall
 * clock read as UTC, as Snowflake sends it). `offsetMinutes` is set for TIMESTAMP_TZ only (the wire offset minus 1440).
 */
export class SnowflakeTimestamp {
  readonly kind: TimestampKind;
  readonly epochSeconds: number;
  readonly nanos: number;
  readonly offsetMinutes: number | null;

  constructor(kind: TimestampKind, epochSeconds: number, nanos: number, offsetMinutes: number | null = null) {
    this.kind = kind;
    this.epochSeconds = epochSeconds;
    this.nanos = nanos;
    this.offsetMinutes = offsetMinutes;
  }

  get epochNanos(): bigint {
    return BigInt(this.epochSeconds) * 1_000_000_000n + BigInt(this.nanos);
  }

  /** Milliseconds since the epoch (sub-millisecond digits dropped, rounding towards the past). */
  get epochMillis(): number {
    return this.epochSeconds * 1000 + Math.floor(this.nanos / 1_000_000);
  }

  toDate(): Date {
    return new Date(this.epochMillis);
  }

  /**
   * ISO 8601 with all nine fraction digits: `...Z` for LTZ, the local time and its offset for TZ, and no zone for NTZ
   * (it has none).
   */
  toISOString(): string {
    const shiftSeconds = (this.offsetMinutes ?? 0) * 60;
    const wall = new Date((this.epochSeconds + shiftSeconds) * 1000).toISOString();
    const base = `${wall.slice(0, wall.indexOf('.'))}.${pad(this.nanos, 9)}`;
    if (this.kind === 'ntz') return base;
    if (this.kind === 'ltz' || this.offsetMinutes === null) return `${base}Z`;
    const sign = this.offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(this.offsetMinutes);
    return `${base}${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
  }

  toJSON(): string {
    return this.toISOString();
  }

  toString(): string {
    return this.toISOString();
  }
}
