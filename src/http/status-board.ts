// In-memory facts for the landing page and /readyz. It listens to the same reports as the metrics (through
// combineObservers), keeps only what the page shows, bounded per configured account, and never throws.
import type {
  CollectionObserver,
  CycleCost,
  CycleFailure,
  EngineOperation,
  FailureDetail,
  SourceErrorKind,
  SourceOutcome,
} from '../collect/observer.ts';
import type { PostureData, PostureSnapshot, UsersPosture } from '../collect/posture.ts';
import type { PostureListener } from '../export/metrics/combine-observers.ts';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../version.ts';
import type {
  AccountStatus,
  CycleStatus,
  ErrorStatus,
  OAuthAccountStatus,
  DetectionStatus,
  PostureStatus,
  Readiness,
  SourceStatus,
  StatusProvider,
  StatusSnapshot,
} from './status.ts';

/** Conditions /readyz waits for, with the reason it gives while one is not met. Snowflake is deliberately absent. */
const READINESS_CONDITIONS = {
  configuration: 'configuration not loaded',
  state_store: 'state store not open',
} as const;

export type ReadinessCondition = keyof typeof READINESS_CONDITIONS;

export interface StatusBoardOptions {
  readonly accounts: readonly string[];
  readonly now?: (() => Date) | undefined;
  /** Cycles kept per account for the page (default 10). */
  readonly recentCycles?: number | undefined;
  /** Sources tracked per account; reports about more are ignored (default 100). */
  readonly maxSourcesPerAccount?: number | undefined;
}

type MutableSource = { -readonly [K in keyof SourceStatus]: SourceStatus[K] };

interface AccountState {
  up: boolean | undefined;
  lastError: ErrorStatus | undefined;
  readonly sources: Map<string, MutableSource>;
  readonly posture: Map<PostureData['kind'], PostureStatus>;
  cycles: CycleStatus[];
  statements: number;
  warehouseSeconds: number;
  credits: number;
  creditsToday: number;
  creditBudget: number | undefined;
  budgetExhausted: boolean;
  readonly detections: Map<string, { -readonly [K in keyof DetectionStatus]: DetectionStatus[K] }>;
}

const finite = (value: number): number => (Number.isFinite(value) ? value : 0);

/** A reported failure as kept for the page: the message is cut to one bounded line again, whoever reported it. */
function errorStatus(failure: FailureDetail, during: ErrorStatus['during'], source: string | undefined, at: Date): ErrorStatus {
  return {
    during,
    source,
    kind: failure.kind,
    snowflakeCode: failure.snowflakeCode,
    httpStatus: failure.httpStatus,
    code: failure.code,
    message: failure.message.replace(/\s+/g, ' ').slice(0, 300),
    at,
  };
}

/** Down accounts first (the page starts with what needs a person), the others in configuration order. */
const UP_ORDER = (up: boolean | undefined): number => (up === false ? 0 : 1);

/** The headline numbers the page shows for a posture snapshot (counts only: no user names on an open page). */
export function summarisePosture(data: PostureData): PostureStatus['facts'] {
  switch (data.kind) {
    case 'users': {
      const sum = (keep: (count: UsersPosture['counts'][number]) => boolean) =>
        data.counts.filter(keep).reduce((total, count) => total + finite(count.users), 0);
      return [
        { name: 'enabled users', value: sum(() => true) },
        // Null (unknown) where the account has no USERS.HAS_MFA; the source row says why.
        {
          name: 'password users without MFA',
          value: data.counts.some((count) => count.hasMfa === null) ? null : sum((count) => count.hasPassword && count.hasMfa === false),
        },
        { name: 'MFA bypass active', value: finite(data.mfaBypassActive) },
        { name: `stale enabled users (> ${finite(data.staleAfterDays)} days)`, value: finite(data.staleEnabledUsers) },
      ];
    }
    case 'admins':
      return [
        // Null (unknown) when the list could not be read; the source row says why.
        { name: 'admin users without MFA', value: data.adminsWithoutMfa === null ? null : data.adminsWithoutMfa.length },
        ...data.roles
          .slice(0, 10)
          .map((role) => ({ name: `${role.role} holders without MFA`, value: role.usersWithoutMfa === null ? null : finite(role.usersWithoutMfa) })),
      ];
    case 'shares': {
      // Without ACCOUNT_USAGE.SHARES the list holds only the shares the role can see: the totals are unknown.
      const consumers = new Set(data.outbound.flatMap((share) => share.consumerAccounts.map((a) => a.toUpperCase()))).size;
      return [
        { name: 'outbound shares', value: data.complete ? data.outbound.length : null },
        { name: 'consumer accounts', value: data.complete ? consumers : null },
      ];
    }
    case 'parameters':
      return [
        { name: 'guardrail parameters checked', value: data.parameters.length },
        { name: 'guardrail parameters not safe', value: data.parameters.filter((p) => !p.safe).length },
      ];
    case 'trust_center':
      return [
        { name: 'open findings', value: data.findings.reduce((total, finding) => total + finite(finding.openFindings), 0) },
      ];
    default:
      return [];
  }
}

