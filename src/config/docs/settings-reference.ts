// The prose of the configuration reference: default and meaning per setting. Which settings exist and their types
// come from the schema (schema-paths.ts); test/unit/config/reference.test.ts fails when a schema key has no entry
// here or an entry names no schema key, and `npm run generate` writes the README tables from both.
import { SOURCE_IDS, SOURCES } from '../../collect/source-ids.ts';
import { formatDuration } from '../duration.ts';
import { DEFAULTS } from '../types.ts';

export interface SettingDoc {
  /** Markdown; computed from DEFAULTS where there is one, so the table cannot drift from the code. */
  readonly default: string;
  readonly meaning: string;
}

const code = (value: string | number): string => `\`${value}\``;
const seconds = (value: number): string => code(formatDuration(value));

/** Per-source intervals are one row: `defaults.intervals.<source>`. */
export const INTERVALS_ROW = 'intervals.<source>';

const TUNING: Readonly<Record<string, SettingDoc>> = {
  concurrency: {
    default: code(DEFAULTS.concurrency),
    meaning: "statements in flight per account; 8 is a warehouse's default `MAX_CONCURRENCY_LEVEL`, so a cycle's burst is as short as the warehouse allows",
  },
  [INTERVALS_ROW]: {
    default: 'per source (in meaning)',
    meaning: `how often a source is read, at least \`60s\`; sources: ${SOURCE_IDS.map((id) => `\`${id}\` ${formatDuration(SOURCES[id].defaultIntervalSeconds)}`).join(', ')}`,
  },
  'detections.enabled': { default: code('all'), meaning: '`all`, or a list of detection ids' },
  'detections.disabled': { default: '`[]`', meaning: 'detection ids switched off; wins over `enabled`' },
  statementTimeout: { default: seconds(DEFAULTS.statementTimeoutSeconds), meaning: 'per-statement timeout sent to Snowflake (`10s` to `7d`)' },
  backfill: { default: seconds(DEFAULTS.backfillSeconds), meaning: 'how far back an event stream reads on its first run (0 to `365d`)' },
  cycleDeadline: {
    default: seconds(DEFAULTS.cycleDeadlineSeconds),
    meaning: 'a collection cycle still running after this is cancelled, its statements too (`30s` to `1d`)',
  },
  overlapMargin: {
    default: seconds(DEFAULTS.overlapMarginSeconds),
    meaning: "each stream re-reads this much more than its view's documented latency behind the watermark (0 to `1d`)",
  },
  'queryEvents.scope': { default: code(DEFAULTS.queryEvents.scope), meaning: 'which queries become events: `all`, `risky` (those matching a detection) or `none`' },
  'queryEvents.text': {
    default: code(DEFAULTS.queryEvents.text),
    meaning: 'query text in events: `full`, `truncate`, `redact` (literals replaced, then truncated) or `none`; rules on query events always judge the original text',
  },
  'queryEvents.maxTextLength': { default: code(DEFAULTS.queryEvents.maxTextLength), meaning: 'characters of query text kept under `truncate` and `redact`' },
  'warehouseCost.size': { default: code(DEFAULTS.warehouseCost.size), meaning: 'size of the warehouse, for the cost estimate (1 to 512 credits per hour)' },
  'warehouseCost.autoSuspend': { default: seconds(DEFAULTS.warehouseCost.autoSuspendSeconds), meaning: "the warehouse's `AUTO_SUSPEND`, for the cost estimate (`1s` to `7d`)" },
  'creditBudget.daily': {
    default: code('null'),
    meaning: 'estimated credits per UTC day; once reached, non-critical sources wait for the next day; `null`: no budget',
  },
  'posture.staleUserDays': { default: code(DEFAULTS.posture.staleUserDays), meaning: 'an enabled user whose last login is older (or who never logged in) counts as stale' },
  'posture.adminRoles': {
    default: code(`[${DEFAULTS.posture.adminRoles.join(', ')}]`),
    meaning: "roles whose holders, directly or through the role hierarchy, count as admins; unquoted names are upper-cased as Snowflake does, write `'\"Mixed Case\"'` for a quoted one",
  },
  jitter: {
    default: seconds(DEFAULTS.jitterSeconds),
    meaning: "upper bound of a random delay before an account's first cycle, so accounts do not all fire together (0 to `1h`)",
  },
  detectionParameters: {
    default: '`{}`',
    meaning:
      "per detection id, parameter values overriding the detection's defaults (`{ exfil.guardrail_disabled: { guardrails: [...] } }`); unknown ids, unknown names and values of another type than the default are errors; merged per parameter with the account's own",
  },
  'riskScore.halfLife': { default: seconds(DEFAULTS.riskScore.halfLifeSeconds), meaning: "a finding's contribution to the risk score halves after this long (`1h` to `365d`)" },
  'riskScore.topUsers': {
    default: code(DEFAULTS.riskScore.topUsers),
    meaning: 'riskiest users exposed with a `user` label: `snowflake_risk_user_risk_score` and the per-user activity gauges `snowflake_risk_user_*`',
  },
  'riskScore.maxTrackedUsers': {
    default: code(DEFAULTS.riskScore.maxTrackedUsers),
    meaning: 'users whose score is kept in memory per account (beyond it the lowest score is evicted); also sizes the per-user activity memory (at most 3 × this many users)',
  },
};

/** Top-level settings; `defaults.*` are the TUNING keys, also settable per account. */
export const SETTINGS_REFERENCE: Readonly<Record<string, SettingDoc>> = {
  'server.listen': { default: code(`${DEFAULTS.listen.host}:${DEFAULTS.listen.port}`), meaning: '`host:port` of the HTTP server (`[::]:9975` for IPv6)' },
  'server.metricsPath': {
    default: code(DEFAULTS.metricsPath),
    meaning: 'path of the Prometheus endpoint; not one of the exporter\'s own paths (`/`, `/api/status`, `/healthz`, `/readyz`, `/oauth/start`, `/oauth/callback`)',
  },
  'server.onboarding.enabled': {
    default: code('true'),
    meaning: 'serve the OAuth consent routes `/oauth/start` and `/oauth/callback` (only when an account uses OAuth); `false` keeps stored grants working but nobody can (re)connect',
  },
  'server.onboarding.listen': { default: '(none)', meaning: '`host:port` to serve the consent routes on their own instead of on `server.listen` (another port than it)' },
  'server.onboarding.publicUrl': {
    default: '`http://127.0.0.1:<port>`',
    meaning: 'how browsers reach the consent routes (may end in a path prefix of a proxy); the redirect URI is `<publicUrl>/oauth/callback`, and `https` makes the state cookie `Secure`',
  },
  'log.level': { default: code(DEFAULTS.logLevel), meaning: 'level of the process log (JSON lines on stderr)' },
  'state.path': { default: code(DEFAULTS.statePath), meaning: 'durable state: watermarks, delivered ids, the day\'s credit spend, sealed OAuth tokens' },
  'state.encryptionKey': {
    default: '(none)',
    meaning: 'reference (`env:`/`file:`) to 32 random bytes, base64 or hex, that seal OAuth tokens at rest; without it OAuth accounts cannot be connected (see [Connecting with OAuth](#connecting-with-oauth))',
  },
  'state.previousEncryptionKeys': { default: '`[]`', meaning: 'references to keys of earlier rotations: they only open stored tokens, which are sealed again with `encryptionKey`' },
  ...Object.fromEntries(Object.entries(TUNING).map(([key, doc]) => [`defaults.${key}`, doc])),
  accounts: { default: '(required)', meaning: 'at least one account, see [below](#accounts)' },
  customDetections: {
    default: '`[]`',
    meaning: 'your own detections: `id` (`family.name`), `title`, `severity` (`info`, `low`, `medium`, `high`, `critical`), `sql`, optional `description` and `schedule` (see [Custom detections](#custom-detections))',
  },
  'otlp.enabled': { default: '`true` when the section exists', meaning: '`false` keeps the section but sends nothing' },
  'otlp.endpoint': {
    default: '`OTEL_EXPORTER_OTLP_LOGS_ENDPOINT` (as written), else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/logs`, else `http://localhost:4318/v1/logs`',
    meaning: 'collector base URL; `/v1/logs` is appended unless the path already ends with it; no credentials in the URL',
  },
  'otlp.protocol': { default: '`OTEL_EXPORTER_OTLP_LOGS_PROTOCOL`, else `OTEL_EXPORTER_OTLP_PROTOCOL`, else `http/protobuf`', meaning: 'gRPC is refused at start' },
  'otlp.headers': {
    default: '`OTEL_EXPORTER_OTLP_LOGS_HEADERS` / `OTEL_EXPORTER_OTLP_HEADERS`',
    meaning: "header name → secret reference (`env:NAME`, `file:PATH`); added to the variables' headers, a configured name wins",
  },
  'otlp.timeout': {
    default: '`OTEL_EXPORTER_OTLP_LOGS_TIMEOUT` / `OTEL_EXPORTER_OTLP_TIMEOUT`, else `10s`',
    meaning: "per export, including the exporter's own retries (`1s` to `10m`)",
  },
  'otlp.compression': { default: '`OTEL_EXPORTER_OTLP_LOGS_COMPRESSION` / `OTEL_EXPORTER_OTLP_COMPRESSION`, else `none`', meaning: 'request body compression' },
  'otlp.queueSize': { default: code(DEFAULTS.otlp.queueSize), meaning: 'records that may wait for the collector at once; when full, collection waits (nothing is dropped)' },
  'otlp.maxBatch': { default: code(DEFAULTS.otlp.maxBatch), meaning: 'records per request, at most `queueSize`' },
  'otlp.shutdownFlush': { default: seconds(DEFAULTS.otlp.shutdownFlushSeconds), meaning: 'how long shutdown waits for the collector (0 to `10m`)' },
  'otlp.resourceAttributes': { default: '`{}`', meaning: 'extra resource attributes; they win over `OTEL_RESOURCE_ATTRIBUTES`' },
  'sharding.shards': { default: '(no sharding)', meaning: 'replicas sharing the accounts; each watches the accounts whose name hashes to its index (see [sharding](#many-accounts-sharding))' },
  'sharding.index': { default: code(0), meaning: 'this replica, from 0 (`SNOWFLAKE_RISK_EXPORTER_SHARDING__INDEX` from a StatefulSet ordinal)' },
};

