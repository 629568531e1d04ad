// The resolved configuration that the rest of the exporter consumes: durations in seconds, defaults merged into each
// account, the account identifier parsed, and secrets read into Secret objects. Nothing downstream re-validates it.
import type { SourceId } from '../collect/source-ids.ts';
import type { ParameterValues } from '../detect/types.ts';
import type { AccountIdentifier, EndpointOverride } from '../snowflake/account-identifier.ts';
import type { Secret } from '../util/secret.ts';
import type { ListenAddress, LogLevel, OtlpCompression, OtlpProtocol, QueryEventScope, QueryTextPolicy, Severity, WarehouseSize } from './schema.ts';

export type { ListenAddress, LogLevel, OtlpCompression, OtlpProtocol, QueryEventScope, QueryTextPolicy, Severity, WarehouseSize };

export interface ExporterConfig {
  /** Absolute path of the file this was loaded from. */
  readonly sourcePath: string;
  readonly server: ServerConfig;
  readonly log: { readonly level: LogLevel };
  readonly state: StateConfig;
  readonly accounts: readonly AccountConfig[];
  readonly customDetections: readonly CustomDetectionConfig[];
  /** Absent: one process watches every account. */
  readonly sharding?: ShardingConfig | undefined;
  /** OpenTelemetry logs; the loader always sets it (absent: disabled). */
  readonly otlp?: OtlpConfig | undefined;
}

/**
 * The OTLP logs sink. Settings left undefined fall back to the standard OTEL_EXPORTER_OTLP_* variables (read by the
 * sink and the OpenTelemetry exporter), then to the specification's defaults: the file wins over the environment.
 */
export interface OtlpConfig {
  readonly enabled: boolean;
  /** Collector base URL (`/v1/logs` is appended unless present). */
  readonly endpoint: string | undefined;
  readonly protocol: OtlpProtocol | undefined;
  /** Header values resolved from their secret references (e.g. an Authorization token). */
  readonly headers: Readonly<Record<string, Secret>>;
  /** Per-export timeout, including the exporter's own retries. */
  readonly timeoutSeconds: number | undefined;
  readonly compression: OtlpCompression | undefined;
  /** Most records waiting for the collector at once; at this bound, collection waits (nothing is dropped). */
  readonly queueSize: number;
  /** Most records per export request. */
  readonly maxBatch: number;
  /** How long shutdown waits for queued records to be acknowledged before leaving them to the next run. */
  readonly shutdownFlushSeconds: number;
  /** Extra resource attributes (they win over OTEL_RESOURCE_ATTRIBUTES). */
  readonly resourceAttributes: Readonly<Record<string, string>>;
}

export interface ServerConfig {
  readonly listen: ListenAddress;
  readonly metricsPath: string;
  /** The OAuth consent routes; absent means the defaults (enabled, served on `listen`, public URL derived from it). */
  readonly onboarding?: OnboardingConfig | undefined;
}

export interface OnboardingConfig {
  /** Serve /oauth/start and /oauth/callback (they only matter when an account uses OAuth). */
  readonly enabled: boolean;
  /** A separate address for the onboarding routes (then they are not served on `server.listen`). */
  readonly listen: ListenAddress | undefined;
  /** How browsers reach the onboarding routes; default http://127.0.0.1:<port of the onboarding address>. */
  readonly publicUrl: string | undefined;
}

export interface StateConfig {
  readonly path: string;
  /** 32-byte key (base64 or hex) that seals OAuth tokens at rest; without it no OAuth token is stored. */
  readonly encryptionKey?: Secret | undefined;
  /** Keys of earlier rotations: they only open rows, which are then sealed again with `encryptionKey`. */
  readonly previousEncryptionKeys?: readonly Secret[] | undefined;
}

export interface AccountConfig {
  /** Short label used in metrics and logs. */
  readonly name: string;
  readonly identifier: AccountIdentifier;
  /** Present only when `endpoint` was configured. */
  readonly endpoint: EndpointOverride | undefined;
  /** Where SQL API requests go: the endpoint override if any, else `https://<identifier host>`. No trailing slash. */
  readonly baseUrl: string;
  // user, role and warehouse are Snowflake identifiers as written in the file (`risk_exporter`, `"Mixed Case"`),
  // already checked. Whatever sends or compares one resolves it with src/snowflake/identifier.ts (unquoted: upper
  // case; quoted: exactly): the SQL API body, the OAuth role scope, the key-pair JWT, the consenting user's check.
  /** Snowflake user. Always set for key-pair auth (the JWT names it). */
  readonly user: string | undefined;
  /** The role the statements run with. */
  readonly role: string;
  /** The warehouse the statements run on. */
  readonly warehouse: string;
  readonly auth: AuthConfig;
  /** Statements in flight at once for this account. */
  readonly concurrency: number;
  /** Polling interval per source, in seconds. Every source has one. */
  readonly intervalSeconds: Readonly<Record<SourceId, number>>;
  /** Detection ids that run for this account (built-in and custom), sorted. */
  readonly detections: readonly string[];
  /**
   * Configured parameter values per detection id (absent: none) (`defaults` merged under the account's, per parameter); names
   * were validated against each detection's declared parameters. Defaults of the declarations are NOT filled in
   * here: the detection registry does that, so a detection's own default stays its single source.
   */
  readonly detectionParameters?: Readonly<Record<string, ParameterValues>> | undefined;
  /** The per-user risk score's decay and bounds (the loader always sets it; absent means the defaults). */
  readonly riskScore?: RiskScoreConfig | undefined;
  readonly statementTimeoutSeconds: number;
  /** How far back a stream reads on its first run (no watermark yet). */
  readonly backfillSeconds: number;
  /** A cycle still running after this long is cancelled (its statements too). */
  readonly cycleDeadlineSeconds: number;
  /** Added to each view's documented latency to form the read overlap behind the watermark. */
  readonly overlapMarginSeconds: number;
  readonly queryEvents: QueryEventsConfig;
  readonly warehouseCost: WarehouseCostConfig;
  readonly creditBudget: CreditBudgetConfig;
  readonly posture: PostureConfig;
  /** Upper bound of the random delay before the account's first cycle (spreads accounts apart). */
  readonly jitterSeconds: number;
}

