// PromQL shared by the rules. Kept as small functions so that each rule reads as what it checks, and so that the
// subtle parts (a counter seen for the first time) are written, explained and tested once.
import { FINDING_ALERT_WINDOW } from './config.ts';

export const FINDINGS = 'snowflake_risk_findings_total';

/**
 * `a|b|c` for a `=~` matcher. Values are ids (letters, digits, `_`, `.`); a dot becomes `[.]`, which reads better in
 * YAML than an escaped backslash. Anything else is a programming error.
 */
export function anyOf(values: readonly string[]): string {
  for (const value of values) {
    if (!/^[A-Za-z0-9_.]+$/.test(value)) throw new Error(`not an id for a regex matcher: ${JSON.stringify(value)}`);
  }
  return values.map((value) => value.replaceAll('.', '[.]')).join('|');
}

/**
 * New findings per label set within the alert window. `findings_total` has no series for a detection until its first
 * finding, so that series is born already above 0 (often before Prometheus first scrapes the exporter) and
 * `increase()` never sees its first findings: a range holding only samples of the same value increases by 0. The
 * second branch catches exactly those, a series that exists now and did not exist one window ago; the first catches
 * growth of a known series, counter resets included. Once a window passes without growth, both are empty: the alert
 * resolves.
 */
export function newFindings(matchers: string, by: readonly string[]): string {
  const series = `${FINDINGS}{${matchers}}`;
  const sumBy = `sum by (${by.join(', ')})`;
  return [
    `${sumBy} (increase(${series}[${FINDING_ALERT_WINDOW}])) > 0`,
    `or`,
    `${sumBy} (${series} unless ${series} offset ${FINDING_ALERT_WINDOW})`,
  ].join('\n');
}
