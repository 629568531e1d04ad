// What a detection is: one small, readable definition per catalog entry (src/detect/catalog/), independent of the
// scheduler. Three shapes exist because the data lives in three places:
//  - 'sql': an aggregate over history (baselines, brute-force windows, the UNC5537 chain) that runs IN Snowflake and
//    returns only finding rows (history is pushed down, never pulled);
//  - 'event': a predicate applied to each event of a stream the exporter already reads (no extra statement);
//  - 'posture': a rule over the latest posture snapshot.
import type { LoginEvent, QueryEvent, Severity, ShareEvent, GrantEvent, SnowflakeEvent } from '../collect/events.ts';
import type { PostureData } from '../collect/posture.ts';
import type { SourceId } from '../collect/source-ids.ts';
import type { OptionalColumn } from '../collect/optional-columns.ts';
import type { SourcePart } from '../collect/source-parts.ts';

export type { Severity };

export type DetectionFamily = 'mfa' | 'exfil' | 'share' | 'priv' | 'auth' | 'posture';

/** A parameter a security engineer can tune in configuration (`detectionParameters.<id>.<name>`). */
export interface DetectionParameter {
  readonly description: string;
  readonly default: number | string | boolean | readonly string[];
}

export type ParameterValues = Readonly<Record<string, number | string | boolean | readonly string[]>>;

/** What a rule produces; the runner adds account, ids and timestamps to make a Finding. */
export interface FindingDraft {
  readonly user: string | null;
  /** When the behaviour happened (the newest evidence's time). */
  readonly time: Date;
  /** QUERY_ID / EVENT_ID values, or object names for posture, that prove it. Sorted by the runner. */
  readonly evidenceIds: readonly string[];
  /** One short sentence; never secrets or full query text. */
  readonly reason: string;
  readonly attributes?: Readonly<Record<string, string | number | boolean>>;
  /** Overrides the definition's severity for this finding (e.g. SF-03 raised to critical for an admin). */
  readonly severity?: Severity;
}

/** A statement with typed bindings, built from the window and the parameters. */
export interface DetectionStatement {
  readonly sql: string;
  /** Positional bindings in order, as plain values; the runner types them (Date -> TIMESTAMP_LTZ, number, string). */
  readonly bindings: readonly (string | number | boolean | Date | null)[];
}

interface DetectionBase {
  /** Stable id from src/detect/catalog-ids.ts (or a custom one): metric label, log attribute, runbook anchor. */
  readonly id: string;
  /** Catalog reference, e.g. 'SF-06'. */
  readonly catalog: string;
  readonly title: string;
  readonly severity: Severity;
  readonly family: DetectionFamily;
  /** ACCOUNT_USAGE views (or commands) it reads. */
  readonly views: readonly string[];
  /** Edition or behaviour-change bundle it needs, when not every account has it. */
  readonly requires?: string;
  readonly parameters: Readonly<Record<string, DetectionParameter>>;
  /** Metric names it drives (documentation and tests). */
  readonly metrics: readonly string[];
  /** Anchor of its runbook section (alerts/runbooks.md#<anchor>). */
  readonly runbook: string;
  /** One paragraph: what it catches and why it matters. */
  readonly description: string;
}

/**
 * A column only some accounts have (added by a behaviour-change bundle): the detection can run without it, minus
 * the check that reads it. The mechanism (collect/optional-columns.ts) is the one streams and posture use.
 */
export type { OptionalColumn } from '../collect/optional-columns.ts';

export interface SqlDetection extends DetectionBase {
  readonly kind: 'sql';
  /** The source whose interval and view latency the detection follows. */
  readonly schedule: SourceId;
  /** Columns the statement can be built without (see OptionalColumn). */
  readonly optionalColumns?: readonly OptionalColumn[];
  /**
   * Builds the statement for a look-back window [from, to). Columns returned: USER_NAME, EVENT_TIME, EVIDENCE_IDS
   * (ARRAY of strings), REASON, and optionally ATTRIBUTES (OBJECT) and SEVERITY. `missing` names the optional
   * columns (by part) the account does not have: the statement must not mention them.
   */
  statement(
    window: { readonly from: Date; readonly to: Date },
    parameters: ParameterValues,
    missing?: ReadonlySet<SourcePart>,
  ): DetectionStatement;
}

export interface EventDetection<E extends SnowflakeEvent = SnowflakeEvent> extends DetectionBase {
  readonly kind: 'event';
  readonly eventKind: E['kind'];
  /** Null when the event does not match. Pure and fast: it runs on every event of the stream. */
  match(event: E, parameters: ParameterValues): FindingDraft | null;
}

export interface PostureDetection extends DetectionBase {
  readonly kind: 'posture';
  readonly postureKind: PostureData['kind'];
  evaluate(posture: PostureData, parameters: ParameterValues): readonly FindingDraft[];
}

export type Detection =
  | SqlDetection
  | EventDetection<QueryEvent>
  | EventDetection<LoginEvent>
  | EventDetection<ShareEvent>
  | EventDetection<GrantEvent>
  | PostureDetection;
