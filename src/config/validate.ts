// Turns a parsed configuration document (YAML already read, overrides already applied) into an ExporterConfig, or
// into the complete list of what is wrong with it. Three independent passes each add problems, so one mistake never
// hides another: the schema (field rules), cross-field rules, and reading the referenced secrets.
import { resolve } from 'node:path';
import type { z } from 'zod';
import { SOURCE_IDS, SOURCES, type SourceId } from '../collect/source-ids.ts';
import { BUILT_IN_DETECTION_IDS } from '../detect/catalog-ids.ts';
import { BUILT_IN_DETECTIONS } from '../detect/catalog/index.ts';
import { CustomDetectionError, prepareCustomSql } from '../detect/custom.ts';
import type { DetectionParameter, ParameterValues } from '../detect/types.ts';
import { redactText, type Secret } from '../util/secret.ts';
import { DEFAULT_OTLP_ENDPOINT, OtlpSettingsError, resolveEndpoint as resolveOtlpEndpoint } from '../export/otlp/settings.ts';
import { checkKeyPair } from './key-pair-check.ts';
import {
  AUTH_METHODS,
  createConfigSchema,
  parseListenAddress,
  type ListenAddress,
  SECRET_FIELDS,
  type AuthMethod,
  type ParsedAccount,
  type ParsedConfigFile,
  type ParsedTuning,
} from './schema.ts';
import { objectKeysAt, type PathSegment } from './schema-walk.ts';
import { parseSecretReference, resolveSecretReference } from './secret-reference.ts';
import { onboardingWarnings, resolveStateSecrets, type ResolvedStateSecrets } from './state-secrets.ts';
import { didYouMean } from './suggest.ts';
import { DEFAULTS, type AccountConfig, type AuthConfig, type CollectionSettings, type ExporterConfig } from './types.ts';

export interface PathProblem {
  readonly path: readonly PathSegment[];
  readonly message: string;
}

export interface ValidateOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory that relative paths in the document start from (the configuration file's directory). */
  readonly baseDir: string;
  /** Directory that built-in relative defaults (the state file) start from. */
  readonly cwd: string;
  /** Absolute path of the configuration file, recorded in the result. */
  readonly sourcePath: string;
}

export interface ValidateResult {
  readonly config: ExporterConfig | undefined;
  readonly problems: readonly PathProblem[];
  readonly warnings: readonly PathProblem[];
  /** Every secret text seen (inline values and resolved ones), for redacting messages built later. */
  readonly secretTexts: readonly string[];
}

export function validateConfigDocument(document: unknown, options: ValidateOptions): ValidateResult {
  const schema = createConfigSchema({ customDetectionIds: new Set(customDetectionIds(document)) });
  const problems: PathProblem[] = [];
  const warnings: PathProblem[] = [];
  const secretTexts: string[] = [];

  const parsed = schema.safeParse(document);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(...describeIssue(issue, document, schema));
  }
  problems.push(...crossFieldProblems(document));
  problems.push(...detectionParameterProblems(document));
  const secrets = resolveSecrets(document, options, problems, warnings, secretTexts);
  keyPairProblems(document, secrets, problems, warnings);
  const stateSecrets = resolveStateSecrets(document, { env: options.env, baseDir: options.baseDir }, problems, warnings, secretTexts);
  warnings.push(...onboardingWarnings(document));
  problems.push(...otlpProblems(document, options.env));
  problems.push(...listenProblems(document));
  const otlpHeaders = resolveOtlpHeaders(document, options, problems, warnings, secretTexts);

  const redact = (list: PathProblem[]): PathProblem[] =>
    list.map((problem) => ({ path: problem.path, message: redactText(problem.message, secretTexts) }));
  const config =
    parsed.success && problems.length === 0
      ? withOtlp(buildConfig(parsed.data, secrets, options, stateSecrets), parsed.data, otlpHeaders)
      : undefined;
  return { config, problems: redact(problems), warnings: redact(warnings), secretTexts };
}

