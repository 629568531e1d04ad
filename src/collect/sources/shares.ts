// Event stream: outbound share changes -> ShareEvent, from three places read over one window:
//
// 1. ACCOUNT_USAGE.SHARES (includes dropped shares): created / dropped, and consumer accounts added or removed. Where
//    the view holds several versions of a share, consecutive TARGET_ACCOUNTS lists are diffed (LAG). Where it holds
//    one row per share updated in place, the previous list is unknown: the accounts present after a change inside
//    the window are reported as added, with an id per (share, its CREATED_ON, account), so an account already
//    reported for that share is not reported again; removals are then only seen in query text (3.).
//    The whole view is read to compute LAG: it holds one row per share ever created, a small table.
// 2. ACCOUNT_USAGE.GRANTS_TO_SHARES: objects granted (CREATED_ON in window) or revoked (DELETED_ON in window).
// 3. QUERY_HISTORY text: CREATE SHARE, ALTER SHARE ... ADD|SET|REMOVE ACCOUNTS, GRANT/REVOKE ... TO/FROM SHARE,
//    DROP SHARE, CREATE MANAGED ACCOUNT (reader accounts) and listings. This is also the fallback where 1. and 2.
//    are unavailable, and the only place that sees failed attempts (EXECUTION_STATUS kept: `succeeded` false) and
//    the user. The regular expressions avoid the public example's bugs: every OR group is parenthesised (AND binds
//    tighter than OR), each pattern has `.*` at both ends (REGEXP_LIKE matches the whole text), and flags 'is' make
//    `.` cross line breaks and matching case-insensitive. share-statements.ts then classifies the text with comments
//    and literals removed, so a mention inside a comment or string is not an event.
//
// The same change seen in SHARES and in QUERY_HISTORY gives two events with different `origin`: the view-based one
// is authoritative, the query-text one carries who did it and whether it worked.
import type { ShareAction, ShareEvent } from '../events.ts';
import { executionSucceeded } from '../execution-status.ts';
import { SOURCES } from '../source-ids.ts';
import type { Source, SourceContext, SourceRunResult } from '../source.ts';
import { EXPORTER_QUERY_TAG } from '../../snowflake/account-client.ts';
import { bind } from '../../snowflake/sqlapi/index.ts';
import { deterministicId } from './event-id.ts';
import { classifyShareStatement } from './share-statements.ts';
import { resolveStreamOptions, runStream, windowStart, type ResolvedStreamOptions, type StreamOptions, type StreamStatement } from './stream.ts';
import { accountList, dateOf, textOf, type Row } from './values.ts';

export const SHARES_CHANGES_SQL = `WITH VERSIONS AS (
  SELECT NAME, CREATED_ON, MODIFIED_ON, DELETED_ON, OWNER, TARGET_ACCOUNTS,
         LAG(TARGET_ACCOUNTS) OVER (PARTITION BY NAME, CREATED_ON ORDER BY MODIFIED_ON) AS PREVIOUS_TARGET_ACCOUNTS,
         ROW_NUMBER() OVER (PARTITION BY NAME, CREATED_ON ORDER BY MODIFIED_ON) AS VERSION
  FROM SNOWFLAKE.ACCOUNT_USAGE.SHARES
)
SELECT NAME, CREATED_ON, MODIFIED_ON, DELETED_ON, OWNER, TARGET_ACCOUNTS, PREVIOUS_TARGET_ACCOUNTS, VERSION
FROM VERSIONS
WHERE (CREATED_ON >= :window_start OR MODIFIED_ON >= :window_start OR DELETED_ON >= :window_start)
ORDER BY COALESCE(DELETED_ON, MODIFIED_ON, CREATED_ON), NAME`;

export const GRANTS_TO_SHARES_CHANGES_SQL = `SELECT CREATED_ON, DELETED_ON, PRIVILEGE, GRANTED_ON, OBJECT_NAME, OBJECT_DATABASE, OBJECT_SCHEMA,
       SHARE_NAME, GRANTED_BY
FROM SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_SHARES
WHERE (CREATED_ON >= :window_start OR DELETED_ON >= :window_start)
ORDER BY COALESCE(DELETED_ON, CREATED_ON), SHARE_NAME`;

