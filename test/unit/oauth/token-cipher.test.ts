// The token cipher and the encrypted token store on a real SQLite state file: AES-256-GCM round trips, the account
// bound as associated data, tampering and unknown keys refused with messages that name the fix, rotation re-sealing
// rows under the current key, and configured keys read from base64 or hex only.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import type { OAuthTokenSet } from '../../../src/snowflake/auth/index.ts';
import {
  decodeEncryptionKey,
  EncryptedOAuthTokenStore,
  NoKeyOAuthTokenStore,
  openStateStore,
  TokenCipher,
  TokenCipherError,
} from '../../../src/state/index.ts';
import { Secret } from '../../../src/util/secret.ts';
import { tempStateDir } from '../../helpers/state-temp.ts';

const KEY = randomBytes(32);
const OTHER_KEY = randomBytes(32);

function tokens(access = 'ver:1-hint:123-access-token-value', refresh: string | null = 'ver:2-hint:456-refresh-token-value'): OAuthTokenSet {
  return {
    accessToken: new Secret(access),
    accessTokenExpiresAt: Date.UTC(2026, 10, 26, 6, 10),
    refreshToken: refresh === null ? null : new Secret(refresh),
    refreshTokenExpiresAt: refresh === null ? null : Date.UTC(2027, 1, 24),
    scope: 'refresh_token session:role:RISK_READER',
    username: 'RISK_OAUTH_PERSON',
  };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof TokenCipherError);
    return error.code;
  }
  return undefined;
}

test('seal and open round-trip with a fresh nonce per write; the key id is a fingerprint, not the key', () => {
  const cipher = new TokenCipher(KEY);
  const plaintext = Buffer.from('{"secret":"value"}');
  const first = cipher.seal('finance', plaintext);
  const second = cipher.seal('finance', plaintext);
  assert.notDeepEqual(first.nonce, second.nonce);
  assert.notDeepEqual(first.ciphertext, second.ciphertext);
  assert.equal(first.nonce.length, 12);
  assert.equal(first.tag.length, 16);
  assert.equal(Buffer.from(first.ciphertext).indexOf(plaintext), -1);
  assert.deepEqual(cipher.open('finance', first), { plaintext, sealedWithPreviousKey: false });
  assert.match(cipher.keyId, /^[0-9a-f]{16}$/);
  assert.ok(!KEY.toString('hex').includes(cipher.keyId));
  assert.equal(new TokenCipher(KEY).keyId, cipher.keyId, 'stable for the same key');
  assert.notEqual(new TokenCipher(OTHER_KEY).keyId, cipher.keyId);
});

test('a row moved to another account, a flipped bit, an unknown key or a newer format is refused', () => {
  const cipher = new TokenCipher(KEY);
  const sealed = cipher.seal('finance', Buffer.from('payload'));
  assert.equal(codeOf(() => cipher.open('prod', sealed)), 'TOKEN_DECRYPT_FAILED');
  const flipped = Buffer.from(sealed.ciphertext);
  flipped[0] = (flipped[0] ?? 0) ^ 1;
  assert.equal(codeOf(() => cipher.open('finance', { ...sealed, ciphertext: flipped })), 'TOKEN_DECRYPT_FAILED');
  assert.equal(codeOf(() => cipher.open('finance', { ...sealed, tag: randomBytes(16) })), 'TOKEN_DECRYPT_FAILED');
  assert.equal(codeOf(() => new TokenCipher(OTHER_KEY).open('finance', sealed)), 'TOKEN_KEY_UNKNOWN');
  assert.equal(codeOf(() => cipher.open('finance', { ...sealed, format: 2 })), 'TOKEN_FORMAT_UNSUPPORTED');
  try {
    new TokenCipher(OTHER_KEY).open('finance', sealed);
  } catch (error) {
    assert.match((error as Error).message, /state\.previousEncryptionKeys/);
    assert.ok(!(error as Error).message.includes(KEY.toString('base64')));
  }
});

