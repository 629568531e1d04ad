// Help text and exit codes: one place, so --help, the README and the code agree.
import { PRODUCT_NAME } from '../version.ts';

export const EXIT = {
  /** --check-config passed, --help, --version, or a run that ended on request. */
  ok: 0,
  /** The exporter failed at run time in a way it could not survive. */
  failure: 1,
  /**
   * Bad command line or bad configuration (every problem is listed on stderr), or a state file the exporter must not
   * use: in use by another exporter, damaged, not writable, or written by a newer version (the message says what to do).
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
      --check-config  validate the configuration, print a summary without secrets, and exit
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
  2  bad command line, invalid configuration (every problem is listed), or a state file it must not use (the fix is named)

Configuration reference: README.md, section "Configuration"; example: examples/config.example.yaml
`;
