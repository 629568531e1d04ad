// Typed failures of the state store. The engine must keep serving /metrics when the store fails (disk full, a
// read-only volume, another process holding the lock), so every SQLite error leaves this module as a
// StateStoreError whose `kind` says what an operator should look at. Messages carry SQLite's generic text and the
// operation, never ids, watermarks or stored values.

export type StateStoreErrorKind =
  | 'full' // SQLITE_FULL: the disk (or the configured size cap) is full
  | 'locked' // SQLITE_BUSY / SQLITE_LOCKED: another connection holds the lock past busy_timeout
  | 'readonly' // SQLITE_READONLY / SQLITE_PERM: the file or its directory cannot be written
  | 'corrupt' // SQLITE_CORRUPT / SQLITE_NOTADB: the file is damaged or not a database
  | 'io' // SQLITE_IOERR / SQLITE_CANTOPEN: the operating system refused the read or write
  | 'deleted' // the file at the configured path is no longer the one the store opened (deleted, or replaced)
  | 'schema' // the file was written by a newer version of the exporter (no downgrade)
  | 'closed' // the store was used after close()
  | 'internal'; // anything else (constraint, misuse): a bug in the exporter

export type StateStoreErrorCode = `STATE_${Uppercase<StateStoreErrorKind>}`;

export class StateStoreError extends Error {
  readonly kind: StateStoreErrorKind;
  /** The collection engine's self-metric error kind for every store failure (see src/collect/error-kind.ts). */
  readonly errorKind: 'state';
  readonly code: StateStoreErrorCode;
  /** The store operation that failed ('open', 'commit', 'filterSeen', ...). */
  readonly operation: string;
  /** SQLite's extended result code, when the failure came from SQLite. */
  readonly sqliteCode: number | undefined;
  /** What went wrong, without the "state store <operation> failed (<kind>)" prefix of `message`. */
  readonly reason: string;

  constructor(kind: StateStoreErrorKind, operation: string, message: string, sqliteCode?: number, cause?: unknown) {
    super(`state store ${operation} failed (${kind}): ${message}`, cause === undefined ? undefined : { cause });
    this.reason = message;
    this.name = 'StateStoreError';
    this.kind = kind;
    this.errorKind = 'state';
    this.code = `STATE_${kind.toUpperCase() as Uppercase<StateStoreErrorKind>}`;
    this.operation = operation;
    this.sqliteCode = sqliteCode;
  }
}

// Primary result codes (the low byte of an extended code), from sqlite.org/rescode.html.
const SQLITE_PERM = 3;
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;
const SQLITE_CORRUPT = 11;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;
const SQLITE_NOTADB = 26;

function kindOfSqliteCode(code: number): StateStoreErrorKind {
  switch (code & 0xff) {
    case SQLITE_FULL:
      return 'full';
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return 'locked';
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return 'readonly';
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return 'corrupt';
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return 'io';
    default:
      return 'internal';
  }
}

interface NodeSqliteErrorShape {
  code?: unknown;
  errcode?: unknown;
  errstr?: unknown;
}

/** Turns whatever node:sqlite (or the file system) threw into a StateStoreError; passes StateStoreErrors through. */
export function toStateStoreError(error: unknown, operation: string): StateStoreError {
  if (error instanceof StateStoreError) return error;
  const shape = (typeof error === 'object' && error !== null ? error : {}) as NodeSqliteErrorShape;
  if (typeof shape.errcode === 'number') {
    // errstr is SQLite's fixed text for the code ("database or disk is full"); the full message may name columns.
    const text = typeof shape.errstr === 'string' ? shape.errstr : 'SQLite error';
    return new StateStoreError(kindOfSqliteCode(shape.errcode), operation, text, shape.errcode, error);
  }
  if (shape.code === 'ERR_INVALID_STATE') {
    return new StateStoreError('closed', operation, 'the database is not open', undefined, error);
  }
  if (shape.code === 'ENOSPC') return new StateStoreError('full', operation, 'no space left on device', undefined, error);
  if (shape.code === 'EACCES' || shape.code === 'EPERM' || shape.code === 'EROFS') {
    return new StateStoreError('readonly', operation, 'permission denied or read-only file system', undefined, error);
  }
  if (typeof shape.code === 'string' && shape.code.startsWith('E')) {
    return new StateStoreError('io', operation, `file system error ${shape.code}`, undefined, error);
  }
  const text = error instanceof Error ? error.name : 'unknown error';
  return new StateStoreError('internal', operation, text, undefined, error);
}
