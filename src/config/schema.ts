// The shape of the configuration file, as zod schemas. Field-level rules live here (types, ranges, identifier and
// reference syntax, known detection ids); rules that span fields (unique names, user required for key-pair) and
// reading referenced secrets live in validate.ts, so that one bad field never hides problems elsewhere.
//
// Every object is strict: an unknown key is an error, because a typo such as `disable:` must not silently leave a
// detection on.
import { z } from 'zod';
import { SOURCE_IDS, type SourceId } from '../collect/source-ids.ts';
import { BUILT_IN_DETECTION_IDS, DETECTION_ID_PATTERN } from '../detect/catalog-ids.ts';
import { RESERVED_HTTP_PATHS } from '../http-paths.ts';
import { parseAccountIdentifier, parseEndpointOverride } from '../snowflake/account-identifier.ts';
import { parseIdentifier } from '../snowflake/identifier.ts';
import { DURATION_HINT, formatDuration, parseDurationSeconds } from './duration.ts';
import { parseSecretReference } from './secret-reference.ts';
import { didYouMean } from './suggest.ts';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const AUTH_METHODS = ['keypair', 'pat', 'oauth'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/** Polling faster than this only burns warehouse time: ACCOUNT_USAGE lags by 45 minutes or more. */
export const MIN_INTERVAL_SECONDS = 60;
export const MAX_INTERVAL_SECONDS = 7 * 86_400;
export const MIN_STATEMENT_TIMEOUT_SECONDS = 10;
/** The SQL API's own ceiling for the `timeout` field (7 days). */
export const MAX_STATEMENT_TIMEOUT_SECONDS = 604_800;
export const MAX_CONCURRENCY = 32;
/** ACCOUNT_USAGE keeps one year of history: a longer first-run backfill would read nothing more. */
export const MAX_BACKFILL_SECONDS = 365 * 86_400;

export const QUERY_EVENT_SCOPES = ['all', 'risky', 'none'] as const;
export type QueryEventScope = (typeof QUERY_EVENT_SCOPES)[number];
export const QUERY_TEXT_POLICIES = ['full', 'truncate', 'redact', 'none'] as const;
export type QueryTextPolicy = (typeof QUERY_TEXT_POLICIES)[number];

export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];
export const OTLP_COMPRESSIONS = ['none', 'gzip'] as const;
export type OtlpCompression = (typeof OTLP_COMPRESSIONS)[number];

/** Credits per hour of a standard warehouse, by size (Snowflake's published table; each size doubles the last). */
export const WAREHOUSE_CREDITS_PER_HOUR = {
  'X-Small': 1,
  Small: 2,
  Medium: 4,
  Large: 8,
  'X-Large': 16,
  '2X-Large': 32,
  '3X-Large': 64,
  '4X-Large': 128,
  '5X-Large': 256,
  '6X-Large': 512,
} as const;
export type WarehouseSize = keyof typeof WAREHOUSE_CREDITS_PER_HOUR;
export const WAREHOUSE_SIZES = Object.keys(WAREHOUSE_CREDITS_PER_HOUR) as WarehouseSize[];

/** Field names that hold credentials, per auth method. Their values are references, never printed. */
export const SECRET_FIELDS = {
  keypair: ['privateKey', 'passphrase'],
  pat: ['token'],
  oauth: ['clientSecret'],
} as const satisfies Record<AuthMethod, readonly string[]>;

export const ACCOUNT_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const LISTEN = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const HTTP_PATH = /^\/[A-Za-z0-9._~/-]*$/;

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * A Snowflake identifier as a person writes it (`risk_exporter`, `"Risk Exporter"`), checked by the rules Snowflake
 * resolves it with (src/snowflake/identifier.ts). The text is kept as written: whatever sends or compares it
 * resolves it there, so an unquoted name goes out upper case and a quoted one exactly. A name that is not an
 * identifier is an error that says why, caught here rather than as a 390186 from a real account.
 */
const objectName = (what: string) =>
  z.string().superRefine((value, context) => {
    const parsed = parseIdentifier(value);
    if (!parsed.ok) context.addIssue({ code: 'custom', message: `must be a Snowflake ${what} name: it ${parsed.reason}` });
  });

