// Event stream: ACCOUNT_USAGE.QUERY_HISTORY -> QueryEvent, one per QUERY_ID.
//
// The window filters on END_TIME, not START_TIME: a query shows in the view only once it has finished (plus up to
// 45 min of latency), so a long query that started before the window would be missed forever by a START_TIME filter.
// Event time stays START_TIME (when it happened). The exporter's own statements carry QUERY_TAG =
// EXPORTER_QUERY_TAG and are left out here, as in every other stream and detection (QUERY_TAG is NULL or '' for
// untagged statements, hence the COALESCE).
//
// AUTHN_EVENT_ID (the login the query's session came from) comes with behaviour change bundle 2025_06
// (https://docs.snowflake.com/en/release-notes/bcr-bundles/2025_06/bcr-1980-2050): on an account without it the
// statement is built without the column (collect/optional-columns.ts), events carry no login id, and the part
// `authn_event_id` says so. No other column read here comes with a bundle.
import { rememberOriginalQueryText } from '../detection-query-text.ts';
import type { QueryEvent } from '../events.ts';
import { OptionalColumns, type OptionalColumn } from '../optional-columns.ts';
import { applyQueryTextPolicy, checkQueryTextPolicy, DEFAULT_QUERY_TEXT_POLICY, type QueryTextPolicy } from '../query-text.ts';
import { SOURCES } from '../source-ids.ts';
import type { SourcePart } from '../source-parts.ts';
import type { Source, SourceContext, SourceRunResult } from '../source.ts';
import { EXPORTER_QUERY_TAG } from '../../snowflake/account-client.ts';
import { bind } from '../../snowflake/sqlapi/index.ts';
import { DEFAULT_RISKY_QUERY_RULES, isRiskyQuery, type RiskyQueryRules } from './risky-queries.ts';
import { resolveStreamOptions, runStream, windowStart, type ResolvedStreamOptions, type StreamOptions } from './stream.ts';
import { dateOf, errorCodeOf, numberOf, requiredDate, textOf, type Row } from './values.ts';

/** all: every query; risky: only those the risky rules mark; none: no query events at all. */
export type QueryScope = 'all' | 'risky' | 'none';

export interface QueryHistorySourceOptions extends StreamOptions {
  readonly scope?: QueryScope | undefined;
  readonly textPolicy?: QueryTextPolicy | undefined;
  readonly riskyRules?: RiskyQueryRules | undefined;
}

/** The columns of QUERY_HISTORY read here that only some accounts have. */
export const QUERY_HISTORY_OPTIONAL_COLUMNS: readonly OptionalColumn[] = [
  { part: 'authn_event_id', view: 'QUERY_HISTORY', column: 'AUTHN_EVENT_ID', providedBy: 'behaviour change bundle 2025_06' },
];

function columns(missing: ReadonlySet<SourcePart>): string {
  // Without the column the statement still returns AUTHN_EVENT_ID, as NULL, so rows read the same either way.
  const authnEventId = missing.has('authn_event_id') ? 'NULL::NUMBER AS AUTHN_EVENT_ID' : 'AUTHN_EVENT_ID';
  return `QUERY_ID, QUERY_TEXT, DATABASE_NAME, SCHEMA_NAME, QUERY_TYPE, SESSION_ID, USER_NAME, ROLE_NAME,
       WAREHOUSE_NAME, QUERY_TAG, EXECUTION_STATUS, ERROR_CODE, START_TIME, END_TIME, ${authnEventId},
       BYTES_SCANNED, BYTES_WRITTEN_TO_RESULT, ROWS_PRODUCED, ROWS_UNLOADED, OUTBOUND_DATA_TRANSFER_BYTES,
       OUTBOUND_DATA_TRANSFER_CLOUD, OUTBOUND_DATA_TRANSFER_REGION`;
}

/** The stream's statement, without the optional columns `missing`; `risky`: only the listed QUERY_TYPEs leave Snowflake (the list is a binding). */
export function queryHistorySql(missing: ReadonlySet<SourcePart>, risky: boolean): string {
  return `SELECT ${columns(missing)}
FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
WHERE END_TIME >= :window_start
  AND COALESCE(QUERY_TAG, '') <> :exporter_tag${risky ? "\n  AND ARRAY_CONTAINS(UPPER(QUERY_TYPE)::VARIANT, SPLIT(:risky_types, ','))" : ''}
ORDER BY END_TIME, QUERY_ID`;
}

/** The full statement, on an account with every column. */
export const QUERY_HISTORY_SQL = queryHistorySql(new Set(), false);

/** Scope 'risky' without extra predicates, on an account with every column. */
export const RISKY_QUERY_HISTORY_SQL = queryHistorySql(new Set(), true);

