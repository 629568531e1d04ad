// Posture snapshot: outbound shares and their consumer accounts -> SharesPosture. Two places know them, and neither
// alone is enough under a least-privilege role:
//
// - SNOWFLAKE.ACCOUNT_USAGE.SHARES lists every share the account owns, dropped ones included, up to 3 h behind
//   (https://docs.snowflake.com/en/sql-reference/account-usage/shares). It needs a warehouse; the source runs in the
//   cycle's burst with the other ACCOUNT_USAGE reads, so it adds no wake-up of its own.
// - SHOW SHARES is real time and needs no warehouse, but it answers successfully with only the shares the role has
//   privileges on (https://docs.snowflake.com/en/sql-reference/sql/show-shares), and those privileges belong to
//   ACCOUNTADMIN by default (https://docs.snowflake.com/en/user-guide/security-access-privileges-shares). An empty
//   answer therefore does not mean "no outbound share".
//
// Both are read at once, every run. With the view, the snapshot is complete: each current share of the view (the
// latest row per share, kept when its DELETED_ON is NULL), with what SHOW SHARES says about it when it lists it (real
// time), plus the shares SHOW SHARES lists that the view does not show yet (created in the last 3 h). A share the view
// shows but SHOW SHARES does not stays in: the role may just not see it (a drop in the last 3 h shows once the view
// has it). Without the view, the snapshot holds what SHOW SHARES lists and says it is incomplete: the metrics then
// publish no totals (never "0 outbound shares" from a role that cannot see them), and the part that failed is
// reported with its reason. When both fail, the source fails (unavailable when both are).
import type { SharesPosture } from '../posture.ts';
import { availablePart, unavailablePart, type PartStatus } from '../source-parts.ts';
import type { Source, SourceContext, SourceRunResult } from '../source.ts';
import { failureReason, SourceUnavailableError } from './errors.ts';
import { readRows } from './snapshot.ts';
import { accountList, booleanOf, dateOf, textOf, type Row } from './values.ts';

export const SHOW_SHARES_SQL = 'SHOW SHARES';

export const SHARES_VIEW = 'SNOWFLAKE.ACCOUNT_USAGE.SHARES';

/**
 * The current outbound shares: the latest row of each share (a share dropped and created again under the same name
 * is a new row with a later CREATED_ON), kept only when that row is not dropped. Filtering DELETED_ON before picking
 * the latest row would bring back an earlier version of a dropped share.
 */
export const SHARES_VIEW_SQL = `SELECT NAME, DATABASE_NAME, TARGET_ACCOUNTS, SECURE_OBJECTS_ONLY, CREATED_ON
FROM (
  SELECT NAME, DATABASE_NAME, TARGET_ACCOUNTS, SECURE_OBJECTS_ONLY, CREATED_ON, DELETED_ON
  FROM ${SHARES_VIEW}
  QUALIFY ROW_NUMBER() OVER (PARTITION BY NAME ORDER BY CREATED_ON DESC, MODIFIED_ON DESC NULLS LAST) = 1
)
WHERE DELETED_ON IS NULL
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

/**
 * The view's shares, each updated with what SHOW SHARES says about it, plus the ones only SHOW SHARES lists yet. A
 * share is matched on its name exactly as stored: the view's NAME, and SHOW SHARES' `name`, which holds the share
 * name alone since behaviour change bundle 2023_05 (the owner is in `owner_account`:
 * https://docs.snowflake.com/en/release-notes/bcr-bundles/2023_05/bcr-1180). Folding the case or cutting at a dot
 * would merge a quoted "Sales" with SALES, or cut a quoted "Sales.EU".
 */
export function combineShares(fromViewRows: readonly Outbound[], shown: readonly Outbound[]): Outbound[] {
  const byName = new Map<string, Outbound>(fromViewRows.map((share) => [share.name, share]));
  for (const share of shown) {
    const inView = byName.get(share.name);
    byName.set(share.name, inView === undefined ? share : { ...share, createdOn: share.createdOn ?? inView.createdOn });
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export class OutboundSharesPostureSource implements Source {
  readonly id = 'outbound_shares';
  readonly view = `${SHARES_VIEW}, ${SHOW_SHARES_SQL}`;
  /** ACCOUNT_USAGE.SHARES needs a running warehouse (SHOW SHARES alone would not). */
  readonly needsWarehouse = true;
  readonly critical = false;

  async run(context: SourceContext): Promise<SourceRunResult> {
    // Both submitted at once: one burst, and SHOW SHARES costs no warehouse time.
    const [viewed, shown] = await Promise.allSettled([
      readRows(context, this.id, SHARES_VIEW, SHARES_VIEW_SQL),
      readRows(context, this.id, SHOW_SHARES_SQL, SHOW_SHARES_SQL),
    ]);
    if (viewed.status === 'rejected' && shown.status === 'rejected') throw bothFailed(viewed.reason, shown.reason);
    if (context.signal.aborted) throw context.signal.reason;
    const parts: PartStatus[] = [
      viewed.status === 'fulfilled'
        ? availablePart('account_usage_shares')
        : unavailablePart('account_usage_shares', `${SHARES_VIEW} could not be read (${failureReason(viewed.reason)}): only the shares SHOW SHARES lists for the role are known, so the account's outbound share counts are unknown`),
      shown.status === 'fulfilled'
        ? availablePart('show_shares')
        : unavailablePart('show_shares', `SHOW SHARES failed (${failureReason(shown.reason)}): shares are known from ${SHARES_VIEW}, up to 3 h behind`),
    ];
    const showShares = shown.status === 'fulfilled' ? shown.value.map(fromShow).filter((share): share is Outbound => share !== null) : [];
    const viewShares = viewed.status === 'fulfilled' ? viewed.value.map(fromView) : [];
    const data: SharesPosture = { kind: 'shares', complete: viewed.status === 'fulfilled', outbound: combineShares(viewShares, showShares) };
    context.publishPosture({ account: context.account.name, takenAt: context.snowflakeNow, data });
    const rows = (viewed.status === 'fulfilled' ? viewed.value.length : 0) + (shown.status === 'fulfilled' ? shown.value.length : 0);
    return { rows, delivered: 0, parts };
  }
}

/** Unavailable only when both are (a missing view and a refused SHOW); otherwise the first real failure. */
function bothFailed(viewError: unknown, showError: unknown): unknown {
  if (viewError instanceof SourceUnavailableError && showError instanceof SourceUnavailableError) return viewError;
  return viewError instanceof SourceUnavailableError ? showError : viewError;
}
