// Event stream: grant changes from ACCOUNT_USAGE.GRANTS_TO_USERS (roles granted to users) and GRANTS_TO_ROLES
// (privileges and roles granted to roles) -> GrantEvent. A row whose CREATED_ON is in the window is a grant; a row
// whose DELETED_ON is in the window is a revoke (Snowflake keeps the row and sets DELETED_ON; a re-grant is a new
// row). Neither view has an id column, so ids are hashes of the row's identifying columns and its timestamps: the
// same row read again gives the same id.
import type { GrantEvent } from '../events.ts';
import { SOURCES } from '../source-ids.ts';
import type { Source, SourceContext, SourceRunResult } from '../source.ts';
import { deterministicId } from './event-id.ts';
import { resolveStreamOptions, runStream, windowStart, type ResolvedStreamOptions, type StreamOptions } from './stream.ts';
import { dateOf, textOf, type Row } from './values.ts';

export const GRANTS_TO_USERS_SQL = `SELECT CREATED_ON, DELETED_ON, ROLE, GRANTED_TO, GRANTEE_NAME, GRANTED_BY
FROM SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_USERS
WHERE (CREATED_ON >= :window_start OR DELETED_ON >= :window_start)
ORDER BY COALESCE(DELETED_ON, CREATED_ON), GRANTEE_NAME, ROLE`;

export const GRANTS_TO_ROLES_SQL = `SELECT CREATED_ON, DELETED_ON, PRIVILEGE, GRANTED_ON, NAME, TABLE_CATALOG, TABLE_SCHEMA, GRANTED_TO,
       GRANTEE_NAME, GRANTED_BY
FROM SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_ROLES
WHERE (CREATED_ON >= :window_start OR DELETED_ON >= :window_start)
ORDER BY COALESCE(DELETED_ON, CREATED_ON), GRANTEE_NAME, NAME, PRIVILEGE`;

/** The latest of the row's change times, for the lag metric. */
function changeTime(row: Row): Date | null {
  return dateOf(row, 'DELETED_ON') ?? dateOf(row, 'CREATED_ON');
}

export class GrantsSource implements Source {
  readonly id = 'grants';
  readonly view = 'SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_USERS, SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_ROLES';
  readonly needsWarehouse = true;
  // Over the daily credit budget this stream is deferred: it catches up from its watermark when the budget resets.
  readonly critical = false;
  readonly #options: ResolvedStreamOptions;

  constructor(options: StreamOptions = {}) {
    this.#options = resolveStreamOptions(options);
  }

  async run(context: SourceContext): Promise<SourceRunResult> {
    const from = windowStart(context, this.id, SOURCES.grants.latencySeconds, this.#options);
    const account = context.account.name;
    const observedAt = context.snowflakeNow;
    return runStream(context, this.id, this.id, from, [
      { view: 'SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_USERS', sql: GRANTS_TO_USERS_SQL, map: (row) => userGrantEvents(row, from, account, observedAt), timeOf: changeTime },
      { view: 'SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_ROLES', sql: GRANTS_TO_ROLES_SQL, map: (row) => roleGrantEvents(row, from, account, observedAt), timeOf: changeTime },
    ], this.#options);
  }
}

interface GrantFacts {
  readonly origin: 'GRANTS_TO_USERS' | 'GRANTS_TO_ROLES';
  readonly granteeType: string;
  readonly granteeName: string;
  readonly role: string | null;
  readonly privilege: string | null;
  readonly grantedOn: string | null;
  readonly objectName: string | null;
  readonly grantedBy: string | null;
  readonly createdOn: Date | null;
  readonly deletedOn: Date | null;
}

/** The granted and/or revoked events of one row, for the changes that fall inside the window. */
function changesOf(facts: GrantFacts, from: Date, account: string, observedAt: Date): GrantEvent[] {
  const events: GrantEvent[] = [];
  const identity = [facts.origin, facts.granteeType, facts.granteeName, facts.role, facts.privilege, facts.grantedOn, facts.objectName, facts.createdOn];
  const make = (action: 'granted' | 'revoked', time: Date): GrantEvent => ({
    kind: 'grant',
    account,
    id: deterministicId('grant', [...identity, action, action === 'revoked' ? time : null]),
    time,
    observedAt,
    action,
    granteeType: facts.granteeType,
    granteeName: facts.granteeName,
    role: facts.role,
    privilege: facts.privilege,
    grantedOn: facts.grantedOn,
    objectName: facts.objectName,
    grantedBy: facts.grantedBy,
    origin: facts.origin,
  });
  if (facts.createdOn !== null && facts.createdOn >= from) events.push(make('granted', facts.createdOn));
  if (facts.deletedOn !== null && facts.deletedOn >= from) events.push(make('revoked', facts.deletedOn));
  return events;
}

export function userGrantEvents(row: Row, from: Date, account: string, observedAt: Date): GrantEvent[] {
  return changesOf({
    origin: 'GRANTS_TO_USERS',
    granteeType: textOf(row, 'GRANTED_TO') ?? 'USER',
    granteeName: textOf(row, 'GRANTEE_NAME') ?? '',
    role: textOf(row, 'ROLE'),
    privilege: 'USAGE',
    grantedOn: 'ROLE',
    objectName: textOf(row, 'ROLE'),
    grantedBy: textOf(row, 'GRANTED_BY'),
    createdOn: dateOf(row, 'CREATED_ON'),
    deletedOn: dateOf(row, 'DELETED_ON'),
  }, from, account, observedAt);
}

export function roleGrantEvents(row: Row, from: Date, account: string, observedAt: Date): GrantEvent[] {
  const grantedOn = textOf(row, 'GRANTED_ON');
  const name = textOf(row, 'NAME');
  const qualified = [textOf(row, 'TABLE_CATALOG'), textOf(row, 'TABLE_SCHEMA'), name].filter((part): part is string => part !== null && part !== '').join('.');
  return changesOf({
    origin: 'GRANTS_TO_ROLES',
    granteeType: textOf(row, 'GRANTED_TO') ?? 'ROLE',
    granteeName: textOf(row, 'GRANTEE_NAME') ?? '',
    role: grantedOn === 'ROLE' ? name : null,
    privilege: textOf(row, 'PRIVILEGE'),
    grantedOn,
    objectName: qualified === '' ? null : qualified,
    grantedBy: textOf(row, 'GRANTED_BY'),
    createdOn: dateOf(row, 'CREATED_ON'),
    deletedOn: dateOf(row, 'DELETED_ON'),
  }, from, account, observedAt);
}
