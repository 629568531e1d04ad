// SQL API bindings (`{"1": {"type": "FIXED", "value": "42"}}`) to DuckDB prepared-statement values. Values are bound,
// never spliced into SQL text. Wire formats: DATE in ms since the epoch, TIME in ns since midnight, TIMESTAMP_* in ns
// since the epoch, TIMESTAMP_TZ as "<ns> <offset minutes + 1440>", BINARY as hex.

import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';
import {
  BLOB,
  BOOLEAN,
  DATE,
  DECIMAL,
  DOUBLE,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimeValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  TIME,
  TIMESTAMP,
  TIMESTAMPTZ,
  VARCHAR,
} from '@duckdb/node-api';
import { bindingError } from './errors.ts';
import type { Binding } from './types.ts';

export interface BoundValue {
  readonly value: DuckDBValue;
  readonly type: DuckDBType;
}

const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?\d*\.\d+$|^[+-]?\d+\.\d*$/;

function bad(key: string, binding: Binding): never {
  throw bindingError('002086', `Bind variable ${key} of type ${binding.type} has an invalid value '${String(binding.value)}'.`);
}

function nanosToMicros(text: string, key: string, binding: Binding): bigint {
  if (!INTEGER_TEXT.test(text)) bad(key, binding);
  return BigInt(text) / 1000n;
}

export function convertBinding(key: string, binding: Binding): BoundValue {
  const type = String(binding.type ?? '').toUpperCase();
  if (Array.isArray(binding.value)) throw bindingError('002099', `Array bind for ${key} is not supported by the emulator.`);
  const text = binding.value;
  switch (type) {
    case 'FIXED': {
      if (text === null) return { value: null, type: DECIMAL(38, 0) };
      const trimmed = text.trim();
      if (INTEGER_TEXT.test(trimmed)) return { value: new DuckDBDecimalValue(BigInt(trimmed), 38, 0), type: DECIMAL(38, 0) };
      if (DECIMAL_TEXT.test(trimmed)) {
        const [whole = '0', fraction = ''] = trimmed.replace(/^\+/, '').split('.');
        const scale = Math.min(fraction.length, 37);
        const unscaled = BigInt(`${whole === '-' || whole === '' ? `${whole}0` : whole}${fraction.slice(0, scale)}`);
        return { value: new DuckDBDecimalValue(unscaled, 38, scale), type: DECIMAL(38, scale) };
      }
      return bad(key, binding);
    }
    case 'REAL': {
      if (text === null) return { value: null, type: DOUBLE };
      const special: Record<string, number> = { nan: NaN, inf: Infinity, '-inf': -Infinity, infinity: Infinity, '-infinity': -Infinity };
      const lower = text.trim().toLowerCase();
      const n = lower in special ? special[lower]! : Number(lower);
      if (lower === '' || (Number.isNaN(n) && lower !== 'nan')) bad(key, binding);
      return { value: n, type: DOUBLE };
    }
    case 'TEXT':
      return { value: text, type: VARCHAR };
    case 'BOOLEAN': {
      if (text === null) return { value: null, type: BOOLEAN };
      const lower = text.trim().toLowerCase();
      if (['true', 't', 'yes', 'y', 'on', '1'].includes(lower)) return { value: true, type: BOOLEAN };
      if (['false', 'f', 'no', 'n', 'off', '0'].includes(lower)) return { value: false, type: BOOLEAN };
      return bad(key, binding);
    }
    case 'DATE': {
      if (text === null) return { value: null, type: DATE };
      if (!INTEGER_TEXT.test(text.trim())) bad(key, binding);
      const days = Math.floor(Number(text) / 86_400_000);
      return { value: new DuckDBDateValue(days), type: DATE };
    }
    case 'TIME': {
      if (text === null) return { value: null, type: TIME };
      return { value: new DuckDBTimeValue(nanosToMicros(text.trim(), key, binding)), type: TIME };
    }
    case 'TIMESTAMP_NTZ': {
      if (text === null) return { value: null, type: TIMESTAMP };
      return { value: new DuckDBTimestampValue(nanosToMicros(text.trim(), key, binding)), type: TIMESTAMP };
    }
    case 'TIMESTAMP_LTZ': {
      if (text === null) return { value: null, type: TIMESTAMPTZ };
      return { value: new DuckDBTimestampTZValue(nanosToMicros(text.trim(), key, binding)), type: TIMESTAMPTZ };
    }
    case 'TIMESTAMP_TZ': {
      // The instant is kept; DuckDB's TIMESTAMPTZ has no per-value offset, so the offset only needs to be valid.
      if (text === null) return { value: null, type: TIMESTAMPTZ };
      const match = /^\s*([+-]?\d+)(?:\s+(\d+))?\s*$/.exec(text);
      if (!match || (match[2] !== undefined && (Number(match[2]) < 0 || Number(match[2]) > 2880))) bad(key, binding);
      return { value: new DuckDBTimestampTZValue(BigInt(match[1]!) / 1000n), type: TIMESTAMPTZ };
    }
    case 'BINARY': {
      if (text === null) return { value: null, type: BLOB };
      if (!/^([0-9A-Fa-f]{2})*$/.test(text.trim())) bad(key, binding);
      return { value: new DuckDBBlobValue(new Uint8Array(Buffer.from(text.trim(), 'hex'))), type: BLOB };
    }
    case 'VARIANT':
    case 'OBJECT':
    case 'ARRAY':
    case 'GEOGRAPHY':
    case 'GEOMETRY':
      throw bindingError('002040', `SQL compilation error:\nUnsupported data type '${type}'.`);
    default:
      throw bindingError('002040', `SQL compilation error:\nUnsupported data type '${String(binding.type)}'.`);
  }
}

const DUCKDB_TYPE_NAMES: Record<string, string> = {
  FIXED: 'DECIMAL(38,0)', REAL: 'DOUBLE', TEXT: 'VARCHAR', BOOLEAN: 'BOOLEAN', DATE: 'DATE', TIME: 'TIME',
  TIMESTAMP_NTZ: 'TIMESTAMP', TIMESTAMP_LTZ: 'TIMESTAMPTZ', TIMESTAMP_TZ: 'TIMESTAMPTZ', BINARY: 'BLOB',
};

/** DuckDB type names for the bindings whose value is NULL, so that the SQL can give the NULL its type. */
export function nullBindingTypes(bindings: Record<string, Binding> | undefined): Map<string, string> {
  const types = new Map<string, string>();
  for (const [key, binding] of Object.entries(bindings ?? {})) {
    const name = DUCKDB_TYPE_NAMES[String(binding.type ?? '').toUpperCase()];
    if (binding.value === null && name) types.set(key, name);
  }
  return types;
}

/** Values for DuckDB parameters $1..$n from the request's bindings, in the order the translation numbered them. */
export function bindValues(paramKeys: readonly string[], bindings: Record<string, Binding> | undefined): BoundValue[] {
  return paramKeys.map((key) => {
    const binding = bindings?.[key];
    if (!binding) throw bindingError('002049', `SQL compilation error: error line 1 at position 0\nBind variable ${/^\d+$/.test(key) ? '?' : `:${key}`} not set.`);
    return convertBinding(key, binding);
  });
}