function customDetectionIds(document: unknown): string[] {
  const list = valueAt(document, ['customDetections']);
  if (!Array.isArray(list)) return [];
  return list.map((entry) => valueAt(entry, ['id'])).filter((id): id is string => typeof id === 'string');
}

function describeIssue(issue: z.core.$ZodIssue, document: unknown, schema: z.ZodType): PathProblem[] {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  const value = valueAt(document, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = objectKeysAt(schema, path, value);
      return issue.keys.map((key) => ({
        path: [...path, key],
        message: `unknown key${didYouMean(key, allowed)}${allowed.length > 0 ? `; allowed here: ${allowed.join(', ')}` : ''}`,
      }));
    }
    case 'invalid_type':
      if (value === undefined) return [{ path, message: 'is required' }];
      return [{ path, message: plain(issue.message) }];
    case 'invalid_union':
      if (value === undefined) return [{ path, message: 'is required' }];
      return [{ path, message: issue.message }];
    default:
      return [{ path, message: plain(issue.message) }];
  }
}

/** zod's "Invalid input: expected ..." reads better as "expected ..." after a path. */
function plain(message: string): string {
  return message.replace(/^Invalid (?:input|option): /, '');
}

function crossFieldProblems(document: unknown): PathProblem[] {
  const problems: PathProblem[] = [];
  const accounts = valueAt(document, ['accounts']);
  if (Array.isArray(accounts)) {
    const firstIndexByName = new Map<string, number>();
    accounts.forEach((account, index) => {
      const name = valueAt(account, ['name']);
      if (typeof name === 'string') {
        const first = firstIndexByName.get(name);
        if (first === undefined) firstIndexByName.set(name, index);
        else {
          problems.push({
            path: ['accounts', index, 'name'],
            message: `duplicate account name "${name}" (also accounts[${first}])`,
          });
        }
      }
      if (valueAt(account, ['auth', 'method']) === 'keypair' && valueAt(account, ['user']) === undefined) {
        problems.push({
          path: ['accounts', index, 'user'],
          message: 'is required for key-pair authentication (the JWT names the user)',
        });
      }
    });
  }
  const custom = valueAt(document, ['customDetections']);
  if (Array.isArray(custom)) {
    const builtIn = new Set<string>(BUILT_IN_DETECTION_IDS);
    const seen = new Map<string, number>();
    custom.forEach((entry, index) => {
      const id = valueAt(entry, ['id']);
      if (typeof id !== 'string') return;
      const path = ['customDetections', index, 'id'];
      if (builtIn.has(id)) problems.push({ path, message: `"${id}" is a built-in detection id; choose another` });
      const first = seen.get(id);
      if (first === undefined) seen.set(id, index);
      else problems.push({ path, message: `duplicate detection id "${id}" (also customDetections[${first}])` });
      const sql = valueAt(entry, ['sql']);
      if (typeof sql === 'string' && sql.trim() !== '') {
        try {
          prepareCustomSql(id, sql);
        } catch (error) {
          if (!(error instanceof CustomDetectionError)) throw error;
          problems.push({ path: ['customDetections', index, 'sql'], message: error.message.replace(/^custom detection \S+: /, '') });
        }
      }
    });
  }
  return problems;
}

/** The parameters each known detection declares: built-ins from the catalog; custom detections declare none. */
function declaredParameters(document: unknown): Map<string, Readonly<Record<string, DetectionParameter>>> {
  const declared = new Map<string, Readonly<Record<string, DetectionParameter>>>();
  for (const id of BUILT_IN_DETECTION_IDS) declared.set(id, {});
  // One id may have several definitions (an event rule and a posture rule): their parameters together.
  for (const detection of BUILT_IN_DETECTIONS) declared.set(detection.id, { ...declared.get(detection.id), ...detection.parameters });
  for (const id of customDetectionIds(document)) if (!declared.has(id)) declared.set(id, {});
  return declared;
}

