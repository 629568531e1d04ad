// User drill-down: one user of one account. Prometheus carries a `user` label only on the risk score of the top-N
// riskiest users (the cardinality rule), so this dashboard shows that score, where the user stands in the account,
// and when the score jumped (each jump is a finding's weight), next to the account's logins and data volume for the
// same period. The user's individual findings, logins, factors and queries are per-event detail: they are in the
// OTLP log records (user.name) and in Snowflake itself, and the last panel gives the SQL for this user.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, newPerStep, queryVariable, row, sel, stat, standardVariables, text, timeseries, type Steps } from './common.ts';

const RISK: Steps = [['green', null], ['yellow', 5], ['orange', 15], ['red', 40]];
const USER = 'user="$user"';

const SNOWFLAKE_SQL = `Per-event detail for **$user** is not a metric (a \`user\` label on every login or finding would be unbounded). It is in the exporter's OTLP log records (\`event.name\` \`snowflake.finding\`, \`snowflake.login\`, \`snowflake.query\` with \`user.name\` = \`$user\`), and in Snowflake:

\`\`\`sql
-- Logins with their authentication factors
SELECT EVENT_TIMESTAMP, CLIENT_IP, REPORTED_CLIENT_TYPE, FIRST_AUTHENTICATION_FACTOR, SECOND_AUTHENTICATION_FACTOR,
       IS_SUCCESS, ERROR_MESSAGE
FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY WHERE USER_NAME = '$user' ORDER BY EVENT_TIMESTAMP DESC LIMIT 200;

-- Data volume per day (bytes written to results, rows unloaded)
SELECT DATE_TRUNC('DAY', START_TIME) AS DAY, COUNT(*) AS QUERIES, SUM(BYTES_WRITTEN_TO_RESULT) AS RESULT_BYTES,
       SUM(ROWS_UNLOADED) AS ROWS_UNLOADED
FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY WHERE USER_NAME = '$user' AND START_TIME > DATEADD(DAY, -30, CURRENT_TIMESTAMP())
GROUP BY 1 ORDER BY 1 DESC;

-- Credentials and MFA state
SELECT NAME, TYPE, HAS_PASSWORD, HAS_MFA, HAS_RSA_PUBLIC_KEY, DISABLED, LAST_SUCCESS_LOGIN, BYPASS_MFA_UNTIL
FROM SNOWFLAKE.ACCOUNT_USAGE.USERS WHERE NAME = '$user' AND DELETED_ON IS NULL;
\`\`\`

Each finding's investigation SQL and response are in alerts/runbooks.md, under its detection id.`;

export function buildUser(): Dashboard {
  return dashboard({
    uid: 'snowflake-risk-user',
    title: 'Snowflake insider risk: user',
    description: 'One user of one Snowflake account: risk score, its jumps (findings), rank in the account, and the account\'s activity in the same period.',
  })
    .variables([
      ...standardVariables({ multiAccount: false }),
      queryVariable('user', 'User', 'label_values(snowflake_risk_user_risk_score{job=~"$job", account=~"$account"}, user)'),
    ])
    .withRow(row('Risk of $user'))
    .withPanel(
      stat({
        title: 'Risk score',
        description: 'The user\'s risk score now: decayed sum of the weights of the user\'s findings (critical 40, high 15, medium 5, low 1). Shown while the user is among the account\'s top N.',
        unit: 'none',
        steps: RISK,
        decimals: 1,
        w: 6,
        graph: true,
        queries: [{ expr: `max(${sel('snowflake_risk_user_risk_score', USER)})`, legend: '$user' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Share of the account\'s risk',
        description: 'The user\'s risk score divided by the account\'s: how much of the account\'s risk this one user carries.',
        unit: 'percentunit',
        steps: [['green', null], ['orange', 0.25], ['red', 0.5]],
        decimals: 0,
        w: 6,
        queries: [
          {
            expr: `max(${sel('snowflake_risk_user_risk_score', USER)}) / max(${sel('snowflake_risk_account_risk_score')})`,
            legend: 'share',
          },
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Rank in the account',
        description: 'Position of the user among the account\'s riskiest users (1 is the riskiest).',
        unit: 'none',
        steps: [['red', null], ['orange', 2], ['yellow', 4], ['green', 6]],
        decimals: 0,
        w: 6,
        queries: [
          {
            expr: `count(${sel('snowflake_risk_user_risk_score')} >= scalar(max(${sel('snowflake_risk_user_risk_score', USER)})))`,
            legend: 'rank',
          },
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Users tracked',
        description: 'Users whose risk score the exporter holds for the account (bounded by riskScore.maxTrackedUsers); the dashboard sees only the top N of them.',
        unit: 'none',
        w: 6,
        queries: [{ expr: `max(${sel('snowflake_risk_risk_score_tracked_users')})`, legend: 'tracked users' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Risk score over time',
        description: 'The user\'s risk score and the account\'s, over time. Steps up are findings; the slow decline is the half-life decay.',
        unit: 'none',
        steps: RISK,
        queries: [
          { expr: `max(${sel('snowflake_risk_user_risk_score', USER)})`, legend: '$user' },
          { expr: `max(${sel('snowflake_risk_account_risk_score')})`, legend: 'account $account' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Findings of $user (score added)',
        description:
          'How much the user\'s score rose between two points: each step is the weight of new findings (40 critical, 15 high, 5 medium, 1 low). The findings themselves are in the OTLP log records and the runbooks.',
        unit: 'none',
        bars: true,
        queries: [{ expr: `clamp_min(max(${sel('snowflake_risk_user_risk_score', USER)}) - max(${sel('snowflake_risk_user_risk_score', USER)} offset $__interval), 0)`, legend: 'score added' }],
      }),
    )
    .withRow(row('The account in the same period'))
    .withPanel(
      timeseries({
        title: 'Account logins by authentication factors',
        description: 'Successful logins per hour on the account by first and second factor, to set the user\'s logins (SQL below) against.',
        unit: 'short',
        stacked: true,
        w: 8,
        queries: [
          {
            expr: `sum by (first_factor, second_factor) (rate(${sel('snowflake_risk_logins_total', 'outcome="success"')}[$__rate_interval])) * 3600`,
            legend: '{{first_factor}} + {{second_factor}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Account findings by detection',
        description: 'Findings on the account between two points by detection id; the jumps of the user\'s score above line up with some of these.',
        unit: 'none',
        bars: true,
        stacked: true,
        w: 8,
        queries: [{ expr: newPerStep('snowflake_risk_findings_total', ['detection']), legend: '{{detection}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Account data volume',
        description: 'Bytes written to query results by the account\'s users, per second (the user\'s own share is in the SQL below).',
        unit: 'Bps',
        w: 8,
        queries: [{ expr: `sum(rate(${sel('snowflake_risk_query_result_bytes_total')}[$__rate_interval]))`, legend: 'result bytes' }],
      }),
    )
    .withRow(row('Per-event detail'))
    .withPanel(
      text({
        title: 'Findings, logins and data volume of $user in Snowflake',
        description: 'Ready-to-run Snowflake SQL for the selected user, and where the exporter\'s per-event records are.',
        content: SNOWFLAKE_SQL,
        h: 14,
      }),
    )
    .build();
}
