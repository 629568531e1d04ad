// Checks one parsed JSON Lines record against a view's columns and converts it to the row the engine loads.
// Stricter than the engine on purpose: a replay of real data must fail loudly on a value it would otherwise coerce.
import type { ViewColumnType, ViewDefinition } from '../schema.ts';
import { ImportError } from './errors.ts';

/** ISO 8601 date-time with an explicit offset (Z or +hh:mm / +hhmm), as the importer requires for TIMESTAMP_LTZ/TZ. */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
/** NTZ values have no zone; an offset is tolerated. */
const ISO_LOCAL = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDateText(text: string, pattern: RegExp): boolean {
  if (!pattern.test(text)) return false;
  // Date.parse rejects impossible calendar values (month 13...) only in its own format; normalise the offset first.
  const normalised = text.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2').replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(/(Z|[+-]\d{2}:\d{2})$/i.test(normalised) || normalised.length === 10 ? normalised : `${normalised}Z`);
  if (!Number.isFinite(ms)) return false;
  // Reject rollovers such as 2026-02-30 that some engines accept.
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
}

function checkValue(type: ViewColumnType, value: unknown): 'ok' | 'timestamp' | 'value' {
  if (value === null) return 'ok';
  switch (type) {
    case 'NUMBER':
      return (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && /^[+-]?\d+(\.\d+)?$/.test(value)) ? 'ok' : 'value';
    case 'FLOAT':
      return typeof value === 'number' || (typeof value === 'string' && /^(NaN|[+-]?inf|[+-]?\d+(\.\d+)?([eE][+-]?\d+)?)$/.test(value)) ? 'ok' : 'value';
    case 'TEXT':
      return typeof value === 'string' ? 'ok' : 'value';
    case 'BOOLEAN':
      return typeof value === 'boolean' ? 'ok' : 'value';
    case 'TIMESTAMP_LTZ':
      return typeof value === 'string' && validDateText(value, ISO_WITH_OFFSET) ? 'ok' : 'timestamp';
    case 'TIMESTAMP_NTZ':
      return typeof value === 'string' && validDateText(value, ISO_LOCAL) ? 'ok' : 'timestamp';
    case 'DATE':
      return typeof value === 'string' && validDateText(value, ISO_DATE) ? 'ok' : 'timestamp';
    case 'VARIANT':
      return 'ok';
    case 'OBJECT':
      return typeof value === 'object' && !Array.isArray(value) ? 'ok' : 'value';
    case 'ARRAY':
      return Array.isArray(value) ? 'ok' : 'value';
  }
}

export interface ColumnLookup {
  readonly byName: ReadonlyMap<string, ViewColumnType>;
  readonly view: ViewDefinition;
}

export function columnLookup(view: ViewDefinition): ColumnLookup {
  return { view, byName: new Map(view.columns.map((c) => [c.name, c.type])) };
}

/** Validates a record; returns it unchanged (column names are already upper case). Throws ImportError with file:line. */
export function validateRecord(record: unknown, lookup: ColumnLookup, file: string, line: number): Record<string, unknown> {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new ImportError('IMPORT_NOT_AN_OBJECT', 'each line must be one JSON object (a row keyed by column name)', { file, line });
  }
  const row = record as Record<string, unknown>;
  for (const [name, value] of Object.entries(row)) {
    const type = lookup.byName.get(name);
    if (type === undefined) {
      const hint = lookup.byName.has(name.toUpperCase()) ? ` (column names are upper case: ${name.toUpperCase()})` : '';
      throw new ImportError('IMPORT_UNKNOWN_COLUMN', `view ${lookup.view.schema}.${lookup.view.name} has no column ${JSON.stringify(name)}${hint}`, { file, line });
    }
    const verdict = checkValue(type, value);
    if (verdict === 'timestamp') {
      throw new ImportError('IMPORT_BAD_TIMESTAMP', `column ${name}: ${JSON.stringify(value)} is not an ISO 8601 ${type === 'DATE' ? 'date' : type === 'TIMESTAMP_NTZ' ? 'date-time' : 'date-time with an offset (e.g. 2026-11-20T08:15:00Z or +01:00)'}`, { file, line });
    }
    if (verdict === 'value') {
      throw new ImportError('IMPORT_BAD_VALUE', `column ${name}: ${JSON.stringify(value)?.slice(0, 80) ?? typeof value} is not a valid ${type}`, { file, line });
    }
  }
  return row;
}