function typeOfParameter(value: unknown): string {
  if (Array.isArray(value)) return 'a list of strings';
  return `a ${typeof value}`;
}

/**
 * `detectionParameters` (under `defaults` and each account): every detection id must exist, every parameter name
 * must be one the detection declares, and every value must have the type of the declared default.
 */
function detectionParameterProblems(document: unknown): PathProblem[] {
  const problems: PathProblem[] = [];
  const declared = declaredParameters(document);
  const knownIds = [...declared.keys()];
  const check = (base: readonly PathSegment[]): void => {
    const section = valueAt(document, [...base, 'detectionParameters']);
    if (typeof section !== 'object' || section === null || Array.isArray(section)) return;
    for (const [id, values] of Object.entries(section as Record<string, unknown>)) {
      const path = [...base, 'detectionParameters', id];
      const parameters = declared.get(id);
      if (parameters === undefined) {
        problems.push({ path, message: `unknown detection id "${id}"${didYouMean(id, knownIds)}` });
        continue;
      }
      if (typeof values !== 'object' || values === null || Array.isArray(values)) continue; // the schema reports it
      const names = Object.keys(parameters);
      for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
        const parameter = parameters[name];
        if (parameter === undefined) {
          const allowed = names.length === 0 ? 'it declares no parameters' : `allowed here: ${names.join(', ')}`;
          problems.push({ path: [...path, name], message: `unknown parameter of ${id}${didYouMean(name, names)}; ${allowed}` });
          continue;
        }
        const expected = typeOfParameter(parameter.default);
        const validList = Array.isArray(value) && value.every((item) => typeof item === 'string');
        if (typeOfParameter(value) !== expected || (Array.isArray(value) && !validList)) {
          problems.push({ path: [...path, name], message: `must be ${expected} (like its default)` });
        } else if (typeof value === 'number' && !Number.isFinite(value)) {
          problems.push({ path: [...path, name], message: 'must be a finite number' });
        }
      }
    }
  };
  check(['defaults']);
  const accounts = valueAt(document, ['accounts']);
  if (Array.isArray(accounts)) accounts.forEach((_account, index) => check(['accounts', index]));
  return problems;
}

/** Per detection, the defaults' values under the account's (per parameter, the account wins). */
function mergeDetectionParameters(
  defaults: Readonly<Record<string, ParameterValues>> | undefined,
  account: Readonly<Record<string, ParameterValues>> | undefined,
): Record<string, ParameterValues> {
  const merged: Record<string, ParameterValues> = {};
  for (const id of new Set([...Object.keys(defaults ?? {}), ...Object.keys(account ?? {})])) {
    merged[id] = { ...defaults?.[id], ...account?.[id] };
  }
  return merged;
}

interface ResolvedSecrets {
  readonly byAccount: Map<number, Map<string, Secret>>;
  readonly clientIds: Map<number, string>;
}

function resolveSecrets(
  document: unknown,
  options: ValidateOptions,
  problems: PathProblem[],
  warnings: PathProblem[],
  secretTexts: string[],
): ResolvedSecrets {
  const result: ResolvedSecrets = { byAccount: new Map(), clientIds: new Map() };
  const accounts = valueAt(document, ['accounts']);
  if (!Array.isArray(accounts)) return result;
  const context = { env: options.env, baseDir: options.baseDir };
  accounts.forEach((account, index) => {
    const auth = valueAt(account, ['auth']);
    const method = valueAt(auth, ['method']);
    const fields: readonly string[] = isAuthMethod(method) ? SECRET_FIELDS[method] : allSecretFields();
    const secrets = new Map<string, Secret>();
    for (const field of fields) {
      const raw = valueAt(auth, [field]);
      if (typeof raw !== 'string') continue;
      const reference = parseSecretReference(raw);
      if ('error' in reference) {
        // The schema reports the inline value; remember it so no message can ever repeat it.
        secretTexts.push(raw);
        continue;
      }
      if (!isAuthMethod(method)) continue;
      const path = ['accounts', index, 'auth', field];
      const resolution = resolveSecretReference(reference, context);
      if (!resolution.ok) {
        problems.push({ path, message: resolution.error });
        continue;
      }
      secretTexts.push(resolution.secret.reveal());
      secrets.set(field, resolution.secret);
      if (resolution.warning !== undefined) warnings.push({ path, message: resolution.warning });
    }
    result.byAccount.set(index, secrets);
    const clientId = valueAt(auth, ['clientId']);
    const clientIdIsReference =
      typeof clientId === 'string' && (clientId.startsWith('env:') || clientId.startsWith('file:'));
    if (method === 'oauth' && clientIdIsReference) {
      const reference = parseSecretReference(clientId);
      if ('error' in reference) return; // reported by the schema
      const resolution = resolveSecretReference(reference, context);
      if (resolution.ok) result.clientIds.set(index, resolution.secret.reveal());
      else problems.push({ path: ['accounts', index, 'auth', 'clientId'], message: resolution.error });
    }
  });
  return result;
}

