// Bulk loading of view rows (scenario generator, JSON Lines import). Rows are converted column by column and appended
// in DuckDB data chunks of 2048 rows: about 13 s per million 38-column QUERY_HISTORY rows here, where a per-value
// appender took ~75 s and a temporary NDJSON file ~40 s. Memory stays bounded by one chunk.

import type { DuckDBAppender, DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { DuckDBDataChunk, DuckDBDateValue, DuckDBTimestampTZValue, DuckDBTimestampValue } from '@duckdb/node-api';
import { VIEWS } from '../schema.ts';
import type { ViewColumnType, ViewDefinition } from '../schema.ts';
import { STORE_SCHEMA, storeTableName } from './catalog.ts';

export class EmulatorInputError extends Error {
  readonly code: 'UNKNOWN_VIEW' | 'UNKNOWN_COLUMN' | 'INVALID_VALUE';

  constructor(code: EmulatorInputError['code'], message: string) {
    super(message);
    this.name = 'EmulatorInputError';
    this.code = code;
  }
}

const CHUNK_ROWS = 2048;

/** 'QUERY_HISTORY', 'ACCOUNT_USAGE.QUERY_HISTORY', 'SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY' (case-insensitive). */
export function resolveView(name: string): ViewDefinition {
  const parts = name.toUpperCase().split('.');
  const viewName = parts[parts.length - 1];
  const schema = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  const found = VIEWS.find((v) => v.name === viewName && (schema === undefined || v.schema === schema));
  if (!found) throw new EmulatorInputError('UNKNOWN_VIEW', `unknown view ${name}`);
  return found;
}

/** ISO-8601 text (offset optional, then UTC) to microseconds since the epoch, keeping sub-millisecond digits. */
export function parseTimestampMicros(text: string): bigint | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(text.trim());
  if (!match) return undefined;
  const [, day, time = '00:00:00', fraction = '', zone = 'Z'] = match;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${day}T${time.length === 5 ? `${time}:00` : time}${offset}`);
  if (!Number.isFinite(ms)) return undefined;
  const micros = BigInt(fraction.padEnd(6, '0').slice(0, 6));
  return BigInt(ms) * 1000n + micros;
}

function invalid(column: string, value: unknown, type: ViewColumnType): never {
  throw new EmulatorInputError('INVALID_VALUE', `column ${column}: ${typeof value} value cannot be stored as ${type}`);
}

function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
}

function timestampMicros(column: string, value: unknown, type: ViewColumnType): bigint {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) invalid(column, value, type);
    return BigInt(value.getTime()) * 1000n;
  }
  if (typeof value === 'string') {
    const micros = parseTimestampMicros(value);
    if (micros === undefined) invalid(column, value, type);
    return micros;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.round(value)) * 1000n; // epoch ms
  return invalid(column, value, type);
}

/** Converts one JS value to the DuckDB value for a column of the given Snowflake type. */
export function toColumnValue(column: string, type: ViewColumnType, value: unknown): DuckDBValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'NUMBER':
      if (typeof value === 'bigint') return value;
      if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.round(value));
      if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) return BigInt(value.trim());
      if (typeof value === 'string' && Number.isFinite(Number(value))) return BigInt(Math.round(Number(value)));
      return invalid(column, value, type);
    case 'FLOAT':
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint') return Number(value);
      if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
      return invalid(column, value, type);
    case 'TEXT':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
      if (value instanceof Date) return value.toISOString();
      return jsonText(value);
    case 'BOOLEAN':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'TRUE') return true;
      if (value === 'false' || value === 'FALSE') return false;
      if (value === 0 || value === 1) return value === 1;
      return invalid(column, value, type);
    case 'TIMESTAMP_LTZ':
      return new DuckDBTimestampTZValue(timestampMicros(column, value, type));
    case 'TIMESTAMP_NTZ':
      return new DuckDBTimestampValue(timestampMicros(column, value, type));
    case 'DATE': {
      const micros = timestampMicros(column, value, type);
      return new DuckDBDateValue(Number(micros / 86_400_000_000n) - (micros < 0n && micros % 86_400_000_000n !== 0n ? 1 : 0));
    }
    case 'VARIANT':
    case 'OBJECT':
    case 'ARRAY':
      if (type === 'OBJECT' && (typeof value !== 'object' || Array.isArray(value))) invalid(column, value, type);
      if (type === 'ARRAY' && !Array.isArray(value)) invalid(column, value, type);
      return jsonText(value);
  }
}

/** Appends rows to a view's storage table through one appender; returns the number of rows. */
export async function appendRows(
  connection: DuckDBConnection,
  view: ViewDefinition,
  rows: Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>,
): Promise<number> {
  const columnIndex = new Map(view.columns.map((c, i) => [c.name, i]));
  const appender: DuckDBAppender = await connection.createAppender(storeTableName(view), STORE_SCHEMA, 'SNOWFLAKE');
  const types = view.columns.map((_, i) => appender.columnType(i));
  const chunk = DuckDBDataChunk.create(types, CHUNK_ROWS);
  const width = view.columns.length;
  let columns: DuckDBValue[][] = Array.from({ length: width }, () => []);
  let pending = 0;
  let total = 0;
  const flush = (): void => {
    if (pending === 0) return;
    chunk.reset();
    chunk.rowCount = pending;
    chunk.setColumns(columns);
    appender.appendDataChunk(chunk);
    columns = Array.from({ length: width }, () => []);
    pending = 0;
  };
  try {
    for await (const row of rows) {
      const values: DuckDBValue[] = new Array<DuckDBValue>(width).fill(null);
      for (const [name, raw] of Object.entries(row)) {
        const key = name.toUpperCase();
        const index = columnIndex.get(key);
        if (index === undefined) throw new EmulatorInputError('UNKNOWN_COLUMN', `view ${view.schema}.${view.name} has no column ${name}`);
        values[index] = toColumnValue(key, view.columns[index]!.type, raw);
      }
      for (let c = 0; c < width; c++) columns[c]!.push(values[c]!);
      pending++;
      total++;
      if (pending === CHUNK_ROWS) flush();
    }
    flush();
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  return total;
}
