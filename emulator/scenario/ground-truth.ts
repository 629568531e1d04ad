// The answer key of a scenario: which detection should fire for which user and which rows prove it, and which rows
// look similar but must NOT fire (near-misses). Precision and recall of the exporter's detection catalog are computed
// against this, so every entry is built next to the rows it names (never guessed afterwards).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { IncidentKind, ScenarioView } from './types.ts';

/**
 * The detection ids the ground truth may name. They must be exactly the exporter's ids (src/detect/catalog-ids.ts);
 * the emulator does not import the exporter, so the strings are repeated here and a test checks them against that
 * file's text.
 */
export const GROUND_TRUTH_DETECTION_IDS = [
  'mfa.password_user_without_mfa',
  'mfa.admin_without_mfa',
  'mfa.password_login_without_mfa',
  'mfa.service_user_password_login',
  'mfa.bypass_active',
  'exfil.stage_chain',
  'exfil.unload_external_location',
  'exfil.result_volume_spike',
  'exfil.cross_region_egress',
  'exfil.guardrail_disabled',
  'exfil.protection_policy_removed',
  'share.created',
  'share.accounts_added',
  'share.objects_granted',
  'share.unapproved_consumer',
  'share.reader_account_created',
  'share.listing_changed',
  'auth.suspicious_login',
  'priv.privileged_grant',
  'auth.brute_force',
  'auth.password_spray',
  'auth.dormant_user_login',
  'auth.new_client_application',
  'priv.security_policy_changed',
  'priv.identity_change',
  'priv.grant_to_public',
  'posture.trust_center_findings',
] as const;

export type DetectionId = (typeof GROUND_TRUTH_DETECTION_IDS)[number];

/**
 * Where the evidence ids live: QUERY_HISTORY -> QUERY_ID, LOGIN_HISTORY -> EVENT_ID, SESSIONS -> SESSION_ID,
 * USERS -> NAME, SHARES -> NAME, DATA_TRANSFER_HISTORY -> START_TIME (ISO; the view has no id column), and
 * TRUST_CENTER_FINDINGS -> `<SCANNER_PACKAGE_ID>/<SCANNER_ID>@<CREATED_ON>` (the view has no finding id either:
 * package, scanner and creation time name a finding; see evidenceIdOf).
 */
export type EvidenceView = Extract<
  ScenarioView,
  'QUERY_HISTORY' | 'LOGIN_HISTORY' | 'SESSIONS' | 'USERS' | 'SHARES' | 'TRUST_CENTER_FINDINGS' | 'DATA_TRANSFER_HISTORY'
>;

/** The evidence id column of the views with one. */
export const EVIDENCE_ID_COLUMN: Readonly<Record<Exclude<EvidenceView, 'TRUST_CENTER_FINDINGS'>, string>> = {
  QUERY_HISTORY: 'QUERY_ID',
  LOGIN_HISTORY: 'EVENT_ID',
  SESSIONS: 'SESSION_ID',
  USERS: 'NAME',
  SHARES: 'NAME',
  DATA_TRANSFER_HISTORY: 'START_TIME',
};

/** The id of a Trust Center finding: package, scanner and CREATED_ON (ISO 8601, UTC, milliseconds). */
export function trustCenterFindingId(packageId: string, scannerId: string, createdOn: Date): string {
  return `${packageId}/${scannerId}@${createdOn.toISOString()}`;
}

/** The evidence id a row of an evidence view is known by. */
export function evidenceIdOf(view: EvidenceView, row: Readonly<Record<string, unknown>>): string {
  if (view === 'TRUST_CENTER_FINDINGS') {
    return trustCenterFindingId(String(row.SCANNER_PACKAGE_ID), String(row.SCANNER_ID), new Date(String(row.CREATED_ON)));
  }
  return String(row[EVIDENCE_ID_COLUMN[view]]);
}

export interface GroundTruthIncident {
  /** Stable within a scenario: `<kind>-<n>`. */
  id: string;
  kind: IncidentKind;
  detectionId: DetectionId;
  /**
   * `event`: one firing per evidence set, found by reading the view's history (event detections, aggregates over a
   * window). `posture`: a subject that must be flagged by a snapshot of the current state (users, shares, findings).
   */
  type: 'event' | 'posture';
  /** The user the finding is about (the actor for events, the flagged user for posture); null when there is none. */
  user: string | null;
  /** For posture on objects (a share, a Trust Center scanner) and for events on an object (the share's name). */
  object?: string;
  /** ISO 8601 with offset: the event's time (the last row of the evidence), or when the posture became true. */
  time: string;
  evidenceView: EvidenceView;
  /** Ids of the rows that prove it, in `evidenceView` (see EVIDENCE_ID_COLUMN). */
  evidenceIds: string[];
  description: string;
  /** Extra facts a detection may report apart (e.g. executionStatus FAIL for a failed CREATE SHARE). */
  attributes?: Record<string, string | number | boolean>;
}

export interface GroundTruthNearMiss {
  detectionId: DetectionId;
  user: string | null;
  object?: string;
  evidenceView: EvidenceView;
  evidenceIds: string[];
  why_not: string;
}

export interface GroundTruth {
  version: 1;
  scenario: {
    seed: string;
    users: number;
    days: number;
    queriesPerDay: number;
    accountName: string;
    incidents: readonly IncidentKind[];
  };
  /** The activity window. A few context rows (a dormant user's old login, long-standing shares) are older. */
  window: { start: string; end: string };
  /** Consumer accounts the exporter's allowlist should hold for share.unapproved_consumer to be judged as intended. */
  approvedConsumerAccounts: string[];
  /** Known-bad client IPs (UNC5537 IOC list entries) the planted suspicious logins use. */
  iocIps: string[];
  /** Account parameters as the loader sets them (SHOW PARAMETERS IN ACCOUNT). */
  accountParameters: Record<string, string>;
  /**
   * How to read the data: history starts at window.start, so a user's or client's first appearance at the start of
   * the window has no baseline and is not "new"; aggregates are judged per UTC day unless stated.
   */
  notes: string[];
  incidents: GroundTruthIncident[];
  nearMisses: GroundTruthNearMiss[];
}

/** Writes the ground truth as pretty JSON (creating the directory); `target` is a file path. */
export async function writeGroundTruthFile(groundTruth: GroundTruth, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, `${JSON.stringify(groundTruth, null, 2)}\n`, 'utf8');
}

/** Writes `ground-truth.json` into a directory (beside exported JSON Lines data). Returns the file path. */
export async function writeGroundTruth(groundTruth: GroundTruth, dir: string): Promise<string> {
  const target = `${dir.replace(/\/+$/, '')}/ground-truth.json`;
  await writeGroundTruthFile(groundTruth, target);
  return target;
}