export class QueryHistorySource implements Source {
  readonly id = 'query_history';
  readonly view = `SNOWFLAKE.ACCOUNT_USAGE.${SOURCES.query_history.view}`;
  readonly needsWarehouse = true;
  // Over the daily credit budget this stream is deferred: it catches up from its watermark when the budget resets.
  readonly critical = false;
  readonly scope: QueryScope;
  readonly #textPolicy: QueryTextPolicy;
  readonly #rules: RiskyQueryRules;
  readonly #options: ResolvedStreamOptions;
  /** Which optional columns this account lacks (the source is per account). */
  readonly #columns = new OptionalColumns(QUERY_HISTORY_OPTIONAL_COLUMNS);

  constructor(options: QueryHistorySourceOptions = {}) {
    this.scope = options.scope ?? 'all';
    if (!['all', 'risky', 'none'].includes(this.scope)) throw new RangeError(`unknown query scope ${String(this.scope)}`);
    this.#textPolicy = checkQueryTextPolicy(options.textPolicy ?? DEFAULT_QUERY_TEXT_POLICY);
    this.#rules = options.riskyRules ?? DEFAULT_RISKY_QUERY_RULES;
    for (const type of this.#rules.queryTypes) {
      if (!/^[A-Z_]+$/.test(type)) throw new RangeError(`risky query type ${type} is not an upper-case QUERY_TYPE name`);
    }
    this.#options = resolveStreamOptions(options);
  }

  async run(context: SourceContext): Promise<SourceRunResult> {
    if (this.scope === 'none') {
      // Nothing is wanted from this view: move the watermark so that a later change of scope starts from now.
      context.commitWatermark(this.id, context.snowflakeNow);
      return { rows: 0, delivered: 0 };
    }
    const from = windowStart(context, this.id, SOURCES.query_history.latencySeconds, this.#options);
    const pushDown = this.scope === 'risky' && this.#rules.predicates.length === 0;
    const observedAt = context.snowflakeNow;
    const account = context.account.name;
    return runStream(context, this.id, this.id, from, [
      {
        view: this.view,
        sql: (missing) => queryHistorySql(missing, pushDown),
        optionalColumns: this.#columns,
        bindings: {
          exporter_tag: bind.text(EXPORTER_QUERY_TAG),
          ...(pushDown ? { risky_types: bind.text(this.#rules.queryTypes.join(',')) } : {}),
        },
        map: (row) => {
          const event = this.toEvent(row, account, observedAt);
          return this.scope === 'risky' && !isRiskyQuery(event, this.#rules) ? [] : [event];
        },
        timeOf: (row) => dateOf(row, 'END_TIME'),
      },
    ], this.#options);
  }

  toEvent(row: Row, account: string, observedAt: Date): QueryEvent {
    const queryId = textOf(row, 'QUERY_ID') ?? '';
    const startTime = requiredDate(row, 'START_TIME');
    const text = textOf(row, 'QUERY_TEXT');
    const event: QueryEvent = {
      kind: 'query',
      account,
      id: queryId,
      time: startTime,
      observedAt,
      queryId,
      user: textOf(row, 'USER_NAME'),
      role: textOf(row, 'ROLE_NAME'),
      warehouse: textOf(row, 'WAREHOUSE_NAME'),
      database: textOf(row, 'DATABASE_NAME'),
      schema: textOf(row, 'SCHEMA_NAME'),
      queryType: textOf(row, 'QUERY_TYPE'),
      executionStatus: textOf(row, 'EXECUTION_STATUS'),
      errorCode: errorCodeOf(row, 'ERROR_CODE'),
      queryText: applyQueryTextPolicy(text, this.#textPolicy),
      queryTag: textOf(row, 'QUERY_TAG'),
      sessionId: textOf(row, 'SESSION_ID'),
      authnEventId: textOf(row, 'AUTHN_EVENT_ID'),
      startTime,
      endTime: dateOf(row, 'END_TIME'),
      bytesScanned: numberOf(row, 'BYTES_SCANNED'),
      bytesWrittenToResult: numberOf(row, 'BYTES_WRITTEN_TO_RESULT'),
      rowsProduced: numberOf(row, 'ROWS_PRODUCED'),
      rowsUnloaded: numberOf(row, 'ROWS_UNLOADED'),
      outboundDataTransferBytes: numberOf(row, 'OUTBOUND_DATA_TRANSFER_BYTES'),
      outboundDataTransferCloud: textOf(row, 'OUTBOUND_DATA_TRANSFER_CLOUD'),
      outboundDataTransferRegion: textOf(row, 'OUTBOUND_DATA_TRANSFER_REGION'),
    };
    // Detections judge the statement itself, whatever the policy leaves in the event (detection-query-text.ts).
    rememberOriginalQueryText(event, text);
    return event;
  }
}
