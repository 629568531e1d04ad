// Sealing OAuth token sets for the state file: AES-256-GCM with a fresh 96-bit nonce per write, and the account name
// as associated data, so a row copied onto another account fails authentication instead of lending it a grant.
// The AES key is derived (HKDF-SHA256) from the configured key rather than used as is, so the same configured key
// can later serve other purposes without ever encrypting two kinds of data under one AES key.
//
// Rotation: rows name the key that sealed them by a one-way fingerprint (key id). Opening tries the current key and
// the configured previous keys by id; the caller re-seals a row opened with a previous key, so after one load every
// row is under the current key and the previous one can be removed from the configuration.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { SealedTokenRecord } from './oauth-token-records.ts';

export const ENCRYPTION_KEY_BYTES = 32;
/** Format 1: AES-256-GCM, 12-byte nonce, 16-byte tag. */
export const SEALED_FORMAT = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HKDF_INFO = 'snowflake-risk-exporter/oauth-tokens/aes-256-gcm/v1';
const KEY_ID_LABEL = 'snowflake-risk-exporter/oauth-tokens/key-id/v1';

export type TokenCipherErrorCode =
  /** The row was sealed with a key that is neither the current nor a configured previous key. */
  | 'TOKEN_KEY_UNKNOWN'
  /** Authentication failed: the row is damaged, was moved to another account, or the key bytes are wrong. */
  | 'TOKEN_DECRYPT_FAILED'
  /** The row was written by a newer exporter in a format this one cannot read. */
  | 'TOKEN_FORMAT_UNSUPPORTED';

export class TokenCipherError extends Error {
  readonly code: TokenCipherErrorCode;
  constructor(code: TokenCipherErrorCode, message: string) {
    super(message);
    this.name = 'TokenCipherError';
    this.code = code;
  }
}

/**
 * Reads a configured key: 32 bytes written as 64 hex digits, or as base64 / base64url (44 characters with padding,
 * 43 without). Returns a message (never quoting the value) when the text is anything else.
 */
export function decodeEncryptionKey(text: string): Buffer | { readonly error: string } {
  const value = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(value)) key = Buffer.from(value, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(value)) key = Buffer.from(value.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
  if (key?.length !== ENCRYPTION_KEY_BYTES) {
    return {
      error:
        `must hold a ${ENCRYPTION_KEY_BYTES * 8}-bit key: ${ENCRYPTION_KEY_BYTES} random bytes written as base64 (44 characters) ` +
        'or hex (64 characters), e.g. the output of `openssl rand -base64 32`',
    };
  }
  return key;
}

interface CipherKey {
  readonly id: string;
  readonly aesKey: Buffer;
}

function deriveKey(raw: Buffer): CipherKey {
  if (raw.length !== ENCRYPTION_KEY_BYTES) throw new RangeError(`an encryption key must be ${ENCRYPTION_KEY_BYTES} bytes`);
  const aesKey = Buffer.from(hkdfSync('sha256', raw, Buffer.alloc(0), HKDF_INFO, ENCRYPTION_KEY_BYTES));
  const id = createHmac('sha256', raw).update(KEY_ID_LABEL).digest('hex').slice(0, 16);
  return { id, aesKey };
}

function associatedData(account: string): Buffer {
  return Buffer.from(`snowflake-risk-exporter:oauth-tokens:v${SEALED_FORMAT}:${account}`, 'utf8');
}

export class TokenCipher {
  readonly #current: CipherKey;
  readonly #byId: ReadonlyMap<string, CipherKey>;

  /** `current` seals every write; `previous` keys only open rows written before a rotation. */
  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    this.#current = deriveKey(current);
    const byId = new Map<string, CipherKey>();
    for (const key of [this.#current, ...previous.map(deriveKey)]) if (!byId.has(key.id)) byId.set(key.id, key);
    this.#byId = byId;
  }

  /** Fingerprint of the current key, as stored in key_id; safe to log. */
  get keyId(): string {
    return this.#current.id;
  }

  seal(account: string, plaintext: Buffer): SealedTokenRecord {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#current.aesKey, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(account));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { format: SEALED_FORMAT, keyId: this.#current.id, nonce, ciphertext, tag: cipher.getAuthTag() };
  }

  /** The plaintext, and whether the row needs re-sealing under the current key. Throws TokenCipherError. */
  open(account: string, record: SealedTokenRecord): { readonly plaintext: Buffer; readonly sealedWithPreviousKey: boolean } {
    if (record.format !== SEALED_FORMAT) {
      throw new TokenCipherError(
        'TOKEN_FORMAT_UNSUPPORTED',
        `the stored OAuth tokens use format ${record.format}, which this version of the exporter cannot read`,
      );
    }
    const key = this.#byId.get(record.keyId);
    if (key === undefined) {
      throw new TokenCipherError(
        'TOKEN_KEY_UNKNOWN',
        `the stored OAuth tokens were sealed with a key that is not configured (key id ${record.keyId}; the current key is ` +
          `${this.#current.id}): add that key to state.previousEncryptionKeys, or connect the account again`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.aesKey, record.nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData(account));
      decipher.setAuthTag(record.tag);
      const plaintext = Buffer.concat([decipher.update(record.ciphertext), decipher.final()]);
      return { plaintext, sealedWithPreviousKey: key.id !== this.#current.id };
    } catch {
      // OpenSSL says only "unable to authenticate data"; nothing of the row or the key is kept.
      throw new TokenCipherError(
        'TOKEN_DECRYPT_FAILED',
        `the stored OAuth tokens of account ${account} failed authentication (damaged, or not written for this account): connect the account again`,
      );
    }
  }
}
