// Posture drift: the account's standing configuration is worse than its target, or worse than a day ago. These are
// states, not events: they fire while the state holds and resolve when it is fixed. Their first sighting is already
// reported by a finding alert (the posture detections raise findings), so these wait for a later snapshot to confirm
// the state and then stand for "still not fixed". Each names the detection it belongs to in a `detection` label, so
// the example Alertmanager configuration mutes it while that detection's finding alert is open.
import { DEFAULT_WATCHED_GUARDRAILS } from '../../src/detect/catalog/exfil/guardrail-disabled.ts';
import { anyOf } from './promql.ts';
import type { AlertGroup, AlertRule } from './types.ts';

function postureRule(rule: Omit<AlertRule, 'labels' | 'runbookAnchor'> & { readonly detection: string }): AlertRule {
  const { detection, ...rest } = rule;
  return { ...rest, labels: { kind: 'posture', detection }, runbookAnchor: rest.alert.toLowerCase() };
}

const SNAPSHOT_CONFIRMED =
  'The gauge comes from an hourly posture snapshot of a view up to 2 h behind; 2 h is two more snapshots, so a state that was fixed meanwhile (or a user mid-enrolment) never alerts, and the first sighting has already raised a finding alert.';

export const POSTURE_GROUPS: readonly AlertGroup[] = [
  {
    name: 'snowflake-risk.posture',
    rules: [
      postureRule({
        alert: 'SnowflakeRiskUsersWithoutMfa',
        detection: 'mfa.password_user_without_mfa',
        expr: 'sum by (account) (snowflake_risk_users_without_mfa{user_type=~"person|unset"}) > 0',
        for: '2h',
        forReason: SNAPSHOT_CONFIRMED,
        severity: 'warning',
        summary: 'Human Snowflake users can sign in with a password alone.',
        description:
          'Account {{ $labels.account }}: {{ $value }} enabled human users have a password and no MFA (USERS snapshot). ' +
          'A stolen password is enough to sign in as them (the UNC5537 precondition).',
      }),
      postureRule({
        alert: 'SnowflakeRiskAdminsWithoutMfa',
        detection: 'mfa.admin_without_mfa',
        expr: 'max by (account, role) (snowflake_risk_admin_users_without_mfa) > 0',
        for: '2h',
        forReason: SNAPSHOT_CONFIRMED,
        severity: 'warning',
        summary: 'Snowflake admin users still have no MFA.',
        description:
          'Account {{ $labels.account }}: {{ $value }} users holding {{ $labels.role }} (directly or through the role hierarchy) have no MFA.',
      }),
      postureRule({
        alert: 'SnowflakeRiskMfaBypassActive',
        detection: 'mfa.bypass_active',
        expr: 'max by (account) (snowflake_risk_users_mfa_bypass_active) > 0',
        for: '2h',
        forReason: SNAPSHOT_CONFIRMED,
        severity: 'warning',
        summary: 'A Snowflake MFA bypass window stays open.',
        description:
          'Account {{ $labels.account }}: {{ $value }} enabled users have an MFA bypass window (MINS_TO_BYPASS_MFA) still open.',
      }),
      postureRule({
        alert: 'SnowflakeRiskGuardrailOff',
        detection: 'exfil.guardrail_disabled',
        expr: `min by (account, parameter) (snowflake_risk_guardrail_parameter_safe{parameter=~"${anyOf(DEFAULT_WATCHED_GUARDRAILS)}"}) == 0`,
        for: '1h',
        forReason:
          'SHOW PARAMETERS IN ACCOUNT is real time and read hourly; 1 h is one more read confirming the parameter is still off.',
        severity: 'warning',
        summary: 'A Snowflake exfiltration guardrail stays off.',
        description:
          'Account {{ $labels.account }}: parameter {{ $labels.parameter }} is not in its safe state (TRUE); unloads to locations the account does not control are possible.',
      }),
      postureRule({
        alert: 'SnowflakeRiskTrustCenterFindings',
        detection: 'posture.trust_center_findings',
        expr: 'max by (account, package, scanner, severity) (snowflake_risk_trust_center_findings{severity=~"critical|high"}) > 0',
        for: '0m',
        forReason:
          'The gauge counts the findings Trust Center holds open, which change only when a scan or a person updates them; reading it twice would confirm nothing.',
        severity: 'warning',
        summary: 'Snowflake Trust Center has open findings.',
        description:
          'Account {{ $labels.account }}: Trust Center scanner {{ $labels.scanner }} ({{ $labels.package }}, {{ $labels.severity }}) has {{ $value }} open findings.',
      }),
      postureRule({
        alert: 'SnowflakeRiskShareConsumersIncreased',
        detection: 'share.accounts_added',
        expr:
          'max by (account) (snowflake_risk_outbound_share_consumer_accounts)\n> max by (account) (snowflake_risk_outbound_share_consumer_accounts offset 1d)',
        for: '0m',
        forReason:
          'Drift against the same gauge a day earlier (SHOW SHARES, real time, read hourly); it stays open for a day after the increase, so waiting adds nothing.',
        severity: 'warning',
        summary: 'More consumer accounts read Snowflake outbound shares than a day ago.',
        description:
          'Account {{ $labels.account }}: outbound shares now reach {{ $value }} distinct consumer accounts, more than 24 hours ago.',
      }),
      postureRule({
        alert: 'SnowflakeRiskAdminUsersIncreased',
        detection: 'priv.privileged_grant',
        expr: 'max by (account, role) (snowflake_risk_admin_users)\n> max by (account, role) (snowflake_risk_admin_users offset 1d)',
        for: '0m',
        forReason:
          'Drift against the same gauge a day earlier (admins snapshot, up to 2 h behind, read hourly); it stays open for a day after the increase, so waiting adds nothing.',
        severity: 'warning',
        summary: 'More Snowflake users hold an admin role than a day ago.',
        description:
          'Account {{ $labels.account }}: {{ $value }} users now hold {{ $labels.role }}, more than 24 hours ago.',
      }),
    ],
  },
];
