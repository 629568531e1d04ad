// Event stream: ACCOUNT_USAGE.LOGIN_HISTORY -> LoginEvent, one per EVENT_ID. LOGIN_HISTORY has no QUERY_TAG: the
// exporter's own sign-ins (key-pair JWT / OAuth / PAT through the SQL API) are real logins of its service user and
// are delivered like any other, which is what a login monitor should see.
import type { LoginEvent } from '../events.ts';
import { SOURCES } from '../source-ids.ts';
import type { Source, SourceContext, SourceRunResult } from '../source.ts';
import { resolveStreamOptions, runStream, windowStart, type ResolvedStreamOptions, type StreamOptions } from './stream.ts';
import { dateOf, errorCodeOf, requiredDate, textOf, type Row } from './values.ts';

export const LOGIN_HISTORY_SQL = `SELECT EVENT_ID, EVENT_TIMESTAMP, EVENT_TYPE, USER_NAME, CLIENT_IP, REPORTED_CLIENT_TYPE,
       REPORTED_CLIENT_VERSION, FIRST_AUTHENTICATION_FACTOR, SECOND_AUTHENTICATION_FACTOR, IS_SUCCESS,
       ERROR_CODE, ERROR_MESSAGE
FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY
WHERE EVENT_TIMESTAMP >= :window_start
ORDER BY EVENT_TIMESTAMP, EVENT_ID`;

export class LoginHistorySource implements Source {
  readonly id = 'login_history';
  readonly view = `SNOWFLAKE.ACCOUNT_USAGE.${SOURCES.login_history.view}`;
  readonly needsWarehouse = true;
  // Over the daily credit budget this stream is deferred: it catches up from its watermark when the budget resets.
  readonly critical = false;
  readonly #options: ResolvedStreamOptions;

  constructor(options: StreamOptions = {}) {
    this.#options = resolveStreamOptions(options);
  }

  async run(context: SourceContext): Promise<SourceRunResult> {
    const from = windowStart(context, this.id, SOURCES.login_history.latencySeconds, this.#options);
    const account = context.account.name;
    const observedAt = context.snowflakeNow;
    return runStream(context, this.id, this.id, from, [
      { view: this.view, sql: LOGIN_HISTORY_SQL, map: (row) => [toLoginEvent(row, account, observedAt)], timeOf: (row) => dateOf(row, 'EVENT_TIMESTAMP') },
    ], this.#options);
  }
}

export function toLoginEvent(row: Row, account: string, observedAt: Date): LoginEvent {
  const eventId = textOf(row, 'EVENT_ID') ?? '';
  return {
    kind: 'login',
    account,
    id: eventId,
    time: requiredDate(row, 'EVENT_TIMESTAMP'),
    observedAt,
    eventId,
    user: textOf(row, 'USER_NAME'),
    clientIp: textOf(row, 'CLIENT_IP'),
    reportedClientType: textOf(row, 'REPORTED_CLIENT_TYPE'),
    reportedClientVersion: textOf(row, 'REPORTED_CLIENT_VERSION'),
    firstAuthenticationFactor: textOf(row, 'FIRST_AUTHENTICATION_FACTOR'),
    secondAuthenticationFactor: textOf(row, 'SECOND_AUTHENTICATION_FACTOR'),
    success: (textOf(row, 'IS_SUCCESS') ?? '').toUpperCase() === 'YES',
    errorCode: errorCodeOf(row, 'ERROR_CODE'),
    errorMessage: textOf(row, 'ERROR_MESSAGE'),
  };
}
