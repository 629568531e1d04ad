// The shape of an alert rule as the sources write it: what Prometheus needs (the rule itself) and what a maintainer
// needs besides (why the `for` is what it is, the runbook anchor).
import { RUNBOOK_BASE_URL } from './config.ts';

/** Severities routed by the example Alertmanager configuration: critical pages, warning tickets, info is a digest. */
export type AlertSeverity = 'critical' | 'warning' | 'info';

export interface AlertRule {
  /** CamelCase, starting with SnowflakeRisk. */
  readonly alert: string;
  readonly expr: string;
  /** Prometheus duration, e.g. '0m', '15m'. */
  readonly for: string;
  /** Why `for` has this value (the latency of the data behind the alert), for whoever changes the rule. */
  readonly forReason: string;
  readonly severity: AlertSeverity;
  /** Static labels besides `severity` (e.g. the detection a posture alert stands for). */
  readonly labels?: Readonly<Record<string, string>>;
  /** One sentence, capitalised, with a full stop; few or no template variables (the notification headline). */
  readonly summary: string;
  /** Fully templated: names the labels that matter ({{ $labels.account }}...). */
  readonly description: string;
  /** Anchor in alerts/runbooks.md, or a template that expands to one. */
  readonly runbookAnchor: string;
}

export interface AlertGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** A rule file: a few groups that share a theme. */
export interface AlertRuleFile {
  /** Path relative to the repository root. */
  readonly path: string;
  readonly title: string;
  readonly groups: readonly AlertGroup[];
}

export function runbookUrl(anchor: string): string {
  return `${RUNBOOK_BASE_URL}#${anchor}`;
}
