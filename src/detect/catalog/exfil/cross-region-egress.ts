// SF-09: data leaving for a cloud or region the account has not sent data to before. Routine cross-region traffic
// (nightly replication to the disaster-recovery region) goes to the same place every day and is part of the
// baseline; a first transfer to a new (cloud, region) is what an unload to an attacker's bucket looks like.
// Two views say it: QUERY_HISTORY.OUTBOUND_DATA_TRANSFER_* names the query and the user (preferred), and
// DATA_TRANSFER_HISTORY also sees transfers no query explains (replication, external functions), without a user.
// Only cross-cloud or cross-region transfers appear in either: a same-region unload is exfil.unload_external_location.
import { EXPORTER_QUERY_TAG } from '../../../snowflake/account-client.ts';
import type { SqlDetection } from '../../types.ts';
import { numberParameter } from '../mfa/parameters.ts';
import { timestampKeyText } from '../timestamp-text.ts';

const DAY_MS = 86_400_000;
export const DEFAULT_EGRESS_BASELINE_DAYS = 90;
export const DEFAULT_MIN_HISTORY_DAYS = 7;
/** DATA_TRANSFER_HISTORY rows cover intervals: one starting this long before a query may be that query's transfer. */
export const DEFAULT_SAME_TRANSFER_SECONDS = 3600;

export const CROSS_REGION_EGRESS_SQL = `WITH QUERY_TRANSFERS AS (
  SELECT QUERY_ID, USER_NAME, START_TIME, END_TIME,
         UPPER(OUTBOUND_DATA_TRANSFER_CLOUD) AS CLOUD, UPPER(COALESCE(OUTBOUND_DATA_TRANSFER_REGION, '')) AS REGION,
         OUTBOUND_DATA_TRANSFER_BYTES AS BYTES
  FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
  WHERE START_TIME >= ? AND START_TIME < ?
    AND OUTBOUND_DATA_TRANSFER_CLOUD IS NOT NULL
    AND COALESCE(OUTBOUND_DATA_TRANSFER_BYTES, 0) > 0
    AND COALESCE(QUERY_TAG, '') <> ?
),
VIEW_TRANSFERS AS (
  SELECT START_TIME, END_TIME, UPPER(TARGET_CLOUD) AS CLOUD, UPPER(COALESCE(TARGET_REGION, '')) AS REGION, TRANSFER_TYPE,
         TRY_TO_NUMBER(TO_VARCHAR(BYTES_TRANSFERRED)) AS BYTES
  FROM SNOWFLAKE.ACCOUNT_USAGE.DATA_TRANSFER_HISTORY
  WHERE START_TIME >= ? AND START_TIME < ?
    AND TARGET_CLOUD IS NOT NULL
    AND COALESCE(TRY_TO_NUMBER(TO_VARCHAR(BYTES_TRANSFERRED)), 0) > 0
),
HISTORY_START AS (
  SELECT MIN(START_TIME) AS FIRST_TRANSFER
  FROM (SELECT START_TIME FROM QUERY_TRANSFERS UNION ALL SELECT START_TIME FROM VIEW_TRANSFERS)
),
FIRST_BY_QUERY AS (SELECT CLOUD, REGION, MIN(START_TIME) AS FIRST_SEEN FROM QUERY_TRANSFERS GROUP BY CLOUD, REGION),
FIRST_BY_VIEW AS (SELECT CLOUD, REGION, MIN(START_TIME) AS FIRST_SEEN FROM VIEW_TRANSFERS GROUP BY CLOUD, REGION),
NEW_BY_QUERY AS (
  SELECT q.USER_NAME, q.END_TIME AS EVENT_TIME, q.QUERY_ID AS EVIDENCE_ID, q.CLOUD, q.REGION, 'QUERY' AS TRANSFER_TYPE, q.BYTES
  FROM QUERY_TRANSFERS q
  JOIN FIRST_BY_QUERY fq ON fq.CLOUD = q.CLOUD AND fq.REGION = q.REGION
  LEFT JOIN FIRST_BY_VIEW fv ON fv.CLOUD = q.CLOUD AND fv.REGION = q.REGION
  CROSS JOIN HISTORY_START h
  WHERE q.END_TIME >= ? AND q.END_TIME < ?
    AND fq.FIRST_SEEN = q.START_TIME
    AND (fv.FIRST_SEEN IS NULL OR DATEDIFF(SECOND, fv.FIRST_SEEN, q.START_TIME) <= ?)
    AND DATEDIFF(SECOND, h.FIRST_TRANSFER, q.START_TIME) >= ?
),
NEW_BY_VIEW AS (
  SELECT CAST(NULL AS VARCHAR) AS USER_NAME, v.END_TIME AS EVENT_TIME,
         'DATA_TRANSFER_HISTORY ' || v.CLOUD || '/' || v.REGION || ' ' || ${timestampKeyText('v.START_TIME')} AS EVIDENCE_ID,
         v.CLOUD, v.REGION, v.TRANSFER_TYPE, v.BYTES
  FROM VIEW_TRANSFERS v
  JOIN FIRST_BY_VIEW fv ON fv.CLOUD = v.CLOUD AND fv.REGION = v.REGION
  LEFT JOIN FIRST_BY_QUERY fq ON fq.CLOUD = v.CLOUD AND fq.REGION = v.REGION
  CROSS JOIN HISTORY_START h
  WHERE v.END_TIME >= ? AND v.END_TIME < ?
    AND fv.FIRST_SEEN = v.START_TIME
    AND (fq.FIRST_SEEN IS NULL OR DATEDIFF(SECOND, v.END_TIME, fq.FIRST_SEEN) > ?)
    AND DATEDIFF(SECOND, h.FIRST_TRANSFER, v.START_TIME) >= ?
)
SELECT USER_NAME, EVENT_TIME, ARRAY_CONSTRUCT(EVIDENCE_ID) AS EVIDENCE_IDS,
       'First outbound transfer to ' || CLOUD || ' ' || REGION || ' (' || TRANSFER_TYPE || ', ' || TO_VARCHAR(BYTES) || ' bytes)' AS REASON,
       OBJECT_CONSTRUCT('targetCloud', CLOUD, 'targetRegion', REGION, 'transferType', TRANSFER_TYPE, 'bytes', BYTES) AS ATTRIBUTES
FROM (SELECT * FROM NEW_BY_QUERY UNION ALL SELECT * FROM NEW_BY_VIEW)
ORDER BY EVENT_TIME, EVIDENCE_ID`;

