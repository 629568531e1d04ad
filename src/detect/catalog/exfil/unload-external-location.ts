// SF-07: COPY INTO an inline URL: data written straight to a bucket or web endpoint the account does not control,
// bypassing stages and storage integrations. A 'sql' detection although it looks at one query at a time: the URL is a
// string literal, and the exporter's default query-text policy (redact) replaces literals before events exist, so
// only Snowflake still sees it. Only QUERY_TYPE UNLOAD: a load (COPY INTO table FROM 's3://...') is QUERY_TYPE COPY
// and names the URL after FROM; an unload to a stage (COPY INTO @stage) names no URL.
import { EXPORTER_QUERY_TAG } from '../../../snowflake/account-client.ts';
import { executionSucceededSql } from '../../../collect/execution-status.ts';
import type { SqlDetection } from '../../types.ts';

/** `COPY INTO` then a quoted URL of a cloud store or web server, anywhere in the text; group 2 is the scheme. */
export const INLINE_URL_UNLOAD = String.raw`COPY\s+INTO\s+('|\$\$)\s*(s3|s3gov|s3china|gcs|azure|https?)://`;

// REGEXP_LIKE anchors at both ends, hence `.*` around the pattern; 's' lets `.` cross newlines, 'i' ignores case.
export const UNLOAD_EXTERNAL_LOCATION_SQL = `SELECT USER_NAME,
       END_TIME AS EVENT_TIME,
       ARRAY_CONSTRUCT(QUERY_ID) AS EVIDENCE_IDS,
       'COPY INTO an inline ' || LOWER(REGEXP_SUBSTR(QUERY_TEXT, $$${INLINE_URL_UNLOAD}$$, 1, 1, 'ie', 2)) || ':// URL ('
         || TO_VARCHAR(COALESCE(ROWS_UNLOADED, 0)) || ' rows unloaded)' AS REASON,
       OBJECT_CONSTRUCT(
         'location', LOWER(REGEXP_SUBSTR(QUERY_TEXT, $$${INLINE_URL_UNLOAD}$$, 1, 1, 'ie', 2)),
         'rowsUnloaded', COALESCE(ROWS_UNLOADED, 0),
         'role', COALESCE(ROLE_NAME, '')
       ) AS ATTRIBUTES
FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
WHERE END_TIME >= ? AND END_TIME < ?
  AND QUERY_TYPE = 'UNLOAD'
  AND ${executionSucceededSql()}
  AND COALESCE(QUERY_TAG, '') <> ?
  AND REGEXP_LIKE(QUERY_TEXT, $$.*${INLINE_URL_UNLOAD}.*$$, 'is')
ORDER BY END_TIME, QUERY_ID`;

export const unloadExternalLocation: SqlDetection = {
  kind: 'sql',
  id: 'exfil.unload_external_location',
  catalog: 'SF-07',
  title: 'Unload to an external URL',
  severity: 'high',
  family: 'exfil',
  views: ['QUERY_HISTORY'],
  parameters: {},
  metrics: ['snowflake_risk_findings_total'],
  runbook: 'exfil-unload_external_location',
  description:
    "A successful UNLOAD whose statement is COPY INTO 's3://...', 's3gov://', 'gcs://', 'azure://' or 'http(s)://' " +
    '(case-insensitive, anywhere in a multi-line statement, after leading comments). PREVENT_UNLOAD_TO_INLINE_URL = ' +
    'TRUE blocks these, so one that succeeds also means the guardrail is off. Unloads to internal or named stages are ' +
    'not reported here (see exfil.stage_chain). Evidence = the QUERY_ID.',
  schedule: 'query_history',
  statement: (window) => ({ sql: UNLOAD_EXTERNAL_LOCATION_SQL, bindings: [window.from, window.to, EXPORTER_QUERY_TAG] }),
};
