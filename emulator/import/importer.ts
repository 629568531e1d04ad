// Replays a directory of JSON Lines files (one per view) into an emulator engine.
//
// All or nothing for content errors: the whole directory is validated first, streaming line by line, and a bad file
// (invalid JSON, unknown column, bad timestamp or value, unknown view file) aborts the import before a single row is
// inserted. The files are then read a second time and loaded; only a failure of the engine itself during that second
// pass can leave earlier views loaded, and the error (IMPORT_LOAD_FAILED) says which ones.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ACCOUNT_PARAMETERS } from '../engine/index.ts';
import { ImportError } from './errors.ts';
import { PARAMETERS_FILE, listViewFiles, type ViewFile } from './files.ts';
import { readJsonLines } from './jsonl.ts';
import { columnLookup, validateRecord } from './validate.ts';

/** The part of the engine the importer needs (EmulatorEngine satisfies it). */
export interface ImportSink {
  insertRows(view: string, rows: AsyncIterable<Record<string, unknown>>): Promise<number>;
  setParameter(name: string, value: string): void;
  readonly clock?: { set(t: Date): void };
}

export interface ImportOptions {
  /** Sets the engine's virtual clock to this instant after loading (the replay's "now"). */
  now?: Date;
}

export interface ImportReport {
  files: { fileName: string; view: string; rows: number }[];
  totalRows: number;
  parameters: Record<string, string>;
  elapsedMs: number;
}

async function* validatedRows(file: ViewFile): AsyncGenerator<Record<string, unknown>> {
  const lookup = columnLookup(file.view);
  for await (const record of readJsonLines(file.path, file.fileName)) {
    yield validateRecord(record.value, lookup, file.fileName, record.line);
  }
}

async function countValidRows(file: ViewFile): Promise<number> {
  let rows = 0;
  for await (const _row of validatedRows(file)) rows++;
  return rows;
}

async function readParameters(dir: string): Promise<Record<string, string> | null> {
  let text: string;
  try {
    text = await readFile(join(dir, PARAMETERS_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ImportError('IMPORT_BAD_PARAMETERS', `cannot read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { file: PARAMETERS_FILE });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ImportError('IMPORT_BAD_PARAMETERS', `invalid JSON: ${(error as Error).message}`, { file: PARAMETERS_FILE });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ImportError('IMPORT_BAD_PARAMETERS', 'must be one JSON object of parameter name to value', { file: PARAMETERS_FILE });
  }
  const known = new Set(ACCOUNT_PARAMETERS.map((p) => p.key));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!known.has(name.toUpperCase())) {
      throw new ImportError('IMPORT_BAD_PARAMETERS', `unknown account parameter ${name} (known: ${[...known].join(', ')})`, { file: PARAMETERS_FILE });
    }
    if (typeof value !== 'string' && typeof value !== 'boolean' && typeof value !== 'number') {
      throw new ImportError('IMPORT_BAD_PARAMETERS', `parameter ${name} must be a string, boolean or number`, { file: PARAMETERS_FILE });
    }
    out[name.toUpperCase()] = String(value);
  }
  return out;
}

export async function importJsonlDirectory(sink: ImportSink, dir: string, options: ImportOptions = {}): Promise<ImportReport> {
  const started = performance.now();
  if (options.now !== undefined && !Number.isFinite(options.now.getTime())) {
    throw new ImportError('IMPORT_BAD_TIMESTAMP', 'the replay "now" is not a valid date');
  }
  const files = await listViewFiles(dir);
  const parameters = await readParameters(dir);
  if (files.length === 0 && parameters === null) {
    throw new ImportError('IMPORT_NO_FILES', `no view files (*.jsonl) in ${dir}`);
  }
  // Pass 1: validate everything before loading anything.
  for (const file of files) await countValidRows(file);

  // Pass 2: load.
  const report: ImportReport['files'] = [];
  let totalRows = 0;
  for (const file of files) {
    let rows: number;
    try {
      rows = await sink.insertRows(file.viewKey, validatedRows(file));
    } catch (error) {
      if (error instanceof ImportError) throw error;
      const loaded = report.map((r) => r.view).join(', ') || 'none';
      throw new ImportError('IMPORT_LOAD_FAILED', `the engine rejected the rows: ${(error as Error).message} (views loaded before this one: ${loaded})`, { file: file.fileName });
    }
    report.push({ fileName: file.fileName, view: file.viewKey, rows });
    totalRows += rows;
  }
  for (const [name, value] of Object.entries(parameters ?? {})) sink.setParameter(name, value);
  if (options.now !== undefined) sink.clock?.set(options.now);
  return { files: report, totalRows, parameters: parameters ?? {}, elapsedMs: performance.now() - started };
}
