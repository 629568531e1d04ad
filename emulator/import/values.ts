// Reads one exported value the way Snowflake writes it and turns it into what the engine loads for a column of the
// view's documented type. Pure functions, no I/O: validate.ts applies them record by record.
//
// What a Snowflake JSON export holds (COPY INTO <location> ... FILE_FORMAT = (TYPE = JSON) of OBJECT_CONSTRUCT(*),
// https://docs.snowflake.com/en/sql-reference/sql/copy-into-location and
// https://docs.snowflake.com/en/user-guide/data-unload-prepare, "Snowflake outputs to the NDJSON standard format"):
// - a timestamp inside a VARIANT is rendered with the session's TIMESTAMP_LTZ/NTZ/TZ_OUTPUT_FORMAT
//   (https://docs.snowflake.com/en/sql-reference/functions/is_timestamp), by default TIMESTAMP_OUTPUT_FORMAT
//   `YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM` (`2026-11-20 08:15:00.000 -0800`) and, for NTZ, `YYYY-MM-DD HH24:MI:SS.FF3`
//   (https://docs.snowflake.com/en/sql-reference/parameters#timestamp-output-format). A session or a client may pick
//   another format, so any ISO 8601 form is read: `T` or a space, 0 to 9 fractional digits, `Z`, `+hh:mm`, `+hhmm`
//   or `+hh`, with or without a space before it (Python's isoformat(), which the Snowflake CLI's JSON output uses,
//   writes `2026-11-20T08:15:00.123000-08:00`);
// - NUMBER as a JSON number with all its digits (exact beyond 2^53: the JSON reader keeps such integers as BigInt),
//   or, from some tools, a string of digits; FLOAT as a JSON number (`1.230000000000000e+00`) or NaN/inf as text;
// - BOOLEAN as true/false; VARIANT, OBJECT and ARRAY columns nested as JSON values;
// - VARCHAR columns as strings, including the ones that hold JSON text (LOGIN_HISTORY.LOGIN_DETAILS,
//   SESSIONS.CLIENT_ENVIRONMENT): that text stays text, exactly as a query of the view returns it.
// Two shapes are accepted with a warning because common tools produce them: a JSON object or array given for a VARCHAR
// column (a tool that parsed the JSON text) is stored as its JSON text, and JSON text given for a VARIANT, OBJECT or
// ARRAY column (connectors return semi-structured values as text) is parsed.
import type { ViewColumnType } from '../schema.ts';
import { parseJson } from './records.ts';

/** Why a value was accepted in a form Snowflake's own export would not have written: reported once per column. */
export type ValueNote = 'json-value-for-varchar' | 'json-text-for-semi-structured';

export type ValueResult =
  | { readonly ok: true; readonly value: unknown; readonly note?: ValueNote }
  | { readonly ok: false; readonly code: 'IMPORT_BAD_TIMESTAMP' | 'IMPORT_BAD_VALUE'; readonly message: string };

/** A parsed date-time: calendar fields as written, the fraction's digits, and the offset in minutes when given. */
export interface DateTimeParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** 0 to 9 digits, as written. */
  readonly fraction: string;
  /** Minutes east of UTC; undefined when the text has no offset. */
  readonly offsetMinutes: number | undefined;
  readonly hasTime: boolean;
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(?:\s*(Z|[+-]\d{2}(?::?\d{2})?))?$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** Parses an ISO 8601 or Snowflake-default date-time; undefined when the text is not one or names an impossible time. */
export function parseDateTime(text: string): DateTimeParts | undefined {
  const match = DATE_TIME.exec(text.trim());
  if (match === null) return undefined;
  const [, y = '', mo = '', d = '', h, mi, s, fraction = '', zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes: number | undefined;
  if (zone !== undefined) {
    if (zone.toUpperCase() === 'Z') offsetMinutes = 0;
    else {
      const digits = zone.slice(1).replace(':', '');
      const oh = Number(digits.slice(0, 2));
      const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
      if (oh > 23 || om > 59) return undefined;
      offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
    }
  }
  return { year, month, day, hour, minute, second, fraction, offsetMinutes, hasTime: h !== undefined };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** The instant as UTC ISO text with all nine fractional digits (the engine keeps six). */
function instantText(parts: DateTimeParts, offsetMinutes: number): string {
  const wall = new Date(Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second));
  // Years 0-99 would be mapped to 1900-1999 by Date.UTC; setUTCFullYear puts them back.
  if (parts.year < 100) wall.setUTCFullYear(parts.year);
  const utc = new Date(wall.getTime() - offsetMinutes * 60_000);
  const iso = utc.getUTCFullYear() >= 0 && utc.getUTCFullYear() <= 9999 ? utc.toISOString().slice(0, 19) : `${pad(utc.getUTCFullYear(), 4)}-${pad(utc.getUTCMonth() + 1)}-${pad(utc.getUTCDate())}T${pad(utc.getUTCHours())}:${pad(utc.getUTCMinutes())}:${pad(utc.getUTCSeconds())}`;
  return `${iso}.${parts.fraction.padEnd(9, '0')}Z`;
}

/** The wall clock as written, without a zone (TIMESTAMP_NTZ keeps no offset). */
function wallText(parts: DateTimeParts): string {
  return `${pad(parts.year, 4)}-${pad(parts.month)}-${pad(parts.day)}T${pad(parts.hour)}:${pad(parts.minute)}:${pad(parts.second)}.${parts.fraction.padEnd(9, '0')}`;
}

const show = (value: unknown): string => {
  const text = typeof value === 'bigint' ? value.toString() : (JSON.stringify(value) ?? typeof value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

const badTimestamp = (message: string): ValueResult => ({ ok: false, code: 'IMPORT_BAD_TIMESTAMP', message });
const badValue = (type: ViewColumnType, value: unknown): ValueResult => ({ ok: false, code: 'IMPORT_BAD_VALUE', message: `${show(value)} is not a valid ${type}` });

function timestampWithZone(value: unknown): ValueResult {
  const parts = typeof value === 'string' ? parseDateTime(value) : undefined;
  if (parts === undefined || !parts.hasTime) {
    return badTimestamp(`${show(value)} is not a date-time (expected e.g. 2026-11-20 08:15:00.000 -0800 or 2026-11-20T16:15:00Z)`);
  }
  if (parts.offsetMinutes === undefined) {
    // TIMESTAMP_LTZ is an instant: without an offset the text does not say which one. A session whose
    // TIMESTAMP_LTZ_OUTPUT_FORMAT leaves out TZH/TZM writes such values.
    return badTimestamp(
      `${show(value)} has no UTC offset, so the instant is unknown; export with the default TIMESTAMP_LTZ_OUTPUT_FORMAT ` +
        `or ALTER SESSION SET TIMESTAMP_LTZ_OUTPUT_FORMAT = 'YYYY-MM-DD HH24:MI:SS.FF9 TZHTZM' before the export`,
    );
  }
  return { ok: true, value: instantText(parts, parts.offsetMinutes) };
}

function timestampWithoutZone(value: unknown): ValueResult {
  const parts = typeof value === 'string' ? parseDateTime(value) : undefined;
  if (parts === undefined) return badTimestamp(`${show(value)} is not a date-time (expected e.g. 2026-11-20 08:15:00.000)`);
  // An offset written after an NTZ value is dropped, as TO_TIMESTAMP_NTZ drops it: the wall clock is the value.
  return { ok: true, value: wallText(parts) };
}

function date(value: unknown): ValueResult {
  const parts = typeof value === 'string' ? parseDateTime(value) : undefined;
  if (parts === undefined || parts.hasTime || parts.offsetMinutes !== undefined) return badTimestamp(`${show(value)} is not a date (expected e.g. 2026-11-20)`);
  return { ok: true, value: `${pad(parts.year, 4)}-${pad(parts.month)}-${pad(parts.day)}` };
}

function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: parseJson(text) };
  } catch {
    return { ok: false };
  }
}

