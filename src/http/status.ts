// What the landing page, /api/status and /readyz need to know, as an interface: the HTTP layer reads facts the
// collection engine already reported and never asks Snowflake anything itself.
import type { EngineOperation, SourceErrorKind } from '../collect/observer.ts';
import type { PostureData } from '../collect/posture.ts';

export interface Readiness {
  readonly ready: boolean;
  /** Why not ready (e.g. "state store not open"); empty when ready. Never contains secrets. */
  readonly reasons: readonly string[];
}

export interface SourceStatus {
  readonly source: string;
  readonly lastSuccessAt: Date | undefined;
  readonly lastDurationSeconds: number | undefined;
  /** Rows read by the last successful run. */
  readonly lastRows: number | undefined;
  /** Rows read since the process started. */
  readonly rowsTotal: number;
  readonly lagSeconds: number | undefined;
  readonly lastErrorKind: SourceErrorKind | undefined;
  readonly lastErrorAt: Date | undefined;
  /** The last failure with its codes and one-line message (lastErrorKind and lastErrorAt repeat its kind and time). */
  readonly lastError: ErrorStatus | undefined;
  readonly unavailable: boolean;
  /** Why, while unavailable: the view and Snowflake's code. */
  readonly unavailableReason: string | undefined;
  /** Parts of the source its last successful run could not read (the rest ran), with why. */
  readonly unavailableParts: readonly UnavailablePartStatus[];
  /** Set while the source is deferred because the daily credit budget is reached. */
  readonly deferredForBudget: boolean;
}

/**
 * One failure as the page and /api/status show it: the error kind, Snowflake's code and the HTTP status when its
 * answer had them, the exporter's own code, one sanitised line (no secret, statement text or result value), when.
 */
export interface ErrorStatus {
  /** What failed: the cycle's start (token, authentication, Snowflake's clock), a source, or work around them. */
  readonly during: 'start' | 'source' | EngineOperation;
  /** The source, when `during` is 'source'. */
  readonly source: string | undefined;
  readonly kind: SourceErrorKind;
  readonly snowflakeCode: string | undefined;
  readonly httpStatus: number | undefined;
  readonly code: string | undefined;
  readonly message: string;
  readonly at: Date;
}

/** A part of a source or SQL detection (src/collect/source-parts.ts) that could not be read, and why. */
export interface UnavailablePartStatus {
  readonly part: string;
  readonly reason: string;
}

export interface CycleStatus {
  readonly finishedAt: Date;
  readonly outcome: 'ok' | 'partial' | 'failed' | 'cancelled';
  readonly durationSeconds: number;
}

/** A few headline numbers of one posture snapshot kind. */
export interface PostureStatus {
  readonly kind: PostureData['kind'];
  readonly takenAt: Date;
  /** Headline numbers; null where the snapshot could not know it (e.g. shares the role cannot see). */
  readonly facts: readonly { readonly name: string; readonly value: number | null }[];
}

export interface CostStatus {
  readonly statements: number;
  readonly warehouseSeconds: number;
  readonly credits: number;
  readonly creditsToday: number;
  readonly creditBudget: number | undefined;
  readonly budgetExhausted: boolean;
}

/** One enabled detection of an account, as the landing page lists it. */
export interface DetectionStatus {
  readonly id: string;
  /** 'sql', 'event' or 'posture'; several joined with '+' when one id has definitions of more than one kind. */
  readonly kind: string;
  readonly severity: string;
  readonly title: string;
  /** A SQL detection whose view is missing or not granted on the account. */
  readonly unavailable: boolean;
  /** Why, while unavailable: the view and Snowflake's code, or the configuration that rules it out. */
  readonly unavailableReason: string | undefined;
  /** Checks of a SQL detection its last run could not make (e.g. a column the account does not have). */
  readonly unavailableParts: readonly UnavailablePartStatus[];
  readonly lastRunAt: Date | undefined;
}

/** An OAuth account's grant, as the landing page shows it. No token values. */
export interface OAuthAccountStatus {
  readonly connected: boolean;
  /** The Snowflake user who consented, when Snowflake said. */
  readonly user: string | undefined;
  readonly refreshTokenExpiresAt: Date | undefined;
  /** Why the account is disconnected, or what to watch. */
  readonly detail: string | undefined;
  /** Where to (re)connect it; undefined when the onboarding routes are off. */
  readonly connectUrl: string | undefined;
}

export interface AccountStatus {
  readonly name: string;
  /** undefined until the account's first cycle ends. */
  readonly up: boolean | undefined;
  /** The account's latest failure of any kind (why it is down, while it is), until a later one replaces it. */
  readonly lastError: ErrorStatus | undefined;
  readonly sources: readonly SourceStatus[];
  readonly posture: readonly PostureStatus[];
  /** Newest first. */
  readonly recentCycles: readonly CycleStatus[];
  readonly cost: CostStatus;
  /** Enabled detections (absent when none were registered). */
  readonly detections?: readonly DetectionStatus[] | undefined;
  /** The OAuth grant (accounts using OAuth only). */
  readonly oauth?: OAuthAccountStatus | undefined;
}

export interface StatusSnapshot {
  readonly product: { readonly name: string; readonly version: string };
  readonly startedAt: Date;
  readonly generatedAt: Date;
  /** Down accounts first, then the others; configuration order within each. */
  readonly accounts: readonly AccountStatus[];
}

export interface StatusProvider {
  readiness(): Readiness;
  /** A consistent copy of what is known now; cheap, synchronous, in memory. */
  snapshot(): StatusSnapshot;
}
