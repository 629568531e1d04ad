// generateScenario(): the directory, normal activity, the selected incident stories and their ground truth, all
// deterministic for a seed. Small parts (directory, scripted incidents) are built at once; the bulk (logins, sessions,
// queries, access history) is produced lazily per view, every time rows(view) is iterated.
import { APPROVED_CONSUMER_ACCOUNTS, IOC_IPS } from './catalog.ts';
import {
  lastNormalLogin,
  normalAccessRows,
  normalLoginRows,
  normalQueryRows,
  normalSessionRows,
  type ActivityContext,
} from './activity.ts';
import {
  baselineCast,
  baselineRoleGrants,
  effectiveRoles,
  fillerCast,
  resolvePersona,
  roleRows,
  userGrantRows,
  userRow,
  type Persona,
  type PersonaSpec,
} from './directory.ts';
import { ScenarioError } from './errors.ts';
import type { GroundTruth } from './ground-truth.ts';
import { buildBaseline, trustCenter } from './incidents/baseline.ts';
import { externalUnload, guardrailDisabled, policyRemoved, stageChain, volumeSpike } from './incidents/exfil.ts';
import { bruteForce, dormantLogin, mfaPosture, newClient, servicePasswordLogin, suspiciousLogin } from './incidents/identity.ts';
import type { IncidentModule, ModuleContext } from './incidents/module.ts';
import { grantToPublic, identityChange, privilegedGrant, securityPolicy } from './incidents/privilege.ts';
import { listing, readerAccount, shareExposure } from './incidents/sharing.ts';
import { Prng } from './prng.ts';
import { ScriptBuilder } from './script.ts';
import {
  INCIDENT_KINDS,
  SCENARIO_VIEWS,
  type IncidentKind,
  type ResolvedScenarioOptions,
  type Row,
  type ScenarioOptions,
  type ScenarioView,
} from './types.ts';

const DAY_MS = 86_400_000;

const MODULES: Readonly<Record<IncidentKind, IncidentModule>> = {
  mfa_posture: mfaPosture,
  service_password_login: servicePasswordLogin,
  stage_chain: stageChain,
  external_unload: externalUnload,
  volume_spike: volumeSpike,
  guardrail_disabled: guardrailDisabled,
  policy_removed: policyRemoved,
  share_exposure: shareExposure,
  reader_account: readerAccount,
  listing,
  suspicious_login: suspiciousLogin,
  privileged_grant: privilegedGrant,
  brute_force: bruteForce,
  dormant_login: dormantLogin,
  new_client: newClient,
  security_policy: securityPolicy,
  identity_change: identityChange,
  grant_to_public: grantToPublic,
  trust_center: trustCenter,
};

/** Password spray needs this many ordinary users to try. */
const SPRAY_TARGETS = 7;
const ADMIN_ROLES = ['ACCOUNTADMIN', 'SECURITYADMIN', 'SYSADMIN', 'ORGADMIN'];

/** Account parameters of a hardened account before any incident. */
const DEFAULT_PARAMETERS: Readonly<Record<string, string>> = {
  PREVENT_UNLOAD_TO_INLINE_URL: 'true',
  REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_CREATION: 'true',
  REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_OPERATION: 'true',
  NETWORK_POLICY: 'CORP_ALLOWLIST',
  PERIODIC_DATA_REKEYING: 'true',
};

export interface Scenario {
  readonly options: ResolvedScenarioOptions;
  readonly start: Date;
  readonly end: Date;
  readonly personas: readonly Persona[];
  readonly accountParameters: Readonly<Record<string, string>>;
  readonly groundTruth: GroundTruth;
  /** A fresh lazy iterable over one view's rows (normal activity first, then the scripted rows). */
  rows(view: ScenarioView): Iterable<Row>;
}

export function resolveScenarioOptions(options: ScenarioOptions): ResolvedScenarioOptions {
  const problems: string[] = [];
  // Upper bounds keep the id plan (ids.ts) collision-free.
  if (!Number.isInteger(options.users) || options.users < 1 || options.users > 50_000) problems.push('users must be an integer from 1 to 50,000');
  if (!Number.isInteger(options.days) || options.days < 2 || options.days > 365) problems.push('days must be an integer from 2 to 365');
  if (!Number.isFinite(options.queriesPerDay) || options.queriesPerDay < 0 || options.queriesPerDay > 5_000_000) problems.push('queriesPerDay must be a number from 0 to 5,000,000');
  if (!(options.end instanceof Date) || !Number.isFinite(options.end.getTime())) problems.push('end must be a valid Date');
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(options.accountName)) problems.push('accountName must be an identifier (letters, digits, _)');
  let incidents: readonly IncidentKind[];
  const requested = options.incidents ?? 'all';
  if (requested === 'all') incidents = INCIDENT_KINDS;
  else if (requested === 'none') incidents = [];
  else {
    const unknown = requested.filter((kind) => !(INCIDENT_KINDS as readonly string[]).includes(kind));
    if (unknown.length > 0) problems.push(`unknown incident kinds: ${unknown.join(', ')} (known: ${INCIDENT_KINDS.join(', ')})`);
    // Keep the catalog order whatever order was asked for, so the output does not depend on it.
    incidents = INCIDENT_KINDS.filter((kind) => requested.includes(kind));
  }
  if (problems.length > 0) throw new ScenarioError('SCENARIO_OPTIONS', `invalid scenario options: ${problems.join('; ')}`);
  return {
    seed: String(options.seed),
    users: options.users,
    days: options.days,
    queriesPerDay: options.queriesPerDay,
    end: new Date(options.end.getTime()),
    accountName: options.accountName.toUpperCase(),
    incidents,
  };
}