export interface QueryEventsConfig {
  /** Which queries become events: every one, only those matching a detection, or none. */
  readonly scope: QueryEventScope;
  /** What happens to query text: kept, truncated, literals redacted (and truncated), or dropped. */
  readonly text: QueryTextPolicy;
  /** Longest query text kept (characters) under `truncate` and `redact`. */
  readonly maxTextLength: number;
}

export interface WarehouseCostConfig {
  /** Size of the account's warehouse, for the credit estimate. */
  readonly size: WarehouseSize;
  /** The warehouse's AUTO_SUSPEND, for the estimate of the idle tail billed after each burst. */
  readonly autoSuspendSeconds: number;
}

export interface RiskScoreConfig {
  /** A finding's contribution halves after this long. */
  readonly halfLifeSeconds: number;
  /** Users exposed with a `user` label (highest scores first). */
  readonly topUsers: number;
  /** Users whose score is kept in memory; the lowest is evicted beyond this. */
  readonly maxTrackedUsers: number;
}

export interface CreditBudgetConfig {
  /** Estimated credits per UTC day after which non-critical sources are deferred; undefined = no budget. */
  readonly daily: number | undefined;
}

export interface PostureConfig {
  /** An enabled user whose last login is older than this (or who never logged in) counts as stale. */
  readonly staleUserDays: number;
  /** Roles whose holders (directly or through the role hierarchy) count as admins; canonical names. */
  readonly adminRoles: readonly string[];
}

export type AuthConfig = KeyPairAuthConfig | PatAuthConfig | OAuthAuthConfig;

export interface KeyPairAuthConfig {
  readonly method: 'keypair';
  /** PEM text of a PKCS#8 private key (possibly encrypted). */
  readonly privateKey: Secret;
  readonly passphrase: Secret | undefined;
}

export interface PatAuthConfig {
  readonly method: 'pat';
  readonly token: Secret;
}

export interface OAuthAuthConfig {
  readonly method: 'oauth';
  /** Not a secret (it appears in the consent URL), but it may still come from a reference. */
  readonly clientId: string;
  readonly clientSecret: Secret;
  readonly redirectUri: string | undefined;
}

export interface CustomDetectionConfig {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly sql: string;
  readonly description: string | undefined;
  /** The source whose interval and view latency the detection follows (default query_history). */
  readonly schedule?: SourceId | undefined;
}

/** This process is shard `index` (from 0) of `shards`; it watches the accounts src/config/sharding.ts assigns it. */
export interface ShardingConfig {
  readonly shards: number;
  readonly index: number;
}

/** Built-in defaults for settings the file leaves out. */
export const DEFAULTS = {
  listen: { host: '0.0.0.0', port: 9975 },
  metricsPath: '/metrics',
  logLevel: 'info',
  statePath: './data/state.db',
  // Snowflake's default MAX_CONCURRENCY_LEVEL: an X-Small warehouse runs 8 statements at once, so a cycle's burst
  // (and the 60 s-minimum bill around it) is as short as the warehouse allows; more would only queue there.
  concurrency: 8,
  statementTimeoutSeconds: 600,
  backfillSeconds: 86_400,
  cycleDeadlineSeconds: 600,
  overlapMarginSeconds: 900,
  queryEvents: { scope: 'all', text: 'redact', maxTextLength: 4096 },
  warehouseCost: { size: 'X-Small', autoSuspendSeconds: 60 },
  posture: { staleUserDays: 90, adminRoles: ['ACCOUNTADMIN', 'SECURITYADMIN', 'ORGADMIN', 'SYSADMIN'] },
  jitterSeconds: 30,
  riskScore: { halfLifeSeconds: 7 * 86_400, topUsers: 20, maxTrackedUsers: 1000 },
  otlp: { queueSize: 2048, maxBatch: 512, shutdownFlushSeconds: 10 },
} as const;

/** The collection engine's settings of an AccountConfig. */
export type CollectionSettings = Pick<
  AccountConfig,
  | 'backfillSeconds'
  | 'cycleDeadlineSeconds'
  | 'overlapMarginSeconds'
  | 'queryEvents'
  | 'warehouseCost'
  | 'creditBudget'
  | 'posture'
  | 'jitterSeconds'
>;

/** The built-in collection settings, as a fresh object: for code that builds an AccountConfig without a file. */
export function defaultCollectionSettings(): CollectionSettings {
  return {
    backfillSeconds: DEFAULTS.backfillSeconds,
    cycleDeadlineSeconds: DEFAULTS.cycleDeadlineSeconds,
    overlapMarginSeconds: DEFAULTS.overlapMarginSeconds,
    queryEvents: { ...DEFAULTS.queryEvents },
    warehouseCost: { ...DEFAULTS.warehouseCost },
    creditBudget: { daily: undefined },
    posture: { staleUserDays: DEFAULTS.posture.staleUserDays, adminRoles: [...DEFAULTS.posture.adminRoles] },
    jitterSeconds: DEFAULTS.jitterSeconds,
  };
}
