// SF-06: the UNC5537 staging chain. The attacker creates a TEMPORARY stage, unloads tables into it (COPY INTO @stage,
// QUERY_TYPE UNLOAD) and downloads the files (GET, QUERY_TYPE GET_FILES). Each step alone is routine; the three
// together, by one user, on one stage, in order, within 36 h are the exfiltration. Correlated in Snowflake on the
// stage's unqualified name (a step may name it DB.SCHEMA.STAGE and another STAGE), extracted with REGEXP_SUBSTR
// ('ie': case-insensitive, return a group). One finding per GET, with the latest matching unload and temporary-stage
// creation before it, so the evidence of a finding never changes from one run to the next.
import { EXPORTER_QUERY_TAG } from '../../../snowflake/account-client.ts';
import { executionSucceededSql } from '../../../collect/execution-status.ts';
import type { SqlDetection } from '../../types.ts';
import { numberParameter } from '../mfa/parameters.ts';

const HOUR_MS = 3_600_000;
export const DEFAULT_CHAIN_HOURS = 36;

// Group 6 (create) / 4 (unload, GET) is the stage's last name part: optional qualifiers `DB.SCHEMA.` are groups 4-5 /
// 2-3. `@~` (user stage) and `@%table` (table stage) never match: their names start with a character outside the class.
const STAGE_NAME = String.raw`(([A-Za-z0-9_$]+\.)*)([A-Za-z0-9_$]+)`;
const CREATE_TEMP_STAGE = String.raw`CREATE\s+(OR\s+REPLACE\s+)?(TEMPORARY|TEMP)\s+STAGE\s+(IF\s+NOT\s+EXISTS\s+)?` + STAGE_NAME;
const COPY_INTO_STAGE = String.raw`COPY\s+INTO\s+('|\$\$)?@` + STAGE_NAME;
const GET_FROM_STAGE = String.raw`GET\s+('|\$\$)?@` + STAGE_NAME;

export const STAGE_CHAIN_SQL = `WITH STEPS AS (
  SELECT QUERY_ID, USER_NAME, SESSION_ID, QUERY_TYPE, START_TIME, END_TIME,
         UPPER(CASE
           WHEN QUERY_TYPE IN ('CREATE', 'CREATE_STAGE') THEN REGEXP_SUBSTR(QUERY_TEXT, $$${CREATE_TEMP_STAGE}$$, 1, 1, 'ie', 6)
           WHEN QUERY_TYPE = 'UNLOAD' THEN REGEXP_SUBSTR(QUERY_TEXT, $$${COPY_INTO_STAGE}$$, 1, 1, 'ie', 4)
           ELSE REGEXP_SUBSTR(QUERY_TEXT, $$${GET_FROM_STAGE}$$, 1, 1, 'ie', 4)
         END) AS STAGE_NAME
  FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
  WHERE END_TIME >= ? AND START_TIME < ?
    AND ${executionSucceededSql()}
    AND QUERY_TYPE IN ('CREATE', 'CREATE_STAGE', 'UNLOAD', 'GET_FILES')
    AND COALESCE(QUERY_TAG, '') <> ?
),
CREATES AS (SELECT * FROM STEPS WHERE QUERY_TYPE IN ('CREATE', 'CREATE_STAGE') AND STAGE_NAME IS NOT NULL),
UNLOADS AS (SELECT * FROM STEPS WHERE QUERY_TYPE = 'UNLOAD' AND STAGE_NAME IS NOT NULL),
GETS AS (SELECT * FROM STEPS WHERE QUERY_TYPE = 'GET_FILES' AND STAGE_NAME IS NOT NULL AND END_TIME >= ? AND END_TIME < ?),
CHAINS AS (
  SELECT g.USER_NAME, g.STAGE_NAME, g.SESSION_ID, g.END_TIME AS GET_END,
         c.QUERY_ID AS CREATE_ID, u.QUERY_ID AS UNLOAD_ID, g.QUERY_ID AS GET_ID,
         DATEDIFF(SECOND, c.START_TIME, g.END_TIME) AS CHAIN_SECONDS,
         ROW_NUMBER() OVER (PARTITION BY g.QUERY_ID ORDER BY u.START_TIME DESC, c.START_TIME DESC, u.QUERY_ID, c.QUERY_ID) AS RN
  FROM GETS g
  JOIN UNLOADS u ON u.USER_NAME = g.USER_NAME AND u.STAGE_NAME = g.STAGE_NAME AND u.START_TIME <= g.START_TIME
  JOIN CREATES c ON c.USER_NAME = g.USER_NAME AND c.STAGE_NAME = g.STAGE_NAME AND c.START_TIME <= u.START_TIME
  WHERE DATEDIFF(SECOND, c.START_TIME, g.START_TIME) <= ?
)
SELECT USER_NAME,
       GET_END AS EVENT_TIME,
       ARRAY_CONSTRUCT(CREATE_ID, UNLOAD_ID, GET_ID) AS EVIDENCE_IDS,
       'Temporary stage ' || STAGE_NAME || ' created, unloaded into (COPY INTO @stage) and downloaded (GET) by the same user' AS REASON,
       OBJECT_CONSTRUCT('stage', STAGE_NAME, 'sessionId', COALESCE(TO_VARCHAR(SESSION_ID), ''), 'chainSeconds', CHAIN_SECONDS) AS ATTRIBUTES
FROM CHAINS
WHERE RN = 1
ORDER BY GET_END, GET_ID`;

export const stageChain: SqlDetection = {
  kind: 'sql',
  id: 'exfil.stage_chain',
  catalog: 'SF-06',
  title: 'UNC5537 staging chain: temporary stage, unload into it, GET',
  severity: 'critical',
  family: 'exfil',
  views: ['QUERY_HISTORY'],
  parameters: {
    chainHours: { description: 'Longest time from CREATE TEMPORARY STAGE to the GET for the steps to count as one chain.', default: DEFAULT_CHAIN_HOURS },
  },
  metrics: ['snowflake_risk_findings_total'],
  runbook: 'exfil-stage_chain',
  description:
    'A successful CREATE TEMPORARY STAGE, then COPY INTO @that stage (UNLOAD), then GET @that stage (GET_FILES), by ' +
    'the same user, in that order, within 36 hours (the pattern Mandiant reported for UNC5537 and Panther correlates ' +
    'as Snowflake.Data.Exfiltration). The steps are joined on the stage name without its database and schema. One ' +
    'finding per GET whose chain is complete; evidence = the three QUERY_IDs.',
  schedule: 'query_history',
  statement: (window, parameters) => {
    const chainHours = Math.max(1, numberParameter(parameters, 'chainHours', DEFAULT_CHAIN_HOURS));
    return {
      sql: STAGE_CHAIN_SQL,
      bindings: [
        new Date(window.from.getTime() - chainHours * HOUR_MS),
        window.to,
        EXPORTER_QUERY_TAG,
        window.from,
        window.to,
        Math.round(chainHours * 3600),
      ],
    };
  },
};