export const SHARE_STATEMENTS_SQL = String.raw`SELECT QUERY_ID, QUERY_TEXT, USER_NAME, EXECUTION_STATUS, START_TIME, END_TIME
FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
WHERE END_TIME >= :window_start
  AND COALESCE(QUERY_TAG, '') <> :exporter_tag
  AND (   REGEXP_LIKE(QUERY_TEXT, '.*create\\s+(or\\s+replace\\s+)?(secure\\s+)?share\\s.*', 'is')
       OR REGEXP_LIKE(QUERY_TEXT, '.*drop\\s+share\\s.*', 'is')
       OR REGEXP_LIKE(QUERY_TEXT, '.*alter\\s+share\\s.*\\s(add|set|remove)\\s+accounts?\\s*=.*', 'is')
       OR REGEXP_LIKE(QUERY_TEXT, '.*\\sto\\s+share\\s.*', 'is')
       OR REGEXP_LIKE(QUERY_TEXT, '.*\\sfrom\\s+share\\s.*', 'is')
       OR REGEXP_LIKE(QUERY_TEXT, '.*create\\s+(or\\s+replace\\s+)?managed\\s+account\\s.*', 'is')
       OR REGEXP_LIKE(QUERY_TEXT, '.*(create|alter)\\s+(or\\s+replace\\s+)?((external|organization)\\s+)?listing\\s.*', 'is'))
ORDER BY END_TIME, QUERY_ID`;

export interface SharesSourceOptions extends StreamOptions {
  /** Read share DDL from QUERY_HISTORY text too (default true). */
  readonly queryText?: boolean | undefined;
}

export class SharesSource implements Source {
  readonly id = 'shares';
  readonly view = 'SNOWFLAKE.ACCOUNT_USAGE.SHARES, GRANTS_TO_SHARES, QUERY_HISTORY';
  readonly needsWarehouse = true;
  // Over the daily credit budget this stream is deferred: it catches up from its watermark when the budget resets.
  readonly critical = false;
  readonly #options: ResolvedStreamOptions;
  readonly #queryText: boolean;

  constructor(options: SharesSourceOptions = {}) {
    this.#options = resolveStreamOptions(options);
    this.#queryText = options.queryText ?? true;
  }

