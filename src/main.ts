// Placeholder until the CLI lands in this issue: says honestly that nothing is configured.
console.error('snowflake-risk-exporter: no configuration given. Run with --config FILE (see README.md).');
process.exitCode = 2;
