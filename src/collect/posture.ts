// Posture snapshots: the current state of an account's risk-relevant configuration, aggregated in Snowflake and
// brought back bounded. The metrics sink turns each into gauges; a series whose object disappears from the latest
// snapshot disappears from /metrics instead of freezing at its last value.

export interface UsersPosture {
  readonly kind: 'users';
  /**
   * Enabled, not deleted users by TYPE (PERSON, SERVICE, LEGACY_SERVICE, NULL as 'UNSET'; all 'UNSET' on an account
   * without USERS.TYPE) and MFA/password state. `hasMfa` is null, unknown, on an account without USERS.HAS_MFA (the
   * source reports the part `user_mfa`).
   */
  readonly counts: readonly {
    readonly userType: string;
    readonly hasPassword: boolean;
    readonly hasMfa: boolean | null;
    readonly hasRsaPublicKey: boolean;
    readonly users: number;
  }[];
  /** Enabled users with an MFA bypass window still open. */
  readonly mfaBypassActive: number;
  /** Enabled users whose last successful login is older than the stale threshold (or never). */
  readonly staleEnabledUsers: number;
  readonly staleAfterDays: number;
}

export interface AdminsPosture {
  readonly kind: 'admins';
  /**
   * Users holding each monitored admin role directly or through the role hierarchy. Bounded by the role list.
   * `usersWithoutMfa` is null, unknown, on an account without USERS.HAS_MFA (the part `user_mfa`).
   */
  readonly roles: readonly { readonly role: string; readonly users: number; readonly usersWithoutMfa: number | null }[];
  /**
   * Names of admin users without MFA, capped (top-N), for findings and the landing page. Null when the statement
   * listing them failed, or could not be built without USERS.HAS_MFA, while the counts were read: unknown, not
   * "none" (the source reports why).
   */
  readonly adminsWithoutMfa: readonly { readonly user: string; readonly roles: readonly string[] }[] | null;
}

export interface SharesPosture {
  readonly kind: 'shares';
  /**
   * Whether `outbound` lists every outbound share of the account: true when ACCOUNT_USAGE.SHARES was read. False when
   * only SHOW SHARES answered, which lists only the shares the exporter's role has privileges on: `outbound` then
   * holds what that role can see, and the account's totals are unknown (never published as counts).
   */
  readonly complete: boolean;
  readonly outbound: readonly {
    readonly name: string;
    readonly database: string | null;
    readonly consumerAccounts: readonly string[];
    readonly secureObjectsOnly: boolean | null;
    readonly createdOn: Date | null;
  }[];
}

export interface ParametersPosture {
  readonly kind: 'parameters';
  /** Exfiltration guardrail parameters and whether each is in its safe state. */
  readonly parameters: readonly { readonly name: string; readonly value: string; readonly safe: boolean }[];
}

export interface TrustCenterPosture {
  readonly kind: 'trust_center';
  /** Trust Center findings open now (latest state OPEN), counted by package, scanner and severity. */
  readonly findings: readonly {
    readonly scannerPackage: string;
    readonly scanner: string;
    readonly severity: string;
    readonly openFindings: number;
  }[];
}

export type PostureData = UsersPosture | AdminsPosture | SharesPosture | ParametersPosture | TrustCenterPosture;

export interface PostureSnapshot {
  readonly account: string;
  readonly takenAt: Date;
  readonly data: PostureData;
}
