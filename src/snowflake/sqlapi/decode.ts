// Turns the SQL API's wire text (every value a JSON string, SQL NULL a JSON null) into typed JavaScript values, by
// each column's rowType. A decoder is compiled once per result and reused for every row, so the per-value work is
// one switch-free function call.
//
// Representations (chosen so that nothing is ever silently rounded or truncated):
//   fixed, scale 0        number when |v| <= Number.MAX_SAFE_INTEGER, else bigint (a NUMBER(38,0) holding 2^53+1
//                         comes back exact; typical counts and ids stay plain numbers)
//   fixed, scale > 0      the decimal text as sent (`"12.5000"`): no binary float can hold every NUMBER(38,s);
//                         callers that want a number call Number() knowing what they give up
//   real                  number, including NaN, Infinity, -Infinity (wire `NaN`, `inf`, `-inf`)
//   text                  string
//   boolean               boolean
//   date                  `YYYY-MM-DD` string (ISO; a DATE has no zone, and the string compares and prints as is)
//   time                  SnowflakeTime (seconds of day + nanoseconds)
//   timestamp_ntz/ltz/tz  SnowflakeTimestamp (epoch seconds + nanoseconds, TZ also the offset in minutes)
//   variant/object/array  parsed JSON; Snowflake's bare `undefined` array element (SQL NULL) becomes null.
//                         Numbers inside JSON follow JSON.parse (doubles); a JSON null and SQL NULL both give null.
//   binary                Buffer from the hex text
//   anything else         the wire string unchanged (vector, decfloat, types added later)
import { ResponseDecodeError, previewValue } from './errors.ts';
import { SnowflakeTime, SnowflakeTimestamp, type TimestampKind } from './values.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** null, string, number, boolean and parsed JSON come from JsonValue; the rest are the exact types listed above. */
export type DecodedValue = JsonValue | bigint | Buffer | SnowflakeTime | SnowflakeTimestamp;

export type DecodedRow = readonly DecodedValue[];

/** One entry of `resultSetMetaData.rowType`, with the fields the decoder and callers use. */
export interface ColumnMeta {
  readonly name: string;
  /** Lower case as the server sends it (compare case-insensitively; the docs show upper case). */
  readonly type: string;
  readonly scale?: number | null | undefined;
  readonly precision?: number | null | undefined;
  readonly nullable?: boolean | null | undefined;
  readonly length?: number | null | undefined;
  readonly byteLength?: number | null | undefined;
  readonly extTypeName?: string | null | undefined;
  readonly database?: string | null | undefined;
  readonly schema?: string | null | undefined;
  readonly table?: string | null | undefined;
}

/** Thrown by value decoders; the row decoder adds the column and row it happened at. */
class BadValue extends Error {}

type ValueDecoder = (text: string) => DecodedValue;

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?\d+(?:\.\d+)?$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const EPOCH = /^(-?)(\d+)(?:\.(\d{1,9}))?$/;
const HEX = /^(?:[0-9A-Fa-f]{2})*$/;
const MS_PER_DAY = 86_400_000;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function decodeInteger(text: string): number | bigint {
  if (!INTEGER.test(text)) throw new BadValue('not an integer');
  // Up to 15 digits always fits a double exactly; only longer texts need the bigint check.
  const digits = text.charCodeAt(0) === 45 ? text.length - 1 : text.length;
  if (digits <= 15) return Number(text);
  const big = BigInt(text);
  return big <= MAX_SAFE && big >= -MAX_SAFE ? Number(big) : big;
}

function decodeDecimal(text: string): string {
  if (!DECIMAL.test(text)) throw new BadValue('not a decimal number');
  return text;
}

function decodeFixedUnknownScale(text: string): number | bigint | string {
  return INTEGER.test(text) ? decodeInteger(text) : decodeDecimal(text);
}

function decodeReal(text: string): number {
  if (FLOAT.test(text)) return Number(text);
  switch (text.toLowerCase()) {
    case 'nan':
      return Number.NaN;
    case 'inf':
    case 'infinity':
    case '+inf':
    case '+infinity':
      return Number.POSITIVE_INFINITY;
    case '-inf':
    case '-infinity':
      return Number.NEGATIVE_INFINITY;
    default:
      throw new BadValue('not a floating-point number');
  }
}

function decodeText(text: string): string {
  return text;
}

function decodeBoolean(text: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new BadValue('not a boolean');
}

function decodeDate(text: string): string {
  if (!INTEGER.test(text) || text.length > 9) throw new BadValue('not a day count');
  const date = new Date(Number(text) * MS_PER_DAY);
  if (Number.isNaN(date.getTime())) throw new BadValue('day count out of range');
  const iso = date.toISOString();
  return iso.slice(0, iso.indexOf('T'));
}

/** Splits `[-]seconds[.fraction]` into whole seconds (towards the past) and nanoseconds 0..999,999,999. */
function splitEpoch(text: string): { seconds: number; nanos: number } {
  const match = EPOCH.exec(text);
  if (match === null) throw new BadValue('not seconds with up to 9 decimals');
  const whole = Number(match[2]);
  if (!Number.isSafeInteger(whole)) throw new BadValue('seconds out of range');
  const fraction = match[3];
  const nanos = fraction === undefined ? 0 : Number(fraction.padEnd(9, '0'));
  if (match[1] !== '-') return { seconds: whole, nanos };
  return nanos === 0 ? { seconds: -whole, nanos: 0 } : { seconds: -whole - 1, nanos: 1_000_000_000 - nanos };
}

