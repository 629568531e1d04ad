// Which files hold which view. A data file ends in `.jsonl`, `.ndjson` or `.json`, optionally followed by `.gz`; names
// are case-insensitive. A view's rows come from exactly one of:
// - one file named after the view: `QUERY_HISTORY.jsonl`, `ACCOUNT_USAGE.QUERY_HISTORY.json.gz`,
//   `TRUST_CENTER_FINDINGS.jsonl` (the views are those of emulator/schema.ts; the undocumented
//   SNOWFLAKE.TRUST_CENTER.FINDINGS is not one of them);
// - the part files COPY INTO <location> writes for a path prefix: `@stage/QUERY_HISTORY` unloads to
//   `QUERY_HISTORY_0_0_0.json.gz`, `QUERY_HISTORY_0_1_0.json.gz`... (the view name, then `_<digits>` groups);
// - a directory named after the view (`QUERY_HISTORY/`), every data file under it, whatever their names (a prefix
//   ending in `/` unloads to `data_0_0_0.json.gz`...).
// A typo must not silently drop a view, so a `.jsonl`/`.ndjson` file or a directory of data files that names no view is
// an error. `.json` is also what other tools write, so a `.json` file naming no view is only reported as ignored;
// ACCOUNT_PARAMETERS.json and ground-truth.json are companions, not data.
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { VIEWS, type ViewDefinition } from '../schema.ts';
import { ImportError, type ImportProblem } from './errors.ts';

export const PARAMETERS_FILE = 'ACCOUNT_PARAMETERS.json';
const COMPANION_FILES = new Set([PARAMETERS_FILE.toLowerCase(), 'ground-truth.json']);
const DATA_FILE = /^(.+)\.(jsonl|ndjson|json)(\.gz)?$/i;
const PART_SUFFIX = /(_\d+)+$/;

export interface DataFile {
  readonly path: string;
  /** Relative to the imported directory, for messages. */
  readonly displayName: string;
  readonly gzip: boolean;
}

export interface ViewSource {
  readonly view: ViewDefinition;
  /** The name the engine's insertRows() takes: bare for ACCOUNT_USAGE (`TRUST_CENTER_FINDINGS`), `SCHEMA.VIEW` otherwise. */
  readonly viewKey: string;
  /** The file, the part files' prefix or the directory the rows come from, as written. */
  readonly name: string;
  readonly files: DataFile[];
}

export interface Listing {
  readonly sources: ViewSource[];
  /** Problems with the directory's layout (unknown view files, two sources for a view). */
  readonly problems: ImportProblem[];
  /** `.json` files that name no view, left alone. */
  readonly ignored: string[];
  /** The account parameters file as it is spelt in the directory, when there is one. */
  readonly parametersFile: string | undefined;
}

export function viewKey(view: ViewDefinition): string {
  return view.schema === 'ACCOUNT_USAGE' ? view.name : `${view.schema}.${view.name}`;
}

/** The canonical file name of a view (what the exporters write). */
export function fileNameForView(view: ViewDefinition): string {
  return `${viewKey(view)}.jsonl`;
}

/** The view a name designates: `QUERY_HISTORY`, `ACCOUNT_USAGE.QUERY_HISTORY`, `trust_center_findings` (case-insensitive). */
function viewForName(name: string): ViewDefinition | undefined {
  const parts = name.toUpperCase().split('.');
  if (parts.length === 1) {
    const matches = VIEWS.filter((v) => v.name === parts[0]);
    return matches.length === 1 ? matches[0] : undefined;
  }
  if (parts.length === 2) return VIEWS.find((v) => v.schema === parts[0] && v.name === parts[1]);
  return undefined;
}

/** The view a data file at the top of the directory holds, and whether it is one part of several. */
export function viewForFileName(fileName: string): ViewDefinition | undefined {
  return classifyFile(fileName)?.view;
}

