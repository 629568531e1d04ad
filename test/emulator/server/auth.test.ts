// Authentication of SQL API requests: key-pair JWTs verified against registered public keys (390144 on any flaw,
// recording 078), OAuth access tokens issued by the emulator (390303 when expired or revoked), PATs, the role check
// (390186, recording 081) and a missing header.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, makeKeyPair, signJwt, startHarness, submitBody, USER, type Harness } from './helpers.ts';

const JWT_INVALID = { code: '390144', message: 'JWT token is invalid. null' };

describe('SQL API authentication', () => {
  let h: Harness;
  let now = Date.now();
  before(async () => {
    const keys = makeKeyPair();
    h = await startHarness({
      authNow: () => now,
      users: [
        {
          name: USER,
          roles: ['ANALYST'],
          defaultRole: 'ANALYST',
          rsaPublicKeys: [keys.publicKeyPem],
          pats: [
            { name: 'GOOD', secret: 'pat-good-secret', roleRestriction: 'ANALYST', expiresAt: now + 86_400_000 },
            { name: 'OLD', secret: 'pat-old-secret', expiresAt: now - 1000 },
          ],
        },
      ],
    });
    h.keys = keys;
    h.jwt = await signJwt(keys);
  });
  after(async () => {
    await h.emulator.close();
  });

  const select = submitBody("SELECT 1 AS a, 'x' AS b");

  test('a valid key-pair JWT is accepted, with or without the token-type header', async () => {
    assert.equal((await call(h, 'POST', '/api/v2/statements', { body: select })).status, 200);
    const inferred = await call(h, 'POST', '/api/v2/statements', { body: select, token: h.jwt });
    assert.equal(inferred.status, 200);
    const millis = await signJwt(h.keys, { iat: Date.now(), exp: Date.now() + 3_000_000 });
    assert.equal((await call(h, 'POST', '/api/v2/statements', { body: select, token: millis })).status, 200, 'iat/exp in ms');
  });

  test('every flawed JWT gets 401 390144 exactly as recorded', async () => {
    const other = makeKeyPair();
    const nowSeconds = Math.floor(Date.now() / 1000);
    const flawed = {
      wrongKey: await signJwt(h.keys, { signWith: other.privateKey }),
      wrongFingerprint: await signJwt(other),
      wrongAccount: await signJwt(h.keys, { account: 'OTHER-ACCOUNT' }),
      unknownUser: await signJwt(h.keys, { user: 'MALLORY' }),
      expired: await signJwt(h.keys, { iat: nowSeconds - 4000, exp: nowSeconds - 400 }),
      tooLong: await signJwt(h.keys, { iat: nowSeconds, exp: nowSeconds + 3601 }),
      garbage: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln',
    };
    for (const [name, token] of Object.entries(flawed)) {
      const reply = await call(h, 'POST', '/api/v2/statements', { body: select, token, headers: { 'X-Snowflake-Authorization-Token-Type': 'KEYPAIR_JWT' } });
      assert.equal(reply.status, 401, name);
      assert.equal(reply.text, '{\n  "code" : "390144",\n  "message" : "JWT token is invalid. null"\n}', name);
      assert.deepEqual(reply.json(), JWT_INVALID);
    }
  });

  test('the role in the body must be granted: 400 390186 with the real text', async () => {
    const reply = await call(h, 'POST', '/api/v2/statements', { body: { ...select, role: 'ACCOUNTADMIN' } });
    assert.equal(reply.status, 400);
    assert.deepEqual(reply.json(), {
      code: '390186',
      message:
        "Role 'ACCOUNTADMIN' specified in the connect string is not granted to this user, or is not permitted for the credentials being used. Contact your local system administrator, or attempt to login with another role, e.g. PUBLIC.",
    });
    assert.equal((await call(h, 'POST', '/api/v2/statements', { body: { ...select, role: 'PUBLIC' } })).status, 200);
  });

  test('PATs: valid accepted with its role restriction; unknown and expired rejected', async () => {
    const pat = { 'X-Snowflake-Authorization-Token-Type': 'PROGRAMMATIC_ACCESS_TOKEN' };
    const ok = await call(h, 'POST', '/api/v2/statements', { body: select, token: 'pat-good-secret', headers: pat });
    assert.equal(ok.status, 200);
    assert.equal(h.engine.executions.at(-1)?.role, 'ANALYST');
    const inferred = await call(h, 'POST', '/api/v2/statements', { body: select, token: 'pat-good-secret' });
    assert.equal(inferred.status, 200, 'type inferred from a registered PAT');
    const restricted = await call(h, 'POST', '/api/v2/statements', { body: { ...select, role: 'PUBLIC' }, token: 'pat-good-secret', headers: pat });
    assert.equal(restricted.status, 400, 'a PAT cannot leave its ROLE_RESTRICTION');
    for (const token of ['pat-wrong', 'pat-old-secret']) {
      const reply = await call(h, 'POST', '/api/v2/statements', { body: select, token, headers: pat });
      assert.equal(reply.status, 401);
      assert.equal((reply.json() as { code: string }).code, '394400');
      assert.ok(!reply.text.includes(token), 'the token is not echoed');
    }
  });

  test('unknown OAuth tokens get 390303; a missing header gets 400 390146', async () => {
    const reply = await call(h, 'POST', '/api/v2/statements', { body: select, token: 'ver:1-hint:123-ETMsDgAAAbogus', headers: { 'X-Snowflake-Authorization-Token-Type': 'OAUTH' } });
    assert.equal(reply.status, 401);
    assert.equal((reply.json() as { code: string }).code, '390303');
    const missing = await call(h, 'POST', '/api/v2/statements', { body: select, token: null });
    assert.equal(missing.status, 400);
    assert.equal((missing.json() as { code: string }).code, '390146');
  });

  test('status and cancel need authentication too; another credential of the same user sees the statement', async () => {
    const reply = await call(h, 'POST', '/api/v2/statements', { body: select });
    const handle = (reply.json() as { statementHandle: string }).statementHandle;
    const anonymous = await call(h, 'GET', `/api/v2/statements/${handle}`, { token: 'nope', headers: { 'X-Snowflake-Authorization-Token-Type': 'KEYPAIR_JWT' } });
    assert.equal(anonymous.status, 401);
    const cancel = await call(h, 'POST', `/api/v2/statements/${handle}/cancel`, { token: 'nope', headers: { 'X-Snowflake-Authorization-Token-Type': 'KEYPAIR_JWT' } });
    assert.equal(cancel.status, 401);
    const viaPat = await call(h, 'GET', `/api/v2/statements/${handle}`, { token: 'pat-good-secret' });
    assert.equal(viaPat.status, 200, 'same user through another credential');
  });

  test('JWTs are judged by the injected wall clock', async () => {
    const token = await signJwt(h.keys, { iat: Math.floor(now / 1000), exp: Math.floor(now / 1000) + 600 });
    assert.equal((await call(h, 'POST', '/api/v2/statements', { body: select, token, headers: { 'X-Snowflake-Authorization-Token-Type': 'KEYPAIR_JWT' } })).status, 200);
    now += 3_600_000;
    try {
      const reply = await call(h, 'POST', '/api/v2/statements', { body: select, token, headers: { 'X-Snowflake-Authorization-Token-Type': 'KEYPAIR_JWT' } });
      assert.equal(reply.status, 401);
    } finally {
      now -= 3_600_000;
    }
  });
});