/** Every key-pair account whose key (and passphrase, if any) could be read: the key must be one Snowflake accepts. */
function keyPairProblems(document: unknown, secrets: ResolvedSecrets, problems: PathProblem[], warnings: PathProblem[]): void {
  const accounts = valueAt(document, ['accounts']);
  if (!Array.isArray(accounts)) return;
  accounts.forEach((account, index) => {
    if (valueAt(account, ['auth', 'method']) !== 'keypair') return;
    const resolved = secrets.byAccount.get(index);
    const privateKey = resolved?.get('privateKey');
    const passphrase = resolved?.get('passphrase');
    // A passphrase that is written but could not be read is reported already; checking without it would mislead.
    if (privateKey === undefined || (valueAt(account, ['auth', 'passphrase']) !== undefined && passphrase === undefined)) return;
    checkKeyPair({ authPath: ['accounts', index, 'auth'], privateKey, passphrase }, problems, warnings);
  });
}

/**
 * A request may not carry more than the queue holds; and where the endpoint or protocol is left to the
 * OTEL_EXPORTER_OTLP_* variables, those must hold something the sink can use (it would refuse them at start).
 */
function otlpProblems(document: unknown, env: ValidateOptions['env']): PathProblem[] {
  const problems: PathProblem[] = [];
  const queueSize = valueAt(document, ['otlp', 'queueSize']) ?? DEFAULTS.otlp.queueSize;
  const maxBatch = valueAt(document, ['otlp', 'maxBatch']) ?? DEFAULTS.otlp.maxBatch;
  if (typeof queueSize === 'number' && typeof maxBatch === 'number' && maxBatch > queueSize) {
    problems.push({ path: ['otlp', 'maxBatch'], message: `must not exceed otlp.queueSize (${queueSize})` });
  }
  const section = valueAt(document, ['otlp']);
  const enabled = valueAt(section, ['enabled']);
  if (typeof section !== 'object' || section === null || enabled === false) return problems;
  const endpoint = valueAt(section, ['endpoint']);
  const protocol = valueAt(section, ['protocol']);
  const fromEnv = (field: 'endpoint' | 'protocol', resolve: () => unknown): void => {
    try {
      resolve();
    } catch (error) {
      if (!(error instanceof OtlpSettingsError)) throw error;
      problems.push({ path: ['otlp', field], message: `is not set, and ${error.message}` });
    }
  };
  // Each checked alone, so that one bad variable does not hide the other.
  if (endpoint === undefined) fromEnv('endpoint', () => resolveOtlpEndpoint({ endpoint: undefined, protocol: 'http/protobuf' }, env));
  if (protocol === undefined) fromEnv('protocol', () => resolveOtlpEndpoint({ endpoint: DEFAULT_OTLP_ENDPOINT, protocol: undefined }, env));
  return problems;
}

/**
 * A separate onboarding listener on the address of the main one cannot start (the address is taken by the time it
 * binds). Checked only where it would be used: onboarding enabled and at least one account signing in with OAuth.
 */