export const crossRegionEgress: SqlDetection = {
  kind: 'sql',
  id: 'exfil.cross_region_egress',
  catalog: 'SF-09',
  title: 'First outbound transfer to a new cloud or region',
  severity: 'medium',
  family: 'exfil',
  views: ['QUERY_HISTORY', 'DATA_TRANSFER_HISTORY'],
  parameters: {
    baselineDays: { description: 'Days of transfers that make a destination known.', default: DEFAULT_EGRESS_BASELINE_DAYS },
    minHistoryDays: { description: 'Transfer history needed before a destination can be called new (none before the first transfer seen).', default: DEFAULT_MIN_HISTORY_DAYS },
    sameTransferSeconds: { description: 'A DATA_TRANSFER_HISTORY interval starting up to this long before a query counts as that query\'s transfer.', default: DEFAULT_SAME_TRANSFER_SECONDS },
  },
  metrics: ['snowflake_risk_findings_total'],
  runbook: 'exfil-cross_region_egress',
  description:
    'The first transfer in the baseline (default 90 days) to a (target cloud, target region) pair. A query with ' +
    'OUTBOUND_DATA_TRANSFER_* is reported with its user and QUERY_ID; a DATA_TRANSFER_HISTORY row no query explains ' +
    'is reported without a user. Destinations seen before in either view are known; nothing is called new until the ' +
    'account has 7 days of transfer history, so the first days of a fresh deployment do not flag every destination.',
  schedule: 'data_transfer',
  statement: (window, parameters) => {
    const baselineDays = Math.max(1, numberParameter(parameters, 'baselineDays', DEFAULT_EGRESS_BASELINE_DAYS));
    const historyFrom = new Date(window.from.getTime() - baselineDays * DAY_MS);
    const sameTransfer = Math.max(0, Math.round(numberParameter(parameters, 'sameTransferSeconds', DEFAULT_SAME_TRANSFER_SECONDS)));
    const minHistory = Math.max(0, Math.round(numberParameter(parameters, 'minHistoryDays', DEFAULT_MIN_HISTORY_DAYS) * 86_400));
    return {
      sql: CROSS_REGION_EGRESS_SQL,
      bindings: [
        historyFrom, window.to, EXPORTER_QUERY_TAG,
        historyFrom, window.to,
        window.from, window.to, sameTransfer, minHistory,
        window.from, window.to, sameTransfer, minHistory,
      ],
    };
  },
};
