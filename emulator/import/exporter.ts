// Writes a generated scenario as a replayable directory, in two forms:
// - exportScenarioToJsonl: the importer's plain form, one `VIEW.jsonl` per view holding the generated rows as they are
//   (ISO timestamps in UTC, NULL columns written as null), plus the account parameters and the ground truth;
// - exportScenarioAsUnload: what a security engineer gets from their own account with
//   `COPY INTO @stage/VIEW FROM (SELECT OBJECT_CONSTRUCT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.VIEW ...) FILE_FORMAT =
//   (TYPE = JSON)` then `GET`: gzip NDJSON part files, NULL columns left out (OBJECT_CONSTRUCT omits a key whose value
//   is NULL, https://docs.snowflake.com/en/sql-reference/functions/object_construct), timestamps in the session's
//   default output format and time zone, NUMBER with all its digits, FLOAT in Snowflake's exponent form, VARCHAR
//   columns holding JSON as text (see values.ts for the sources). The column types come from emulator/schema.ts, so
//   a column documented as VARCHAR is written as text whatever the generator holds in it.
// Files are streamed with backpressure, so a million-row view never sits in memory.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { findView, type ViewColumnType, type ViewDefinition } from '../schema.ts';
import type { Scenario } from '../scenario/generate.ts';
import { writeGroundTruth } from '../scenario/ground-truth.ts';
import { SCENARIO_VIEWS, type Row } from '../scenario/types.ts';
import { PARAMETERS_FILE } from './files.ts';
import { JSON_RAW, parseDateTime } from './values.ts';

export interface ExportReport {
  dir: string;
  files: { fileName: string; view: string; rows: number }[];
  groundTruthFile: string;
}

/** Streams lines to a file (gzip-compressed when asked); returns how many were written. */
async function writeLines(path: string, lines: Iterable<string>, gzip: boolean): Promise<number> {
  const file = createWriteStream(path);
  const out: Writable = gzip ? createGzip() : file;
  if (gzip) out.pipe(file);
  let count = 0;
  let buffer = '';
  try {
    for (const line of lines) {
      buffer += `${line}\n`;
      count++;
      if (buffer.length >= 64 * 1024) {
        if (!out.write(buffer)) await once(out, 'drain');
        buffer = '';
      }
    }
    if (buffer.length > 0) out.write(buffer);
  } finally {
    out.end();
    await once(file, 'close');
  }
  return count;
}

export function writeJsonLines(path: string, rows: Iterable<Row>): Promise<number> {
  return writeLines(path, (function* () {
    for (const row of rows) yield JSON.stringify(row);
  })(), false);
}

async function writeCompanions(scenario: Scenario, dir: string): Promise<string> {
  await writeFile(join(dir, PARAMETERS_FILE), `${JSON.stringify(scenario.accountParameters, null, 2)}\n`, 'utf8');
  return writeGroundTruth(scenario.groundTruth, dir);
}

export async function exportScenarioToJsonl(scenario: Scenario, dir: string): Promise<ExportReport> {
  await mkdir(dir, { recursive: true });
  const files: ExportReport['files'] = [];
  for (const view of SCENARIO_VIEWS) {
    const fileName = `${view}.jsonl`;
    const rows = await writeJsonLines(join(dir, fileName), scenario.rows(view));
    files.push({ fileName, view, rows });
  }
  const groundTruthFile = await writeCompanions(scenario, dir);
  return { dir, files, groundTruthFile };
}

// ---- The unload form ------------------------------------------------------------------------------------------

