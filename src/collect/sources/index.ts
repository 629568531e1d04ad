// The sources of one account: incremental event streams and posture snapshots. createSources builds the enabled
// set from the account and the collection options (the scheduler wires configuration keys to these options).
import type { AccountConfig } from '../../config/types.ts';
import type { QueryTextPolicy } from '../query-text.ts';
import type { SourceId } from '../source-ids.ts';
import type { Source } from '../source.ts';
import { AdminsPostureSource } from './admins.ts';
import { GrantsSource } from './grants.ts';
import { LoginHistorySource } from './login-history.ts';
import { OutboundSharesPostureSource } from './outbound-shares.ts';
import { ParametersPostureSource } from './parameters.ts';
import { QueryHistorySource, type QueryScope } from './query-history.ts';
import type { RiskyQueryRules } from './risky-queries.ts';
import { SharesSource } from './shares.ts';
import type { StreamOptions } from './stream.ts';
import { TrustCenterPostureSource } from './trust-center.ts';
import { UsersPostureSource } from './users.ts';

export { SourceUnavailableError, isUnavailableError, UNAVAILABLE_SNOWFLAKE_CODES } from './errors.ts';
export { QueryHistorySource, QUERY_HISTORY_SQL, RISKY_QUERY_HISTORY_SQL } from './query-history.ts';
export type { QueryHistorySourceOptions, QueryScope } from './query-history.ts';
export { LoginHistorySource, LOGIN_HISTORY_SQL } from './login-history.ts';
export { SharesSource, SHARES_CHANGES_SQL, GRANTS_TO_SHARES_CHANGES_SQL, SHARE_STATEMENTS_SQL } from './shares.ts';
export type { SharesSourceOptions } from './shares.ts';
export { classifyShareStatement } from './share-statements.ts';
export type { ShareStatement } from './share-statements.ts';
export { GrantsSource, GRANTS_TO_USERS_SQL, GRANTS_TO_ROLES_SQL } from './grants.ts';
export { UsersPostureSource, USERS_POSTURE_SQL, DEFAULT_STALE_AFTER_DAYS, ENABLED_USER_CONDITION, USER_HAS_MFA } from './users.ts';
export { AdminsPostureSource, ADMIN_ROLE_COUNTS_SQL, adminsWithoutMfaSql, DEFAULT_ADMIN_ROLES, DEFAULT_ADMIN_LIST_LIMIT } from './admins.ts';
export { OutboundSharesPostureSource, SHOW_SHARES_SQL, SHARES_VIEW_SQL, combineShares } from './outbound-shares.ts';
export { ParametersPostureSource, GUARDRAIL_PARAMETERS, SHOW_ACCOUNT_PARAMETERS_SQL } from './parameters.ts';
export { TrustCenterPostureSource, TRUST_CENTER_SQL } from './trust-center.ts';
export { DEFAULT_RISKY_QUERY_RULES, RISKY_QUERY_TYPES, extendRiskyQueryRules, isRiskyQuery } from './risky-queries.ts';
export type { RiskyQueryPredicate, RiskyQueryRules } from './risky-queries.ts';
export { DEFAULT_BACKFILL_SECONDS, DEFAULT_CHUNK_SIZE, DEFAULT_OVERLAP_MARGIN_SECONDS, windowStart } from './stream.ts';
export type { StreamOptions } from './stream.ts';

/** Ids of every source createSources can build. */
export const ALL_SOURCE_IDS = ['query_history', 'login_history', 'shares', 'grants', 'users', 'admins', 'outbound_shares', 'parameters', 'trust_center'] as const;
export type CollectSourceId = (typeof ALL_SOURCE_IDS)[number] & SourceId;

/** Every source id is also a key of source-ids.ts: its interval and view latency live there. */
export const SETTINGS_KEY: Readonly<Record<CollectSourceId, SourceId>> = Object.fromEntries(
  ALL_SOURCE_IDS.map((id) => [id, id]),
) as Record<CollectSourceId, SourceId>;

export interface CreateSourcesOptions extends StreamOptions {
  /** Sources to build; default all. Unknown ids throw (configuration is validated before this). */
  readonly enabled?: readonly CollectSourceId[] | undefined;
  readonly queryScope?: QueryScope | undefined;
  readonly queryText?: QueryTextPolicy | undefined;
  readonly riskyQueryRules?: RiskyQueryRules | undefined;
  /** Share DDL from QUERY_HISTORY text as well as the SHARES views (default true). */
  readonly shareQueryText?: boolean | undefined;
  readonly staleAfterDays?: number | undefined;
  readonly adminRoles?: readonly string[] | undefined;
  readonly adminListLimit?: number | undefined;
}

/** The account's configured policy as query-text.ts takes it. */
export function queryTextPolicyOf(account: AccountConfig): QueryTextPolicy {
  const { text, maxTextLength } = account.queryEvents;
  switch (text) {
    case 'full':
      return { mode: 'full' };
    case 'truncate':
      return { mode: 'truncate', maxLength: maxTextLength };
    case 'redact':
      return { mode: 'redact', maxLength: maxTextLength };
    case 'none':
      return { mode: 'none' };
  }
}

/** Options left out are taken from the account's configuration (backfill, overlap margin, query events, posture). */
export function createSources(account: AccountConfig, options: CreateSourcesOptions = {}): Source[] {
  const enabled = new Set<CollectSourceId>(options.enabled ?? ALL_SOURCE_IDS);
  for (const id of enabled) {
    if (!(ALL_SOURCE_IDS as readonly string[]).includes(id)) throw new RangeError(`account ${account.name}: unknown source ${String(id)}`);
  }
  const stream: StreamOptions = {
    backfillSeconds: options.backfillSeconds ?? account.backfillSeconds,
    overlapMarginSeconds: options.overlapMarginSeconds ?? account.overlapMarginSeconds,
    chunkSize: options.chunkSize,
  };
  const queryScope = options.queryScope ?? account.queryEvents.scope;
  const builders: Record<CollectSourceId, () => Source | null> = {
    // Scope 'none' means no query events: the source is not built at all, so it costs nothing.
    query_history: () =>
      queryScope === 'none' ? null : new QueryHistorySource({ ...stream, scope: queryScope, textPolicy: options.queryText ?? queryTextPolicyOf(account), riskyRules: options.riskyQueryRules }),
    login_history: () => new LoginHistorySource(stream),
    shares: () => new SharesSource({ ...stream, queryText: options.shareQueryText }),
    grants: () => new GrantsSource(stream),
    users: () => new UsersPostureSource({ staleAfterDays: options.staleAfterDays ?? account.posture.staleUserDays }),
    admins: () => new AdminsPostureSource({ adminRoles: options.adminRoles ?? account.posture.adminRoles, listLimit: options.adminListLimit }),
    outbound_shares: () => new OutboundSharesPostureSource(),
    parameters: () => new ParametersPostureSource(),
    trust_center: () => new TrustCenterPostureSource(),
  };
  return ALL_SOURCE_IDS.filter((id) => enabled.has(id)).flatMap((id) => builders[id]() ?? []);
}
