// Typed errors of the JSON Lines importer. Every error about file content names the file and the 1-based line.

export type ImportErrorCode =
  | 'IMPORT_NOT_A_DIRECTORY'
  | 'IMPORT_NO_FILES'
  | 'IMPORT_UNKNOWN_VIEW_FILE'
  | 'IMPORT_DUPLICATE_VIEW'
  | 'IMPORT_BAD_JSON'
  | 'IMPORT_NOT_AN_OBJECT'
  | 'IMPORT_UNKNOWN_COLUMN'
  | 'IMPORT_BAD_TIMESTAMP'
  | 'IMPORT_BAD_VALUE'
  | 'IMPORT_BAD_PARAMETERS'
  | 'IMPORT_LOAD_FAILED';

export class ImportError extends Error {
  readonly code: ImportErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;

  constructor(code: ImportErrorCode, message: string, location: { file?: string; line?: number } = {}) {
    const where = location.file === undefined ? '' : location.line === undefined ? `${location.file}: ` : `${location.file}:${location.line}: `;
    super(`${where}${message}`);
    this.name = 'ImportError';
    this.code = code;
    this.file = location.file;
    this.line = location.line;
  }
}