function listenProblems(document: unknown): PathProblem[] {
  const onboarding = valueAt(document, ['server', 'onboarding']);
  const separate = valueAt(onboarding, ['listen']);
  if (typeof separate !== 'string' || valueAt(onboarding, ['enabled']) === false) return [];
  const accounts = valueAt(document, ['accounts']);
  if (!Array.isArray(accounts) || !accounts.some((account) => valueAt(account, ['auth', 'method']) === 'oauth')) return [];
  const main = valueAt(document, ['server', 'listen']);
  const mainAddress = main === undefined ? DEFAULTS.listen : typeof main === 'string' ? parseListenAddress(main) : undefined;
  const separateAddress = parseListenAddress(separate);
  if (mainAddress === undefined || separateAddress === undefined) return []; // the schema reports them
  if (!addressesOverlap(mainAddress, separateAddress)) return [];
  return [
    {
      path: ['server', 'onboarding', 'listen'],
      message:
        `takes the address of server.listen (${formatListen(mainAddress)}), so one of the two listeners cannot start; ` +
        'choose another port, or leave it out to serve the consent routes on server.listen',
    },
  ];
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/** Two listeners collide on the same port when their hosts are equal or either listens on every address. */
function addressesOverlap(a: ListenAddress, b: ListenAddress): boolean {
  if (a.port !== b.port || a.port === 0) return false;
  return a.host === b.host || WILDCARD_HOSTS.has(a.host) || WILDCARD_HOSTS.has(b.host);
}

function formatListen(address: ListenAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** OTLP header values are secret references (an Authorization token, an API key): read them like account secrets. */
function resolveOtlpHeaders(
  document: unknown,
  options: ValidateOptions,
  problems: PathProblem[],
  warnings: PathProblem[],
  secretTexts: string[],
): Map<string, Secret> {
  const headers = new Map<string, Secret>();
  const section = valueAt(document, ['otlp', 'headers']);
  if (typeof section !== 'object' || section === null || Array.isArray(section)) return headers;
  for (const [name, raw] of Object.entries(section as Record<string, unknown>)) {
    if (typeof raw !== 'string') continue;
    const reference = parseSecretReference(raw);
    if ('error' in reference) {
      secretTexts.push(raw); // the schema reports it; no message may repeat an inline value
      continue;
    }
    const path = ['otlp', 'headers', name];
    const resolution = resolveSecretReference(reference, { env: options.env, baseDir: options.baseDir });
    if (!resolution.ok) {
      problems.push({ path, message: resolution.error });
      continue;
    }
    secretTexts.push(resolution.secret.reveal());
    headers.set(name, resolution.secret);
    if (resolution.warning !== undefined) warnings.push({ path, message: resolution.warning });
  }
  return headers;
}

function withOtlp(config: ExporterConfig, parsed: ParsedConfigFile, headers: Map<string, Secret>): ExporterConfig {
  const otlp = parsed.otlp;
  return deepFreeze({
    ...config,
    otlp: {
      // A section written out means "send logs" unless it says otherwise.
      enabled: otlp === undefined ? false : (otlp.enabled ?? true),
      endpoint: otlp?.endpoint,
      protocol: otlp?.protocol,
      headers: Object.fromEntries(headers),
      timeoutSeconds: otlp?.timeout,
      compression: otlp?.compression,
      queueSize: otlp?.queueSize ?? DEFAULTS.otlp.queueSize,
      maxBatch: otlp?.maxBatch ?? DEFAULTS.otlp.maxBatch,
      shutdownFlushSeconds: otlp?.shutdownFlush ?? DEFAULTS.otlp.shutdownFlushSeconds,
      resourceAttributes: { ...otlp?.resourceAttributes },
    },
  });
}

function isAuthMethod(value: unknown): value is AuthMethod {
  return typeof value === 'string' && (AUTH_METHODS as readonly string[]).includes(value);
}

function allSecretFields(): string[] {
  return AUTH_METHODS.flatMap((method) => SECRET_FIELDS[method]);
}

function buildConfig(
  parsed: ParsedConfigFile,
  secrets: ResolvedSecrets,
  options: ValidateOptions,
  stateSecrets: ResolvedStateSecrets,
): ExporterConfig {
  const defaults: ParsedTuning = parsed.defaults ?? {};
  const customDetections = (parsed.customDetections ?? []).map((detection) => ({
    id: detection.id,
    title: detection.title,
    severity: detection.severity,
    sql: detection.sql,
    description: detection.description,
    ...(detection.schedule === undefined ? {} : { schedule: detection.schedule }),
  }));
  const allDetectionIds = [...BUILT_IN_DETECTION_IDS, ...customDetections.map((detection) => detection.id)];
  const accounts = parsed.accounts.map((account, index): AccountConfig => {
    const accountSecrets = secrets.byAccount.get(index) ?? new Map<string, Secret>();
    const enabled = account.detections?.enabled ?? defaults.detections?.enabled ?? 'all';
    const disabled = new Set(account.detections?.disabled ?? defaults.detections?.disabled ?? []);
    // Disabled wins over enabled: switching a noisy detection off must not require restating the whole list.
    const detections = [...new Set(enabled === 'all' ? allDetectionIds : enabled)].filter((id) => !disabled.has(id)).sort();
    return {
      name: account.name,
      identifier: account.account,
      endpoint: account.endpoint,
      baseUrl: account.endpoint?.baseUrl ?? account.account.baseUrl,
      user: account.user,
      role: account.role,
      warehouse: account.warehouse,
      auth: buildAuth(account, accountSecrets, secrets.clientIds.get(index)),
      concurrency: account.concurrency ?? defaults.concurrency ?? DEFAULTS.concurrency,
      intervalSeconds: Object.fromEntries(
        SOURCE_IDS.map((id) => [id, account.intervals?.[id] ?? defaults.intervals?.[id] ?? SOURCES[id].defaultIntervalSeconds]),
      ) as Record<SourceId, number>,
      detections,
      statementTimeoutSeconds: account.statementTimeout ?? defaults.statementTimeout ?? DEFAULTS.statementTimeoutSeconds,
      ...collectionTuning(account, defaults),
      detectionParameters: mergeDetectionParameters(defaults.detectionParameters, account.detectionParameters),
      riskScore: {
        halfLifeSeconds: account.riskScore?.halfLife ?? defaults.riskScore?.halfLife ?? DEFAULTS.riskScore.halfLifeSeconds,
        topUsers: account.riskScore?.topUsers ?? defaults.riskScore?.topUsers ?? DEFAULTS.riskScore.topUsers,
        maxTrackedUsers: account.riskScore?.maxTrackedUsers ?? defaults.riskScore?.maxTrackedUsers ?? DEFAULTS.riskScore.maxTrackedUsers,
      },
    };
  });
  const statePath = parsed.state?.path;
  return deepFreeze({
    sourcePath: options.sourcePath,
    server: {
      listen: parsed.server?.listen ?? { ...DEFAULTS.listen },
      metricsPath: parsed.server?.metricsPath ?? DEFAULTS.metricsPath,
      // Absent when not configured: the runtime applies the defaults (enabled, on `listen`, derived public URL).
      ...(parsed.server?.onboarding === undefined
        ? {}
        : {
            onboarding: {
              enabled: parsed.server.onboarding.enabled ?? true,
              listen: parsed.server.onboarding.listen,
              publicUrl: parsed.server.onboarding.publicUrl,
            },
          }),
    },
    log: { level: parsed.log?.level ?? DEFAULTS.logLevel },
    state: {
      path: statePath === undefined ? resolve(options.cwd, DEFAULTS.statePath) : resolve(options.baseDir, statePath),
      ...(stateSecrets.encryptionKey === undefined ? {} : { encryptionKey: stateSecrets.encryptionKey }),
      ...(stateSecrets.previousEncryptionKeys.length === 0 ? {} : { previousEncryptionKeys: stateSecrets.previousEncryptionKeys }),
    },
    accounts,
    customDetections,
    ...(parsed.sharding === undefined ? {} : { sharding: { shards: parsed.sharding.shards, index: parsed.sharding.index ?? 0 } }),
  });
}

/** The collection engine's settings: per key, the account's value, then the defaults', then the built-in one. */
function collectionTuning(account: ParsedAccount, defaults: ParsedTuning): CollectionSettings {
  // `daily: null` is a value (no budget), so only an absent key falls through to the defaults.
  const accountDaily = account.creditBudget?.daily;
  const daily = accountDaily !== undefined ? accountDaily : defaults.creditBudget?.daily;
  return {
    backfillSeconds: account.backfill ?? defaults.backfill ?? DEFAULTS.backfillSeconds,
    cycleDeadlineSeconds: account.cycleDeadline ?? defaults.cycleDeadline ?? DEFAULTS.cycleDeadlineSeconds,
    overlapMarginSeconds: account.overlapMargin ?? defaults.overlapMargin ?? DEFAULTS.overlapMarginSeconds,
    queryEvents: {
      scope: account.queryEvents?.scope ?? defaults.queryEvents?.scope ?? DEFAULTS.queryEvents.scope,
      text: account.queryEvents?.text ?? defaults.queryEvents?.text ?? DEFAULTS.queryEvents.text,
      maxTextLength:
        account.queryEvents?.maxTextLength ?? defaults.queryEvents?.maxTextLength ?? DEFAULTS.queryEvents.maxTextLength,
    },
    warehouseCost: {
      size: account.warehouseCost?.size ?? defaults.warehouseCost?.size ?? DEFAULTS.warehouseCost.size,
      autoSuspendSeconds:
        account.warehouseCost?.autoSuspend ?? defaults.warehouseCost?.autoSuspend ?? DEFAULTS.warehouseCost.autoSuspendSeconds,
    },
    creditBudget: { daily: daily ?? undefined },
    posture: {
      staleUserDays: account.posture?.staleUserDays ?? defaults.posture?.staleUserDays ?? DEFAULTS.posture.staleUserDays,
      adminRoles: [...new Set(account.posture?.adminRoles ?? defaults.posture?.adminRoles ?? DEFAULTS.posture.adminRoles)],
    },
    jitterSeconds: account.jitter ?? defaults.jitter ?? DEFAULTS.jitterSeconds,
  };
}

function buildAuth(account: ParsedAccount, secrets: Map<string, Secret>, resolvedClientId: string | undefined): AuthConfig {
  // Every secret below was resolved in resolveSecrets; buildConfig only runs when that produced no problem.
  const secret = (field: string): Secret => {
    const value = secrets.get(field);
    if (value === undefined) throw new Error(`internal: secret ${field} of account ${account.name} was not resolved`);
    return value;
  };
  const auth = account.auth;
  switch (auth.method) {
    case 'keypair':
      return {
        method: 'keypair',
        privateKey: secret('privateKey'),
        passphrase: auth.passphrase === undefined ? undefined : secret('passphrase'),
      };
    case 'pat':
      return { method: 'pat', token: secret('token') };
    case 'oauth':
      return {
        method: 'oauth',
        clientId: resolvedClientId ?? auth.clientId,
        clientSecret: secret('clientSecret'),
        redirectUri: auth.redirectUri,
      };
  }
}

/** Reads `path` from a document of unknown shape; undefined wherever the shape does not fit. */
export function valueAt(document: unknown, path: readonly PathSegment[]): unknown {
  let current: unknown = document;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    if (Array.isArray(current)) {
      if (typeof segment !== 'number') return undefined;
      current = current[segment];
    } else {
      if (typeof segment !== 'string' || !Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}

/** The resolved config is shared by every part of the process; freezing it makes accidental edits throw. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
