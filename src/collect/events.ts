// What the collection engine reads from Snowflake and hands to every sink (metrics, OTLP logs): raw events from the
// incremental streams and findings from the detections. Field names follow Snowflake's columns so a reader can find
// their source; values are already decoded (timestamps as Date, numbers as number). Query text is already passed
// through the account's redaction policy before it gets here.

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

interface EventBase {
  /** The configured account name (label value). */
  readonly account: string;
  /**
   * Stable, unique id of the event within the account: QUERY_ID for queries, EVENT_ID for logins, and a
   * deterministic id derived from the source row for share and grant changes. Dedupe key and OTLP record id source.
   */
  readonly id: string;
  /** When it happened in Snowflake. */
  readonly time: Date;
  /** When the exporter read it. */
  readonly observedAt: Date;
}

export interface QueryEvent extends EventBase {
  readonly kind: 'query';
  readonly queryId: string;
  readonly user: string | null;
  readonly role: string | null;
  readonly warehouse: string | null;
  readonly database: string | null;
  readonly schema: string | null;
  readonly queryType: string | null;
  /** SUCCESS, FAIL or INCIDENT as Snowflake stores it; compare through collect/execution-status.ts (case not settled). */
  readonly executionStatus: string | null;
  readonly errorCode: string | null;
  /** After the redaction policy (full, truncated, literals redacted) or null when the policy drops it. */
  readonly queryText: string | null;
  readonly queryTag: string | null;
  readonly sessionId: string | null;
  readonly authnEventId: string | null;
  readonly startTime: Date;
  readonly endTime: Date | null;
  readonly bytesScanned: number;
  readonly bytesWrittenToResult: number;
  readonly rowsProduced: number;
  readonly rowsUnloaded: number;
  readonly outboundDataTransferBytes: number;
  readonly outboundDataTransferCloud: string | null;
  readonly outboundDataTransferRegion: string | null;
}

export interface LoginEvent extends EventBase {
  readonly kind: 'login';
  readonly eventId: string;
  readonly user: string | null;
  readonly clientIp: string | null;
  readonly reportedClientType: string | null;
  readonly reportedClientVersion: string | null;
  readonly firstAuthenticationFactor: string | null;
  readonly secondAuthenticationFactor: string | null;
  readonly success: boolean;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
}

export type ShareAction =
  | 'created'
  | 'dropped'
  | 'accounts_added'
  | 'accounts_removed'
  | 'object_granted'
  | 'object_revoked'
  | 'reader_account_created'
  | 'listing_changed';

export interface ShareEvent extends EventBase {
  readonly kind: 'share';
  readonly action: ShareAction;
  readonly shareName: string | null;
  /** Consumer accounts concerned (added, removed, or the share's targets). */
  readonly consumerAccounts: readonly string[];
  /** For object grants: PRIVILEGE, GRANTED_ON and the object's full name. */
  readonly privilege: string | null;
  readonly grantedOn: string | null;
  readonly objectName: string | null;
  readonly user: string | null;
  /** 'SHARES' | 'GRANTS_TO_SHARES' | 'QUERY_HISTORY' | 'ACCESS_HISTORY': where the change was seen. */
  readonly origin: string;
  /** Whether the statement succeeded (query-text fallback only; view-based changes are always true). */
  readonly succeeded: boolean;
  /** The QUERY_ID when the change was seen in QUERY_HISTORY. */
  readonly queryId: string | null;
}

export interface GrantEvent extends EventBase {
  readonly kind: 'grant';
  readonly action: 'granted' | 'revoked';
  /** 'USER' | 'ROLE' | 'DATABASE_ROLE' | ... (GRANTED_TO). */
  readonly granteeType: string;
  readonly granteeName: string;
  /** The role granted (GRANTS_TO_USERS, or GRANTED_ON = 'ROLE'), else null. */
  readonly role: string | null;
  readonly privilege: string | null;
  readonly grantedOn: string | null;
  readonly objectName: string | null;
  readonly grantedBy: string | null;
  /** 'GRANTS_TO_USERS' | 'GRANTS_TO_ROLES' | 'QUERY_HISTORY'. */
  readonly origin: string;
}

export type SnowflakeEvent = QueryEvent | LoginEvent | ShareEvent | GrantEvent;
export type EventKind = SnowflakeEvent['kind'];

export interface Finding {
  readonly account: string;
  /** Stable id: hash of account, detection id and the evidence ids, so the same finding is never counted twice. */
  readonly id: string;
  readonly detectionId: string;
  readonly severity: Severity;
  /** The user the finding is about, when there is one. */
  readonly user: string | null;
  /** When the behaviour happened (the newest evidence's time). */
  readonly time: Date;
  readonly observedAt: Date;
  /** QUERY_ID / EVENT_ID values (or object names for posture findings) that prove it. */
  readonly evidenceIds: readonly string[];
  /** One short sentence a person can act on. Never contains secrets or full query text. */
  readonly reason: string;
  /** Extra bounded facts (client IP, share name, bytes...). */
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
}
