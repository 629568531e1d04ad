// Replays a directory of exported views (JSON Lines / NDJSON or JSON arrays, plain or gzip, see files.ts and
// records.ts) into an emulator engine.
//
// All or nothing for content errors: the whole directory is validated first, streaming record by record, and every
// problem found (bad JSON, a value Snowflake would not have written, an unknown view file...) is reported in one
// ImportError, with file and line, before a single row is inserted. The files are then read a second time and loaded;
// only a failure of the engine itself during that second pass can leave earlier views loaded, and the error
// (IMPORT_LOAD_FAILED) says which ones. Things that lose nothing the emulator models (a column the documentation does
// not list, an account parameter the emulator does not know, a JSON value given for a VARCHAR column) are warnings in
// the report, once per view, unless `strict` makes the first two errors.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ACCOUNT_PARAMETERS } from '../engine/index.ts';
import { ImportError, ProblemLog, type ImportProblem, type ImportWarning } from './errors.ts';
import { listViewSources, type ViewSource } from './files.ts';
import { readRecordBatches } from './records.ts';
import { columnLookup, convertRecord, WarningLog } from './validate.ts';

/** The part of the engine the importer needs (EmulatorEngine satisfies it). */
export interface ImportSink {
  insertRows(view: string, rows: AsyncIterable<Record<string, unknown>>): Promise<number>;
  setParameter(name: string, value: string): void;
  readonly clock?: { set(t: Date): void };
}

export interface ImportOptions {
  /** Sets the engine's virtual clock to this instant after loading (the replay's "now"). */
  now?: Date;
  /** Undocumented columns and unknown account parameters are errors instead of warnings. */
  strict?: boolean;
}

export interface ImportReport {
  /** One entry per view: `fileName` is the file, part prefix (`QUERY_HISTORY_*`) or directory (`QUERY_HISTORY/`). */
  files: { fileName: string; view: string; rows: number; sourceFiles: string[] }[];
  totalRows: number;
  parameters: Record<string, string>;
  warnings: ImportWarning[];
  elapsedMs: number;
}

/** The converted rows of a view's files, in batches; problems and warnings go to the logs given. */
async function* convertedBatches(source: ViewSource, strict: boolean, problems: { add(problem: ImportProblem): void }, warnings: WarningLog | undefined): AsyncGenerator<Record<string, unknown>[]> {
  const lookup = columnLookup(source.view, source.viewKey);
  for (const file of source.files) {
    for await (const records of readRecordBatches(file.path, { gzip: file.gzip })) {
      const rows: Record<string, unknown>[] = [];
      for (const record of records) {
        if ('error' in record) {
          problems.add({ code: 'IMPORT_BAD_JSON', file: file.displayName, ...(record.line > 0 ? { line: record.line } : {}), message: record.error });
          continue;
        }
        const row = convertRecord(record.value, { lookup, file: file.displayName, line: record.line, strict, problems, warnings });
        if (row !== undefined) rows.push(row);
      }
      yield rows;
    }
  }
}

async function* convertedRows(source: ViewSource, strict: boolean, problems: { add(problem: ImportProblem): void }, warnings: WarningLog | undefined): AsyncGenerator<Record<string, unknown>> {
  for await (const rows of convertedBatches(source, strict, problems, warnings)) yield* rows;
}

