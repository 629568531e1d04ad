// Which file holds which view. One JSON Lines file per view, named after it: `QUERY_HISTORY.jsonl` for the
// ACCOUNT_USAGE views (`ACCOUNT_USAGE.QUERY_HISTORY.jsonl` also accepted) and `TRUST_CENTER.FINDINGS.jsonl` for the
// Trust Center view (`FINDINGS.jsonl` accepted: no other view has that name). Names are case-insensitive. Other
// files (ground-truth.json, README...) are ignored, but an unknown `*.jsonl` is an error: a typo must not silently
// drop a view from the replay.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { VIEWS, type ViewDefinition } from '../schema.ts';
import { ImportError } from './errors.ts';

export const PARAMETERS_FILE = 'ACCOUNT_PARAMETERS.json';

export interface ViewFile {
  path: string;
  fileName: string;
  view: ViewDefinition;
  /** The name the engine's insertRows() takes: bare for ACCOUNT_USAGE, `TRUST_CENTER.FINDINGS` otherwise. */
  viewKey: string;
}

export function viewKey(view: ViewDefinition): string {
  return view.schema === 'ACCOUNT_USAGE' ? view.name : `${view.schema}.${view.name}`;
}

/** The canonical file name of a view (what the exporter writes). */
export function fileNameForView(view: ViewDefinition): string {
  return `${viewKey(view)}.jsonl`;
}

export function viewForFileName(fileName: string): ViewDefinition | undefined {
  const base = fileName.replace(/\.jsonl$/i, '').toUpperCase();
  const parts = base.split('.');
  if (parts.length === 1) {
    const matches = VIEWS.filter((v) => v.name === parts[0]);
    return matches.length === 1 ? matches[0] : undefined;
  }
  if (parts.length === 2) return VIEWS.find((v) => v.schema === parts[0] && v.name === parts[1]);
  return undefined;
}

export async function listViewFiles(dir: string): Promise<ViewFile[]> {
  let entries: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new ImportError('IMPORT_NOT_A_DIRECTORY', `${dir} is not a directory`);
    entries = await readdir(dir);
  } catch (error) {
    if (error instanceof ImportError) throw error;
    throw new ImportError('IMPORT_NOT_A_DIRECTORY', `cannot read directory ${dir}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const files: ViewFile[] = [];
  const seen = new Map<string, string>();
  for (const fileName of entries.sort()) {
    if (!/\.jsonl$/i.test(fileName)) continue;
    const view = viewForFileName(fileName);
    if (!view) {
      const known = VIEWS.map((v) => fileNameForView(v)).join(', ');
      throw new ImportError('IMPORT_UNKNOWN_VIEW_FILE', `no view is named after this file (known: ${known})`, { file: fileName });
    }
    const key = viewKey(view);
    const previous = seen.get(key);
    if (previous !== undefined) throw new ImportError('IMPORT_DUPLICATE_VIEW', `${previous} and ${fileName} both hold view ${key}`, { file: fileName });
    seen.set(key, fileName);
    files.push({ path: join(dir, fileName), fileName, view, viewKey: key });
  }
  return files;
}
