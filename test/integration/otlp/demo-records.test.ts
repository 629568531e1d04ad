// Acceptance: the embedded demo (emulator with two weeks of generated activity and planted incidents, the
// exporter configured from YAML as `npm start` does, the built-in catalog) runs with OTLP logs enabled, pointed at an
// in-process OTLP/HTTP receiver that decodes the protobuf payloads with the official OTLP definitions.
//
// Judged against what the delivery pipeline handed its sinks (a recording sink beside the OTLP one): every delivered
// event and finding arrives as exactly one acknowledged record carrying its record id, across a run of two cycles
// (the second re-reads every overlap and re-runs every detection: nothing arrives twice); each kind has its event
// name, times, severity and attributes; the resource names the service and the account; the OTLP self-metrics agree
// with the receiver and the registry still passes `promtool check metrics`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import type { Finding, SnowflakeEvent } from '../../../src/collect/events.ts';
import { startEmbeddedDemo } from '../../../src/demo/embedded-demo.ts';
import { ATTR_RECORD_ID, EVENT_NAMES, FINDING_SEVERITY_NUMBERS, recordId, type RecordKind } from '../../../src/export/otlp/index.ts';
import { startExporter } from '../../../src/runtime/exporter.ts';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../../../src/version.ts';
import { RecordingExporterSink, sampleValue, scrape } from '../../helpers/exporter-harness.ts';
import { otlpConfigFor } from '../../helpers/otlp-config.ts';
import { dateOfNanos, OtlpReceiver, type ReceivedRecord } from '../../helpers/otlp-receiver.ts';

type Source = { kind: RecordKind; event?: SnowflakeEvent; finding?: Finding };

it('the demo scenario: one record per delivered event and finding across a run, with the attributes of its kind', async (t) => {
  const receiver = await OtlpReceiver.start();
  t.after(() => receiver.close());
  const demo = await startEmbeddedDemo({ env: { SNOWFLAKE_RISK_EXPORTER_SERVER__LISTEN: '127.0.0.1:0' } });
  t.after(() => demo.close());
  const recording = new RecordingExporterSink();
  const config = {
    ...demo.config,
    otlp: otlpConfigFor(receiver.url, { resourceAttributes: { 'deployment.environment.name': 'acceptance' } }),
  };
  const exporter = await startExporter(config, { schedule: false, sinks: [recording] });
  t.after(() => exporter.close());
  const account = demo.config.accounts[0]?.name ?? 'demo';

  const first = await exporter.scheduler.runOnce(account);
  assert.ok(first.ran && first.report.outcome === 'ok', JSON.stringify(first));
  const second = await exporter.scheduler.runOnce(account);
  assert.ok(second.ran && second.report.outcome === 'ok', JSON.stringify(second));

  // What the pipeline delivered, by record id.
  const expected = new Map<string, Source>();
  for (const batch of recording.accepted) {
    for (const event of batch.events) expected.set(recordId(event.account, event.kind, event.id), { kind: event.kind, event });
    for (const finding of batch.findings) expected.set(recordId(finding.account, 'finding', finding.id), { kind: 'finding', finding });
  }
  const records = receiver.acknowledged();
  assert.equal(receiver.requests.filter((request) => request.status !== 200).length, 0, 'the receiver acknowledged every request');
  const ids = records.map((record) => String(record.attributes[ATTR_RECORD_ID]));
  assert.equal(new Set(ids).size, ids.length, 'no record arrived twice');
  assert.deepEqual([...ids].sort(), [...expected.keys()].sort(), 'one record per delivered event and finding');

  const kinds = new Map<RecordKind, number>();
  for (const record of records) {
    const source = expected.get(String(record.attributes[ATTR_RECORD_ID]));
    assert.ok(source !== undefined);
    kinds.set(source.kind, (kinds.get(source.kind) ?? 0) + 1);
    assert.equal(record.eventName, EVENT_NAMES[source.kind]);
    assertResource(record, account);
    if (source.event !== undefined) assertEvent(record, source.event);
    if (source.finding !== undefined) assertFinding(record, source.finding);
  }
  t.diagnostic(`records by kind: ${JSON.stringify(Object.fromEntries(kinds))}`);
  for (const kind of ['query', 'login', 'share', 'grant', 'finding'] as const) {
    assert.ok((kinds.get(kind) ?? 0) > 0, `the demo scenario yields ${kind} records`);
  }

  // Self-metrics agree with the receiver; the whole registry still lints.
  const text = await scrape(exporter);
  for (const [kind, count] of kinds) {
    assert.equal(sampleValue(text, 'snowflake_risk_otlp_exported_records_total', { kind }), count, kind);
  }
  assert.equal(sampleValue(text, 'snowflake_risk_otlp_queued_records'), 0);
  assert.equal(sampleValue(text, 'snowflake_risk_otlp_queue_capacity_records'), 2048);
  assert.equal(sampleValue(text, 'snowflake_risk_otlp_failed_records_total'), 0);
  assert.equal(sampleValue(text, 'snowflake_risk_otlp_retried_records_total'), 0);
  assert.ok((sampleValue(text, 'snowflake_risk_otlp_last_success_timestamp_seconds') ?? 0) > 0);
  const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(lint.error, undefined, 'promtool must be installed (Debian package "prometheus")');
  assert.equal(lint.status, 0, `promtool check metrics reported:\n${lint.stdout}${lint.stderr}`);
});

