// Posture snapshot: outbound shares and their consumer accounts -> SharesPosture. SHOW SHARES is real time and needs
// no warehouse; if it fails (privileges, an edition or proxy that refuses SHOW), ACCOUNT_USAGE.SHARES is read instead
// (up to 3 h behind, and it needs a warehouse): the latest row per share whose DELETED_ON is NULL.
import type { SharesPosture } from '../posture.ts';
import type { Source, SourceContext, SourceRunResult } from '../source.ts';
import { readRows } from './snapshot.ts';
import { accountList, booleanOf, dateOf, textOf, type Row } from './values.ts';

export const SHOW_SHARES_SQL = 'SHOW SHARES';

export const SHARES_FALLBACK_SQL = `SELECT NAME, DATABASE_NAME, TARGET_ACCOUNTS, SECURE_OBJECTS_ONLY, CREATED_ON
FROM SNOWFLAKE.ACCOUNT_USAGE.SHARES
WHERE DELETED_ON IS NULL
QUALIFY ROW_NUMBER() OVER (PARTITION BY NAME ORDER BY MODIFIED_ON DESC NULLS LAST, CREATED_ON DESC) = 1
ORDER BY NAME`;

type Outbound = SharesPosture['outbound'][number];

function fromShow(row: Row): Outbound | null {
  if ((textOf(row, 'kind') ?? '').toUpperCase() !== 'OUTBOUND') return null;
  return {
    name: textOf(row, 'name') ?? '',
    database: textOf(row, 'database_name') || null,
    consumerAccounts: accountList(textOf(row, 'to')),
    secureObjectsOnly: booleanOf(row, 'secure_objects_only'),
    createdOn: dateOf(row, 'created_on'),
  };
}

function fromView(row: Row): Outbound {
  return {
    name: textOf(row, 'NAME') ?? '',
    database: textOf(row, 'DATABASE_NAME') || null,
    consumerAccounts: accountList(textOf(row, 'TARGET_ACCOUNTS')),
    secureObjectsOnly: booleanOf(row, 'SECURE_OBJECTS_ONLY'),
    createdOn: dateOf(row, 'CREATED_ON'),
  };
}

export class OutboundSharesPostureSource implements Source {
  readonly id = 'outbound_shares';
  readonly view = 'SHOW SHARES (fallback SNOWFLAKE.ACCOUNT_USAGE.SHARES)';
  /** SHOW SHARES is a metadata command; only the fallback would wake a warehouse. */
  readonly needsWarehouse = false;
  readonly critical = false;

  async run(context: SourceContext): Promise<SourceRunResult> {
    let outbound: Outbound[];
    let rows: number;
    try {
      const shown = await readRows(context, this.id, SHOW_SHARES_SQL, SHOW_SHARES_SQL);
      rows = shown.length;
      outbound = shown.map(fromShow).filter((share): share is Outbound => share !== null);
    } catch (error) {
      if (context.signal.aborted) throw error;
      const viewRows = await readRows(context, this.id, 'SNOWFLAKE.ACCOUNT_USAGE.SHARES', SHARES_FALLBACK_SQL);
      rows = viewRows.length;
      outbound = viewRows.map(fromView);
    }
    const data: SharesPosture = { kind: 'shares', outbound };
    context.publishPosture({ account: context.account.name, takenAt: context.snowflakeNow, data });
    return { rows, delivered: 0 };
  }
}
