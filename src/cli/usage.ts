// Help text and exit codes: one place, so --help, the README and the code agree.
import { PRODUCT_NAME } from '../version.ts';

export const EXIT = {
  /** --check-config passed, --help, --version, or a run that ended on request. */
  ok: 0,
  /** The exporter failed at run time in a way it could not survive. */
  failure: 1,
  /**
   * Bad command line, bad configuration, or a start that fails on what a setting names (a key that does not load, a
   * listen address that cannot be used, a state file in use by another exporter, damaged, not writable or written by
   * a newer version): every problem is listed on stderr with its setting and what to do.
   */
  usageOrConfig: 2,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const USAGE = `Usage: ${PRODUCT_NAME} [--config FILE] [--check-config]
       ${PRODUCT_NAME}                      (no configuration: run the embedded demo)
       ${PRODUCT_NAME} --help | --version

Watches Snowflake accounts for insider risk and exports findings as Prometheus metrics and OpenTelemetry logs.

Options:
  -c, --config FILE   YAML configuration file (default: $SNOWFLAKE_RISK_EXPORTER_CONFIG)
      --check-config  check everything a start needs (the file, its secrets and keys, the state file,
                      the listen addresses), print a summary without secrets, and exit
  -h, --help          show this help and exit
  -v, --version       print the version and exit

Environment:
  SNOWFLAKE_RISK_EXPORTER_CONFIG       configuration file, when --config is not given
  SNOWFLAKE_RISK_EXPORTER_<PATH>       override one setting; "__" separates path segments, e.g.
                                       SNOWFLAKE_RISK_EXPORTER_LOG__LEVEL=debug
                                       SNOWFLAKE_RISK_EXPORTER_ACCOUNTS__0__ROLE=RISK_EXPORTER

Exit codes:
  0  configuration valid (--check-config), --help / --version, or stopped by SIGINT / SIGTERM
  1  unrecoverable run-time failure
  2  bad command line, invalid configuration, or a start that fails on a setting (every problem is listed, with the fix)

Configuration reference: README.md, section "Configuration"; example: examples/config.example.yaml
`;
