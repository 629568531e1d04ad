import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, type KeyExportOptions, type KeyObject } from 'node:crypto';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { jwtVerify } from 'jose';
import { AuthError } from '../../../src/snowflake/auth/errors.ts';
import { KeyPairTokenSource, publicKeyFingerprint } from '../../../src/snowflake/auth/index.ts';
import { Secret } from '../../../src/util/secret.ts';

// Key generation is the slow part; one key pair per kind serves every test.
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
/** KeyObject.export is typed string | Buffer; PEM output is always text. */
function pem(key: KeyObject, options: KeyExportOptions<'pem'>): string {
  return String(key.export(options));
}
const pkcs8Pem = pem(rsa.privateKey, { type: 'pkcs8', format: 'pem' });
const passphrase = 'correct horse battery staple 42';
const encryptedPem = pem(rsa.privateKey, { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase });
const pkcs1Pem = pem(rsa.privateKey, { type: 'pkcs1', format: 'pem' });

/** Computed here independently of the code under test: SHA-256 over the SPKI DER, standard base64. */
function expectedFingerprint(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64')}`;
}

function clock(startMs: number): { now: () => number; advance: (seconds: number) => void } {
  let current = startMs;
  return { now: () => current, advance: (seconds) => (current += seconds * 1000) };
}

function source(overrides: Partial<ConstructorParameters<typeof KeyPairTokenSource>[0]> = {}): KeyPairTokenSource {
  return new KeyPairTokenSource({
    jwtAccount: 'MYORG-MYACCOUNT',
    user: 'EXPORTER',
    privateKeyPem: new Secret(pkcs8Pem, 'file:/keys/rsa.p8'),
    ...overrides,
  });
}

test('the JWT is RS256, verifies against the public key, and carries exactly the claims Snowflake expects', async () => {
  const time = clock(1_764_000_000_500);
  const tokens = source({ jwtAccount: 'myorg-myaccount', user: 'exporter', now: time.now });
  const bearer = await tokens.getToken();
  assert.equal(bearer.type, 'KEYPAIR_JWT');
  assert.equal(tokens.method, 'keypair');

  const { payload, protectedHeader } = await jwtVerify(bearer.token, rsa.publicKey, {
    algorithms: ['RS256'],
    currentDate: new Date(time.now()),
  });
  assert.deepEqual(protectedHeader, { alg: 'RS256', typ: 'JWT' });
  const fingerprint = expectedFingerprint(rsa.publicKey);
  assert.deepEqual(payload, {
    iss: `MYORG-MYACCOUNT.EXPORTER.${fingerprint}`,
    sub: 'MYORG-MYACCOUNT.EXPORTER',
    iat: 1_764_000_000,
    exp: 1_764_000_000 + 3540,
  });
  assert.equal(tokens.fingerprint, fingerprint);
  assert.match(fingerprint, /^SHA256:[A-Za-z0-9+/]{43}=$/, 'standard base64, not base64url');
});

test('publicKeyFingerprint gives the same value from the public or the private key', () => {
  const expected = expectedFingerprint(rsa.publicKey);
  assert.equal(publicKeyFingerprint(rsa.publicKey), expected);
  assert.equal(publicKeyFingerprint(rsa.privateKey), expected);
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  assert.notEqual(publicKeyFingerprint(other.publicKey), expected);
});

test('an encrypted PKCS#8 key works with its passphrase and signs with the same public key', async () => {
  const tokens = source({
    privateKeyPem: new Secret(encryptedPem, 'file:/keys/rsa_enc.p8'),
    passphrase: new Secret(passphrase, 'env:KEY_PASSPHRASE'),
  });
  const { payload } = await jwtVerify((await tokens.getToken()).token, rsa.publicKey);
  assert.equal(payload.iss, `MYORG-MYACCOUNT.EXPORTER.${expectedFingerprint(rsa.publicKey)}`);
});

test('a PKCS#1 RSA PRIVATE KEY and a one-line key with literal \\n are accepted', async () => {
  for (const pem of [pkcs1Pem, pkcs8Pem.trim().replaceAll('\n', '\\n')]) {
    const tokens = source({ privateKeyPem: new Secret(pem) });
    await jwtVerify((await tokens.getToken()).token, rsa.publicKey);
  }
});

test('a wrong passphrase is a typed error that names the source but not the passphrase', () => {
  const wrong = 'wrong-passphrase-value-9876';
  const error = captureError(() =>
    source({
      privateKeyPem: new Secret(encryptedPem, 'file:/keys/rsa_enc.p8'),
      passphrase: new Secret(wrong, 'env:KEY_PASSPHRASE'),
    }),
  );
  assert.equal(error.code, 'AUTH_PRIVATE_KEY_PASSPHRASE');
  assert.match(error.message, /file:\/keys\/rsa_enc\.p8/);
  assert.match(error.message, /passphrase from env:KEY_PASSPHRASE is wrong/);
  assertNoLeak(error, [wrong, passphrase, encryptedPem]);
});

test('every wrong passphrase is reported as a passphrase problem, including those that happen to pass the padding check', () => {
  // About one wrong passphrase in 256 decrypts to garbage with valid padding and fails later, in key parsing; 600
  // attempts make it near certain (1 - (255/256)^600 > 0.9) that this path is exercised at least once.
  for (let attempt = 0; attempt < 600; attempt++) {
    const wrong = `wrong-${attempt}`;
    const error = captureError(() =>
      source({ privateKeyPem: new Secret(encryptedPem, 'file:/k.p8'), passphrase: new Secret(wrong, 'env:P') }),
    );
    assert.equal(error.code, 'AUTH_PRIVATE_KEY_PASSPHRASE', `attempt ${attempt}`);
    assertNoLeak(error, [wrong, passphrase, encryptedPem]);
  }
});

