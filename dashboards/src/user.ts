// User drill-down: one user of one account. Prometheus carries a `user` label only for the top-N riskiest users of
// each account (the cardinality rule): their risk score, and their own findings by severity, logins by outcome and
// authentication factors, and data volume (the snowflake_risk_user_* gauges, counted since the exporter started and
// exposed while the user is in the top N). So this dashboard shows the score, where the user stands in the account,
// what the user did, and the account's activity in the same period for comparison. Individual events are per-event
// detail: they are in the OTLP log records (user.name) and in Snowflake itself, and the last panel gives the SQL.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { bargauge, dashboard, newPerStep, NEUTRAL, queryVariable, row, sel, stat, standardVariables, text, timeseries, type Steps } from './common.ts';

const RISK: Steps = [['green', null], ['yellow', 5], ['orange', 15], ['red', 40]];
const ANY_IS_BAD: Steps = [['green', null], ['red', 1]];
const USER = 'user="$user"';
const GIB = 1024 ** 3;

/** A user-level sum, or 0 while the user is exposed (in the top N) but has no such series: "none" rather than "No data". */
function orZero(expr: string): string {
  return `${expr} or on() (0 * max(${sel('snowflake_risk_user_risk_score', USER)}))`;
}

/** Fixed colours per severity, the same in every panel, so a red bar is always a critical finding. */
const SEVERITY_COLOURS = [
  ['critical', 'red'],
  ['high', 'orange'],
  ['medium', 'yellow'],
  ['low', 'blue'],
  ['info', 'green'],
] as const;
const fixedColour = (colour: string) => [{ id: 'color', value: { mode: 'fixed', fixedColor: colour } }];

/** Legend of a login series; a successful or failed password login without a second factor matches PASSWORD_NO_MFA. */
const LOGIN_LEGEND = '{{outcome}}: {{first_factor}} + {{second_factor}}';
const PASSWORD_NO_MFA = '.*: password \\+ none';

