// Label vocabularies: every label value the exporter emits comes from configuration (account names), a fixed set
// known at build time (sources, kinds, severities, detection ids) or a capped top-N. A value outside its vocabulary
// is folded into OTHER instead of creating a new series, so a surprise in the data can never blow up cardinality.
import { SOURCE_ERROR_KINDS } from '../../collect/observer.ts';
import type { EventKind, Severity } from '../../collect/events.ts';
import { SOURCE_IDS } from '../../collect/source-ids.ts';
import { SOURCE_PART_IDS } from '../../collect/source-parts.ts';
import { BUILT_IN_DETECTION_IDS } from '../../detect/catalog-ids.ts';

/** The label value that stands for anything outside a vocabulary. */
export const OTHER = 'other';

export const EVENT_KINDS = ['query', 'login', 'share', 'grant'] as const satisfies readonly EventKind[];
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const satisfies readonly Severity[];
export { SOURCE_ERROR_KINDS };
export const CYCLE_OUTCOMES = ['ok', 'partial', 'failed', 'cancelled'] as const;
export const SKIP_REASONS = ['unavailable', 'budget'] as const;
export const SQL_API_REQUEST_KINDS = ['submit', 'status', 'partition', 'cancel'] as const;
export const SQL_API_RETRY_REASONS = ['status', 'network', 'token'] as const;
/** USERS.TYPE as Snowflake reports it, lower-cased; NULL becomes 'unset'. */
export const USER_TYPES = ['person', 'service', 'legacy_service', 'unset'] as const;
export const POSTURE_KINDS = ['users', 'admins', 'shares', 'parameters', 'trust_center'] as const;
/** Trust Center severities, lower-cased. */
export const TRUST_CENTER_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

/** A closed set of label values; anything else maps to OTHER. */
export class LabelVocabulary {
  readonly #values: ReadonlySet<string>;

  constructor(values: Iterable<string>) {
    this.#values = new Set(values);
  }

  /** The value itself when it belongs to the vocabulary, else OTHER. */
  label(value: unknown): string {
    return typeof value === 'string' && this.#values.has(value) ? value : OTHER;
  }

  get values(): readonly string[] {
    return [...this.#values];
  }
}

/** The vocabularies a registry needs, built once from configuration. */
export interface Vocabularies {
  readonly account: LabelVocabulary;
  readonly source: LabelVocabulary;
  readonly detection: LabelVocabulary;
  readonly severity: LabelVocabulary;
  readonly eventKind: LabelVocabulary;
  readonly errorKind: LabelVocabulary;
  readonly cycleOutcome: LabelVocabulary;
  readonly skipReason: LabelVocabulary;
  readonly requestKind: LabelVocabulary;
  readonly retryReason: LabelVocabulary;
  readonly userType: LabelVocabulary;
  readonly postureKind: LabelVocabulary;
  readonly trustCenterSeverity: LabelVocabulary;
  /** Parts of a source that can be unavailable on their own (src/collect/source-parts.ts). */
  readonly sourcePart: LabelVocabulary;
}

export interface VocabularyInput {
  /** Configured account names. */
  readonly accounts: readonly string[];
  /** Detection ids configured anywhere (built-in ids are always included). */
  readonly detections?: readonly string[] | undefined;
  /** Source ids beyond the built-in SOURCE_IDS (e.g. share/grant change streams defined by the engine). */
  readonly sources?: readonly string[] | undefined;
}

export function buildVocabularies(input: VocabularyInput): Vocabularies {
  const detections = [...BUILT_IN_DETECTION_IDS, ...(input.detections ?? [])];
  return {
    account: new LabelVocabulary(input.accounts),
    // Detections run as sources of their own (DeliveryBatch.source may be a detection id).
    source: new LabelVocabulary([...SOURCE_IDS, ...detections, ...(input.sources ?? [])]),
    detection: new LabelVocabulary(detections),
    severity: new LabelVocabulary(SEVERITIES),
    eventKind: new LabelVocabulary(EVENT_KINDS),
    errorKind: new LabelVocabulary(SOURCE_ERROR_KINDS),
    cycleOutcome: new LabelVocabulary(CYCLE_OUTCOMES),
    skipReason: new LabelVocabulary(SKIP_REASONS),
    requestKind: new LabelVocabulary(SQL_API_REQUEST_KINDS),
    retryReason: new LabelVocabulary(SQL_API_RETRY_REASONS),
    userType: new LabelVocabulary(USER_TYPES),
    postureKind: new LabelVocabulary(POSTURE_KINDS),
    trustCenterSeverity: new LabelVocabulary(TRUST_CENTER_SEVERITIES),
    sourcePart: new LabelVocabulary(SOURCE_PART_IDS),
  };
}

/** HTTP status as a bounded class: '2xx'...'5xx', or 'none' when no answer arrived (network failure). */
export function statusClass(status: number | undefined): string {
  if (status === undefined || !Number.isInteger(status) || status < 100 || status > 599) return 'none';
  return `${Math.floor(status / 100)}xx`;
}

/** Snowflake's USERS.TYPE (PERSON, SERVICE, LEGACY_SERVICE, NULL/'UNSET') as a bounded label value. */
export function userTypeLabel(vocabulary: LabelVocabulary, userType: string | null | undefined): string {
  const normalised = (userType ?? '').trim().toLowerCase();
  return vocabulary.label(normalised === '' || normalised === 'null' ? 'unset' : normalised);
}