function decodeTime(text: string): SnowflakeTime {
  const { seconds, nanos } = splitEpoch(text);
  if (seconds < 0 || seconds >= 86_400) throw new BadValue('time of day out of range');
  return new SnowflakeTime(seconds, nanos);
}

function timestampDecoder(kind: 'ntz' | 'ltz'): ValueDecoder {
  return (text) => {
    const { seconds, nanos } = splitEpoch(text);
    return new SnowflakeTimestamp(kind, seconds, nanos);
  };
}

function decodeTimestampTz(text: string): SnowflakeTimestamp {
  const space = text.indexOf(' ');
  if (space < 0) throw new BadValue('missing the time zone offset');
  const offsetText = text.slice(space + 1);
  if (!/^\d{1,4}$/.test(offsetText)) throw new BadValue('malformed time zone offset');
  const offsetMinutes = Number(offsetText) - 1440;
  // Snowflake's offsets span -12:00..+14:00; anything beyond a day is not an offset.
  if (offsetMinutes < -1440 || offsetMinutes > 1440) throw new BadValue('time zone offset out of range');
  const { seconds, nanos } = splitEpoch(text.slice(0, space));
  const kind: TimestampKind = 'tz';
  return new SnowflakeTimestamp(kind, seconds, nanos, offsetMinutes);
}

/**
 * Snowflake writes a NULL element of an ARRAY as the bare word `undefined`, which is not JSON. Replace such tokens
 * (outside string literals only) with `null`.
 */
export function replaceUndefinedTokens(text: string): string {
  let out = '';
  let copiedUpTo = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 117 && text.startsWith('undefined', i)) {
      out += `${text.slice(copiedUpTo, i)}null`;
      i += 'undefined'.length - 1;
      copiedUpTo = i + 1;
    }
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

function decodeJson(text: string): JsonValue {
  const source = text.includes('undefined') ? replaceUndefinedTokens(text) : text;
  try {
    return JSON.parse(source) as JsonValue;
  } catch {
    throw new BadValue('not valid JSON');
  }
}

function decodeBinary(text: string): Buffer {
  if (!HEX.test(text)) throw new BadValue('not hexadecimal');
  return Buffer.from(text, 'hex');
}

function valueDecoderFor(column: ColumnMeta): ValueDecoder {
  switch (column.type.toLowerCase()) {
    case 'fixed':
      if (column.scale === 0) return decodeInteger;
      if (typeof column.scale === 'number' && column.scale > 0) return decodeDecimal;
      return decodeFixedUnknownScale;
    case 'real':
      return decodeReal;
    case 'text':
      return decodeText;
    case 'boolean':
      return decodeBoolean;
    case 'date':
      return decodeDate;
    case 'time':
      return decodeTime;
    case 'timestamp_ntz':
      return timestampDecoder('ntz');
    case 'timestamp_ltz':
      return timestampDecoder('ltz');
    case 'timestamp_tz':
      return decodeTimestampTz;
    case 'variant':
    case 'object':
    case 'array':
      return decodeJson;
    case 'binary':
      return decodeBinary;
    default:
      return decodeText;
  }
}

export interface RowDecoder {
  readonly columns: readonly ColumnMeta[];
  /** Decodes one raw row; `rowIndex` is the row's position in the whole result, for error messages. */
  decode(raw: unknown, rowIndex: number): DecodedRow;
}

export function createRowDecoder(columns: readonly ColumnMeta[]): RowDecoder {
  const decoders = columns.map(valueDecoderFor);
  const width = columns.length;

  function fail(reason: string, columnIndex: number, rowIndex: number): ResponseDecodeError {
    const column = columns[columnIndex]?.name ?? '';
    const type = columns[columnIndex]?.type ?? '';
    const where = columnIndex >= 0 ? `column ${JSON.stringify(column)} (${type}, #${columnIndex + 1}) ` : '';
    return new ResponseDecodeError(`row ${rowIndex}: ${where}${reason}`, { column, columnIndex, rowIndex });
  }

  return {
    columns,
    decode(raw: unknown, rowIndex: number): DecodedRow {
      if (!Array.isArray(raw)) throw fail('row is not an array', -1, rowIndex);
      if (raw.length !== width) throw fail(`row has ${raw.length} values, rowType has ${width} columns`, -1, rowIndex);
      const out = new Array<DecodedValue>(width);
      let i = 0;
      try {
        for (; i < width; i++) {
          const value: unknown = raw[i];
          if (value === null) out[i] = null;
          else if (typeof value === 'string') out[i] = (decoders[i] as ValueDecoder)(value);
          else throw new BadValue(`expected a string or null, got ${typeof value}`);
        }
      } catch (error) {
        if (error instanceof BadValue) throw fail(`${error.message}: ${previewValue(raw[i])}`, i, rowIndex);
        throw error;
      }
      return out;
    },
  };
}

/** Keys a decoded row by column name. With duplicate names (Snowflake allows them) the last column wins. */
export function rowToObject(columns: readonly ColumnMeta[], row: DecodedRow): Record<string, DecodedValue> {
  const entries = new Array<[string, DecodedValue]>(columns.length);
  for (let i = 0; i < columns.length; i++) entries[i] = [(columns[i] as ColumnMeta).name, row[i] ?? null];
  // fromEntries defines own properties, so a column named __proto__ cannot touch the prototype.
  return Object.fromEntries(entries);
}