/** The parts a successful run could not read, bounded by the parts a source declares; reasons cut to one line. */
function unavailablePartsOf(outcome: SourceOutcome): SourceStatus['unavailableParts'] {
  return (outcome.parts ?? [])
    .filter((part) => !part.available)
    .slice(0, 10)
    .map((part) => ({ part: part.part, reason: (part.reason ?? 'unavailable').split('\n')[0]!.slice(0, 300) }));
}

export class StatusBoard implements CollectionObserver, PostureListener, StatusProvider {
  readonly #now: () => Date;
  readonly #startedAt: Date;
  readonly #recentCycles: number;
  readonly #maxSources: number;
  readonly #accounts = new Map<string, AccountState>();
  #oauth: (account: string) => OAuthAccountStatus | undefined = () => undefined;
  readonly #conditions = new Map<ReadinessCondition, boolean>(
    Object.keys(READINESS_CONDITIONS).map((name) => [name as ReadinessCondition, false]),
  );
  readonly #reasons = new Map<ReadinessCondition, string>();

  constructor(options: StatusBoardOptions) {
    this.#now = options.now ?? (() => new Date());
    this.#startedAt = this.#now();
    this.#recentCycles = options.recentCycles ?? 10;
    this.#maxSources = options.maxSourcesPerAccount ?? 100;
    for (const name of options.accounts) {
      this.#accounts.set(name, {
        up: undefined,
        lastError: undefined,
        sources: new Map(),
        posture: new Map(),
        cycles: [],
        statements: 0,
        warehouseSeconds: 0,
        credits: 0,
        creditsToday: 0,
        creditBudget: undefined,
        budgetExhausted: false,
        detections: new Map(),
      });
    }
  }

  /** The account's enabled detections, listed on the page with their availability and last run. */
  setDetections(account: string, detections: readonly Pick<DetectionStatus, 'id' | 'kind' | 'severity' | 'title'>[]): void {
    const state = this.#accounts.get(account);
    if (!state) return;
    state.detections.clear();
    for (const detection of detections) {
      state.detections.set(detection.id, { ...detection, unavailable: false, unavailableReason: undefined, unavailableParts: [], lastRunAt: undefined });
    }
  }

  /** A detection that cannot run under the account's configuration (e.g. query rules without query events). */
  detectionUnavailable(account: string, detection: string, reason?: string): void {
    const entry = this.#accounts.get(account)?.detections.get(detection);
    if (!entry) return;
    entry.unavailable = true;
    entry.unavailableReason = reason;
  }

  /** An in-process (event or posture) detection was evaluated. */
  detectionEvaluated(account: string, detection: string, at: Date): void {
    const entry = this.#accounts.get(account)?.detections.get(detection);
    if (entry) entry.lastRunAt = at;
  }

  /** Where the OAuth state of each account comes from (read at each snapshot: it changes with the clock alone). */
  setOAuthStatusSource(source: (account: string) => OAuthAccountStatus | undefined): void {
    this.#oauth = source;
  }

  /**
   * Marks a readiness condition met (or no longer met, e.g. the state store closed on shutdown or failing); `reason`
   * replaces the condition's default reason while it is unmet.
   */
  setCondition(condition: ReadinessCondition, met: boolean, reason?: string): void {
    this.#conditions.set(condition, met);
    if (met || reason === undefined) this.#reasons.delete(condition);
    else this.#reasons.set(condition, reason);
  }

  readiness(): Readiness {
    const reasons = [...this.#conditions]
      .filter(([, met]) => !met)
      .map(([name]) => this.#reasons.get(name) ?? READINESS_CONDITIONS[name]);
    return { ready: reasons.length === 0, reasons };
  }

  #source(account: string, source: string): MutableSource | undefined {
    const state = this.#accounts.get(account);
    if (!state) return undefined;
    let entry = state.sources.get(source);
    if (!entry) {
      if (state.sources.size >= this.#maxSources) return undefined;
      entry = {
        source,
        lastSuccessAt: undefined,
        lastDurationSeconds: undefined,
        lastRows: undefined,
        rowsTotal: 0,
        lagSeconds: undefined,
        lastErrorKind: undefined,
        lastErrorAt: undefined,
        lastError: undefined,
        unavailable: false,
        unavailableReason: undefined,
        unavailableParts: [],
        deferredForBudget: false,
      };
      state.sources.set(source, entry);
    }
    return entry;
  }

  sourceSucceeded(outcome: SourceOutcome): void {
    const unavailableParts = unavailablePartsOf(outcome);
    const detection = this.#accounts.get(outcome.account)?.detections.get(outcome.source);
    if (detection) {
      detection.unavailable = false;
      detection.unavailableReason = undefined;
      detection.unavailableParts = unavailableParts;
      detection.lastRunAt = new Date(outcome.startedAt.getTime() + finite(outcome.durationSeconds) * 1000);
    }
    const entry = this.#source(outcome.account, outcome.source);
    if (!entry) return;
    entry.lastSuccessAt = new Date(outcome.startedAt.getTime() + finite(outcome.durationSeconds) * 1000);
    entry.lastDurationSeconds = finite(outcome.durationSeconds);
    entry.lastRows = finite(outcome.rows);
    entry.rowsTotal += finite(outcome.rows);
    entry.lagSeconds = outcome.lagSeconds === undefined ? entry.lagSeconds : finite(outcome.lagSeconds);
    entry.unavailable = false;
    entry.unavailableReason = undefined;
    entry.unavailableParts = unavailableParts;
    entry.deferredForBudget = false;
  }

  sourceFailed(account: string, source: string, kind: SourceErrorKind, at: Date, failure?: FailureDetail): void {
    const state = this.#accounts.get(account);
    const error = errorStatus(failure ?? { kind, message: `failed (${kind})` }, 'source', source, at);
    if (state) state.lastError = error;
    const entry = this.#source(account, source);
    if (!entry) return;
    entry.lastErrorKind = kind;
    entry.lastErrorAt = at;
    entry.lastError = error;
  }

  operationFailed(account: string, operation: EngineOperation, failure: FailureDetail): void {
    const state = this.#accounts.get(account);
    if (state) state.lastError = errorStatus(failure, operation, undefined, this.#now());
  }

  sourceSkipped(account: string, source: string, reason: 'unavailable' | 'budget', detail?: string): void {
    const why = detail === undefined ? undefined : detail.split('\n')[0]!.slice(0, 300);
    const detection = this.#accounts.get(account)?.detections.get(source);
    if (detection && reason === 'unavailable') {
      detection.unavailable = true;
      detection.unavailableReason = why;
    }
    const entry = this.#source(account, source);
    if (!entry) return;
    if (reason === 'unavailable') {
      entry.unavailable = true;
      entry.unavailableReason = why;
    } else {
      entry.deferredForBudget = true;
    }
  }

  cycleFinished(account: string, outcome: 'ok' | 'partial' | 'failed' | 'cancelled', durationSeconds: number, failure?: CycleFailure): void {
    const state = this.#accounts.get(account);
    if (!state) return;
    // A failure of the sources was already kept by sourceFailed; one at the start reached no source.
    if (failure?.stage === 'start') state.lastError = errorStatus(failure, 'start', undefined, failure.at);
    const cycle = { finishedAt: this.#now(), outcome, durationSeconds: finite(durationSeconds) };
    state.cycles = [cycle, ...state.cycles].slice(0, this.#recentCycles);
  }

  cost(cost: CycleCost): void {
    const state = this.#accounts.get(cost.account);
    if (!state) return;
    state.statements += finite(cost.statements);
    state.warehouseSeconds += finite(cost.warehouseSeconds);
    state.credits += finite(cost.credits);
  }

  budgetState(account: string, creditsToday: number, budget: number | undefined, exhausted: boolean): void {
    const state = this.#accounts.get(account);
    if (!state) return;
    state.creditsToday = finite(creditsToday);
    state.creditBudget = budget === undefined ? undefined : finite(budget);
    state.budgetExhausted = exhausted;
  }

  accountUp(account: string, up: boolean): void {
    const state = this.#accounts.get(account);
    if (state) state.up = up;
  }

  sqlApiEvent(): void {
    // Request-level detail lives in the metrics; the page shows outcomes per source.
  }

  publishPosture(snapshot: PostureSnapshot): void {
    const state = this.#accounts.get(snapshot.account);
    if (!state) return;
    try {
      state.posture.set(snapshot.data.kind, {
        kind: snapshot.data.kind,
        takenAt: snapshot.takenAt,
        facts: summarisePosture(snapshot.data),
      });
    } catch {
      // A malformed snapshot leaves the previous summary in place; the metrics count the problem.
    }
  }

  #oauthOf(account: string): { oauth?: OAuthAccountStatus } {
    try {
      const oauth = this.#oauth(account);
      return oauth === undefined ? {} : { oauth };
    } catch {
      return {};
    }
  }

  snapshot(): StatusSnapshot {
    const ordered = [...this.#accounts].sort(([, a], [, b]) => UP_ORDER(a.up) - UP_ORDER(b.up));
    const accounts: AccountStatus[] = ordered.map(([name, state]) => ({
      name,
      up: state.up,
      lastError: state.lastError,
      sources: [...state.sources.values()].map((source) => ({ ...source })),
      posture: [...state.posture.values()],
      recentCycles: [...state.cycles],
      cost: {
        statements: state.statements,
        warehouseSeconds: state.warehouseSeconds,
        credits: state.credits,
        creditsToday: state.creditsToday,
        creditBudget: state.creditBudget,
        budgetExhausted: state.budgetExhausted,
      },
      ...(state.detections.size === 0 ? {} : { detections: [...state.detections.values()].map((detection) => ({ ...detection })) }),
      ...this.#oauthOf(name),
    }));
    return {
      product: { name: PRODUCT_NAME, version: PRODUCT_VERSION },
      startedAt: this.#startedAt,
      generatedAt: this.#now(),
      accounts,
    };
  }
}