function buildDirectory(resolved: ResolvedScenarioOptions): { personas: Persona[]; castKind: Map<string, IncidentKind>; fillers: string[] } {
  const specs: PersonaSpec[] = baselineCast();
  const castKind = new Map<string, IncidentKind>();
  for (const kind of resolved.incidents) {
    for (const spec of MODULES[kind].cast(resolved.end)) {
      if (specs.some((s) => s.name === spec.name)) throw new Error(`persona ${spec.name} is cast twice`);
      specs.push(spec);
      castKind.set(spec.name, kind);
    }
  }
  const needsSpray = resolved.incidents.includes('brute_force');
  const minimum = specs.length + (needsSpray ? SPRAY_TARGETS : 0);
  if (resolved.users < minimum) {
    throw new ScenarioError('SCENARIO_OPTIONS', `invalid scenario options: users must be at least ${minimum} for the selected incidents (the cast has ${specs.length} users${needsSpray ? ` and the password spray needs ${SPRAY_TARGETS} bystanders` : ''})`);
  }
  const prng = new Prng(resolved.seed, 'directory');
  const fillers = fillerCast(resolved.users - specs.length, new Set(specs.map((s) => s.name)), prng);
  const personas = [...specs, ...fillers].map((spec, index) => resolvePersona(spec, index, resolved.end, prng));
  return { personas, castKind, fillers: fillers.map((f) => f.name) };
}

/** Posture truth derived from the persona definitions the USERS rows come from (SF-01, SF-02, SF-05). */
function derivePosture(script: ScriptBuilder, personas: readonly Persona[], castKind: Map<string, IncidentKind>, extraEdges: readonly (readonly [string, string])[], end: Date): void {
  let ssoNearMiss = false;
  let mfaAdminNearMiss = false;
  for (const p of personas) {
    const human = p.type === 'PERSON' || p.type === null;
    const kind = castKind.get(p.name);
    const admin = [...effectiveRoles(p.roles, extraEdges)].filter((r) => ADMIN_ROLES.includes(r));
    if (human && p.hasPassword && !p.hasMfa && !p.disabled && kind) {
      script.incident({ kind, detectionId: 'mfa.password_user_without_mfa', type: 'posture', user: p.name, time: p.createdOn, evidenceView: 'USERS', evidenceIds: [p.name], description: `Human user (TYPE ${p.type ?? 'NULL'}) with a password and no MFA method.` });
      if (admin.length > 0) {
        const direct = p.roles.filter((r) => ADMIN_ROLES.includes(r));
        script.incident({ kind, detectionId: 'mfa.admin_without_mfa', type: 'posture', user: p.name, time: p.createdOn, evidenceView: 'USERS', evidenceIds: [p.name], description: `Password user without MFA holding ${admin.join(', ')}${direct.length === 0 ? ` only through the role hierarchy (direct roles: ${p.roles.join(', ')})` : ''}.`, attributes: { roles: admin.join(',') } });
      }
    }
    if (kind && ((p.bypassMfaUntil && p.bypassMfaUntil > end) || (p.type === 'LEGACY_SERVICE' && p.hasPassword))) {
      // The bypass itself is labelled by its module with the ALTER USER query; legacy services are labelled here.
      if (p.type === 'LEGACY_SERVICE') {
        script.incident({ kind, detectionId: 'mfa.bypass_active', type: 'posture', user: p.name, time: p.createdOn, evidenceView: 'USERS', evidenceIds: [p.name], description: 'LEGACY_SERVICE user that still has a password (can sign in without MFA or a key pair).' });
      }
    }
    if (!ssoNearMiss && human && p.kind === 'person_sso' && !castKind.has(p.name)) {
      ssoNearMiss = true;
      script.nearMiss({ detectionId: 'mfa.password_user_without_mfa', user: p.name, evidenceView: 'USERS', evidenceIds: [p.name], why_not: 'SSO user without a password (HAS_PASSWORD false): MFA is enforced by the identity provider.' });
    }
    if (!mfaAdminNearMiss && admin.includes('ACCOUNTADMIN') && p.hasMfa) {
      mfaAdminNearMiss = true;
      script.nearMiss({ detectionId: 'mfa.admin_without_mfa', user: p.name, evidenceView: 'USERS', evidenceIds: [p.name], why_not: 'ACCOUNTADMIN holder with MFA enrolled.' });
    }
  }
  const service = personas.find((p) => p.type === 'SERVICE');
  if (service) script.nearMiss({ detectionId: 'mfa.password_user_without_mfa', user: service.name, evidenceView: 'USERS', evidenceIds: [service.name], why_not: 'TYPE SERVICE with a key pair and no password: not a human password user.' });
}