/** Converts `value` for a column of `type`; null stays null (SQL NULL). */
export function convertValue(type: ViewColumnType, value: unknown): ValueResult {
  if (value === null) return { ok: true, value: null };
  switch (type) {
    case 'NUMBER':
      if (typeof value === 'bigint') return { ok: true, value };
      if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value };
      if (typeof value === 'string' && /^\s*[+-]?\d+(\.\d+)?\s*$/.test(value)) return { ok: true, value: value.trim() };
      return badValue(type, value);
    case 'FLOAT':
      if (typeof value === 'number') return { ok: true, value };
      if (typeof value === 'bigint') return { ok: true, value: Number(value) };
      if (typeof value === 'string' && /^\s*(NaN|[+-]?inf|[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?)\s*$/i.test(value)) {
        const text = value.trim().toLowerCase();
        return { ok: true, value: text === 'nan' ? Number.NaN : text.endsWith('inf') ? (text.startsWith('-') ? -Infinity : Infinity) : Number(text) };
      }
      return badValue(type, value);
    case 'TEXT':
      if (typeof value === 'string') return { ok: true, value };
      // A JSON object or array for a VARCHAR column: a tool parsed the column's JSON text. Stored as that text again.
      if (typeof value === 'object') return { ok: true, value: JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? JSON_RAW(v.toString()) : v)), note: 'json-value-for-varchar' };
      return badValue(type, value);
    case 'BOOLEAN':
      return typeof value === 'boolean' ? { ok: true, value } : badValue(type, value);
    case 'TIMESTAMP_LTZ':
      return timestampWithZone(value);
    case 'TIMESTAMP_NTZ':
      return timestampWithoutZone(value);
    case 'DATE':
      return date(value);
    case 'VARIANT':
      if (typeof value === 'string' && /^\s*[[{]/.test(value)) {
        // Connectors (and the Snowflake CLI's JSON output) return a VARIANT as its JSON text. A VARIANT that really
        // holds a string starting with { or [ and parsing as JSON is rare enough to read it this way, with a warning.
        const parsed = parseJsonText(value);
        if (parsed.ok) return { ok: true, value: parsed.value, note: 'json-text-for-semi-structured' };
      }
      return { ok: true, value };
    case 'OBJECT':
    case 'ARRAY': {
      let candidate: unknown = value;
      let note: ValueNote | undefined;
      if (typeof value === 'string') {
        const parsed = parseJsonText(value);
        if (!parsed.ok) return badValue(type, value);
        candidate = parsed.value;
        note = 'json-text-for-semi-structured';
      }
      const fits = type === 'ARRAY' ? Array.isArray(candidate) : typeof candidate === 'object' && candidate !== null && !Array.isArray(candidate);
      if (!fits) return badValue(type, value);
      return note === undefined ? { ok: true, value: candidate } : { ok: true, value: candidate, note };
    }
  }
}

/** JSON.rawJSON (Node 21+, not yet in TypeScript's lib): lets JSON.stringify write an integer with all its digits. */
export const JSON_RAW = (text: string): unknown => (JSON as unknown as { rawJSON(this: void, text: string): unknown }).rawJSON(text);