/** Like objectName, but the value becomes the name Snowflake stores (for lists compared with ACCOUNT_USAGE values). */
const resolvedObjectName = (what: string) =>
  z.string().transform((value, context) => {
    const parsed = parseIdentifier(value);
    if (parsed.ok) return parsed.name;
    context.addIssue({ code: 'custom', message: `must be a Snowflake ${what} name: it ${parsed.reason}` });
    return z.NEVER;
  });

function duration(minimum: number, maximum: number) {
  return z.union([z.string(), z.number()]).transform((value, context) => {
    const seconds = parseDurationSeconds(value);
    if (seconds === undefined) {
      context.addIssue({ code: 'custom', message: `must be ${DURATION_HINT}` });
      return z.NEVER;
    }
    if (seconds < minimum || seconds > maximum) {
      context.addIssue({
        code: 'custom',
        message: `must be between ${formatDuration(minimum)} and ${formatDuration(maximum)} (got ${formatDuration(seconds)})`,
      });
      return z.NEVER;
    }
    return seconds;
  });
}

const secretReference = z.string({ error: 'must be a secret reference string ("env:NAME" or "file:PATH")' }).superRefine(
  (value, context) => {
    const parsed = parseSecretReference(value);
    if ('error' in parsed) context.addIssue({ code: 'custom', message: parsed.error });
  },
);

/** Client ids are not secret (they travel in the browser's consent URL), so a literal is fine; a reference too. */
const clientId = z.string().min(1, { error: 'must not be empty' }).superRefine((value, context) => {
  if (value.startsWith('env:') || value.startsWith('file:')) {
    const parsed = parseSecretReference(value);
    if ('error' in parsed) context.addIssue({ code: 'custom', message: parsed.error });
  }
});

const redirectUri = z.string().superRefine((value, context) => {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const acceptable =
    url !== undefined &&
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.username === '' &&
    url.password === '' &&
    url.hash === '';
  if (!acceptable) {
    context.addIssue({ code: 'custom', message: 'must be an absolute http(s) URL without credentials or fragment' });
  }
});

export const keyPairAuthSchema = z.strictObject({
  method: z.literal('keypair'),
  privateKey: secretReference,
  passphrase: secretReference.optional(),
});

export const patAuthSchema = z.strictObject({
  method: z.literal('pat'),
  token: secretReference,
});

export const oauthAuthSchema = z.strictObject({
  method: z.literal('oauth'),
  clientId,
  clientSecret: secretReference,
  redirectUri: redirectUri.optional(),
});

export const authSchema = z.discriminatedUnion('method', [keyPairAuthSchema, patAuthSchema, oauthAuthSchema], {
  error: (issue) =>
    issue.code === 'invalid_union' ? `must be one of ${AUTH_METHODS.map((m) => `"${m}"`).join(', ')}` : undefined,
});

const intervalsShape = Object.fromEntries(
  SOURCE_IDS.map((id) => [id, duration(MIN_INTERVAL_SECONDS, MAX_INTERVAL_SECONDS).optional()]),
) as Record<SourceId, z.ZodOptional<ReturnType<typeof duration>>>;

export const intervalsSchema = z.strictObject(intervalsShape);

export interface SchemaOptions {
  /** Ids of the custom detections declared in the same file: valid in enabled/disabled lists too. */
  readonly customDetectionIds: ReadonlySet<string>;
}

function detectionIdReference(options: SchemaOptions) {
  const known = [...BUILT_IN_DETECTION_IDS, ...options.customDetectionIds];
  const knownSet = new Set<string>(known);
  return z.string().superRefine((value, context) => {
    if (!knownSet.has(value)) {
      context.addIssue({ code: 'custom', message: `unknown detection id "${value}"${didYouMean(value, known)}` });
    }
  });
}

function detectionsSchema(options: SchemaOptions) {
  const id = detectionIdReference(options);
  return z.strictObject({
    enabled: z.union([z.literal('all'), z.array(id)], { error: 'must be "all" or a list of detection ids' }).optional(),
    disabled: z.array(id, { error: 'must be a list of detection ids' }).optional(),
  });
}

export const queryEventsSchema = z.strictObject({
  scope: z.enum(QUERY_EVENT_SCOPES).optional(),
  text: z.enum(QUERY_TEXT_POLICIES).optional(),
  maxTextLength: z.int().min(16).max(1_000_000).optional(),
});

export const warehouseCostSchema = z.strictObject({
  size: z.enum(WAREHOUSE_SIZES).optional(),
  // Snowflake's AUTO_SUSPEND is in seconds; 0 would mean "never suspend", which no cost estimate can model.
  autoSuspend: duration(1, 7 * 86_400).optional(),
});

