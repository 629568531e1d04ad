// Alerts on findings: a detection raised something new. Four detections page on their own (the critical incidents
// the product exists for); every other finding alerts by its severity. A finding is an event whose data latency was
// already paid before it existed (the detection ran on a view 45 min to 3 h behind), so none of these waits: `for` is
// 0 and the alert stays open for FINDING_ALERT_WINDOW after the last new finding.
import { FINDING_ALERT_WINDOW } from './config.ts';
import { anyOf, newFindings } from './promql.ts';
import type { AlertGroup, AlertRule, AlertSeverity } from './types.ts';

const FOR_REASON =
  `A finding is a settled fact: the detection already waited for its view's latency. The alert fires at the first evaluation that sees it and resolves ${FINDING_ALERT_WINDOW} after the last new one.`;

interface CriticalDetection {
  readonly alert: string;
  readonly detection: string;
  readonly summary: string;
  /** What happened, completing "Account <account>: ..." */
  readonly what: string;
}

/** The detections that page by name: the UNC5537 chain, an admin without MFA, data shared out, a guardrail down. */
export const CRITICAL_DETECTIONS: readonly CriticalDetection[] = [
  {
    alert: 'SnowflakeRiskUNC5537StagingChain',
    detection: 'exfil.stage_chain',
    summary: 'Data staged and downloaded from a Snowflake account (UNC5537 chain).',
    what: 'a user created a temporary stage, unloaded data into it and downloaded the files with GET',
  },
  {
    alert: 'SnowflakeRiskAdminWithoutMfa',
    detection: 'mfa.admin_without_mfa',
    summary: 'A Snowflake admin user can sign in with a password alone.',
    what: 'a user holding an admin role (directly or through the role hierarchy) has a password and no MFA',
  },
  {
    alert: 'SnowflakeRiskShareToUnapprovedConsumer',
    detection: 'share.unapproved_consumer',
    summary: 'Snowflake data is shared with an unapproved consumer account.',
    what: 'an outbound share lists a consumer account missing from approvedConsumerAccounts',
  },
  {
    alert: 'SnowflakeRiskExfiltrationGuardrailDisabled',
    detection: 'exfil.guardrail_disabled',
    summary: 'A Snowflake exfiltration guardrail is off.',
    what: 'an account parameter that stops unloads to places the account does not control is off (or was just turned off)',
  },
];

const CRITICAL_IDS = anyOf(CRITICAL_DETECTIONS.map((entry) => entry.detection));

function criticalRule(entry: CriticalDetection): AlertRule {
  return {
    alert: entry.alert,
    expr: newFindings(`detection="${entry.detection}"`, ['account', 'detection']),
    for: '0m',
    forReason: FOR_REASON,
    severity: 'critical',
    labels: { kind: 'finding' },
    summary: entry.summary,
    description:
      `Account {{ $labels.account }}: ${entry.what}. New findings of {{ $labels.detection }} in the last ${FINDING_ALERT_WINDOW}; ` +
      'each finding record (OTLP event snowflake.finding) names the user and the evidence ids.',
    runbookAnchor: entry.detection.replace('.', '-'),
  };
}

/** Anchor of the detection's runbook section, from the alert's `detection` label (catalog runbook = id with '-'). */
const DETECTION_RUNBOOK_TEMPLATE = '{{ $labels.detection | reReplaceAll "[.]" "-" }}';

function severityRule(alert: string, findingSeverity: string, severity: AlertSeverity, summary: string): AlertRule {
  return {
    alert,
    expr: newFindings(`severity="${findingSeverity}", detection!~"${CRITICAL_IDS}"`, ['account', 'detection']),
    for: '0m',
    forReason: FOR_REASON,
    severity,
    labels: { kind: 'finding', finding_severity: findingSeverity },
    summary,
    description:
      `Account {{ $labels.account }}: new ${findingSeverity}-severity findings of detection {{ $labels.detection }} in the last ${FINDING_ALERT_WINDOW}; ` +
      'each finding record (OTLP event snowflake.finding) names the user and the evidence ids.',
    runbookAnchor: DETECTION_RUNBOOK_TEMPLATE,
  };
}

export const FINDING_GROUPS: readonly AlertGroup[] = [
  {
    name: 'snowflake-risk.findings.critical',
    rules: [
      ...CRITICAL_DETECTIONS.map(criticalRule),
      severityRule('SnowflakeRiskCriticalFinding', 'critical', 'critical', 'Critical insider-risk finding on a Snowflake account.'),
    ],
  },
  {
    name: 'snowflake-risk.findings',
    rules: [
      severityRule('SnowflakeRiskHighFinding', 'high', 'warning', 'High-severity insider-risk finding on a Snowflake account.'),
      severityRule('SnowflakeRiskMediumFinding', 'medium', 'info', 'Medium-severity insider-risk finding on a Snowflake account.'),
    ],
  },
];
