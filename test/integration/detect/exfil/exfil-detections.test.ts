// The exfiltration SQL detections on hand-built rows in the emulator: the edge cases the demo scenario does not pin
// (step order and the 36 h limit of the chain, URL forms, baselines and floors, known destinations). The demo
// scenario's stories and near-misses are checked for every detection in ../mfa-exfil-ground-truth.test.ts (one demo
// load); the per-event and posture rules (SF-10, SF-11) also have unit tests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crossRegionEgress } from '../../../../src/detect/catalog/exfil/cross-region-egress.ts';
import { resultVolumeSpike } from '../../../../src/detect/catalog/exfil/result-volume-spike.ts';
import { stageChain } from '../../../../src/detect/catalog/exfil/stage-chain.ts';
import { unloadExternalLocation } from '../../../../src/detect/catalog/exfil/unload-external-location.ts';
import { runSqlDetection } from '../../../../src/detect/run-sql-detection.ts';
import type { FindingDraft, ParameterValues, SqlDetection } from '../../../../src/detect/types.ts';
import { EXPORTER_QUERY_TAG } from '../../../../src/snowflake/account-client.ts';
import { keyPairEmulatorFor, type KeyPairEmulator } from '../../../helpers/emulator-account.ts';

const NOW = new Date('2026-11-20T12:00:00Z');
const HOUR = 3_600_000;
let sequence = 0;

function query(user: string, offsetMs: number, type: string, text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const start = new Date(NOW.getTime() + offsetMs);
  return {
    QUERY_ID: `q-${String(++sequence).padStart(4, '0')}`, QUERY_TEXT: text, QUERY_TYPE: type, USER_NAME: user, ROLE_NAME: 'R', SESSION_ID: 1,
    EXECUTION_STATUS: 'SUCCESS', START_TIME: start.toISOString(), END_TIME: new Date(start.getTime() + 1000).toISOString(), BYTES_WRITTEN_TO_RESULT: 100, ROWS_UNLOADED: 10, ...extra,
  };
}

async function findingsOf(e: KeyPairEmulator, detection: SqlDetection, parameters: ParameterValues = {}): Promise<FindingDraft[]> {
  const out: FindingDraft[] = [];
  for await (const f of runSqlDetection({ client: e.client, detection, window: { from: new Date(NOW.getTime() - 24 * HOUR), to: e.now() }, parameters })) out.push(f);
  return out;
}