test('an encrypted key without a passphrase is a typed error', () => {
  const error = captureError(() => source({ privateKeyPem: new Secret(encryptedPem) }));
  assert.equal(error.code, 'AUTH_PRIVATE_KEY_PASSPHRASE');
  assert.match(error.message, /no passphrase/);
});

test('EC keys, 1024-bit RSA keys, public keys and garbage are rejected with clear errors', () => {
  const ec = pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, { type: 'pkcs8', format: 'pem' });
  const ecError = captureError(() => source({ privateKeyPem: new Secret(ec) }));
  assert.equal(ecError.code, 'AUTH_PRIVATE_KEY_UNSUPPORTED');
  assert.match(ecError.message, /ec key.*needs an RSA key/);
  assertNoLeak(ecError, [ec]);

  const small = pem(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey, { type: 'pkcs8', format: 'pem' });
  const smallError = captureError(() => source({ privateKeyPem: new Secret(small) }));
  assert.equal(smallError.code, 'AUTH_PRIVATE_KEY_UNSUPPORTED');
  assert.match(smallError.message, /1024-bit RSA key.*at least 2048 bits/);

  const publicPem = pem(rsa.publicKey, { type: 'spki', format: 'pem' });
  assert.equal(captureError(() => source({ privateKeyPem: new Secret(publicPem) })).code, 'AUTH_PRIVATE_KEY_INVALID');

  const garbled = pkcs8Pem.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!');
  const garbledError = captureError(() => source({ privateKeyPem: new Secret(garbled) }));
  assert.equal(garbledError.code, 'AUTH_PRIVATE_KEY_INVALID');
  assertNoLeak(garbledError, [garbled.slice(40, 100)]);

  assert.equal(captureError(() => source({ privateKeyPem: new Secret('not a key') })).code, 'AUTH_PRIVATE_KEY_INVALID');
});

test('the JWT is cached until renewBeforeSeconds before expiry, then renewed', async () => {
  const time = clock(1_764_000_000_000);
  const tokens = source({ now: time.now, lifetimeSeconds: 3600, renewBeforeSeconds: 300 });
  const first = await tokens.getToken();
  time.advance(3600 - 300 - 1);
  assert.equal((await tokens.getToken()).token, first.token, 'still cached one second before the renewal point');
  time.advance(1);
  const second = await tokens.getToken();
  assert.notEqual(second.token, first.token);
  const { payload } = await jwtVerify(second.token, rsa.publicKey, { currentDate: new Date(time.now()) });
  assert.equal(payload.iat, 1_764_000_000 + 3300);
  assert.equal(payload.exp, 1_764_000_000 + 3300 + 3600);
});

test('concurrent callers share one JWT', async () => {
  const tokens = source();
  const all = await Promise.all(Array.from({ length: 10 }, () => tokens.getToken()));
  assert.equal(new Set(all.map((bearer) => bearer.token)).size, 1);
});

test('invalidate() forces a new JWT on the next call, even within the same second', async () => {
  const time = clock(1_764_000_000_000);
  const tokens = source({ now: time.now });
  const first = await tokens.getToken();
  tokens.invalidate(first);
  const second = await tokens.getToken();
  assert.notEqual(second.token, first.token);
  await jwtVerify(second.token, rsa.publicKey, { currentDate: new Date(time.now()) });

  // Invalidating a token that is no longer the current one changes nothing.
  tokens.invalidate(first);
  assert.equal((await tokens.getToken()).token, second.token);
});

test('lifetimes beyond one hour and renewal windows not shorter than the lifetime are rejected', () => {
  assert.equal(captureError(() => source({ lifetimeSeconds: 3601 })).code, 'AUTH_INVALID_OPTIONS');
  assert.match(captureError(() => source({ lifetimeSeconds: 7200 })).message, /one hour/);
  assert.equal(captureError(() => source({ lifetimeSeconds: 600, renewBeforeSeconds: 600 })).code, 'AUTH_INVALID_OPTIONS');
  assert.equal(captureError(() => source({ jwtAccount: 'myorg.myaccount' })).code, 'AUTH_INVALID_OPTIONS');
  assert.equal(captureError(() => source({ user: '  ' })).code, 'AUTH_INVALID_OPTIONS');
  source({ lifetimeSeconds: 3600 });
});

test('an aborted signal rejects getToken', async () => {
  await assert.rejects(source().getToken(AbortSignal.abort()), { name: 'AbortError' });
});

test('the token source does not print its key', () => {
  const tokens = source({ privateKeyPem: new Secret(pkcs8Pem, 'file:/keys/rsa.p8') });
  const printed = inspect(tokens, { depth: 5 }) + JSON.stringify(tokens);
  const keyLine = pkcs8Pem.split('\n')[1]!;
  assert.ok(keyLine.length > 40);
  assert.ok(!printed.includes(keyLine));
  assert.ok(!printed.includes(rsa.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64').slice(0, 40)));
});

function captureError(fn: () => unknown): AuthError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AuthError, `expected an AuthError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an error');
}

function assertNoLeak(error: Error, secrets: string[]): void {
  const everything = `${error.message}\n${error.stack ?? ''}\n${inspect(error, { depth: 5 })}\n${JSON.stringify(error)}`;
  for (const secret of secrets) assert.ok(!everything.includes(secret), 'the error must not contain secret material');
}
