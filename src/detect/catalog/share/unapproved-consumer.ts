// SF-13: an outbound share whose consumers include an account that is not on the approved list. Posture: every
// current share is checked on every run (a share exposed before the exporter started is found too); the finding id
// is stable per share, so a share stays one finding until it is fixed. It reads ACCOUNT_USAGE.SHARES, which lists
// every share of the account whatever the role's share privileges (SHOW SHARES would not): where the role cannot
// read the view the detection is reported unavailable, never "no unapproved consumer". The user is whoever last ran a successful
// ALTER SHARE ... ADD|SET ACCOUNTS on that share around its MODIFIED_ON (NULL when not found in QUERY_HISTORY).
import type { SqlDetection } from '../../types.ts';
import { EXPORTER_QUERY_TAG } from '../../../snowflake/account-client.ts';
import { executionSucceededSql } from '../../../collect/execution-status.ts';
import { inList, listParameter, numberParameter, upperList } from '../auth/sql-helpers.ts';

const parameters = {
  approvedConsumerAccounts: {
    description: 'Consumer accounts allowed to receive outbound shares, as SHARES.TARGET_ACCOUNTS names them (e.g. ORG.ACCOUNT). Empty: every consumer is unapproved.',
    default: [] as readonly string[],
  },
  attributionHours: {
    description: "How far before the share's MODIFIED_ON to look in QUERY_HISTORY for the statement that added the consumer.",
    default: 24,
  },
};

export const shareUnapprovedConsumer: SqlDetection = {
  kind: 'sql',
  schedule: 'shares',
  id: 'share.unapproved_consumer',
  catalog: 'SF-13',
  title: 'Outbound share to an unapproved consumer account',
  severity: 'high',
  family: 'share',
  views: ['SHARES', 'QUERY_HISTORY'],
  parameters,
  metrics: ['snowflake_risk_findings_total', 'snowflake_risk_share_consumer_accounts'],
  runbook: 'share-unapproved_consumer',
  description:
    'Lists every current (not dropped) outbound share of ACCOUNT_USAGE.SHARES whose TARGET_ACCOUNTS contains an ' +
    'account missing from approvedConsumerAccounts, one finding per share (evidence: the share name), with the ' +
    'unapproved accounts and the user who added them.',
  statement(_window, values) {
    const approved = inList('c.CONSUMER', upperList(listParameter(values, parameters, 'approvedConsumerAccounts')));
    const hours = numberParameter(values, parameters, 'attributionHours');
    // The latest row of each share first, then only if that row is not dropped: filtering DELETED_ON first would
    // bring back an earlier version of a dropped share.
    const sql = String.raw`WITH LATEST_SHARES AS (
  SELECT NAME, MODIFIED_ON, CREATED_ON, DELETED_ON, TARGET_ACCOUNTS
  FROM SNOWFLAKE.ACCOUNT_USAGE.SHARES
  QUALIFY ROW_NUMBER() OVER (PARTITION BY NAME ORDER BY CREATED_ON DESC, MODIFIED_ON DESC NULLS LAST) = 1
),
CURRENT_SHARES AS (
  SELECT NAME, MODIFIED_ON, CREATED_ON, TARGET_ACCOUNTS FROM LATEST_SHARES WHERE DELETED_ON IS NULL
),
CONSUMERS AS (
  SELECT s.NAME, COALESCE(s.MODIFIED_ON, s.CREATED_ON) AS CHANGED_ON, UPPER(TRIM(f.VALUE::STRING)) AS CONSUMER
  FROM CURRENT_SHARES s, LATERAL FLATTEN(INPUT => SPLIT(COALESCE(s.TARGET_ACCOUNTS, ''), ',')) f
),
UNAPPROVED AS (
  SELECT c.NAME, c.CHANGED_ON, LISTAGG(c.CONSUMER, ',') WITHIN GROUP (ORDER BY c.CONSUMER) AS CONSUMERS
  FROM CONSUMERS c
  WHERE c.CONSUMER <> '' AND NOT (${approved.sql})
  GROUP BY c.NAME, c.CHANGED_ON
),
EXPOSED_BY AS (
  -- Who added the consumers: the last successful ALTER SHARE <name> ADD|SET ACCOUNTS before MODIFIED_ON (the name
  -- in any case: a quoted "Sales" is stored as written).
  SELECT u.NAME, q.USER_NAME, q.QUERY_ID
  FROM UNAPPROVED u
  JOIN SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY q
    ON q.END_TIME >= DATEADD(HOUR, -?, u.CHANGED_ON)
   AND q.END_TIME <= DATEADD(MINUTE, 5, u.CHANGED_ON)
  WHERE ${executionSucceededSql('q.EXECUTION_STATUS')}
    AND COALESCE(q.QUERY_TAG, '') <> ?
    AND REGEXP_LIKE(q.QUERY_TEXT, '.*alter\\s+share\\s.*\\s(add|set)\\s+accounts?\\s*=.*', 'is')
    AND POSITION(UPPER(u.NAME) IN UPPER(q.QUERY_TEXT)) > 0
  QUALIFY ROW_NUMBER() OVER (PARTITION BY u.NAME ORDER BY q.END_TIME DESC) = 1
)
SELECT e.USER_NAME,
       u.CHANGED_ON AS EVENT_TIME,
       ARRAY_CONSTRUCT(u.NAME) AS EVIDENCE_IDS,
       'Outbound share ' || u.NAME || ' is shared with unapproved consumer account(s) ' || u.CONSUMERS || '.' AS REASON,
       OBJECT_CONSTRUCT('share', u.NAME, 'consumers', u.CONSUMERS, 'queryId', e.QUERY_ID) AS ATTRIBUTES
FROM UNAPPROVED u
LEFT JOIN EXPOSED_BY e ON e.NAME = u.NAME
ORDER BY u.NAME`;
    return { sql, bindings: [...approved.bindings, hours, EXPORTER_QUERY_TAG] };
  },
};