function assertResource(record: ReceivedRecord, account: string): void {
  assert.equal(record.resource['service.name'], PRODUCT_NAME);
  assert.equal(record.resource['service.version'], PRODUCT_VERSION);
  assert.equal(record.resource['snowflake.account.name'], account);
  assert.equal(record.resource['snowflake.account.identifier'], 'demo-emulator');
  assert.equal(record.resource['deployment.environment.name'], 'acceptance');
  assert.equal(record.scope.name, PRODUCT_NAME);
}

function assertEvent(record: ReceivedRecord, event: SnowflakeEvent): void {
  const a = record.attributes;
  assert.equal(dateOfNanos(record.timeUnixNano).getTime(), event.time.getTime(), 'timestamp = when it happened in Snowflake');
  assert.equal(dateOfNanos(record.observedTimeUnixNano).getTime(), event.observedAt.getTime(), 'observed = when it was read');
  assert.equal(a['db.system.name'], 'snowflake');
  switch (event.kind) {
    case 'query':
      assert.equal(a['snowflake.query.id'], event.queryId);
      assert.equal(a['db.query.text'], event.queryText ?? undefined, 'the policy-applied text, nothing else');
      assert.equal(a['db.operation.name'], event.queryType ?? undefined);
      assert.equal(a['user.name'], event.user ?? undefined);
      assert.equal(a['snowflake.warehouse.name'], event.warehouse ?? undefined);
      assert.equal(a['snowflake.role.name'], event.role ?? undefined);
      assert.equal(a['snowflake.query.bytes_scanned'], event.bytesScanned);
      assert.equal(a['snowflake.query.bytes_written_to_result'], event.bytesWrittenToResult);
      assert.equal(a['snowflake.query.rows_produced'], event.rowsProduced);
      if (event.database !== null) {
        assert.equal(a['db.namespace'], event.schema === null ? event.database : `${event.database}|${event.schema}`);
      }
      break;
    case 'login':
      assert.equal(a['snowflake.login.event_id'], event.eventId);
      assert.equal(a['user.name'], event.user ?? undefined);
      assert.equal(a['client.address'], event.clientIp ?? undefined);
      assert.equal(a['snowflake.login.success'], event.success);
      assert.equal(a['error.type'], event.success ? undefined : (event.errorCode ?? '_OTHER'));
      assert.equal(record.severityNumber, event.success ? 9 : 13);
      break;
    case 'share':
      assert.equal(a['snowflake.share.action'], event.action);
      assert.equal(a['snowflake.share.name'], event.shareName ?? undefined);
      assert.deepEqual(a['snowflake.share.consumer_accounts'], [...event.consumerAccounts]);
      break;
    case 'grant':
      assert.equal(a['snowflake.grant.action'], event.action);
      assert.equal(a['snowflake.grantee.name'], event.granteeName);
      assert.equal(a['snowflake.grantee.type'], event.granteeType);
      break;
  }
}

function assertFinding(record: ReceivedRecord, finding: Finding): void {
  const a = record.attributes;
  assert.equal(a['snowflake.detection.id'], finding.detectionId);
  assert.equal(a['snowflake.finding.id'], finding.id);
  assert.deepEqual(a['snowflake.evidence.ids'], [...finding.evidenceIds]);
  assert.equal(a['user.name'], finding.user ?? undefined);
  assert.equal(record.severityNumber, FINDING_SEVERITY_NUMBERS[finding.severity]);
  assert.equal(record.severityText, finding.severity);
  assert.equal(record.body, finding.reason);
  assert.equal(dateOfNanos(record.timeUnixNano).getTime(), finding.time.getTime());
}
