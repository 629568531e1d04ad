// GRANTS_TO_USERS / GRANTS_TO_ROLES say what was granted (the truth, immune to how the statement was written) but
// not by whom nor by which statement; QUERY_HISTORY says who ran which GRANT. This CTE pairs a grant row with the
// successful GRANT statement that created it: same moment (the row's CREATED_ON within the statement's run, give or
// take `slackSeconds`) and a text that names the grantee, in any case (a quoted "Ops Team" is stored as written, the
// text is compared upper case). The nearest such statement wins; a row with none keeps a synthetic evidence id built
// from the row, so it is still reported.
import { executionSucceededSql } from '../../../collect/execution-status.ts';

/**
 * SQL of a CTE named GRANT_STATEMENTS over QUERY_HISTORY and of the pairing select, given a CTE `GRANT_ROWS` with
 * columns ROW_KEY, CREATED_ON, GRANTEE_NAME. Bindings, in order: from, to, slack seconds (x2 in the window), exporter
 * tag, slack seconds (x2 in the join).
 */
export const GRANT_STATEMENTS_CTES = `GRANT_STATEMENTS AS (
  SELECT QUERY_ID, USER_NAME, ROLE_NAME, START_TIME, END_TIME, UPPER(QUERY_TEXT) AS TEXT
  FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
  WHERE END_TIME >= DATEADD(SECOND, -?, ?) AND START_TIME < DATEADD(SECOND, ?, ?)
    AND QUERY_TYPE = 'GRANT' AND ${executionSucceededSql()}
    AND COALESCE(QUERY_TAG, '') <> ?
),
PAIRED AS (
  SELECT g.ROW_KEY, s.QUERY_ID, s.USER_NAME AS ACTOR, s.ROLE_NAME AS ACTOR_ROLE
  FROM GRANT_ROWS g
  JOIN GRANT_STATEMENTS s
    ON g.CREATED_ON >= DATEADD(SECOND, -?, s.START_TIME)
   AND g.CREATED_ON <= DATEADD(SECOND, ?, s.END_TIME)
   AND POSITION(UPPER(g.GRANTEE_NAME) IN s.TEXT) > 0
  QUALIFY ROW_NUMBER() OVER (PARTITION BY g.ROW_KEY ORDER BY ABS(DATEDIFF(MILLISECOND, s.END_TIME, g.CREATED_ON)), s.QUERY_ID) = 1
)`;

export function grantStatementBindings(window: { readonly from: Date; readonly to: Date }, slackSeconds: number, exporterTag: string): (string | number | Date)[] {
  return [slackSeconds, window.from, slackSeconds, window.to, exporterTag, slackSeconds, slackSeconds];
}
