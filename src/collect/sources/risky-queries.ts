// Which queries are worth an event when the query scope is 'risky'. Until the detection catalog exists, a query is
// risky when its QUERY_TYPE is in RISKY_QUERY_TYPES: the statement types public detection content keys on
// (Snowflake-Labs/Sentry, panther-labs/panther-analysis, the UNC5537 hunting guides): data leaving through stages, privilege and
// identity changes, share / listing / policy DDL. Detections extend this with predicates of their own.
import type { QueryEvent } from '../events.ts';

export const RISKY_QUERY_TYPES: readonly string[] = [
  // Exfiltration path (UNC5537): temporary stage, COPY INTO @stage, GET. CREATE TEMP STAGE reports CREATE or
  // CREATE_STAGE depending on the source; both are kept.
  'UNLOAD',
  'GET_FILES',
  'PUT_FILES',
  'CREATE_STAGE',
  'ALTER_STAGE',
  'CREATE',
  // Privilege and identity.
  'GRANT',
  'REVOKE',
  'CREATE_USER',
  'ALTER_USER',
  'DROP_USER',
  'CREATE_ROLE',
  'CREATE_NETWORK_POLICY',
  'ALTER_NETWORK_POLICY',
  'DROP_NETWORK_POLICY',
  'ALTER_ACCOUNT',
  // Share, listing and policy DDL surface as these generic types.
  'ALTER',
  'DROP',
];

/** Decides whether a query event is delivered under scope 'risky'. */
export type RiskyQueryPredicate = (event: QueryEvent) => boolean;

export interface RiskyQueryRules {
  /** QUERY_TYPE values (upper case) that make a query risky. */
  readonly queryTypes: readonly string[];
  /**
   * Further predicates: an event is risky when its type is listed OR any predicate says so. Without predicates the
   * type list is pushed down into the SQL (only those rows leave Snowflake); with them every row is read and tested.
   */
  readonly predicates: readonly RiskyQueryPredicate[];
}

export const DEFAULT_RISKY_QUERY_RULES: RiskyQueryRules = { queryTypes: RISKY_QUERY_TYPES, predicates: [] };

/** The default rules plus extra query types and predicates (for detections and custom configuration). */
export function extendRiskyQueryRules(
  extra: { readonly queryTypes?: readonly string[]; readonly predicates?: readonly RiskyQueryPredicate[] },
  base: RiskyQueryRules = DEFAULT_RISKY_QUERY_RULES,
): RiskyQueryRules {
  return {
    queryTypes: [...new Set([...base.queryTypes, ...(extra.queryTypes ?? []).map((t) => t.toUpperCase())])],
    predicates: [...base.predicates, ...(extra.predicates ?? [])],
  };
}

export function isRiskyQuery(event: QueryEvent, rules: RiskyQueryRules = DEFAULT_RISKY_QUERY_RULES): boolean {
  if (event.queryType !== null && rules.queryTypes.includes(event.queryType.toUpperCase())) return true;
  return rules.predicates.some((predicate) => predicate(event));
}