  async run(context: SourceContext): Promise<SourceRunResult> {
    // One window for all three statements, with the overlap of the slowest view (SHARES, GRANTS_TO_SHARES: 3 h).
    const from = windowStart(context, this.id, SOURCES.shares.latencySeconds, this.#options);
    const account = context.account.name;
    const observedAt = context.snowflakeNow;
    const statements: StreamStatement[] = [
      {
        view: 'SNOWFLAKE.ACCOUNT_USAGE.SHARES',
        part: 'account_usage_shares',
        sql: SHARES_CHANGES_SQL,
        map: (row) => shareViewEvents(row, from, account, observedAt),
        timeOf: (row) => dateOf(row, 'DELETED_ON') ?? dateOf(row, 'MODIFIED_ON') ?? dateOf(row, 'CREATED_ON'),
        optional: true,
      },
      {
        view: 'SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_SHARES',
        part: 'grants_to_shares',
        sql: GRANTS_TO_SHARES_CHANGES_SQL,
        map: (row) => shareGrantEvents(row, from, account, observedAt),
        timeOf: (row) => dateOf(row, 'DELETED_ON') ?? dateOf(row, 'CREATED_ON'),
        optional: true,
      },
    ];
    if (this.#queryText) {
      statements.push({
        view: 'SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY',
        part: 'share_statements',
        sql: SHARE_STATEMENTS_SQL,
        bindings: { exporter_tag: bind.text(EXPORTER_QUERY_TAG) },
        map: (row) => shareStatementEvents(row, account, observedAt),
        timeOf: (row) => dateOf(row, 'END_TIME'),
        optional: true,
      });
    }
    return runStream(context, this.id, this.id, from, statements, this.#options);
  }
}

interface ShareEventFields {
  readonly action: ShareAction;
  readonly time: Date;
  readonly shareName: string | null;
  readonly consumerAccounts?: readonly string[];
  readonly privilege?: string | null;
  readonly grantedOn?: string | null;
  readonly objectName?: string | null;
  readonly user?: string | null;
  readonly succeeded?: boolean;
  readonly queryId?: string | null;
}

function shareEvent(id: string, origin: string, account: string, observedAt: Date, fields: ShareEventFields): ShareEvent {
  return {
    kind: 'share',
    account,
    id,
    time: fields.time,
    observedAt,
    action: fields.action,
    shareName: fields.shareName,
    consumerAccounts: fields.consumerAccounts ?? [],
    privilege: fields.privilege ?? null,
    grantedOn: fields.grantedOn ?? null,
    objectName: fields.objectName ?? null,
    user: fields.user ?? null,
    origin,
    succeeded: fields.succeeded ?? true,
    queryId: fields.queryId ?? null,
  };
}

export function shareViewEvents(row: Row, from: Date, account: string, observedAt: Date): ShareEvent[] {
  const name = textOf(row, 'NAME') ?? '';
  const createdOn = dateOf(row, 'CREATED_ON');
  const modifiedOn = dateOf(row, 'MODIFIED_ON');
  const deletedOn = dateOf(row, 'DELETED_ON');
  const targets = accountList(textOf(row, 'TARGET_ACCOUNTS'));
  const firstVersion = Number(row.VERSION ?? 1) <= 1;
  const id = (...parts: (string | Date | null)[]): string => deterministicId('share', ['SHARES', name, createdOn, ...parts]);
  const make = (eventId: string, fields: ShareEventFields): ShareEvent => shareEvent(eventId, 'SHARES', account, observedAt, fields);
  const events: ShareEvent[] = [];
  const changedAt = modifiedOn ?? createdOn;
  if (firstVersion && createdOn !== null && createdOn >= from) {
    events.push(make(id('created'), { action: 'created', time: createdOn, shareName: name, consumerAccounts: targets }));
  }
  // A drop also sets MODIFIED_ON: that change is the drop, not a change of consumers.
  const changeIsTheDrop = deletedOn !== null && changedAt !== null && changedAt >= deletedOn;
  if (changedAt !== null && changedAt >= from && !changeIsTheDrop) {
    if (!firstVersion) {
      // A later version: the difference with the one before is exactly what changed.
      const previous = new Set(accountList(textOf(row, 'PREVIOUS_TARGET_ACCOUNTS')));
      const current = new Set(targets);
      const added = targets.filter((a) => !previous.has(a));
      const removed = [...previous].filter((a) => !current.has(a)).sort();
      for (const consumer of added) events.push(make(id('accounts_added', consumer, changedAt), { action: 'accounts_added', time: changedAt, shareName: name, consumerAccounts: [consumer] }));
      for (const consumer of removed) events.push(make(id('accounts_removed', consumer, changedAt), { action: 'accounts_removed', time: changedAt, shareName: name, consumerAccounts: [consumer] }));
    } else {
      // First (or only) version: every current consumer was added at some point up to MODIFIED_ON.
      for (const consumer of targets) events.push(make(id('accounts_added', consumer), { action: 'accounts_added', time: changedAt, shareName: name, consumerAccounts: [consumer] }));
    }
  }
  if (deletedOn !== null && deletedOn >= from) {
    events.push(make(id('dropped', deletedOn), { action: 'dropped', time: deletedOn, shareName: name, consumerAccounts: targets }));
  }
  return events;
}

/** GRANTS_TO_SHARES names the object in parts; the database and schema prefixes apply only below their level. */
function sharedObjectName(row: Row): string | null {
  const grantedOn = (textOf(row, 'GRANTED_ON') ?? '').toUpperCase();
  const parts = [
    grantedOn === 'DATABASE' ? null : textOf(row, 'OBJECT_DATABASE'),
    grantedOn === 'DATABASE' || grantedOn === 'SCHEMA' ? null : textOf(row, 'OBJECT_SCHEMA'),
    textOf(row, 'OBJECT_NAME'),
  ].filter((part): part is string => part !== null && part !== '');
  return parts.length === 0 ? null : parts.join('.');
}

export function shareGrantEvents(row: Row, from: Date, account: string, observedAt: Date): ShareEvent[] {
  const shareName = textOf(row, 'SHARE_NAME');
  const createdOn = dateOf(row, 'CREATED_ON');
  const deletedOn = dateOf(row, 'DELETED_ON');
  const fields = { shareName, privilege: textOf(row, 'PRIVILEGE'), grantedOn: textOf(row, 'GRANTED_ON'), objectName: sharedObjectName(row) };
  const identity = ['GRANTS_TO_SHARES', shareName, fields.privilege, fields.grantedOn, fields.objectName, createdOn];
  const events: ShareEvent[] = [];
  if (createdOn !== null && createdOn >= from) {
    events.push(shareEvent(deterministicId('share', [...identity, 'object_granted']), 'GRANTS_TO_SHARES', account, observedAt, { ...fields, action: 'object_granted', time: createdOn }));
  }
  if (deletedOn !== null && deletedOn >= from) {
    events.push(shareEvent(deterministicId('share', [...identity, 'object_revoked', deletedOn]), 'GRANTS_TO_SHARES', account, observedAt, { ...fields, action: 'object_revoked', time: deletedOn }));
  }
  return events;
}

export function shareStatementEvents(row: Row, account: string, observedAt: Date): ShareEvent[] {
  const text = textOf(row, 'QUERY_TEXT');
  const queryId = textOf(row, 'QUERY_ID');
  const time = dateOf(row, 'START_TIME') ?? dateOf(row, 'END_TIME');
  if (text === null || queryId === null || time === null) return [];
  const statement = classifyShareStatement(text);
  if (statement === null) return [];
  return [
    shareEvent(`share:${queryId}`, 'QUERY_HISTORY', account, observedAt, {
      ...statement,
      time,
      user: textOf(row, 'USER_NAME'),
      succeeded: executionSucceeded(textOf(row, 'EXECUTION_STATUS')),
      queryId,
    }),
  ];
}
