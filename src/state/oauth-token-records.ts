// Rows of sealed (encrypted) OAuth token sets, one per account. The state store only keeps the bytes; sealing and
// opening them is the token cipher's job (token-cipher.ts), so no code path here ever sees a token.

export interface SealedTokenRecord {
  /** Layout of the sealed payload; 1 = AES-256-GCM, 12-byte nonce, 16-byte tag, JSON inside. */
  readonly format: number;
  /** Fingerprint of the key that sealed the row. */
  readonly keyId: string;
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
}

export interface StoredSealedTokenRecord extends SealedTokenRecord {
  readonly updatedAt: Date;
}

export interface OAuthTokenRecords {
  getSealedTokens(account: string): StoredSealedTokenRecord | undefined;
  /** Replaces the account's row; durable (fsynced) when it returns. */
  putSealedTokens(account: string, record: SealedTokenRecord): void;
  /** Removes the account's row; true when there was one. */
  deleteSealedTokens(account: string): boolean;
}
