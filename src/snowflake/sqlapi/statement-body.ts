// The JSON body of POST /api/v2/statements. Session parameters are limited to what the exporter needs: TIMEZONE=UTC
// (so LTZ values and CURRENT_TIMESTAMP are read the same in every account), QUERY_TAG (so the exporter's own
// statements are recognisable in QUERY_HISTORY) and MULTI_STATEMENT_COUNT when asked. No *_OUTPUT_FORMAT parameter
// is ever sent: they would change the wire encodings the decoder relies on.
//
// `warehouse`, `role`, `database` and `schema` are case-sensitive in the body and must match the case SHOW returns
// (https://docs.snowflake.com/en/developer-guide/sql-api/submitting-requests): a role written `risk_exporter` is
// refused with 390186 although RISK_EXPORTER is granted. So they are given here as identifiers, the way SQL would
// write them, and resolved as Snowflake resolves identifiers (unquoted upper case, quoted exactly) before sending.
import { resolveIdentifier } from '../identifier.ts';
import { toWireBindings, type Bindings } from './bindings.ts';

export interface StatementDefaults {
  /** Identifiers as SQL writes them (`risk_wh`, `"Mixed Wh"`); the body carries the resolved names. */
  warehouse?: string | undefined;
  role?: string | undefined;
  database?: string | undefined;
  schema?: string | undefined;
  /** Snowflake's statement timeout (`timeout` in the body); 0 means Snowflake's maximum. */
  timeoutSeconds?: number | undefined;
  queryTag?: string | undefined;
}

export interface StatementBodyOptions extends StatementDefaults {
  bindings?: Bindings | undefined;
  /** MULTI_STATEMENT_COUNT for a request holding several statements (bindings are not allowed then). */
  multiStatementCount?: number | undefined;
}

export function statementBody(statement: string, options: StatementBodyOptions, defaults: StatementDefaults): string {
  const pick = <K extends keyof StatementDefaults>(key: K): StatementDefaults[K] => options[key] ?? defaults[key];
  const name = (key: 'warehouse' | 'role' | 'database' | 'schema'): string | undefined => {
    const text = pick(key);
    return text === undefined ? undefined : resolveIdentifier(text, `the ${key}`);
  };
  const parameters: Record<string, string> = { TIMEZONE: 'UTC' };
  const queryTag = pick('queryTag');
  if (queryTag !== undefined) parameters.QUERY_TAG = queryTag;
  if (options.multiStatementCount !== undefined) {
    if (!Number.isInteger(options.multiStatementCount) || options.multiStatementCount < 0) {
      throw new RangeError('multiStatementCount must be an integer >= 0');
    }
    parameters.MULTI_STATEMENT_COUNT = String(options.multiStatementCount);
  }
  const timeout = pick('timeoutSeconds');
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 0)) {
    throw new RangeError('timeoutSeconds must be an integer >= 0');
  }
  // JSON.stringify leaves out the undefined members, so unset options fall back to the user's defaults in Snowflake.
  return JSON.stringify({
    statement,
    timeout,
    warehouse: name('warehouse'),
    role: name('role'),
    database: name('database'),
    schema: name('schema'),
    bindings: options.bindings === undefined ? undefined : toWireBindings(options.bindings),
    parameters,
  });
}