describe('exfiltration SQL rules on hand-built rows', () => {
  it('SF-06: order, user, 36 h and the stage name all matter; qualified and bare names correlate', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: NOW, latency: { QUERY_HISTORY: 0 } });
    const create = query('A', -5 * HOUR, 'CREATE', '-- export\ncreate or replace temp stage if not exists db.s.stg1');
    const unload = query('A', -4 * HOUR, 'UNLOAD', "copy into '@DB.S.STG1/out/' from t");
    const get = query('A', -3 * HOUR, 'GET_FILES', 'GET @stg1/out/ file:///tmp/');
    const rows = [
      create, unload, get,
      // Another user's GET on a stage of the same name is not A's chain.
      query('B', -2 * HOUR, 'GET_FILES', 'GET @stg1/out/ file:///tmp/'),
      // Chain older than 36 h: the create is 40 h before the GET.
      query('C', -40 * HOUR, 'CREATE', 'CREATE TEMPORARY STAGE old_stage'),
      query('C', -39 * HOUR, 'UNLOAD', 'COPY INTO @old_stage FROM t'),
      query('C', -1 * HOUR, 'GET_FILES', 'GET @old_stage file:///tmp/'),
      // Permanent stage: no TEMPORARY.
      query('D', -5 * HOUR, 'CREATE', 'CREATE STAGE perm'),
      query('D', -4 * HOUR, 'UNLOAD', 'COPY INTO @perm FROM t'),
      query('D', -3 * HOUR, 'GET_FILES', 'GET @perm file:///tmp/'),
      // GET before the unload: wrong order.
      query('F', -5 * HOUR, 'CREATE', 'CREATE TEMP STAGE s2'),
      query('F', -4 * HOUR, 'GET_FILES', 'GET @s2 file:///tmp/'),
      query('F', -3 * HOUR, 'UNLOAD', 'COPY INTO @s2 FROM t'),
      // The exporter's own statements never count.
      query('G', -5 * HOUR, 'CREATE', 'CREATE TEMP STAGE s3', { QUERY_TAG: EXPORTER_QUERY_TAG }),
      query('G', -4 * HOUR, 'UNLOAD', 'COPY INTO @s3 FROM t'),
      query('G', -3 * HOUR, 'GET_FILES', 'GET @s3 file:///tmp/'),
    ];
    await e.engine.insertRows('QUERY_HISTORY', rows);
    const found = await findingsOf(e, stageChain);
    assert.deepEqual(found.map((f) => [f.user, f.evidenceIds]), [['A', [create.QUERY_ID, unload.QUERY_ID, get.QUERY_ID].map(String).sort()]]);
    assert.equal(found[0]?.attributes?.stage, 'STG1');
    // C's chain is 40 h long: a 48 h limit takes it in, which shows the 36 h limit is what kept it out.
    assert.deepEqual((await findingsOf(e, stageChain, { chainHours: 48 })).map((f) => f.user), ['A', 'C']);
  });

  it('SF-07: inline URLs in any case, over several lines, after comments; not stages, loads or failures', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: NOW, latency: { QUERY_HISTORY: 0 } });
    const gcs = query('A', -3 * HOUR, 'UNLOAD', "/* nightly */\n-- to the vendor\ncopy\ninto\n  'gcs://bucket/path/'\nfrom t");
    const azure = query('A', -2 * HOUR, 'UNLOAD', "COPY INTO $$AZURE://acct.blob.core.windows.net/c/$$ FROM t");
    await e.engine.insertRows('QUERY_HISTORY', [
      gcs, azure,
      query('B', -3 * HOUR, 'UNLOAD', 'COPY INTO @my_stage/out/ FROM t'),
      query('B', -3 * HOUR, 'UNLOAD', "COPY INTO @~/out/ FROM (SELECT 's3://not-a-target' AS note)"),
      query('C', -3 * HOUR, 'COPY', "COPY INTO t FROM 's3://bucket/in/'"),
      query('D', -3 * HOUR, 'UNLOAD', "COPY INTO 's3://bucket/blocked/' FROM t", { EXECUTION_STATUS: 'FAIL' }),
    ]);
    const found = await findingsOf(e, unloadExternalLocation);
    assert.deepEqual(found.map((f) => [f.user, f.evidenceIds[0], f.attributes?.location]), [['A', gcs.QUERY_ID, 'gcs'], ['A', azure.QUERY_ID, 'azure']]);
  });

  it('SF-08: a spike against the user\'s own baseline fires; habitual volume, the 1 MB floor, a short baseline and the exporter do not', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: NOW, latency: { QUERY_HISTORY: 0 } });
    const rows: Record<string, unknown>[] = [];
    const daily = (user: string, days: number, bytes: (day: number) => number, extra: Record<string, unknown> = {}): void => {
      for (let day = days; day >= 1; day--) rows.push(query(user, -day * 24 * HOUR, 'SELECT', 'SELECT 1', { BYTES_WRITTEN_TO_RESULT: bytes(day), ...extra }));
    };
    daily('NORMAL_BIG', 10, (day) => (day % 2 === 0 ? 4.0e9 : 4.4e9));
    rows.push(query('NORMAL_BIG', -2 * HOUR, 'SELECT', 'SELECT 1', { BYTES_WRITTEN_TO_RESULT: 4.5e9 }));
    daily('SPIKE', 10, (day) => (day % 2 === 0 ? 20e6 : 22e6));
    const big = query('SPIKE', -3 * HOUR, 'SELECT', 'SELECT * FROM a', { BYTES_WRITTEN_TO_RESULT: 1e9 });
    const medium = query('SPIKE', -2 * HOUR, 'SELECT', 'SELECT * FROM b', { BYTES_WRITTEN_TO_RESULT: 5e8 });
    rows.push(big, medium, query('SPIKE', -1 * HOUR, 'SELECT', 'SELECT 1', { BYTES_WRITTEN_TO_RESULT: 1_000 }));
    daily('SMALL', 10, (day) => (day % 2 === 0 ? 100 : 110));
    rows.push(query('SMALL', -2 * HOUR, 'SELECT', 'SELECT 1', { BYTES_WRITTEN_TO_RESULT: 900_000 }));
    daily('NEWBIE', 3, (day) => (day % 2 === 0 ? 20e6 : 22e6));
    rows.push(query('NEWBIE', -2 * HOUR, 'SELECT', 'SELECT 1', { BYTES_WRITTEN_TO_RESULT: 5e9 }));
    daily('SELF', 10, (day) => (day % 2 === 0 ? 20e6 : 22e6), { QUERY_TAG: EXPORTER_QUERY_TAG });
    rows.push(query('SELF', -2 * HOUR, 'SELECT', 'SELECT 1', { BYTES_WRITTEN_TO_RESULT: 5e9, QUERY_TAG: EXPORTER_QUERY_TAG }));
    await e.engine.insertRows('QUERY_HISTORY', rows);
    const found = await findingsOf(e, resultVolumeSpike);
    assert.deepEqual(found.map((f) => [f.user, f.evidenceIds]), [['SPIKE', [big.QUERY_ID, medium.QUERY_ID].map(String).sort()]]);
    assert.equal(found[0]?.attributes?.dailyBytes, 1_500_001_000);
    assert.equal(found[0]?.attributes?.baselineDays, 10);
    // A stricter threshold silences it: the parameters reach the statement.
    assert.deepEqual(await findingsOf(e, resultVolumeSpike, { zScore: 1e6 }), []);
  });

  it('SF-09: the first transfer to a new destination fires once, with its user; known destinations and explained transfers do not', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: NOW, latency: { QUERY_HISTORY: 0, DATA_TRANSFER_HISTORY: 0 } });
    const transfer = (offsetMs: number, cloud: string, region: string, type: string, minutes = 10): Record<string, unknown> => {
      const start = new Date(NOW.getTime() + offsetMs);
      return { START_TIME: start.toISOString(), END_TIME: new Date(start.getTime() + minutes * 60_000).toISOString(), SOURCE_CLOUD: 'AWS', SOURCE_REGION: 'us-east-1', TARGET_CLOUD: cloud, TARGET_REGION: region, BYTES_TRANSFERRED: 1e9, TRANSFER_TYPE: type };
    };
    const transfers = [];
    for (let day = 20; day >= 1; day--) transfers.push(transfer(-day * 24 * HOUR, 'AWS', 'us-west-2', 'REPLICATION'));
    transfers.push(transfer(-3 * HOUR - 5 * 60_000, 'AZURE', 'westeurope', 'COPY')); // the interval of the first query's transfer
    const externalFunction = transfer(-4 * HOUR, 'GCP', 'europe-west4', 'EXTERNAL_FUNCTION');
    transfers.push(externalFunction);
    await e.engine.insertRows('DATA_TRANSFER_HISTORY', transfers);
    const outbound = (cloud: string, region: string): Record<string, unknown> => ({ OUTBOUND_DATA_TRANSFER_CLOUD: cloud, OUTBOUND_DATA_TRANSFER_REGION: region, OUTBOUND_DATA_TRANSFER_BYTES: 3e8 });
    const first = query('A', -3 * HOUR, 'UNLOAD', "COPY INTO 'azure://x/y/' FROM t", outbound('AZURE', 'westeurope'));
    await e.engine.insertRows('QUERY_HISTORY', [
      first,
      query('B', -2 * HOUR, 'UNLOAD', "COPY INTO 'azure://x/z/' FROM t", outbound('AZURE', 'westeurope')), // second time: known
      query('C', -2 * HOUR, 'UNLOAD', "COPY INTO 's3://dr/x/' FROM t", outbound('AWS', 'us-west-2')), // the DR region: known
    ]);
    const found = await findingsOf(e, crossRegionEgress);
    assert.deepEqual(found.map((f) => [f.user, f.attributes?.targetCloud, f.attributes?.targetRegion]), [[null, 'GCP', 'EUROPE-WEST4'], ['A', 'AZURE', 'WESTEUROPE']]);
    assert.deepEqual(found[1]?.evidenceIds, [first.QUERY_ID]);
    assert.match(found[0]?.evidenceIds[0] ?? '', /^DATA_TRANSFER_HISTORY GCP\/EUROPE-WEST4 /);
    // Without enough history nothing can be called new.
    assert.deepEqual(await findingsOf(e, crossRegionEgress, { minHistoryDays: 30 }), []);
  });
});
