// Insider-risk overview: where an analyst starts. How risky each account is now, which findings arrived and when,
// the MFA posture, the riskiest users (each a link to the user drill-down), and the sharing and exfiltration signals.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { bargauge, dashboard, newPerStep, readmeLink, row, sel, stat, standardVariables, table, timeseries, valueText, type Steps } from './common.ts';

/** Risk score colours: one medium finding (5) is yellow, one high (15) orange, one critical (40) red. */
const RISK: Steps = [['green', null], ['yellow', 5], ['orange', 15], ['red', 40]];
/** Any count above zero is bad (users without MFA, critical findings). */
const ANY_IS_BAD: Steps = [['green', null], ['red', 1]];
const ANY_IS_WARNING: Steps = [['green', null], ['orange', 1]];

/**
 * Outbound share totals are published only when the account's outbound shares are all known
 * (snowflake_risk_outbound_shares_known 1: the role reads ACCOUNT_USAGE.SHARES). Where they are not, the series are
 * absent, which a stat would show as empty or, summed over accounts, as a total too low: the expression gives -1 for
 * such an account instead, which the panel shows as "unknown".
 */
const UNKNOWN_SHARES = -1;
function shareTotalOrUnknown(metric: string): string {
  return `sum by (account) (${sel(metric)}) or (max by (account) (${sel('snowflake_risk_outbound_shares_known')}) == 0) - ${-UNKNOWN_SHARES}`;
}
const LEAST_PRIVILEGE = readmeLink('README: Snowflake setup (least privilege)', 'snowflake-setup-least-privilege');

const USER_DASHBOARD_LINK = '/d/snowflake-risk-user/snowflake-risk-user?${datasource:queryparam}&${job:queryparam}&var-account=${__data.fields.account}&var-user=${__data.fields.user}&${__url_time_range}';

