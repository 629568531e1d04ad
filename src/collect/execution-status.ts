// QUERY_HISTORY.EXECUTION_STATUS, compared in one way everywhere (detection SQL, sources, metrics, OTLP).
//
// The case of the stored values is not settled by the evidence at hand. The view's reference page writes them in lower
// case ("success", "fail", "incident": https://docs.snowflake.com/en/sql-reference/account-usage/query_history), while
// Snowflake's own security queries compare with upper case (Snowflake-Labs/Sentry, e.g.
// https://github.com/Snowflake-Labs/Sentry/blob/main/src/queries/accountadmin_grants/accountadmin_grants.sql:
// `execution_status = 'SUCCESS'`), as do the public detection rules that read the view; no recorded result of the
// view showing a stored value was found. So every comparison is case-insensitive: it is right whichever case an
// account stores, and it costs nothing (ACCOUNT_USAGE reads are bounded by the time window, never by this column).

/** The SQL condition "the statement succeeded" on an EXECUTION_STATUS column (optionally alias-qualified). */
export function executionSucceededSql(column = 'EXECUTION_STATUS'): string {
  return `UPPER(${column}) = 'SUCCESS'`;
}

/** Whether an EXECUTION_STATUS value says the statement succeeded, in whatever case it is written. */
export function executionSucceeded(status: string | null | undefined): boolean {
  return (status ?? '').toUpperCase() === 'SUCCESS';
}

/**
 * Whether it says the statement failed: FAIL or INCIDENT (the view's values), or FAILED_WITH_ERROR /
 * FAILED_WITH_INCIDENT (the forms of the QUERY_HISTORY table function,
 * https://docs.snowflake.com/en/sql-reference/functions/query_history), in whatever case. Unknown values are neither.
 */
export function executionFailed(status: string | null | undefined): boolean {
  const upper = (status ?? '').toUpperCase();
  return upper === 'FAIL' || upper === 'INCIDENT' || upper === 'FAILED_WITH_ERROR' || upper === 'FAILED_WITH_INCIDENT';
}
