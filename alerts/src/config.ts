// The knobs of the alert rules, in one place (the mixin `_config` idea): change a value here, run `npm run generate`,
// and the rule files, the PrometheusRule and the runbook links follow. Metric names need no job selector (the
// `snowflake_risk_` namespace is this exporter's alone); only Prometheus's own `up` does.

/**
 * Where the runbooks are published. Alert annotations link to `${RUNBOOK_BASE_URL}#<anchor>`; every anchor exists in
 * alerts/runbooks.md (test/unit/alerts checks it). Point it at your fork or internal mirror if you publish elsewhere.
 */
export const RUNBOOK_BASE_URL = 'https://github.com/snowflake-risk-exporter/snowflake-risk-exporter/blob/main/alerts/runbooks.md';

/** Selects the exporter's scrape targets in Prometheus's `up` metric. */
export const EXPORTER_JOB_SELECTOR = 'job=~".*snowflake-risk.*"';

/**
 * How long a finding alert keeps firing after the finding was counted. A finding is an event: the alert fires at the
 * first evaluation that sees it and resolves once no new finding arrived for this long. An hour is one default
 * collection interval, so a detection that raises a finding every cycle keeps one alert open instead of flapping.
 */
export const FINDING_ALERT_WINDOW = '1h';

/** Seconds an OAuth refresh token may have left before a human must consent again. */
export const OAUTH_EXPIRY_WARNING_SECONDS = 7 * 86_400;

/** Fill ratio of the OTLP queue beyond which the backlog is reported. */
export const OTLP_BACKLOG_RATIO = 0.8;

/** Seconds without a successful OTLP export, while records wait, after which delivery counts as stalled. */
export const OTLP_STALLED_SECONDS = 15 * 60;