export function generateScenario(options: ScenarioOptions): Scenario {
  const resolved = resolveScenarioOptions(options);
  const end = resolved.end;
  const start = new Date(end.getTime() - resolved.days * DAY_MS);
  const { personas, castKind, fillers } = buildDirectory(resolved);
  const activity: ActivityContext = { seed: resolved.seed, start, end, personas, queriesPerDay: resolved.queriesPerDay };
  const parameters: Record<string, string> = { ...DEFAULT_PARAMETERS };
  const byName = new Map(personas.map((p) => [p.name, p]));
  const script = new ScriptBuilder(start, end, byName);
  const ctx: ModuleContext = { accountName: resolved.accountName, activity, parameters, extraRoleEdges: [], bystanders: fillers };
  buildBaseline(script, resolved.seed);
  for (const kind of resolved.incidents) MODULES[kind].build(script, ctx);
  derivePosture(script, personas, castKind, ctx.extraRoleEdges, end);

  const groundTruth: GroundTruth = {
    version: 1,
    scenario: {
      seed: resolved.seed,
      users: resolved.users,
      days: resolved.days,
      queriesPerDay: resolved.queriesPerDay,
      accountName: resolved.accountName,
      incidents: resolved.incidents,
    },
    window: { start: start.toISOString(), end: end.toISOString() },
    approvedConsumerAccounts: [...APPROVED_CONSUMER_ACCOUNTS],
    iocIps: [...IOC_IPS],
    accountParameters: { ...parameters },
    notes: [
      'History starts at window.start: a first appearance of a user, client or destination at the start of the window has no baseline and is not "new".',
      'Event incidents: one entry per firing, evidence in evidenceView (QUERY_HISTORY: QUERY_ID, LOGIN_HISTORY: EVENT_ID, SESSIONS: SESSION_ID). Posture incidents: one entry per flagged subject.',
      'For grants and identity changes `user` is the user the change is about (grantee/target); the actor is attributes.actor.',
      'Daily aggregates (result volume) are per UTC day. Unloads also unload rows (ROWS_UNLOADED) from users who never unloaded before; only the BYTES_WRITTEN_TO_RESULT spike is labelled.',
      'auth.password_spray failures also count as failures per IP; per (IP, user) they stay below the brute-force threshold.',
      'Context rows older than the window: the dormant user\'s previous login (130 days) and a near-miss login (80 days), long-standing shares (300 and 200 days), role and user grants (up to 730 days).',
    ],
    incidents: script.incidents,
    nearMisses: script.nearMisses,
  };

  const scripted = (view: ScenarioView): readonly Row[] => script.rows.get(view) ?? [];
  const lastLogin = (p: Persona): Date | null => {
    const candidates = [lastNormalLogin(activity, p), script.lastSuccess.get(p.name) ?? null, p.lastSuccessLoginFallback].filter(
      (d): d is Date => d !== null,
    );
    return candidates.length === 0 ? null : new Date(Math.max(...candidates.map((d) => d.getTime())));
  };

  function* rows(view: ScenarioView): Generator<Row> {
    switch (view) {
      case 'USERS':
        for (const p of personas) yield userRow(p, lastLogin(p), end);
        return;
      case 'ROLES':
        yield* roleRows(end);
        return;
      case 'GRANTS_TO_USERS':
        for (const p of personas) yield* userGrantRows(p);
        break;
      case 'GRANTS_TO_ROLES':
        yield* baselineRoleGrants(end, resolved.accountName);
        break;
      case 'LOGIN_HISTORY':
        yield* normalLoginRows(activity);
        break;
      case 'SESSIONS':
        yield* normalSessionRows(activity);
        break;
      case 'QUERY_HISTORY':
        yield* normalQueryRows(activity);
        break;
      case 'ACCESS_HISTORY':
        yield* normalAccessRows(activity);
        break;
      default:
        break;
    }
    yield* scripted(view);
  }

  return {
    options: resolved,
    start,
    end,
    personas,
    accountParameters: parameters,
    groundTruth,
    rows: (view: ScenarioView): Iterable<Row> => {
      if (!(SCENARIO_VIEWS as readonly string[]).includes(view)) throw new RangeError(`unknown scenario view ${String(view)}`);
      return { [Symbol.iterator]: () => rows(view) };
    },
  };
}
