// Public surface of the state store.
export type { CycleRecord, StateStore, StreamPosition } from './store.ts';
export { openStateStore, SqliteStateStore } from './sqlite-store.ts';
export type { OpenStateStoreOptions } from './sqlite-store.ts';
export { StateStoreError } from './errors.ts';
export type { StateStoreErrorCode, StateStoreErrorKind } from './errors.ts';
export { operatorAdvice } from './health.ts';
export type { StateStoreHealth, StateStoreHealthListener } from './health.ts';
export { LATEST_SCHEMA_VERSION } from './migrations.ts';
export type { OAuthTokenRecords, SealedTokenRecord, StoredSealedTokenRecord } from './oauth-token-records.ts';
export {
  EncryptedOAuthTokenStore,
  NoKeyOAuthTokenStore,
  ENCRYPTION_KEY_HINT,
} from './encrypted-oauth-token-store.ts';
export { TokenCipher, TokenCipherError, decodeEncryptionKey, type TokenCipherErrorCode } from './token-cipher.ts';
