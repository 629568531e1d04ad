// The metric namespace. The Grafana Snowflake exporter owns `snowflake_`; this one uses `snowflake_risk_` so both can
// be scraped side by side without a name clash.
export const NAMESPACE = 'snowflake_risk_';
