// From a configuration file to requests on the wire: the account's identifier, auth block, role, warehouse and
// statement timeout must all reach the SQL API request. The server is the in-process recording server answering
// with a real recorded Snowflake response (REC#018).
import assert from 'node:assert/strict';
import { generateKeyPairSync, createHash } from 'node:crypto';
import { after, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { loadConfigFromText } from '../../src/config/index.ts';
import { createAccountClient, EXPORTER_QUERY_TAG } from '../../src/snowflake/account-client.ts';
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server.ts';
import { bodyOf } from '../helpers/sqlapi-harness.ts';
import { loadRecording, replyFrom } from '../helpers/snowflake-recordings.ts';

const servers: RecordingServer[] = [];
after(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function recordedSelectServer(): Promise<RecordingServer> {
  const server = await startRecordingServer(() => replyFrom(loadRecording('018')));
  servers.push(server);
  return server;
}

function accountYaml(endpoint: URL, auth: string): string {
  return `
accounts:
  - name: prod
    account: myorg-prod_eu
    endpoint: ${endpoint.origin}
    user: exporter_svc
    role: RISK_EXPORTER
    warehouse: RISK_WH
    statementTimeout: 5m
    auth: ${auth}
`;
}

test('a key-pair account signs a JWT for the configured identifier and sends role, warehouse, timeout and tag', async () => {
  const server = await recordedSelectServer();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const expectedFingerprint = `SHA256:${createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64')}`;
  const { config } = loadConfigFromText(accountYaml(server.url, '{ method: keypair, privateKey: "env:TEST_KEY" }'), {
    sourcePath: '/virtual/config.yaml',
    env: { TEST_KEY: pem },
    cwd: '/virtual',
  });
  const account = config.accounts[0];
  assert.ok(account);
  const { client, close } = createAccountClient(account);
  try {
    const result = await client.execute('SELECT 1 AS a, \'x\' AS b');
    const rows = [];
    for await (const row of result.rowsAsObjects()) rows.push(row);
    assert.deepEqual(rows, [{ A: 1, B: 'x' }]);
  } finally {
    await close();
  }

  const post = server.requests.find((request) => request.method === 'POST');
  assert.ok(post, 'the statement was submitted');
  assert.equal(post.headers['x-snowflake-authorization-token-type'], 'KEYPAIR_JWT');
  const token = String(post.headers.authorization).replace(/^Bearer /, '');
  assert.equal(decodeProtectedHeader(token).alg, 'RS256');
  const claims = decodeJwt(token);
  assert.equal(claims.iss, `MYORG-PROD_EU.EXPORTER_SVC.${expectedFingerprint}`);
  assert.equal(claims.sub, 'MYORG-PROD_EU.EXPORTER_SVC');
  const body = bodyOf(post);
  assert.equal(body.role, 'RISK_EXPORTER');
  assert.equal(body.warehouse, 'RISK_WH');
  assert.equal(body.timeout, 300);
  assert.equal((body.parameters as Record<string, string>).QUERY_TAG, EXPORTER_QUERY_TAG);
});

test('a PAT account sends its token with the PROGRAMMATIC_ACCESS_TOKEN type', async () => {
  const server = await recordedSelectServer();
  const { config } = loadConfigFromText(accountYaml(server.url, '{ method: pat, token: "env:TEST_PAT" }'), {
    sourcePath: '/virtual/config.yaml',
    env: { TEST_PAT: 'pat-secret-value-123' },
    cwd: '/virtual',
  });
  const account = config.accounts[0];
  assert.ok(account);
  const { client, close } = createAccountClient(account);
  try {
    const result = await client.execute('SELECT 1 AS a, \'x\' AS b');
    for await (const _ of result.rows()) {
      // drain
    }
  } finally {
    await close();
  }
  const post = server.requests.find((request) => request.method === 'POST');
  assert.ok(post);
  assert.equal(post.headers.authorization, 'Bearer pat-secret-value-123');
  assert.equal(post.headers['x-snowflake-authorization-token-type'], 'PROGRAMMATIC_ACCESS_TOKEN');
});
