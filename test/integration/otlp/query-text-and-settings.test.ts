// Issue 6: what leaves as db.query.text is only what the account's text policy kept (full, truncated, literals
// redacted, or nothing), read from the emulator's QUERY_HISTORY by the real exporter; and the standard OTEL_*
// variables configure the sink when the file says nothing, while the file wins when it does.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import type { AccountConfig, ExporterConfig } from '../../../src/config/types.ts';
import { OtlpLogSink } from '../../../src/export/otlp/index.ts';
import { startExporter } from '../../../src/runtime/exporter.ts';
import { Secret } from '../../../src/util/secret.ts';
import { keyPairEmulatorFor } from '../../helpers/emulator-account.ts';
import { exporterConfigFor, minutesAfter, queryRow, tempDirFor } from '../../helpers/exporter-harness.ts';
import { otlpConfigFor } from '../../helpers/otlp-config.ts';
import { OtlpReceiver } from '../../helpers/otlp-receiver.ts';
import { finding, loginEvent } from '../../helpers/state-test-sinks.ts';

const T0 = new Date('2026-11-20T12:00:00Z');
const PASSWORD_STATEMENT = "ALTER USER BOB SET PASSWORD = 'Sup3r-Secret!' MUST_CHANGE_PASSWORD = FALSE";
const PREDICATE_STATEMENT = "SELECT NAME, EMAIL FROM CRM.PUBLIC.CUSTOMERS WHERE SSN = '123-45-6789' AND CREDIT_LIMIT > 25000";

describe('query text in OTLP records', () => {
  it('carries only what each account\'s text policy kept', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: T0 });
    await e.engine.insertRows('QUERY_HISTORY', [
      queryRow('q-password', minutesAfter(T0, -90), { QUERY_TEXT: PASSWORD_STATEMENT, QUERY_TYPE: 'ALTER_USER' }),
      queryRow('q-predicate', minutesAfter(T0, -80), { QUERY_TEXT: PREDICATE_STATEMENT }),
    ]);
    const receiver = await OtlpReceiver.start();
    t.after(() => receiver.close());
    // Four accounts on the same emulated account, one per policy: each reads the same two statements.
    const policy = (name: string, text: AccountConfig['queryEvents']['text'], maxTextLength = 4096): AccountConfig => ({
      ...e.account,
      name,
      queryEvents: { scope: 'all', text, maxTextLength },
    });
    const accounts = [policy('full', 'full'), policy('truncated', 'truncate', 20), policy('redacted', 'redact'), policy('dropped', 'none')];
    const base = exporterConfigFor(e.account, join(tempDirFor(t), 'state.db'));
    const config: ExporterConfig = { ...base, accounts, otlp: otlpConfigFor(receiver.url) };
    const exporter = await startExporter(config, { schedule: false });
    t.after(() => exporter.close());
    for (const account of accounts) {
      const cycle = await exporter.scheduler.runOnce(account.name);
      assert.ok(cycle.ran && cycle.report.outcome === 'ok', `${account.name}: ${JSON.stringify(cycle)}`);
    }

    const textOf = (account: string, queryId: string): unknown => {
      const matching = receiver
        .acknowledged()
        .filter((record) => record.resource['snowflake.account.name'] === account && record.attributes['snowflake.query.id'] === queryId);
      assert.equal(matching.length, 1, `${account} ${queryId}: one record`);
      return matching[0]?.attributes['db.query.text'];
    };
    assert.equal(textOf('full', 'q-password'), PASSWORD_STATEMENT);
    assert.equal(textOf('truncated', 'q-password'), `${PASSWORD_STATEMENT.slice(0, 20)}…`);
    assert.equal(textOf('redacted', 'q-password'), 'ALTER USER BOB SET PASSWORD = ? MUST_CHANGE_PASSWORD = FALSE');
    assert.equal(textOf('redacted', 'q-predicate'), 'SELECT NAME, EMAIL FROM CRM.PUBLIC.CUSTOMERS WHERE SSN = ? AND CREDIT_LIMIT > ?');
    assert.equal(textOf('dropped', 'q-password'), undefined, 'no text attribute at all');
    // Nowhere else in any record of the redacting accounts: not in another attribute, the body or the resource.
    for (const record of receiver.acknowledged()) {
      if (record.resource['snowflake.account.name'] === 'full') continue;
      const everything = JSON.stringify(record);
      for (const secret of ['Sup3r-Secret!', '123-45-6789', '25000']) assert.ok(!everything.includes(secret), `${secret} leaked`);
    }
  });
});