export interface AccountKeyDoc {
  readonly required: string;
  readonly meaning: string;
}

/** Keys of an `accounts` entry besides the tuning keys (which override `defaults.*`). */
export const ACCOUNT_REFERENCE: Readonly<Record<string, AccountKeyDoc>> = {
  name: { required: 'yes', meaning: 'short label used in metrics and logs: lower-case letters, digits, `_`, `-`; unique' },
  account: { required: 'yes', meaning: 'Snowflake account identifier ([rules](#account-identifiers))' },
  endpoint: { required: 'no', meaning: 'explicit base URL (emulator, private link, proxy); the only way to use another host' },
  user: {
    required: 'for `keypair`',
    meaning: 'Snowflake user; with `oauth`, the only user whose consent is accepted. Written like `role` ([names](#snowflake-names))',
  },
  role: {
    required: 'yes',
    meaning: 'role the statements run with, written as in SQL ([names](#snowflake-names)): `risk_exporter` is the role `RISK_EXPORTER`, `\'"Risk Exporter"\'` keeps its case',
  },
  warehouse: { required: 'yes', meaning: 'warehouse the statements run on, written like `role` ([names](#snowflake-names))' },
  auth: {
    required: 'yes',
    meaning: '`{method: keypair, privateKey, passphrase?}`, `{method: pat, token}` or `{method: oauth, clientId, clientSecret, redirectUri?}`; secrets as `env:`/`file:` references',
  },
};

export const TUNING_KEYS: readonly string[] = Object.keys(TUNING);