test('rotation: previous keys open old rows and say they need re-sealing', () => {
  const old = new TokenCipher(OTHER_KEY).seal('finance', Buffer.from('payload'));
  const rotated = new TokenCipher(KEY, [OTHER_KEY]);
  assert.deepEqual(rotated.open('finance', old), { plaintext: Buffer.from('payload'), sealedWithPreviousKey: true });
  assert.equal(rotated.seal('finance', Buffer.from('x')).keyId, new TokenCipher(KEY).keyId, 'writes use the current key');
});

test('configured keys: 32 bytes as base64, base64url or hex; anything else is refused without quoting it', () => {
  for (const text of [KEY.toString('base64'), KEY.toString('base64url'), KEY.toString('hex'), ` ${KEY.toString('base64')}\n`]) {
    const decoded = decodeEncryptionKey(text);
    assert.ok(Buffer.isBuffer(decoded), text);
    assert.deepEqual(decoded, KEY);
  }
  for (const text of ['', 'correct horse battery staple', randomBytes(16).toString('base64'), randomBytes(33).toString('hex'), `${KEY.toString('hex')}00`]) {
    const decoded = decodeEncryptionKey(text);
    assert.ok(!Buffer.isBuffer(decoded));
    assert.match(decoded.error, /openssl rand -base64 32/);
    if (text.length > 0) assert.ok(!decoded.error.includes(text));
  }
});

test('the encrypted store keeps token sets in the state file, re-seals under a rotated key, and refuses to save without a key', async (t) => {
  const path = join(tempStateDir(t), 'state.db');
  const state = openStateStore({ path });
  t.after(() => state.close());
  const oldStore = new EncryptedOAuthTokenStore({ records: state, cipher: new TokenCipher(OTHER_KEY), account: 'finance' });
  assert.equal(await oldStore.load(), null);
  await oldStore.save(tokens());
  await new EncryptedOAuthTokenStore({ records: state, cipher: new TokenCipher(OTHER_KEY), account: 'prod' }).save(tokens('ver:1-hint:9-prod-access', null));

  const store = new EncryptedOAuthTokenStore({ records: state, cipher: new TokenCipher(KEY, [OTHER_KEY]), account: 'finance' });
  const loaded = await store.load();
  assert.ok(loaded !== null);
  assert.equal(loaded.accessToken.reveal(), 'ver:1-hint:123-access-token-value');
  assert.equal(loaded.refreshToken?.reveal(), 'ver:2-hint:456-refresh-token-value');
  assert.equal(loaded.accessTokenExpiresAt, tokens().accessTokenExpiresAt);
  assert.equal(loaded.refreshTokenExpiresAt, tokens().refreshTokenExpiresAt);
  assert.equal(loaded.scope, 'refresh_token session:role:RISK_READER');
  assert.equal(loaded.username, 'RISK_OAUTH_PERSON');
  assert.equal(String(loaded.accessToken), '[REDACTED]');
  assert.equal(state.getSealedTokens('finance')?.keyId, new TokenCipher(KEY).keyId, 'opened with the previous key, sealed again with the current one');
  assert.equal(state.getSealedTokens('prod')?.keyId, new TokenCipher(OTHER_KEY).keyId, 'other accounts are re-sealed when they are loaded');
  const prod = await new EncryptedOAuthTokenStore({ records: state, cipher: new TokenCipher(KEY, [OTHER_KEY]), account: 'prod' }).load();
  assert.equal(prod?.refreshToken, null);

  assert.equal(store.clear(), true);
  assert.equal(await store.load(), null);

  const refused = await new NoKeyOAuthTokenStore().save(tokens()).then(
    () => undefined,
    (error: unknown) => error as Error,
  );
  assert.ok(refused !== undefined);
  assert.match(refused.message, /state\.encryptionKey/);
  assert.match(refused.message, /openssl rand -base64 32/);
  assert.equal(await new NoKeyOAuthTokenStore().load(), null);
});
