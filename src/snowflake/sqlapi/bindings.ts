// Typed builders for SQL API bindings. Values reach Snowflake only this way, never spliced into statement text: the
// server binds them as data, so a user name or a watermark can never change what the SQL does. Each builder produces
// the exact wire text the SQL API expects for its type (all values are strings).
import { InvalidBindingError } from './errors.ts';
import { SnowflakeTime, SnowflakeTimestamp } from './values.ts';

export type BindingType =
  | 'TEXT'
  | 'FIXED'
  | 'REAL'
  | 'BOOLEAN'
  | 'BINARY'
  | 'DATE'
  | 'TIME'
  | 'TIMESTAMP_NTZ'
  | 'TIMESTAMP_LTZ'
  | 'TIMESTAMP_TZ';

export interface Binding {
  readonly type: BindingType;
  readonly value: string | null;
}

/** Positional (`?` → array order) or named (`:name` → key) bindings. */
export type Bindings = readonly Binding[] | Readonly<Record<string, Binding>>;

/** A moment given as a Date, milliseconds since the epoch (number), nanoseconds (bigint), or a decoded timestamp. */
export type Instant = Date | number | bigint | SnowflakeTimestamp;

const DECIMAL = /^-?\d+(?:\.\d+)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

function instantToNanos(value: Instant, what: string): bigint {
  if (typeof value === 'bigint') return value;
  if (value instanceof SnowflakeTimestamp) return value.epochNanos;
  const ms = value instanceof Date ? value.getTime() : value;
  if (!Number.isFinite(ms)) throw new InvalidBindingError(`${what}: not a valid instant`);
  if (!Number.isInteger(ms)) {
    // Fractional milliseconds: keep microsecond precision without going through float nanoseconds.
    return BigInt(Math.round(ms * 1000)) * 1000n;
  }
  return BigInt(ms) * 1_000_000n;
}

function nullable<T>(value: T | null, make: (value: T) => Binding): Binding | null {
  return value === null ? null : make(value);
}

function checkedOffset(offsetMinutes: number): number {
  if (!Number.isInteger(offsetMinutes) || offsetMinutes < -1440 || offsetMinutes > 1440) {
    throw new InvalidBindingError('timestampTz: offset must be whole minutes between -1440 and 1440');
  }
  return offsetMinutes + 1440;
}

// Arrow functions, so a builder can be passed around (`values.map(bind.text)`) without losing `this`.
export const bind = {
  /** SQL NULL of the given type. */
  null: (type: BindingType): Binding => {
    return { type, value: null };
  },

  text: (value: string): Binding => {
    if (typeof value !== 'string') throw new InvalidBindingError('text: value must be a string');
    return { type: 'TEXT', value };
  },

  /** An exact number: a safe integer, a bigint, or a decimal text such as `"12.50"`. */
  fixed: (value: number | bigint | string): Binding => {
    if (typeof value === 'bigint') return { type: 'FIXED', value: value.toString() };
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) {
        throw new InvalidBindingError('fixed: a number must be a safe integer; pass a bigint or a decimal string');
      }
      return { type: 'FIXED', value: String(value) };
    }
    if (typeof value !== 'string' || !DECIMAL.test(value)) throw new InvalidBindingError('fixed: not a decimal number');
    return { type: 'FIXED', value };
  },

  real: (value: number): Binding => {
    if (typeof value !== 'number') throw new InvalidBindingError('real: value must be a number');
    if (Number.isNaN(value)) return { type: 'REAL', value: 'NaN' };
    if (value === Number.POSITIVE_INFINITY) return { type: 'REAL', value: 'inf' };
    if (value === Number.NEGATIVE_INFINITY) return { type: 'REAL', value: '-inf' };
    return { type: 'REAL', value: String(value) };
  },

  boolean: (value: boolean): Binding => {
    if (typeof value !== 'boolean') throw new InvalidBindingError('boolean: value must be a boolean');
    return { type: 'BOOLEAN', value: value ? 'true' : 'false' };
  },

  binary: (value: Uint8Array): Binding => {
    if (!(value instanceof Uint8Array)) throw new InvalidBindingError('binary: value must be a Uint8Array or Buffer');
    return { type: 'BINARY', value: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex').toUpperCase() };
  },

  /**
   * A DATE, sent as milliseconds since the epoch at UTC midnight (the SQL API rejects the day count that DATE columns
   * return). A Date contributes its UTC calendar day.
   */
  date: (value: Date | string): Binding => {
    let ms: number;
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw new InvalidBindingError('date: invalid Date');
      ms = Date.UTC(value.getUTCFullYear(), value.getUTCMonth(), value.getUTCDate());
    } else {
      const match = typeof value === 'string' ? ISO_DATE.exec(value) : null;
      if (match === null) throw new InvalidBindingError('date: expected YYYY-MM-DD');
      const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
      ms = Date.UTC(year, month - 1, day);
      const check = new Date(ms);
      if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
        throw new InvalidBindingError('date: no such calendar day');
      }
    }
    return { type: 'DATE', value: String(ms) };
  },

  /** A TIME, sent as nanoseconds since midnight. */
  time: (value: SnowflakeTime | string): Binding => {
    if (value instanceof SnowflakeTime) return { type: 'TIME', value: String(value.nanosOfDay) };
    const match = typeof value === 'string' ? ISO_TIME.exec(value) : null;
    if (match === null) throw new InvalidBindingError('time: expected HH:MM:SS[.fffffffff]');
    const [h, m, s] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (h > 23 || m > 59 || s > 59) throw new InvalidBindingError('time: out of range');
    const nanos = Number((match[4] ?? '').padEnd(9, '0'));
    return { type: 'TIME', value: String((h * 3600 + m * 60 + s) * 1_000_000_000 + nanos) };
  },

  /** TIMESTAMP_LTZ: an instant, sent as nanoseconds since the epoch. */
  timestampLtz: (value: Instant): Binding => {
    return { type: 'TIMESTAMP_LTZ', value: instantToNanos(value, 'timestampLtz').toString() };
  },

  /** TIMESTAMP_NTZ: a wall-clock time given as if it were UTC, sent as nanoseconds since the epoch. */
  timestampNtz: (value: Instant): Binding => {
    return { type: 'TIMESTAMP_NTZ', value: instantToNanos(value, 'timestampNtz').toString() };
  },

  /** TIMESTAMP_TZ: an instant plus its offset in minutes, sent as `"<nanoseconds> <offset + 1440>"`. */
  timestampTz: (value: Instant, offsetMinutes?: number): Binding => {
    const offset = offsetMinutes ?? (value instanceof SnowflakeTimestamp ? (value.offsetMinutes ?? 0) : 0);
    return { type: 'TIMESTAMP_TZ', value: `${instantToNanos(value, 'timestampTz').toString()} ${checkedOffset(offset)}` };
  },

  /** Convenience for nullable inputs: `bind.optional(user, bind.text)` gives a TEXT NULL for null. */
  optional: <T>(value: T | null, make: (value: T) => Binding, type: BindingType): Binding => {
    return nullable(value, make) ?? { type, value: null };
  },
} as const;