export const creditBudgetSchema = z.strictObject({
  // null says "no budget" explicitly, so one account can opt out of a budget set under `defaults`.
  daily: z.number().positive().max(1_000_000).nullable().optional(),
});

export const postureSchema = z.strictObject({
  staleUserDays: z.int().min(1).max(3650).optional(),
  adminRoles: z
    // Compared with the role names of GRANTS_TO_ROLES and GRANTS_TO_USERS, so resolved here to the stored names.
    .array(resolvedObjectName('role'), { error: 'must be a list of role names' })
    .min(1, { error: 'must name at least one role' })
    .optional(),
});

/** A detection parameter's value; its type is checked against the declared default in validate.ts. */
const parameterValue = z.union([z.number(), z.string(), z.boolean(), z.array(z.string())], {
  error: 'must be a number, a string, a boolean or a list of strings',
});

export const detectionParametersSchema = z.record(
  z.string(),
  z.record(z.string(), parameterValue, { error: 'must map parameter names to values' }),
  { error: 'must map detection ids to their parameters' },
);

export const riskScoreSchema = z.strictObject({
  halfLife: duration(3600, 365 * 86_400).optional(),
  topUsers: z.int().min(0).max(200).optional(),
  maxTrackedUsers: z.int().min(1).max(100_000).optional(),
});

// HTTP header field names (RFC 9110 tokens).
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

const otlpEndpoint = z.string().superRefine((value, context) => {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    context.addIssue({ code: 'custom', message: 'must be an absolute http(s) URL, e.g. http://otel-collector:4318' });
  } else if (url.username !== '' || url.password !== '') {
    context.addIssue({ code: 'custom', message: 'must not contain credentials; put them in headers as secret references' });
  }
});

/** OpenTelemetry logs (OTLP/HTTP). Left-out settings come from the OTEL_EXPORTER_OTLP_* variables, then defaults. */
export const otlpSchema = z.strictObject({
  enabled: z.boolean().optional(),
  endpoint: otlpEndpoint.optional(),
  protocol: z.enum(OTLP_PROTOCOLS).optional(),
  headers: z
    .record(z.string().regex(HEADER_NAME, { error: 'must be an HTTP header name' }), secretReference, {
      error: 'must map header names to secret references',
    })
    .optional(),
  timeout: duration(1, 600).optional(),
  compression: z.enum(OTLP_COMPRESSIONS).optional(),
  queueSize: z.int().min(1).max(1_000_000).optional(),
  maxBatch: z.int().min(1).max(100_000).optional(),
  shutdownFlush: duration(0, 600).optional(),
  resourceAttributes: z
    .record(z.string().min(1, { error: 'must not be empty' }), z.string(), { error: 'must map attribute names to strings' })
    .optional(),
});

function tuningShape(options: SchemaOptions) {
  return {
    concurrency: z.int().min(1).max(MAX_CONCURRENCY).optional(),
    intervals: intervalsSchema.optional(),
    detections: detectionsSchema(options).optional(),
    statementTimeout: duration(MIN_STATEMENT_TIMEOUT_SECONDS, MAX_STATEMENT_TIMEOUT_SECONDS).optional(),
    backfill: duration(0, MAX_BACKFILL_SECONDS).optional(),
    cycleDeadline: duration(30, 86_400).optional(),
    overlapMargin: duration(0, 86_400).optional(),
    queryEvents: queryEventsSchema.optional(),
    warehouseCost: warehouseCostSchema.optional(),
    creditBudget: creditBudgetSchema.optional(),
    posture: postureSchema.optional(),
    jitter: duration(0, 3_600).optional(),
    detectionParameters: detectionParametersSchema.optional(),
    riskScore: riskScoreSchema.optional(),
  };
}