export interface UnloadOptions {
  /** The session TIMEZONE the export ran in; default America/Los_Angeles, Snowflake's default. */
  timeZone?: string;
  /**
   * How COPY was pointed: 'parts' (`@stage/QUERY_HISTORY` -> QUERY_HISTORY_0_0_0.json.gz..., the default),
   * 'directories' (`@stage/QUERY_HISTORY/` -> QUERY_HISTORY/data_0_0_0.json.gz...) or 'files' (SINGLE = TRUE with
   * COMPRESSION = NONE to `@stage/QUERY_HISTORY.json`).
   */
  layout?: 'parts' | 'directories' | 'files';
  /** Rows per part file (COPY splits by MAX_FILE_SIZE; a row count keeps the output deterministic). */
  rowsPerPart?: number;
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes east of UTC of `timeZone` at instant `ms`. */
function zoneOffsetMinutes(timeZone: string, ms: number): number {
  let formatter = offsetFormatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormatters.set(timeZone, formatter);
  }
  const name = formatter.formatToParts(ms).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (match === null) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

const pad = (n: number, width = 2): string => String(Math.abs(n)).padStart(width, '0');

/** Epoch milliseconds and the sub-second digits of a generated timestamp (ISO text or Date). */
function instant(value: unknown): { ms: number; fraction: string } | undefined {
  if (value instanceof Date) {
    const t = value.getTime();
    if (!Number.isFinite(t)) return undefined;
    const seconds = Math.floor(t / 1000) * 1000;
    return { ms: seconds, fraction: pad(t - seconds, 3) };
  }
  if (typeof value !== 'string') return undefined;
  const parts = parseDateTime(value);
  if (parts === undefined) return undefined;
  const ms = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - (parts.offsetMinutes ?? 0) * 60_000;
  return { ms, fraction: parts.fraction };
}

function wallClock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/**
 * TIMESTAMP_OUTPUT_FORMAT's default `YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM` in the session time zone
 * (https://docs.snowflake.com/en/sql-reference/parameters#timestamp-output-format).
 */
function timestampLtzText(value: unknown, timeZone: string): string | undefined {
  const at = instant(value);
  if (at === undefined) return undefined;
  const offset = zoneOffsetMinutes(timeZone, at.ms);
  const sign = offset < 0 ? '-' : '+';
  return `${wallClock(at.ms + offset * 60_000)}.${at.fraction.padEnd(3, '0').slice(0, 3)} ${sign}${pad(Math.trunc(offset / 60))}${pad(offset % 60)}`;
}

/** TIMESTAMP_NTZ_OUTPUT_FORMAT's default `YYYY-MM-DD HH24:MI:SS.FF3`: the wall clock as stored. */
function timestampNtzText(value: unknown): string | undefined {
  const at = instant(value);
  return at === undefined ? undefined : `${wallClock(at.ms)}.${at.fraction.padEnd(3, '0').slice(0, 3)}`;
}

/** A FLOAT inside a VARIANT prints as `1.230000000000000e+00` (https://docs.snowflake.com/en/sql-reference/data-types-semistructured). */
function floatText(value: number): string {
  const [mantissa, exponent = '0'] = value.toExponential(15).split('e');
  const e = Number(exponent);
  return `${mantissa}e${e < 0 ? '-' : '+'}${pad(e)}`;
}

const NUMERIC_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d{1,4}))?$/i;

/**
 * A NUMBER as the export writes it: a JSON number with its decimal digits, no exponent, no leading zero, whatever
 * form the generator holds it in (a BigInt, a double such as 1.2e-7, or text such as an error code '000904', which
 * the NUMBER column stores as 904). Undefined when the value is not a number at all.
 */
export function numberText(value: unknown): string | undefined {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const match = NUMERIC_TEXT.exec(String(value).trim());
  if (match === null) return undefined;
  const [, sign, whole = '', fraction = '', exponent = '0'] = match;
  if (whole === '' && fraction === '') return undefined;
  const digits = `${whole}${fraction}`;
  const point = whole.length + Number(exponent); // where the decimal point falls in `digits`
  const integerPart = point <= 0 ? '0' : digits.slice(0, point).padEnd(point, '0');
  const fractionPart = point <= 0 ? `${'0'.repeat(-point)}${digits}` : digits.slice(point);
  return `${sign === '-' ? '-' : ''}${integerPart.replace(/^0+(?=\d)/, '')}${fractionPart === '' ? '' : `.${fractionPart}`}`;
}