async function readParameters(dir: string, fileName: string | undefined, strict: boolean, problems: ProblemLog, warnings: WarningLog): Promise<Record<string, string> | null> {
  if (fileName === undefined) return null;
  let text: string;
  try {
    text = await readFile(join(dir, fileName), 'utf8');
  } catch (error) {
    problems.add({ code: 'IMPORT_BAD_PARAMETERS', file: fileName, message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? 'error'}` });
    return null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    problems.add({ code: 'IMPORT_BAD_PARAMETERS', file: fileName, message: `invalid JSON: ${(error as Error).message}` });
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.add({ code: 'IMPORT_BAD_PARAMETERS', file: fileName, message: 'must be one JSON object of parameter name to value' });
    return null;
  }
  const known = new Set(ACCOUNT_PARAMETERS.map((p) => p.key));
  const out: Record<string, string> = {};
  const unknown: string[] = [];
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!known.has(name.toUpperCase())) {
      if (strict) problems.add({ code: 'IMPORT_BAD_PARAMETERS', file: fileName, message: `unknown account parameter ${name} (known: ${[...known].join(', ')})` });
      else unknown.push(name);
      continue;
    }
    if (typeof value !== 'string' && typeof value !== 'boolean' && typeof value !== 'number') {
      problems.add({ code: 'IMPORT_BAD_PARAMETERS', file: fileName, message: `parameter ${name} must be a string, boolean or number` });
      continue;
    }
    out[name.toUpperCase()] = String(value);
  }
  if (unknown.length > 0) {
    // SHOW PARAMETERS IN ACCOUNT lists far more than the emulator models: keeping them all is the easy export.
    warnings.add({
      code: 'IMPORT_UNKNOWN_PARAMETER',
      file: fileName,
      rows: unknown.length,
      message: `${fileName}: ${unknown.length} parameter${unknown.length === 1 ? '' : 's'} the emulator does not model, ignored (an error with --strict): ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', ...' : ''}`,
    });
  }
  return out;
}

export async function importJsonlDirectory(sink: ImportSink, dir: string, options: ImportOptions = {}): Promise<ImportReport> {
  const started = performance.now();
  const strict = options.strict ?? false;
  if (options.now !== undefined && !Number.isFinite(options.now.getTime())) {
    throw new ImportError('IMPORT_BAD_TIMESTAMP', 'the replay "now" is not a valid date');
  }
  const listing = await listViewSources(dir);
  const problems = new ProblemLog();
  const warnings = new WarningLog();
  for (const problem of listing.problems) problems.add(problem);
  for (const name of listing.ignored) {
    warnings.add({ code: 'IMPORT_IGNORED_FILE', file: name, rows: 0, message: `${name}: names no view, not read (view files are named after the view, e.g. LOGIN_HISTORY.json)` });
  }
  const parameters = await readParameters(dir, listing.parametersFile, strict, problems, warnings);
  if (listing.sources.length === 0 && parameters === null && problems.size === 0) {
    throw new ImportError('IMPORT_NO_FILES', `no view files (*.jsonl, *.json, *.ndjson, optionally .gz) in ${dir}`);
  }

  // Pass 1: validate everything, collecting every problem, before loading anything.
  for (const source of listing.sources) {
    for await (const _rows of convertedBatches(source, strict, problems, warnings)) {
      // Only the problems and warnings matter here.
    }
  }
  if (problems.size > 0) throw problems.toError();

  // Pass 2: load. The files were valid a moment ago; a problem now means one changed under the import.
  const changed = new ProblemLog();
  const report: ImportReport['files'] = [];
  let totalRows = 0;
  for (const source of listing.sources) {
    let rows: number;
    try {
      rows = await sink.insertRows(source.viewKey, convertedRows(source, strict, changed, undefined));
    } catch (error) {
      if (error instanceof ImportError) throw error;
      const loaded = report.map((r) => r.view).join(', ') || 'none';
      throw new ImportError('IMPORT_LOAD_FAILED', `the engine rejected the rows: ${(error as Error).message} (views loaded before this one: ${loaded})`, { file: source.name });
    }
    if (changed.size > 0) {
      const loaded = [...report.map((r) => r.view), source.viewKey].join(', ');
      throw new ImportError('IMPORT_LOAD_FAILED', `a file changed during the import (views loaded: ${loaded}):\n${changed.toError().message}`, { file: source.name });
    }
    report.push({ fileName: source.name, view: source.viewKey, rows, sourceFiles: source.files.map((f) => f.displayName) });
    totalRows += rows;
  }
  for (const [name, value] of Object.entries(parameters ?? {})) sink.setParameter(name, value);
  if (options.now !== undefined) sink.clock?.set(options.now);
  return { files: report, totalRows, parameters: parameters ?? {}, warnings: warnings.list(), elapsedMs: performance.now() - started };
}
