// Typed errors and warnings of the JSON import. Every problem about file content names the file and the 1-based line.
// The import reports every problem it finds in one error (at most PROBLEMS_SHOWN_PER_FILE per file, then a count),
// so one run shows all there is to fix.

export type ImportErrorCode =
  | 'IMPORT_NOT_A_DIRECTORY'
  | 'IMPORT_NO_FILES'
  | 'IMPORT_UNKNOWN_VIEW_FILE'
  | 'IMPORT_DUPLICATE_VIEW'
  | 'IMPORT_BAD_JSON'
  | 'IMPORT_NOT_AN_OBJECT'
  | 'IMPORT_UNKNOWN_COLUMN'
  | 'IMPORT_DUPLICATE_COLUMN'
  | 'IMPORT_BAD_TIMESTAMP'
  | 'IMPORT_BAD_VALUE'
  | 'IMPORT_BAD_PARAMETERS'
  | 'IMPORT_INVALID_DATA'
  | 'IMPORT_LOAD_FAILED';

export interface ImportProblem {
  readonly code: ImportErrorCode;
  /** The file (or directory, ending in /) relative to the imported directory. */
  readonly file?: string;
  /** 1-based line; absent for problems of a whole file. */
  readonly line?: number;
  readonly message: string;
}

export type ImportWarningCode =
  /** A column the view's documentation does not list: ignored (an error under strict). */
  | 'IMPORT_UNDOCUMENTED_COLUMN'
  /** A JSON object or array for a VARCHAR column: stored as its JSON text. */
  | 'IMPORT_JSON_VALUE_FOR_VARCHAR'
  /** JSON text for a VARIANT, OBJECT or ARRAY column: parsed. */
  | 'IMPORT_JSON_TEXT_FOR_SEMI_STRUCTURED'
  /** A `.json` file that names no view: not read. */
  | 'IMPORT_IGNORED_FILE'
  /** An account parameter the emulator does not model: not set (an error under strict). */
  | 'IMPORT_UNKNOWN_PARAMETER';

/** One warning per view and cause (not per line): where it first happened and how many rows it concerned. */
export interface ImportWarning {
  readonly code: ImportWarningCode;
  /** The view ('LOGIN_HISTORY', 'TRUST_CENTER_FINDINGS'), when the warning is about one. */
  readonly view?: string;
  /** The columns concerned, for warnings about columns. */
  readonly columns?: readonly string[];
  readonly file?: string;
  readonly line?: number;
  readonly rows: number;
  readonly message: string;
}

export const PROBLEMS_SHOWN_PER_FILE = 20;

export function formatLocation(location: { file?: string | undefined; line?: number | undefined }): string {
  if (location.file === undefined) return '';
  return location.line === undefined ? `${location.file}: ` : `${location.file}:${location.line}: `;
}

export class ImportError extends Error {
  readonly code: ImportErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  /** Every problem found (per file, the first PROBLEMS_SHOWN_PER_FILE); one entry for a single problem. */
  readonly problems: readonly ImportProblem[];

  constructor(code: ImportErrorCode, message: string, location: { file?: string; line?: number } = {}, problems?: readonly ImportProblem[]) {
    super(`${formatLocation(location)}${message}`);
    this.name = 'ImportError';
    this.code = code;
    this.file = location.file;
    this.line = location.line;
    this.problems = problems ?? [{ code, message, ...location }];
  }
}

/**
 * Collects the problems of a whole import. Per file it keeps the first PROBLEMS_SHOWN_PER_FILE and counts the rest,
 * so a file with a million bad lines reports twenty and a number, not a million messages.
 */
export class ProblemLog {
  readonly #kept: ImportProblem[] = [];
  readonly #perFile = new Map<string, number>();
  #total = 0;

  add(problem: ImportProblem): void {
    this.#total++;
    const key = problem.file ?? '';
    const count = (this.#perFile.get(key) ?? 0) + 1;
    this.#perFile.set(key, count);
    if (count <= PROBLEMS_SHOWN_PER_FILE) this.#kept.push(problem);
  }

  get size(): number {
    return this.#total;
  }

  /** The error to throw: a single problem as itself, several as IMPORT_INVALID_DATA listing them. */
  toError(): ImportError {
    const only = this.#kept[0];
    if (this.#total === 1 && only !== undefined) {
      return new ImportError(only.code, only.message, { ...(only.file === undefined ? {} : { file: only.file }), ...(only.line === undefined ? {} : { line: only.line }) });
    }
    const files = [...this.#perFile.keys()].filter((f) => f !== '');
    const lines = [`${this.#total} problems in ${files.length} file${files.length === 1 ? '' : 's'}; nothing was loaded:`];
    for (const file of [...this.#perFile.keys()]) {
      for (const problem of this.#kept.filter((p) => (p.file ?? '') === file)) lines.push(`  ${formatLocation(problem)}${problem.message} [${problem.code}]`);
      const hidden = (this.#perFile.get(file) ?? 0) - PROBLEMS_SHOWN_PER_FILE;
      if (hidden > 0) lines.push(`  ${file}: ${hidden} more problem${hidden === 1 ? '' : 's'} not shown`);
    }
    return new ImportError('IMPORT_INVALID_DATA', lines.join('\n'), {}, [...this.#kept]);
  }
}