function unloadValue(type: ViewColumnType, value: unknown, timeZone: string): unknown {
  switch (type) {
    case 'NUMBER': {
      const text = numberText(value);
      return text === undefined ? value : JSON_RAW(text);
    }
    case 'FLOAT':
      if (typeof value !== 'number') return value;
      if (Number.isNaN(value)) return 'NaN';
      if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
      return JSON_RAW(floatText(value));
    case 'TEXT':
      // VARCHAR: text, including the columns that hold JSON text (a generator may hold them as objects).
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
      return JSON.stringify(value);
    case 'BOOLEAN':
      return value === 'true' ? true : value === 'false' ? false : value;
    case 'TIMESTAMP_LTZ':
      return timestampLtzText(value, timeZone) ?? value;
    case 'TIMESTAMP_NTZ':
      return timestampNtzText(value) ?? value;
    case 'DATE':
      return typeof value === 'string' ? value.slice(0, 10) : value instanceof Date ? value.toISOString().slice(0, 10) : value;
    case 'VARIANT':
    case 'OBJECT':
    case 'ARRAY':
      return value;
  }
}

/** One row as one line of a COPY INTO ... OBJECT_CONSTRUCT(*) JSON unload. */
export function renderUnloadRow(view: ViewDefinition, row: Row, options: { timeZone?: string } = {}): string {
  const timeZone = options.timeZone ?? 'America/Los_Angeles';
  const types = new Map(view.columns.map((column) => [column.name, column.type]));
  const object: Record<string, unknown> = {};
  // Keys in name order, as Snowflake's examples show OBJECT_CONSTRUCT(*) output; the importer does not rely on it.
  for (const name of Object.keys(row).sort()) {
    const value = row[name];
    if (value === null || value === undefined) continue;
    const type = types.get(name);
    object[name] = type === undefined ? value : unloadValue(type, value, timeZone);
  }
  return JSON.stringify(object);
}

function viewDefinition(key: string): ViewDefinition {
  const [schema, name] = key.includes('.') ? key.split('.') : ['ACCOUNT_USAGE', key];
  const view = findView(schema ?? '', name ?? '');
  if (view === undefined) throw new Error(`no documented view ${key}`);
  return view;
}

/** Splits rows into chunks of `size` lines, lazily. */
function* chunked(lines: Iterable<string>, size: number): Generator<string[]> {
  let chunk: string[] = [];
  for (const line of lines) {
    chunk.push(line);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** Writes `scenario` as the files a Snowflake JSON unload of each view, fetched with GET, would be. */
export async function exportScenarioAsUnload(scenario: Scenario, dir: string, options: UnloadOptions = {}): Promise<ExportReport> {
  const layout = options.layout ?? 'parts';
  const rowsPerPart = options.rowsPerPart ?? 50_000;
  const renderOptions = { timeZone: options.timeZone ?? 'America/Los_Angeles' };
  await mkdir(dir, { recursive: true });
  const files: ExportReport['files'] = [];
  for (const key of SCENARIO_VIEWS) {
    const view = viewDefinition(key);
    const lines = (function* () {
      for (const row of scenario.rows(key)) yield renderUnloadRow(view, row, renderOptions);
    })();
    if (layout === 'files') {
      const fileName = `${key}.json`;
      files.push({ fileName, view: key, rows: await writeLines(join(dir, fileName), lines, false) });
      continue;
    }
    // COPY writes no file for a query that returns no row.
    let part = 0;
    for (const chunk of chunked(lines, rowsPerPart)) {
      const fileName = layout === 'parts' ? `${key}_0_${part}_0.json.gz` : join(key, `data_0_${part}_0.json.gz`);
      if (layout === 'directories') await mkdir(join(dir, key), { recursive: true });
      files.push({ fileName, view: key, rows: await writeLines(join(dir, fileName), chunk, true) });
      part++;
    }
  }
  const groundTruthFile = await writeCompanions(scenario, dir);
  return { dir, files, groundTruthFile };
}