describe('OTLP settings', () => {
  it('OTEL_* variables configure what the file leaves out; the file wins where it speaks', async (t) => {
    const fromEnv = await OtlpReceiver.start();
    const fromFile = await OtlpReceiver.start();
    t.after(() => Promise.all([fromEnv.close(), fromFile.close()]));
    const saved = { ...process.env };
    t.after(() => {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    });
    // The OpenTelemetry exporter and resource detector read process.env themselves, as in production.
    Object.assign(process.env, {
      OTEL_EXPORTER_OTLP_ENDPOINT: fromEnv.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=risk-team,authorization=Bearer env-token',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_SERVICE_NAME: 'sf-risk-prod',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,team=secops',
    });

    const envOnly = new OtlpLogSink({
      config: otlpConfigFor('', { endpoint: undefined, protocol: undefined, timeoutSeconds: undefined }),
      accounts: [{ name: 'acct', identifier: 'myorg-prod' }],
      registry: new Registry(),
    });
    t.after(() => envOnly.close());
    assert.equal(envOnly.endpoint.urlSource, 'OTEL_EXPORTER_OTLP_ENDPOINT');
    await envOnly.deliver({ account: 'acct', source: 'login_history', events: [loginEvent('1')], findings: [] }, AbortSignal.timeout(20_000));
    const [request] = fromEnv.requests;
    assert.ok(request !== undefined);
    assert.match(request.contentType, /application\/json/);
    assert.equal(request.headers['content-encoding'], 'gzip');
    assert.equal(request.headers['x-tenant'], 'risk-team');
    assert.equal(request.headers.authorization, 'Bearer env-token');
    const record = request.records[0];
    assert.equal(record?.resource['service.name'], 'sf-risk-prod');
    assert.equal(record?.resource.team, 'secops');
    assert.equal(record?.resource['snowflake.account.identifier'], 'myorg-prod');

    const fileWins = new OtlpLogSink({
      config: otlpConfigFor(fromFile.url, {
        protocol: 'http/protobuf',
        compression: 'none',
        headers: { authorization: new Secret('Bearer file-token', 'env:OTLP_TOKEN') },
        resourceAttributes: { 'deployment.environment.name': 'staging' },
      }),
      accounts: [{ name: 'acct' }],
      registry: new Registry(),
    });
    t.after(() => fileWins.close());
    await fileWins.deliver({ account: 'acct', source: 'x', events: [], findings: [finding('f1')] }, AbortSignal.timeout(20_000));
    assert.equal(fromEnv.requests.length, 1, 'nothing went to the environment\'s endpoint');
    const [fileRequest] = fromFile.requests;
    assert.ok(fileRequest !== undefined);
    assert.equal(fileRequest.contentType, 'application/x-protobuf');
    assert.equal(fileRequest.headers['content-encoding'], undefined);
    assert.equal(fileRequest.headers.authorization, 'Bearer file-token', 'a configured header wins over the variable');
    assert.equal(fileRequest.headers['x-tenant'], 'risk-team', 'other headers of the variable still apply');
    assert.equal(fileRequest.records[0]?.resource['deployment.environment.name'], 'staging');
    assert.equal(fileRequest.records[0]?.resource['service.name'], 'sf-risk-prod', 'OTEL_SERVICE_NAME still names the service');
  });
});
