// Public surface of the state store.
export type { CycleRecord, StateStore, StreamPosition } from './store.ts';
export { openStateStore, SqliteStateStore } from './sqlite-store.ts';
export type { OpenStateStoreOptions } from './sqlite-store.ts';
export { StateStoreError } from './errors.ts';
export type { StateStoreErrorCode, StateStoreErrorKind } from './errors.ts';
export { LATEST_SCHEMA_VERSION } from './migrations.ts';