export function buildOverview(): Dashboard {
  return dashboard({
    uid: 'snowflake-risk-overview',
    title: 'Snowflake insider risk: overview',
    description: 'Risk score, findings, MFA posture, riskiest users, sharing and exfiltration signals of the watched Snowflake accounts.',
  })
    .variables(standardVariables({ multiAccount: true }))
    .withRow(row('Risk now'))
    .withPanel(
      stat({
        title: 'Account risk score',
        description:
          'Decayed sum of the account\'s finding weights (critical 40, high 15, medium 5, low 1; halved every 7 days by default). Yellow from one medium finding, orange from one high, red from one critical.',
        unit: 'none',
        steps: RISK,
        decimals: 0,
        w: 6,
        queries: [{ expr: `max by (account) (${sel('snowflake_risk_account_risk_score')})`, legend: '{{account}}' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Findings since the exporter started',
        description:
          'Findings counted by the exporter since its process started, by finding severity. Findings are counted once (stable ids) and are not re-counted after a restart.',
        unit: 'none',
        w: 10,
        queries: [{ expr: `sum by (severity) (${sel('snowflake_risk_findings_total')})`, legend: '{{severity}}' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Critical findings since start',
        description: 'Critical findings since the exporter started; any is an incident to work (see the alerts and alerts/runbooks.md).',
        unit: 'none',
        steps: ANY_IS_BAD,
        w: 4,
        queries: [{ expr: `sum(${sel('snowflake_risk_findings_total', 'severity="critical"')}) or vector(0)`, legend: 'critical' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Detections unavailable',
        description: 'Detections that cannot run because a view is missing or not granted (edition, privileges); their findings are missing. The exporter health dashboard names them.',
        unit: 'none',
        steps: ANY_IS_WARNING,
        w: 4,
        queries: [{ expr: `sum(${sel('snowflake_risk_detection_unavailable')})`, legend: 'unavailable' }],
      }),
    )
    .withRow(row('Findings over time'))
    .withPanel(
      timeseries({
        title: 'New findings by severity',
        description:
          'Findings counted between two points, by severity. Collection runs hourly by default, so findings arrive in bursts; the first point after Prometheus starts scraping includes what the exporter counted before.',
        unit: 'none',
        bars: true,
        stacked: true,
        queries: [{ expr: newPerStep('snowflake_risk_findings_total', ['severity']), legend: '{{severity}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'New findings by detection',
        description: 'Findings counted between two points, by detection id (the runbook anchor in alerts/runbooks.md).',
        unit: 'none',
        bars: true,
        stacked: true,
        queries: [{ expr: newPerStep('snowflake_risk_findings_total', ['detection']), legend: '{{detection}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Account risk score',
        description: 'The account risk score over time: each finding raises it by its weight, and it decays by half every half-life.',
        unit: 'none',
        steps: RISK,
        w: 24,
        queries: [{ expr: `max by (account) (${sel('snowflake_risk_account_risk_score')})`, legend: '{{account}}' }],
      }),
    )
    .withRow(row('MFA posture'))
    .withPanel(
      bargauge({
        title: 'Users with a password and no MFA',
        description: 'Enabled users with a password and no MFA, by user type, from the latest USERS snapshot. Person and unset users are the ones detection mfa.password_user_without_mfa reports.',
        unit: 'none',
        steps: ANY_IS_BAD,
        queries: [{ expr: `sum by (user_type) (${sel('snowflake_risk_users_without_mfa')})`, legend: '{{user_type}}' }],
      }),
    )
    .withPanel(
      bargauge({
        title: 'Admins without MFA',
        description: 'Users holding each admin role (directly or through the role hierarchy) without MFA, from the latest admins snapshot.',
        unit: 'none',
        steps: ANY_IS_BAD,
        queries: [{ expr: `max by (role) (${sel('snowflake_risk_admin_users_without_mfa')})`, legend: '{{role}}' }],
      }),
    )
    .withPanel(
      stat({
        title: 'MFA bypass open / stale users',
        description: 'Users with an MFA bypass window still open, and enabled users whose last login is older than the stale threshold (or who never logged in).',
        unit: 'none',
        steps: ANY_IS_WARNING,
        w: 8,
        h: 8,
        queries: [
          { expr: `sum(${sel('snowflake_risk_users_mfa_bypass_active')})`, legend: 'MFA bypass open' },
          { expr: `sum(${sel('snowflake_risk_stale_enabled_users')})`, legend: 'stale users' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Successful logins by authentication factors',
        description:
          'Successful logins per hour by first and second factor (second "none" means a password or key alone). Password with second factor none is what MFA enforcement removes.',
        unit: 'short',
        stacked: true,
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
        title: 'Failed logins',
        description: 'Failed logins per hour by first factor; bursts are what the brute-force and password-spray detections look for.',
        unit: 'short',
        queries: [
          {
            expr: `sum by (account, first_factor) (rate(${sel('snowflake_risk_logins_total', 'outcome="failure"')}[$__rate_interval])) * 3600`,
            legend: '{{account}} {{first_factor}}',
          },
        ],
      }),
    )
    .withRow(row('Riskiest users'))
    .withPanel(
      table({
        title: 'Top risky users',
        description: 'The riskiest users now (the exporter keeps the top N per account, 20 by default). Click a user to open the user drill-down.',
        unit: 'none',
        steps: RISK,
        decimals: 1,
        sortBy: 'Value',
        queries: [{ expr: `sort_desc(max by (account, user) (${sel('snowflake_risk_user_risk_score')}))`, instant: true, table: true }],
      }).overrideByName('user', [{ id: 'links', value: [{ title: 'User drill-down', url: USER_DASHBOARD_LINK }] }]),
    )
    .withPanel(
      timeseries({
        title: 'Risk score of the five riskiest users',
        description: 'Risk score over time of the users that are the five riskiest now.',
        unit: 'none',
        steps: RISK,
        queries: [{ expr: `topk(5, max by (account, user) (${sel('snowflake_risk_user_risk_score')}))`, legend: '{{user}} ({{account}})' }],
      }),
    )
    .withRow(row('Sharing and exfiltration'))
    .withPanel(
      stat({
        title: 'Outbound shares known',
        description:
          'Whether every outbound share of the account is known. "unknown" means the exporter\'s role cannot read ' +
          'SNOWFLAKE.ACCOUNT_USAGE.SHARES (database role SNOWFLAKE.SECURITY_VIEWER), so only SHOW SHARES answered, and ' +
          'it lists just the shares the role has privileges on (none for a least-privilege role): the share counts are ' +
          'then unknown, not zero. Grant the view as the README\'s least-privilege setup shows (link above).',
        unit: 'none',
        w: 4,
        h: 8,
        mappings: [
          valueText({
            '1': { text: 'all known', color: 'green' },
            '0': { text: 'unknown: ACCOUNT_USAGE.SHARES not granted', color: 'orange' },
          }),
        ],
        queries: [{ expr: `min by (account) (${sel('snowflake_risk_outbound_shares_known')})`, legend: '{{account}}' }],
      }).links([LEAST_PRIVILEGE]),
    )
    .withPanel(
      stat({
        title: 'Outbound shares and consumers',
        description:
          'Outbound shares of each account and the distinct consumer accounts they reach (ACCOUNT_USAGE.SHARES, brought ' +
          'up to date by SHOW SHARES). "unknown" where the role cannot read ACCOUNT_USAGE.SHARES: see "Outbound shares ' +
          'known" and the README\'s least-privilege setup (link above).',
        unit: 'none',
        w: 6,
        h: 8,
        mappings: [valueText({ [String(UNKNOWN_SHARES)]: { text: 'unknown', color: 'orange' } })],
        queries: [
          { expr: shareTotalOrUnknown('snowflake_risk_outbound_shares'), legend: '{{account}} shares' },
          { expr: shareTotalOrUnknown('snowflake_risk_outbound_share_consumer_accounts'), legend: '{{account}} consumer accounts' },
        ],
      }).links([LEAST_PRIVILEGE]),
    )
    .withPanel(
      bargauge({
        title: 'Consumer accounts per share',
        description:
          'Consumer accounts of each outbound share (the shares with most consumers first). Compare with ' +
          'approvedConsumerAccounts. Where "Outbound shares known" says unknown, only the shares SHOW SHARES lists for ' +
          'the role are here.',
        unit: 'none',
        w: 6,
        queries: [{ expr: `sort_desc(max by (share) (${sel('snowflake_risk_share_consumer_accounts')}))`, legend: '{{share}}' }],
      }),
    )
    .withPanel(
      table({
        title: 'Exfiltration guardrails',
        description: 'Whether each guardrail account parameter is in its safe state (SHOW PARAMETERS IN ACCOUNT). OFF means unloads to places the account does not control are possible.',
        unit: 'none',
        steps: [['red', null], ['green', 1]],
        mappings: [valueText({ '1': { text: 'safe', color: 'green' }, '0': { text: 'OFF', color: 'red' } })],
        w: 8,
        queries: [{ expr: `min by (account, parameter) (${sel('snowflake_risk_guardrail_parameter_safe')})`, instant: true, table: true }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Share changes',
        description: 'Outbound share changes between two points by action (created, accounts_added, object_granted, reader_account_created, listing_changed...) and outcome.',
        unit: 'none',
        bars: true,
        stacked: true,
        queries: [{ expr: newPerStep('snowflake_risk_share_events_total', ['action', 'outcome']), legend: '{{action}} ({{outcome}})' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Unloads and downloads',
        description: 'Successful unloads into stages, GETs from stages and unloads to external locations between two points: the steps of the UNC5537 exfiltration path.',
        unit: 'none',
        bars: true,
        queries: [
          { expr: newPerStep('snowflake_risk_stage_unloads_total', ['account']), legend: 'COPY INTO @stage {{account}}' },
          { expr: newPerStep('snowflake_risk_stage_gets_total', ['account']), legend: 'GET {{account}}' },
          { expr: newPerStep('snowflake_risk_external_unloads_total', ['account']), legend: 'external unload {{account}}' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Data read by users (result bytes)',
        description: 'Bytes written to query results by the users\' queries (QUERY_HISTORY.BYTES_WRITTEN_TO_RESULT), per second. A spike is what exfil.result_volume_spike compares with each user\'s baseline.',
        unit: 'Bps',
        queries: [{ expr: `sum by (account) (rate(${sel('snowflake_risk_query_result_bytes_total')}[$__rate_interval]))`, legend: '{{account}}' }],
      }),
    )
    .withPanel(
      table({
        title: 'Trust Center findings',
        description: 'Snowflake Trust Center findings open now (ACCOUNT_USAGE.TRUST_CENTER_FINDINGS), by package, scanner and severity.',
        unit: 'none',
        steps: [['green', null], ['orange', 1]],
        sortBy: 'Value',
        queries: [{ expr: `max by (account, package, scanner, severity) (${sel('snowflake_risk_trust_center_findings')})`, instant: true, table: true }],
      }),
    )
    .build();
}