const SNOWFLAKE_SQL = `The panels above count **$user**'s findings, logins and data volume while the user is among the account's riskiest. The individual events are not metrics (a series per login or finding would be unbounded): they are in the exporter's OTLP log records (\`event.name\` \`snowflake.finding\`, \`snowflake.login\`, \`snowflake.query\` with \`user.name\` = \`$user\`), and in Snowflake:

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

function severityColours<T extends { overrideByName(name: string, properties: ReturnType<typeof fixedColour>): T }>(panel: T): T {
  return SEVERITY_COLOURS.reduce((built, [severity, colour]) => built.overrideByName(severity, fixedColour(colour)), panel);
}

export function buildUser(): Dashboard {
  return dashboard({
    uid: 'snowflake-risk-user',
    title: 'Snowflake insider risk: user',
    description:
      'One user of one Snowflake account (among its top-N riskiest): risk score and rank, the user\'s own findings by severity, logins by outcome and authentication factors, data volume, and the account\'s activity in the same period.',
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
    .withRow(row('Findings of $user'))
    .withPanel(
      severityColours(
        bargauge({
          title: 'Findings by severity',
          description:
            'Findings raised about the user since the exporter started, by severity. Counted while the exporter keeps the user in its bounded per-user memory; see the README, Metrics.',
          unit: 'none',
          steps: NEUTRAL,
          decimals: 0,
          queries: SEVERITY_COLOURS.map(([severity]) => ({ expr: `sum(${sel('snowflake_risk_user_findings', USER, `severity="${severity}"`)})`, legend: severity })),
        }),
      ),
    )
    .withPanel(
      severityColours(
        timeseries({
          title: 'New findings of $user by severity',
          description:
            'Findings about the user between two points, by severity: the findings behind the score\'s jumps. A user who re-enters the top N shows their whole count once at that point.',
          unit: 'none',
          bars: true,
          stacked: true,
          w: 16,
          queries: [{ expr: newPerStep('snowflake_risk_user_findings', ['severity'], USER), legend: '{{severity}}' }],
        }),
      ),
    )
    .withRow(row('Logins of $user'))
    .withPanel(
      stat({
        title: 'Password logins without MFA',
        description:
          'Successful logins of the user with a password and no second factor since the exporter started: the UNC5537 entry path. Any is worth a look unless the user is a service moving to key-pair.',
        unit: 'none',
        steps: ANY_IS_BAD,
        decimals: 0,
        w: 8,
        queries: [
          {
            expr: orZero(`sum(${sel('snowflake_risk_user_logins', USER, 'outcome="success"', 'first_factor="password"', 'second_factor="none"')})`),
            legend: 'password without MFA',
          },
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Failed logins',
        description: 'Failed login attempts of the user since the exporter started, whatever the factors. Several in a row suggest guessing (auth.brute_force).',
        unit: 'none',
        steps: [['green', null], ['yellow', 1], ['red', 5]],
        decimals: 0,
        w: 8,
        queries: [{ expr: orZero(`sum(${sel('snowflake_risk_user_logins', USER, 'outcome="failure"')})`), legend: 'failed' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Successful logins',
        description: 'Successful logins of the user since the exporter started, with any factors.',
        unit: 'none',
        steps: NEUTRAL,
        decimals: 0,
        w: 8,
        queries: [{ expr: orZero(`sum(${sel('snowflake_risk_user_logins', USER, 'outcome="success"')})`), legend: 'successful' }],
      }),
    )
    .withPanel(
      bargauge({
        title: 'Logins by outcome and factors',
        description:
          'The user\'s logins since the exporter started, by outcome, first factor and second factor ("none": no second factor). Password without a second factor is in red.',
        unit: 'none',
        steps: NEUTRAL,
        decimals: 0,
        queries: [{ expr: `sort_desc(sum by (outcome, first_factor, second_factor) (${sel('snowflake_risk_user_logins', USER)}))`, legend: LOGIN_LEGEND }],
      }).overrideByRegexp(PASSWORD_NO_MFA, fixedColour('red')),
    )
    .withPanel(
      timeseries({
        title: 'New logins of $user by outcome and factors',
        description: 'The user\'s logins between two points, by outcome and authentication factors; password without a second factor is in red.',
        unit: 'none',
        bars: true,
        stacked: true,
        w: 16,
        queries: [{ expr: newPerStep('snowflake_risk_user_logins', ['outcome', 'first_factor', 'second_factor'], USER), legend: LOGIN_LEGEND }],
      }).overrideByRegexp(PASSWORD_NO_MFA, fixedColour('red')),
    )
    .withRow(row('Data volume of $user'))
    .withPanel(
      stat({
        title: 'Bytes written to results',
        description:
          'BYTES_WRITTEN_TO_RESULT summed over the user\'s queries since the exporter started. Yellow from 1 GiB, red from 10 GiB: a guide; compare with the account below.',
        unit: 'bytes',
        steps: [['green', null], ['yellow', GIB], ['red', 10 * GIB]],
        w: 8,
        queries: [{ expr: `sum(${sel('snowflake_risk_user_query_result_bytes', USER)})`, legend: 'result bytes' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Share of the account\'s result bytes',
        description: 'The user\'s bytes written to results divided by the whole account\'s since the exporter started: one user pulling most of the data stands out.',
        unit: 'percentunit',
        steps: [['green', null], ['orange', 0.25], ['red', 0.5]],
        decimals: 0,
        w: 8,
        queries: [
          {
            expr: `sum(${sel('snowflake_risk_user_query_result_bytes', USER)}) / sum(${sel('snowflake_risk_query_result_bytes_total')})`,
            legend: 'share',
          },
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Unloads',
        description: 'Successful unloads (COPY INTO a stage or an external location) by the user\'s queries since the exporter started; red from the first, as the UNC5537 path stages data this way.',
        unit: 'none',
        steps: ANY_IS_BAD,
        decimals: 0,
        w: 8,
        queries: [{ expr: `sum(${sel('snowflake_risk_user_unloads', USER)})`, legend: 'unloads' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Bytes written to results by $user',
        description: 'Bytes written to query results by the user between two points (per interval of the graph, not per second).',
        unit: 'bytes',
        bars: true,
        queries: [{ expr: newPerStep('snowflake_risk_user_query_result_bytes', ['user'], USER), legend: '$user' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Unloads by $user',
        description: 'Successful unloads to a stage or an external location by the user between two points.',
        unit: 'none',
        steps: ANY_IS_BAD,
        bars: true,
        queries: [{ expr: newPerStep('snowflake_risk_user_unloads', ['user'], USER), legend: '$user' }],
      }),
    )
    .withRow(row('The account in the same period'))
    .withPanel(
      timeseries({
        title: 'Account logins by authentication factors',
        description: 'Successful logins per hour on the whole account by first and second factor, to set the user\'s logins (above) against.',
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
        description: 'Bytes written to query results by all of the account\'s users, per second, to set the user\'s data volume (above) against.',
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
