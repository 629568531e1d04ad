// Shapes shared by the scenario generator, its loader, the JSON Lines importer/exporter and the CLI.

/** One view row keyed by the upper-case column names of emulator/schema.ts. */
export type Row = Record<string, unknown>;

/**
 * The views a scenario fills, named as the engine's insertRows() expects them: every one is an ACCOUNT_USAGE view,
 * named bare.
 */
export const SCENARIO_VIEWS = [
  'USERS',
  'ROLES',
  'GRANTS_TO_USERS',
  'GRANTS_TO_ROLES',
  'LOGIN_HISTORY',
  'SESSIONS',
  'QUERY_HISTORY',
  'ACCESS_HISTORY',
  'SHARES',
  'GRANTS_TO_SHARES',
  'DATA_TRANSFER_HISTORY',
  'TRUST_CENTER_FINDINGS',
] as const;

export type ScenarioView = (typeof SCENARIO_VIEWS)[number];

/**
 * The labelled incident families the generator can plant, one module each (emulator/scenario/incidents/). Several
 * catalog entries share a family when one story produces them together (e.g. password-only users are both SF-01
 * posture and the source of SF-03 logins).
 */
export const INCIDENT_KINDS = [
  'mfa_posture', // SF-01, SF-02, SF-03, SF-05 (bypass)
  'service_password_login', // SF-04, SF-05 (legacy service with password)
  'stage_chain', // SF-06
  'external_unload', // SF-07, SF-09
  'volume_spike', // SF-08
  'guardrail_disabled', // SF-10
  'policy_removed', // SF-11
  'share_exposure', // SF-12, SF-13
  'reader_account', // SF-14
  'listing', // SF-15
  'suspicious_login', // SF-16 (+ SF-03, SF-20 for the same login)
  'privileged_grant', // SF-17
  'brute_force', // SF-18 (brute force then success, password spray)
  'dormant_login', // SF-19
  'new_client', // SF-20
  'security_policy', // SF-21
  'identity_change', // SF-22
  'grant_to_public', // SF-23
  'trust_center', // SF-24
] as const;

export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export interface ScenarioOptions {
  /** Same seed and options give byte-identical rows and ground truth. */
  seed: number | string;
  /** Total number of users in USERS, including the cast of the incidents. */
  users: number;
  /** Length of the activity window ending at `end`. */
  days: number;
  /** Average number of QUERY_HISTORY rows per day of normal activity (incidents add a few). */
  queriesPerDay: number;
  /** The virtual "now": the window is [end - days, end]; no row is later than this. */
  end: Date;
  /** Account name used in shares, transfers and findings (e.g. `DEMO_ACCOUNT`). */
  accountName: string;
  /** Which incident families to plant: every one (default), none (a control account), or a list. */
  incidents?: 'all' | 'none' | readonly IncidentKind[];
}

export interface ResolvedScenarioOptions {
  seed: string;
  users: number;
  days: number;
  queriesPerDay: number;
  end: Date;
  accountName: string;
  incidents: readonly IncidentKind[];
}
