// Snowflake wire text for result values and rowType entries for result columns (reference section 1.6, checked
// against recordings 018, 023, 026, 030 and 034). Every value is a string or null; the encodings are exact.

import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';
import {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBStructValue,
  DuckDBTimeValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
} from '@duckdb/node-api';
import type { SemiStructuredWire } from './translate/names.ts';
import type { RowTypeField, SnowflakeWireType } from './types.ts';
import { VIEWS } from '../schema.ts';

export type ValueEncoder = (value: DuckDBValue) => string | null;

const TABLE_TEXT_COLUMNS = new Set(VIEWS.flatMap((v) => v.columns.filter((c) => c.type === 'TEXT').map((c) => c.name)));

/** Decimal digits with the scale kept: 125000n, scale 4 -> "12.5000". */
export function encodeScaledInteger(unscaled: bigint, scale: number): string {
  if (scale <= 0) return unscaled.toString();
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** Microseconds since the epoch -> "seconds.nnnnnnnnn" (DuckDB holds microseconds; Snowflake prints nanoseconds). */
export function encodeEpochMicros(micros: bigint): string {
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const seconds = abs / 1_000_000n;
  const fraction = (abs % 1_000_000n).toString().padStart(6, '0');
  return `${negative ? '-' : ''}${seconds}.${fraction}000`;
}

/** TIMESTAMP_TZ: epoch seconds with 9 decimals, a space, and the offset in minutes plus 1440. */
export function encodeTimestampTz(micros: bigint, offsetMinutes: number): string {
  return `${encodeEpochMicros(micros)} ${offsetMinutes + 1440}`;
}

export function encodeReal(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return String(value);
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Snowflake's VARIANT text: 2-space indentation, `": "`, object keys in sorted order (Snowflake stores OBJECT keys
 * sorted), and `undefined` for a null array element.
 */
export function prettyVariant(value: Json, indent = ''): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inner = `${indent}  `;
    return `[\n${value.map((item) => inner + (item === null ? 'undefined' : prettyVariant(item, inner))).join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort();
    if (keys.length === 0) return '{}';
    const inner = `${indent}  `;
    return `{\n${keys.map((key) => `${inner}${JSON.stringify(key)}: ${prettyVariant(value[key]!, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

export function encodeVariantText(jsonText: string): string {
  return prettyVariant(JSON.parse(jsonText) as Json);
}

function toJson(value: DuckDBValue): Json {
  if (value === null) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  if (value instanceof DuckDBListValue) return value.items.map(toJson);
  if (value instanceof DuckDBStructValue) return Object.fromEntries(Object.entries(value.entries).map(([k, v]) => [k, toJson(v)]));
  if (value instanceof DuckDBDecimalValue) return Number(encodeScaledInteger(value.value, value.scale));
  return String(value);
}

interface ColumnEncoding {
  readonly wire: SnowflakeWireType;
  readonly encode: ValueEncoder;
  readonly precision: number | null;
  readonly scale: number | null;
  readonly length: number | null;
  readonly byteLength: number | null;
}

const fixedInteger = (precision: number): ColumnEncoding => ({
  wire: 'fixed',
  precision,
  scale: 0,
  length: null,
  byteLength: null,
  encode: (v) => (v === null ? null : String(v)),
});

/** Chooses the Snowflake type, rowType figures and value encoder for one DuckDB result column. */
export function columnEncoding(type: DuckDBType, name: string, integerLiteralDigits?: number, structured?: SemiStructuredWire): ColumnEncoding {
  const plain = { precision: null, scale: null, length: null, byteLength: null };
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return { wire: 'boolean', ...plain, encode: (v) => (v === null ? null : v ? 'true' : 'false') };
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.UTINYINT:
      return fixedInteger(integerLiteralDigits ?? 3);
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.USMALLINT:
      return fixedInteger(integerLiteralDigits ?? 5);
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UINTEGER:
      return fixedInteger(integerLiteralDigits ?? 10);
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
      // COUNT(*) is BIGINT in DuckDB and NUMBER(18,0) in Snowflake.
      return fixedInteger(integerLiteralDigits ?? 18);
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return fixedInteger(38);
    case DuckDBTypeId.DECIMAL: {
      const { width, scale } = type as DuckDBType & { width: number; scale: number };
      return {
        wire: 'fixed',
        precision: width,
        scale,
        length: null,
        byteLength: null,
        encode: (v) => (v === null ? null : v instanceof DuckDBDecimalValue ? encodeScaledInteger(v.value, v.scale) : String(v)),
      };
    }
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return { wire: 'real', ...plain, encode: (v) => (v === null ? null : encodeReal(Number(v))) };
    case DuckDBTypeId.DATE:
      return { wire: 'date', ...plain, encode: (v) => (v === null ? null : v instanceof DuckDBDateValue ? String(v.days) : String(v)) };
    case DuckDBTypeId.TIME:
      return {
        wire: 'time',
        precision: 0,
        scale: 9,
        length: null,
        byteLength: null,
        encode: (v) => (v === null ? null : v instanceof DuckDBTimeValue ? encodeEpochMicros(v.micros) : String(v)),
      };
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return {
        wire: type.typeId === DuckDBTypeId.TIMESTAMP ? 'timestamp_ntz' : 'timestamp_ltz',
        precision: 0,
        scale: 9,
        length: null,
        byteLength: null,
        encode: (v) => (v === null ? null : v instanceof DuckDBTimestampTZValue || v instanceof DuckDBTimestampValue ? encodeEpochMicros(v.micros) : String(v)),
      };
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return { wire: 'timestamp_ntz', precision: 0, scale: 9, length: null, byteLength: null, encode: (v) => (v === null ? null : String(v)) };
    case DuckDBTypeId.BLOB:
      return {
        wire: 'binary',
        precision: null,
        scale: null,
        length: 8388608,
        byteLength: 8388608,
        encode: (v) => (v === null ? null : v instanceof DuckDBBlobValue ? Buffer.from(v.bytes).toString('hex').toUpperCase() : String(v)),
      };
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return { wire: 'array', ...plain, encode: (v) => (v === null ? null : prettyVariant(toJson(v))) };
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
      return { wire: 'object', ...plain, encode: (v) => (v === null ? null : prettyVariant(toJson(v))) };
    case DuckDBTypeId.VARCHAR:
      if (type.alias === 'JSON') {
        // variant / object / array as the translator resolved the column (translate/names.ts).
        return { wire: structured ?? 'variant', ...plain, encode: (v) => (v === null ? null : encodeVariantText(String(v))) };
      }
      return {
        wire: 'text',
        precision: null,
        scale: null,
        length: 16777216,
        byteLength: TABLE_TEXT_COLUMNS.has(name) ? 67108864 : 16777216,
        encode: (v) => (v === null ? null : String(v)),
      };
    default:
      return { wire: 'text', precision: null, scale: null, length: 16777216, byteLength: 16777216, encode: (v) => (v === null ? null : String(v)) };
  }
}

export function rowTypeField(name: string, encoding: ColumnEncoding): RowTypeField {
  return {
    name,
    database: '',
    schema: '',
    table: '',
    collation: null,
    byteLength: encoding.byteLength,
    nullable: true,
    scale: encoding.scale,
    precision: encoding.precision,
    length: encoding.length,
    type: encoding.wire,
  };
}

/** A text column of a SHOW result or another answer the engine builds itself. */
export function textField(name: string): RowTypeField {
  return { name, database: '', schema: '', table: '', collation: null, byteLength: 16777216, nullable: true, scale: null, precision: null, length: 16777216, type: 'text' };
}

export function timestampLtzField(name: string): RowTypeField {
  return { name, database: '', schema: '', table: '', collation: null, byteLength: null, nullable: true, scale: 9, precision: 0, length: null, type: 'timestamp_ltz' };
}

export function dateToMicros(date: Date): bigint {
  return BigInt(date.getTime()) * 1000n;
}