function accountSchema(options: SchemaOptions) {
  return z.strictObject({
    name: z.string().regex(ACCOUNT_NAME_PATTERN, {
      error: 'must be a short label of lower-case letters, digits, "_" and "-" (at most 63), used in metric labels',
    }),
    account: z.string().transform((value, context) => {
      try {
        return parseAccountIdentifier(value);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
    endpoint: z
      .string()
      .transform((value, context) => {
        try {
          return parseEndpointOverride(value);
        } catch (error) {
          context.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      })
      .optional(),
    user: objectName('user').optional(),
    role: objectName('role'),
    warehouse: objectName('warehouse'),
    auth: authSchema,
    ...tuningShape(options),
  });
}

const customDetectionSchema = z.strictObject({
  id: z.string().regex(DETECTION_ID_PATTERN, {
    error: 'must look like family.name in lower case (e.g. custom.large_unload)',
  }),
  title: z.string().trim().min(1, { error: 'must not be empty' }).max(200),
  severity: z.enum(SEVERITIES),
  sql: z.string().trim().min(1, { error: 'must not be empty' }),
  description: z.string().optional(),
  schedule: z.enum(SOURCE_IDS as [SourceId, ...SourceId[]]).optional(),
});

/** `host:port` (`[v6]:port` for IPv6) as a ListenAddress; undefined when the text is not one. */
export function parseListenAddress(value: string): ListenAddress | undefined {
  const match = LISTEN.exec(value);
  const port = Number(match?.[2]);
  if (!match || port > 65_535) return undefined;
  return { host: (match[1] ?? '').replace(/^\[(.*)\]$/, '$1'), port };
}

const listenAddress = z.string().transform((value, context): ListenAddress => {
  const address = parseListenAddress(value);
  if (address === undefined) {
    context.addIssue({ code: 'custom', message: 'must be host:port, e.g. 0.0.0.0:9975 or [::]:9975' });
    return z.NEVER;
  }
  return address;
});

/**
 * Sharding accounts across replicas: this process watches the accounts whose name hashes to shard `index` of
 * `shards` (src/config/sharding.ts). In a StatefulSet `index` comes from the pod's ordinal via
 * SNOWFLAKE_RISK_EXPORTER_SHARDING__INDEX.
 */
const shardingSchema = z
  .strictObject({
    shards: z.int().min(1).max(1024),
    index: z.int().min(0).max(1023).optional(),
  })
  .refine((value) => (value.index ?? 0) < value.shards, { error: 'index must be below shards (shards are numbered from 0)', path: ['index'] });

/** Where browsers reach the OAuth onboarding routes: an http(s) origin, optionally with a path prefix (a proxy's). */
const publicUrl = z.string().superRefine((value, context) => {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  const acceptable =
    url !== undefined &&
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === '';
  if (!acceptable) {
    context.addIssue({ code: 'custom', message: 'must be an absolute http(s) URL without credentials, query or fragment' });
  }
});

/** The OAuth consent routes (/oauth/start, /oauth/callback). */
export const onboardingSchema = z.strictObject({
  enabled: z.boolean().optional(),
  listen: listenAddress.optional(),
  publicUrl: publicUrl.optional(),
});

export function createConfigSchema(options: SchemaOptions) {
  return z.strictObject({
    server: z
      .strictObject({
        listen: listenAddress.optional(),
        metricsPath: z
          .string()
          .regex(HTTP_PATH, { error: 'must be a path starting with "/" (letters, digits, "-", "_", ".", "~", "/")' })
          .refine((path) => !RESERVED_HTTP_PATHS.includes(path), {
            error: `must not be one of the exporter's own paths (${RESERVED_HTTP_PATHS.join(', ')})`,
          })
          .optional(),
        onboarding: onboardingSchema.optional(),
      })
      .optional(),
    log: z.strictObject({ level: z.enum(LOG_LEVELS).optional() }).optional(),
    state: z
      .strictObject({
        path: z.string().min(1, { error: 'must not be empty' }).optional(),
        // The key OAuth tokens are sealed with (AES-256-GCM), and keys of earlier rotations that may still open rows.
        encryptionKey: secretReference.optional(),
        previousEncryptionKeys: z.array(secretReference, { error: 'must be a list of secret references' }).optional(),
      })
      .optional(),
    defaults: z.strictObject(tuningShape(options)).optional(),
    accounts: z
      .array(accountSchema(options), { error: 'must be a list of accounts' })
      .min(1, { error: 'at least one account is required' }),
    customDetections: z.array(customDetectionSchema, { error: 'must be a list' }).optional(),
    otlp: otlpSchema.optional(),
    sharding: shardingSchema.optional(),
  });
}

export type ConfigSchema = ReturnType<typeof createConfigSchema>;
export type ParsedConfigFile = z.output<ConfigSchema>;
export type ParsedAccount = ParsedConfigFile['accounts'][number];
export type ParsedTuning = NonNullable<ParsedConfigFile['defaults']>;