/**
 * Snowflake's reserved keywords (https://docs.snowflake.com/en/sql-reference/reserved-keywords). A named bind marker
 * spelled like one (`:from`, `:to`) is not shown to work anywhere (the recorded exchanges only show `:a`), and SQL
 * tooling reads `:from` as a path or a keyword, so the exporter never names a binding after one.
 */
const RESERVED_KEYWORDS: ReadonlySet<string> = new Set([
  'ALL', 'ALTER', 'AND', 'ANY', 'AS', 'BETWEEN', 'BY', 'CASE', 'CAST', 'CHECK', 'COLUMN', 'CONNECT', 'CONNECTION',
  'CONSTRAINT', 'CREATE', 'CROSS', 'CURRENT', 'CURRENT_DATE', 'CURRENT_TIME', 'CURRENT_TIMESTAMP', 'CURRENT_USER',
  'DATABASE', 'DELETE', 'DISTINCT', 'DROP', 'ELSE', 'EXISTS', 'FALSE', 'FOLLOWING', 'FOR', 'FROM', 'FULL', 'GRANT',
  'GROUP', 'GSCLUSTER', 'HAVING', 'ILIKE', 'IN', 'INCREMENT', 'INNER', 'INSERT', 'INTERSECT', 'INTO', 'IS', 'ISSUE',
  'JOIN', 'LATERAL', 'LEFT', 'LIKE', 'LOCALTIME', 'LOCALTIMESTAMP', 'MINUS', 'NATURAL', 'NOT', 'NULL', 'OF', 'ON', 'OR',
  'ORDER', 'ORGANIZATION', 'QUALIFY', 'REGEXP', 'REVOKE', 'RIGHT', 'RLIKE', 'ROW', 'ROWS', 'SAMPLE', 'SCHEMA',
  'SELECT', 'SET', 'SOME', 'START', 'TABLE', 'TABLESAMPLE', 'THEN', 'TO', 'TRIGGER', 'TRUE', 'TRY_CAST', 'UNION',
  'UNIQUE', 'UPDATE', 'USING', 'VALUES', 'VIEW', 'WHEN', 'WHENEVER', 'WHERE', 'WINDOW', 'WITH',
]);

/**
 * Names a `:name` bind marker may have. Lower case because that is the form a real account is recorded binding
 * (`:a` with the key "a"); whether Snowflake folds a mixed-case marker before matching the key is not documented.
 */
const BINDING_NAME = /^[a-z][a-z0-9_]*$/;

/** Throws unless `key` is a safe name for a `:name` marker (see BINDING_NAME and RESERVED_KEYWORDS). */
export function checkBindingName(key: string): void {
  if (!BINDING_NAME.test(key)) throw new InvalidBindingError(`binding ${key}: a named binding is lower case letters, digits and _, starting with a letter`);
  if (RESERVED_KEYWORDS.has(key.toUpperCase())) throw new InvalidBindingError(`binding ${key}: a reserved word cannot name a binding`);
}

/** The request's `bindings` object: positions `"1"`, `"2"`, ... for an array; names as given for a record. */
export function toWireBindings(bindings: Bindings): Record<string, Binding> {
  const out: Record<string, Binding> = {};
  const positional = Array.isArray(bindings);
  const entries: [string, Binding][] = positional
    ? (bindings as readonly Binding[]).map((binding, index) => [String(index + 1), binding])
    : Object.entries(bindings as Readonly<Record<string, Binding>>);
  for (const [key, binding] of entries) {
    if (!positional && !/^[1-9][0-9]*$/.test(key)) checkBindingName(key);
    if (typeof binding !== 'object' || binding === null || typeof binding.type !== 'string') {
      throw new InvalidBindingError(`binding ${key}: use the bind.* helpers to build bindings`);
    }
    if (binding.value !== null && typeof binding.value !== 'string') {
      throw new InvalidBindingError(`binding ${key}: value must be a string or null`);
    }
    Object.defineProperty(out, key, { value: { type: binding.type, value: binding.value }, enumerable: true });
  }
  return out;
}