function classifyFile(fileName: string): { view: ViewDefinition; prefix: string; part: boolean } | undefined {
  const match = DATA_FILE.exec(fileName);
  if (match === null) return undefined;
  const base = match[1] as string;
  const whole = viewForName(base);
  if (whole !== undefined) return { view: whole, prefix: base, part: false };
  const prefix = base.replace(PART_SUFFIX, '');
  if (prefix === base) return undefined;
  const view = viewForName(prefix);
  return view === undefined ? undefined : { view, prefix, part: true };
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const knownNames = (): string => VIEWS.map((v) => viewKey(v)).join(', ');

export async function listViewSources(dir: string): Promise<Listing> {
  let entries: Dirent[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new ImportError('IMPORT_NOT_A_DIRECTORY', `${dir} is not a directory`);
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (error instanceof ImportError) throw error;
    throw new ImportError('IMPORT_NOT_A_DIRECTORY', `cannot read directory ${dir}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const problems: ImportProblem[] = [];
  const ignored: string[] = [];
  let parametersFile: string | undefined;
  // viewKey -> source key ('file:NAME', 'parts:PREFIX', 'dir:NAME') -> source
  const byView = new Map<string, Map<string, ViewSource>>();
  const add = (view: ViewDefinition, key: string, name: string, file: DataFile): void => {
    const k = viewKey(view);
    const sources = byView.get(k) ?? new Map<string, ViewSource>();
    byView.set(k, sources);
    let source = sources.get(key);
    if (source === undefined) {
      source = { view, viewKey: k, name, files: [] };
      sources.set(key, source);
    }
    source.files.push(file);
  };

  for (const entry of entries.sort((a, b) => byCodeUnit(a.name, b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const view = viewForName(entry.name);
      const inside = (await readdir(path, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile() && DATA_FILE.test(e.name))
        .map((e) => join(e.parentPath, e.name))
        .sort(byCodeUnit);
      if (view === undefined) {
        if (inside.length > 0) problems.push({ code: 'IMPORT_UNKNOWN_VIEW_FILE', file: `${entry.name}/`, message: `this directory holds data files but names no view (known: ${knownNames()})` });
        continue;
      }
      for (const file of inside) {
        add(view, `dir:${entry.name}`, `${entry.name}/`, { path: file, displayName: file.slice(dir.length).replace(/^[/\\]+/, ''), gzip: /\.gz$/i.test(file) });
      }
      continue;
    }
    if (entry.isFile() && entry.name.toLowerCase() === PARAMETERS_FILE.toLowerCase()) parametersFile = entry.name;
    if (!entry.isFile() || !DATA_FILE.test(entry.name) || COMPANION_FILES.has(entry.name.toLowerCase())) continue;
    const found = classifyFile(entry.name);
    const file: DataFile = { path, displayName: entry.name, gzip: /\.gz$/i.test(entry.name) };
    if (found === undefined) {
      if (/\.json(\.gz)?$/i.test(entry.name)) ignored.push(entry.name);
      else problems.push({ code: 'IMPORT_UNKNOWN_VIEW_FILE', file: entry.name, message: `no view is named after this file (known: ${knownNames()})` });
      continue;
    }
    if (found.part) add(found.view, `parts:${found.prefix.toUpperCase()}`, `${found.prefix}_*`, file);
    else add(found.view, `file:${entry.name}`, entry.name, file);
  }

  const sources: ViewSource[] = [];
  for (const [key, candidates] of byView) {
    const list = [...candidates.values()];
    if (list.length > 1) {
      problems.push({ code: 'IMPORT_DUPLICATE_VIEW', file: list[1]?.name ?? '', message: `${list.map((s) => s.name).join(' and ')} both hold view ${key}` });
      continue;
    }
    sources.push(list[0] as ViewSource);
  }
  sources.sort((a, b) => byCodeUnit(a.name, b.name));
  return { sources, problems, ignored, parametersFile };
}
