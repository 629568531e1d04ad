// The durable OAuthTokenStore: one account's token set, sealed with the token cipher into the state file's
// oauth_tokens table. Written by the browser consent flow and by every refresh; read at start (restart without new
// consent) and whenever the token source needs a renewal. Without a configured key the exporter keeps no tokens at
// all: NoKeyOAuthTokenStore refuses every save with instructions, rather than writing tokens in clear text.
import { z } from 'zod';
import type { OAuthTokenSet, OAuthTokenStore } from '../snowflake/auth/index.ts';
import { Secret } from '../util/secret.ts';
import type { OAuthTokenRecords } from './oauth-token-records.ts';
import type { TokenCipher } from './token-cipher.ts';

/** What to do without a key, for messages, pages and logs. */
export const ENCRYPTION_KEY_HINT =
  'set state.encryptionKey to a reference (env:NAME or file:PATH) holding 32 random bytes as base64 ' +
  '(make one with `openssl rand -base64 32` and keep it in your secret store), then restart the exporter';

const payloadSchema = z.object({
  v: z.literal(1),
  accessToken: z.string().min(1),
  accessTokenExpiresAt: z.number(),
  refreshToken: z.string().min(1).nullable(),
  refreshTokenExpiresAt: z.number().nullable(),
  scope: z.string().optional(),
  username: z.string().optional(),
});

const SOURCE = 'state:oauth_tokens';

export interface EncryptedOAuthTokenStoreOptions {
  readonly records: OAuthTokenRecords;
  readonly cipher: TokenCipher;
  readonly account: string;
}

export class EncryptedOAuthTokenStore implements OAuthTokenStore {
  readonly #records: OAuthTokenRecords;
  readonly #cipher: TokenCipher;
  readonly #account: string;

  constructor(options: EncryptedOAuthTokenStoreOptions) {
    this.#records = options.records;
    this.#cipher = options.cipher;
    this.#account = options.account;
  }

  load(): Promise<OAuthTokenSet | null> {
    return Promise.resolve().then(() => {
      const record = this.#records.getSealedTokens(this.#account);
      if (record === undefined) return null;
      const { plaintext, sealedWithPreviousKey } = this.#cipher.open(this.#account, record);
      const tokens = parsePayload(plaintext);
      // Rotation: a row opened with a previous key is sealed again under the current one right away.
      if (sealedWithPreviousKey) this.#records.putSealedTokens(this.#account, this.#cipher.seal(this.#account, plaintext));
      plaintext.fill(0);
      return tokens;
    });
  }

  save(tokens: OAuthTokenSet): Promise<void> {
    return Promise.resolve().then(() => {
      const plaintext = Buffer.from(JSON.stringify(toPayload(tokens)), 'utf8');
      try {
        this.#records.putSealedTokens(this.#account, this.#cipher.seal(this.#account, plaintext));
      } finally {
        plaintext.fill(0);
      }
    });
  }

  /** Forgets the account's tokens (e.g. before a deliberate disconnect). */
  clear(): boolean {
    return this.#records.deleteSealedTokens(this.#account);
  }
}

/** The store of an OAuth account when no encryption key is configured: nothing to load, and every save refused. */
export class NoKeyOAuthTokenStore implements OAuthTokenStore {
  load(): Promise<OAuthTokenSet | null> {
    return Promise.resolve(null);
  }

  save(_tokens: OAuthTokenSet): Promise<void> {
    return Promise.reject(new Error(`the exporter stores OAuth tokens only encrypted and no key is configured: ${ENCRYPTION_KEY_HINT}`));
  }
}

function toPayload(tokens: OAuthTokenSet): z.infer<typeof payloadSchema> {
  return {
    v: 1,
    accessToken: tokens.accessToken.reveal(),
    accessTokenExpiresAt: tokens.accessTokenExpiresAt,
    refreshToken: tokens.refreshToken?.reveal() ?? null,
    refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
    ...(tokens.scope === undefined ? {} : { scope: tokens.scope }),
    ...(tokens.username === undefined ? {} : { username: tokens.username }),
  };
}

function parsePayload(plaintext: Buffer): OAuthTokenSet {
  let json: unknown;
  try {
    json = JSON.parse(plaintext.toString('utf8'));
  } catch {
    json = undefined;
  }
  const parsed = payloadSchema.safeParse(json);
  // Only the shape is reported: the payload holds the tokens.
  if (!parsed.success) throw new Error('the stored OAuth token set is not in the expected shape');
  const payload = parsed.data;
  return {
    accessToken: new Secret(payload.accessToken, SOURCE),
    accessTokenExpiresAt: payload.accessTokenExpiresAt,
    refreshToken: payload.refreshToken === null ? null : new Secret(payload.refreshToken, SOURCE),
    refreshTokenExpiresAt: payload.refreshTokenExpiresAt,
    ...(payload.scope === undefined ? {} : { scope: payload.scope }),
    ...(payload.username === undefined ? {} : { username: payload.username }),
  };
}
