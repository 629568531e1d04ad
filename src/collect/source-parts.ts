// Parts of a source that can be unavailable while the rest of it still runs: an optional column (added by a
// behaviour-change bundle that not every account has enabled) or one statement of several. A source reports the state
// of each part it has with every successful run; the `part` label of snowflake_risk_source_part_unavailable takes
// only these values, and the landing page and the log say why a part is unavailable. A part that cannot be read is
// reported as unknown, never as an empty result.

/** Every part a built-in source or detection declares, with what it is (for the docs and the landing page). */
export const SOURCE_PARTS = {
  login_details:
    "LOGIN_HISTORY.LOGIN_DETAILS: Snowflake's malicious-IP classification of a login (behaviour change bundle 2025_07)",
  authn_event_id:
    "QUERY_HISTORY.AUTHN_EVENT_ID: the login (LOGIN_HISTORY.EVENT_ID) a query's session came from (behaviour change bundle 2025_06); without it query events carry no login id",
  user_type:
    'USERS.TYPE: person, service or legacy service user (behaviour change bundle 2024_06); without it every user counts as unset and no user is a legacy service user',
  user_mfa:
    'USERS.HAS_MFA: whether a user has an MFA method (behaviour change bundle 2024_06); without it whether users have MFA is unknown, never assumed',
  admins_without_mfa: 'the names of admin users without MFA (the per-role counts come from another statement)',
  account_usage_shares: 'SNOWFLAKE.ACCOUNT_USAGE.SHARES: every outbound share of the account, up to 3 h behind',
  show_shares: 'SHOW SHARES: outbound shares in real time, but only those the role has privileges on',
  grants_to_shares: 'SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_SHARES: objects granted to and revoked from shares',
  share_statements: 'share DDL in the text of SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY (who did it, failed attempts)',
} as const;

export type SourcePart = keyof typeof SOURCE_PARTS;

export const SOURCE_PART_IDS = Object.keys(SOURCE_PARTS) as SourcePart[];

/** The state of one part after a successful run of its source. */
export interface PartStatus {
  readonly part: SourcePart;
  readonly available: boolean;
  /**
   * Why it is unavailable: what could not be read and Snowflake's error code or the failure kind. Never data from
   * a result and never a credential (Snowflake's compile messages name objects and roles only).
   */
  readonly reason?: string | undefined;
}

export function availablePart(part: SourcePart): PartStatus {
  return { part, available: true };
}

export function unavailablePart(part: SourcePart, reason: string): PartStatus {
  return { part, available: false, reason };
}
