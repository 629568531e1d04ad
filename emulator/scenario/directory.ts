// The account's identities: personas (who they are, how they authenticate, what they usually do) and the posture
// rows built from them (USERS, ROLES, GRANTS_TO_USERS, GRANTS_TO_ROLES). Incident modules add their cast here, so
// the posture part of the ground truth (no MFA, admins via the role hierarchy...) is derived from the same persona
// definitions the rows come from.
import {
  CLIENTS,
  CUSTOM_ROLES,
  FIRST_NAMES,
  LAST_NAMES,
  ROLE_HIERARCHY,
  ROLE_TABLES,
  SYSTEM_ROLES,
  TABLES,
  WAREHOUSES,
  type ClientKey,
} from './catalog.ts';
import type { Prng } from './prng.ts';
import type { Row } from './types.ts';

/**
 * How a persona authenticates. person_mfa: password + Duo/TOTP; person_sso: SAML, no password; person_password_only:
 * a legacy human login with a password and no MFA (SF-01); service: TYPE=SERVICE with a key pair; legacy_service:
 * TYPE=LEGACY_SERVICE with a key pair AND a password (SF-05).
 */
export type PersonaKind = 'person_mfa' | 'person_sso' | 'person_password_only' | 'service' | 'legacy_service';

/** What the persona's normal queries look like (see activity.ts). */
export type Workload = 'analyst' | 'engineer' | 'admin' | 'loader' | 'transformer' | 'bi' | 'infra';

export interface PersonaSpec {
  name: string;
  kind: PersonaKind;
  roles: readonly string[];
  workload: Workload;
  /** Usual client applications, the first being the primary one used on every active day. */
  clients: readonly ClientKey[];
  /** Takes part in normal daily activity (false: only scripted rows, if any). */
  active: boolean;
  firstName?: string;
  lastName?: string;
  /** Relative share of the account's daily queries (default by workload). */
  weight?: number;
  /** Typical daily BYTES_WRITTEN_TO_RESULT (default drawn per persona). */
  dailyResultBytes?: number;
  createdDaysAgo?: number;
  /** Exact creation time (users created by an incident). */
  createdAt?: Date;
  /** BYPASS_MFA_UNTIL relative to the scenario end, in hours (negative: expired). */
  bypassMfaHoursFromEnd?: number;
  disabled?: boolean;
  /** For inactive personas: LAST_SUCCESS_LOGIN this many days before the end (null: never logged in). */
  lastSuccessLoginDaysAgo?: number | null;
  secondFactor?: 'DUO_PUSH' | 'TOTP';
  comment?: string;
  /** Occasional single mistyped passwords in normal activity (default true for person_mfa). */
  typos?: boolean;
  /** USERS.TYPE override for humans (users created without TYPE have NULL). */
  type?: 'PERSON' | null;
  defaultRole?: string;
}

export interface Persona {
  index: number;
  name: string;
  kind: PersonaKind;
  type: 'PERSON' | 'SERVICE' | 'LEGACY_SERVICE' | null;
  roles: readonly string[];
  workload: Workload;
  clients: readonly ClientKey[];
  active: boolean;
  weight: number;
  dailyResultBytes: number;
  createdOn: Date;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  loginName: string;
  hasPassword: boolean;
  hasMfa: boolean;
  hasRsaPublicKey: boolean;
  secondFactor: 'DUO_PUSH' | 'TOTP' | null;
  bypassMfaUntil: Date | null;
  disabled: boolean;
  lastSuccessLoginFallback: Date | null;
  defaultRole: string;
  defaultWarehouse: string;
  homeIp: string;
  comment: string | null;
  typos: boolean;
}

const DAY_MS = 86_400_000;

const DEFAULT_WEIGHT: Record<Workload, number> = {
  analyst: 1,
  engineer: 1.4,
  admin: 0.3,
  loader: 6,
  transformer: 4,
  bi: 5,
  infra: 0.5,
};

const WAREHOUSE_FOR: Record<Workload, string> = {
  analyst: 'ANALYST_WH',
  engineer: 'ETL_WH',
  admin: 'ADMIN_WH',
  loader: 'ETL_WH',
  transformer: 'ETL_WH',
  bi: 'BI_WH',
  infra: 'ADMIN_WH',
};

function personaType(kind: PersonaKind, prng: Prng): Persona['type'] {
  if (kind === 'service') return 'SERVICE';
  if (kind === 'legacy_service') return 'LEGACY_SERVICE';
  // Accounts created before the TYPE property existed leave it NULL for humans; detections must treat NULL as PERSON.
  return prng.chance(0.15) ? null : 'PERSON';
}

function homeIpFor(index: number, kind: PersonaKind): string {
  if (kind === 'service' || kind === 'legacy_service') return `10.40.${(index >> 8) & 255}.${(index & 255) || 1}`;
  return `100.${64 + ((index >> 8) & 63)}.${index & 255}.${17 + (index % 200)}`;
}

export function resolvePersona(spec: PersonaSpec, index: number, end: Date, prng: Prng): Persona {
  const isService = spec.kind === 'service' || spec.kind === 'legacy_service';
  const createdOn =
    spec.createdAt ?? new Date(end.getTime() - (spec.createdDaysAgo ?? prng.int(150, 900)) * DAY_MS - prng.int(0, 86_399) * 1000);
  const firstName = isService ? null : (spec.firstName ?? null);
  const lastName = isService ? null : (spec.lastName ?? null);
  const lastSuccess =
    spec.lastSuccessLoginDaysAgo === undefined || spec.lastSuccessLoginDaysAgo === null
      ? null
      : new Date(end.getTime() - spec.lastSuccessLoginDaysAgo * DAY_MS);
  const base = spec.dailyResultBytes ?? Math.round(8e6 * Math.exp(prng.uniform(0, Math.log(40))));
  return {
    index,
    name: spec.name,
    kind: spec.kind,
    type: spec.type !== undefined && !isService ? spec.type : personaType(spec.kind, prng),
    roles: spec.roles,
    workload: spec.workload,
    clients: spec.clients,
    active: spec.active,
    weight: spec.weight ?? DEFAULT_WEIGHT[spec.workload],
    dailyResultBytes: base,
    createdOn,
    firstName,
    lastName,
    email:
      firstName && lastName ? `${firstName.toLowerCase()}.${lastName.toLowerCase()}@example.com` : null,
    loginName: isService ? spec.name : (firstName && lastName ? `${firstName}.${lastName}`.toLowerCase() : spec.name.toLowerCase()),
    hasPassword: spec.kind === 'person_mfa' || spec.kind === 'person_password_only' || spec.kind === 'legacy_service',
    hasMfa: spec.kind === 'person_mfa',
    hasRsaPublicKey: isService,
    secondFactor: spec.kind === 'person_mfa' ? (spec.secondFactor ?? (prng.chance(0.7) ? 'DUO_PUSH' : 'TOTP')) : null,
    bypassMfaUntil:
      spec.bypassMfaHoursFromEnd === undefined ? null : new Date(end.getTime() + spec.bypassMfaHoursFromEnd * 3_600_000),
    disabled: spec.disabled ?? false,
    lastSuccessLoginFallback: lastSuccess,
    defaultRole: spec.defaultRole ?? spec.roles[0] ?? 'PUBLIC',
    defaultWarehouse: WAREHOUSE_FOR[spec.workload],
    homeIp: homeIpFor(index, spec.kind),
    comment: spec.comment ?? null,
    typos: spec.typos ?? spec.kind === 'person_mfa',
  };
}

/** Persons and services every account has, incidents or not (the control account too). */
export function baselineCast(): PersonaSpec[] {
  return [
    { name: 'KLARSEN', firstName: 'Kofi', lastName: 'Larsen', kind: 'person_mfa', roles: ['ACCOUNTADMIN', 'SECURITYADMIN'], workload: 'admin', clients: ['snowsight'], active: true, createdDaysAgo: 720 },
    { name: 'MROSSI', firstName: 'Marco', lastName: 'Rossi', kind: 'person_mfa', roles: ['ACCOUNTADMIN', 'SYSADMIN'], workload: 'admin', clients: ['snowsight', 'snowsqlMac'], active: true, createdDaysAgo: 700 },
    { name: 'ETL_SVC', kind: 'service', roles: ['ETL_LOADER'], workload: 'loader', clients: ['airflow'], active: true, createdDaysAgo: 650, dailyResultBytes: 30e6 },
    { name: 'DBT_SVC', kind: 'service', roles: ['DBT_TRANSFORMER'], workload: 'transformer', clients: ['dbt'], active: true, createdDaysAgo: 600, dailyResultBytes: 20e6 },
    // A heavy but steady reader: its large daily result volume is normal for it (SF-08 near-miss).
    { name: 'TABLEAU_SVC', kind: 'service', roles: ['BI_READER'], workload: 'bi', clients: ['tableau'], active: true, createdDaysAgo: 500, dailyResultBytes: 4.2e9 },
    { name: 'TERRAFORM_SVC', kind: 'service', roles: ['PLATFORM_OPS'], workload: 'infra', clients: ['terraform'], active: true, createdDaysAgo: 400, dailyResultBytes: 8e6 },
  ];
}

const NORMAL_ROLES = ['ANALYST', 'ANALYST', 'ANALYST', 'BI_READER', 'DATA_ENGINEER', 'HR_ANALYST', 'FINANCE_ANALYST'] as const;
const NORMAL_CLIENTS: readonly (readonly ClientKey[])[] = [
  ['snowsight'],
  ['snowsight'],
  ['snowsight', 'snowsqlMac'],
  ['snowsight', 'jupyter'],
  ['dbeaverCommunity'],
  ['snowsqlMac'],
];

/** Fills the directory with ordinary people up to `count`, avoiding names already taken. */
export function fillerCast(count: number, taken: ReadonlySet<string>, prng: Prng): PersonaSpec[] {
  const out: PersonaSpec[] = [];
  const used = new Set(taken);
  for (let i = 0; out.length < count; i++) {
    const firstName = prng.pick(FIRST_NAMES);
    const lastName = prng.pick(LAST_NAMES);
    let name = `${firstName[0] ?? 'X'}${lastName}`.toUpperCase();
    if (used.has(name)) name = `${name}${i}`;
    if (used.has(name)) continue;
    used.add(name);
    const role = prng.pick(NORMAL_ROLES);
    out.push({
      name,
      firstName,
      lastName,
      kind: prng.chance(0.8) ? 'person_mfa' : 'person_sso',
      roles: [role],
      workload: role === 'DATA_ENGINEER' ? 'engineer' : 'analyst',
      clients: prng.pick(NORMAL_CLIENTS),
      active: true,
    });
  }
  return out;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function userRow(p: Persona, lastSuccessLogin: Date | null, end: Date): Row {
  return {
    USER_ID: 1000 + p.index,
    NAME: p.name,
    CREATED_ON: iso(p.createdOn),
    DELETED_ON: null,
    LOGIN_NAME: p.loginName.toUpperCase(),
    DISPLAY_NAME: p.firstName && p.lastName ? `${p.firstName} ${p.lastName}` : p.name,
    FIRST_NAME: p.firstName,
    LAST_NAME: p.lastName,
    EMAIL: p.email,
    MUST_CHANGE_PASSWORD: false,
    HAS_PASSWORD: p.hasPassword,
    COMMENT: p.comment,
    DISABLED: p.disabled,
    SNOWFLAKE_LOCK: false,
    DEFAULT_WAREHOUSE: p.defaultWarehouse,
    DEFAULT_NAMESPACE: null,
    DEFAULT_ROLE: p.defaultRole,
    // Duo enrolment is what older detections read; HAS_MFA covers every method (bundle 2025_06).
    EXT_AUTHN_DUO: p.secondFactor === 'DUO_PUSH',
    EXT_AUTHN_UID: p.secondFactor === 'DUO_PUSH' ? `DU${(p.index * 7919).toString(36).toUpperCase().padStart(8, '0')}` : null,
    HAS_MFA: p.hasMfa,
    BYPASS_MFA_UNTIL: iso(p.bypassMfaUntil),
    LAST_SUCCESS_LOGIN: iso(lastSuccessLogin),
    EXPIRES_AT: null,
    LOCKED_UNTIL_TIME: null,
    HAS_RSA_PUBLIC_KEY: p.hasRsaPublicKey,
    HAS_PAT: false,
    HAS_WORKLOAD_IDENTITY: false,
    PASSWORD_LAST_SET_TIME: p.hasPassword ? iso(new Date(Math.max(p.createdOn.getTime(), end.getTime() - 200 * DAY_MS))) : null,
    OWNER: 'USERADMIN',
    DEFAULT_SECONDARY_ROLE: null,
    TYPE: p.type,
    DATABASE_NAME: null,
    DATABASE_ID: null,
    SCHEMA_NAME: null,
    SCHEMA_ID: null,
  };
}

export function roleRows(end: Date): Row[] {
  const all = [...SYSTEM_ROLES, ...CUSTOM_ROLES];
  return all.map((name, i) => ({
    ROLE_ID: 1 + i,
    CREATED_ON: iso(new Date(end.getTime() - (i < SYSTEM_ROLES.length ? 800 : 700 - i) * DAY_MS)),
    DELETED_ON: null,
    NAME: name,
    COMMENT: null,
    OWNER: i < SYSTEM_ROLES.length ? null : 'USERADMIN',
    ROLE_TYPE: 'ROLE',
    ROLE_DATABASE_NAME: null,
    ROLE_INSTANCE_ID: null,
    OWNER_ROLE_TYPE: i < SYSTEM_ROLES.length ? null : 'ROLE',
  }));
}

function grantToRole(
  createdOn: Date,
  privilege: string,
  grantedOn: string,
  name: string,
  grantee: string,
  extra: { catalog?: string; schema?: string; grantedBy?: string } = {},
): Row {
  return {
    CREATED_ON: iso(createdOn),
    MODIFIED_ON: iso(createdOn),
    PRIVILEGE: privilege,
    GRANTED_ON: grantedOn,
    NAME: name,
    TABLE_CATALOG: extra.catalog ?? null,
    TABLE_SCHEMA: extra.schema ?? null,
    GRANTED_TO: 'ROLE',
    GRANTEE_NAME: grantee,
    GRANT_OPTION: false,
    GRANTED_BY: extra.grantedBy ?? 'SECURITYADMIN',
    DELETED_ON: null,
    GRANTED_BY_ROLE_TYPE: 'ROLE',
    OBJECT_INSTANCE: null,
  };
}

export { grantToRole };

/** Long-standing grants: the role hierarchy, object privileges, warehouses, and the default grant to PUBLIC. */
export function baselineRoleGrants(end: Date, accountName: string): Row[] {
  const rows: Row[] = [];
  const at = (daysAgo: number): Date => new Date(end.getTime() - daysAgo * DAY_MS);
  ROLE_HIERARCHY.forEach(([granted, grantee], i) => {
    rows.push(grantToRole(at(690 - i), 'USAGE', 'ROLE', granted, grantee));
  });
  for (const [role, tables] of Object.entries(ROLE_TABLES)) {
    const databases = new Set<string>();
    for (const tableName of tables) {
      const table = TABLES.find((candidate) => candidate.name === tableName);
      if (!table) continue;
      databases.add(table.database);
      rows.push(grantToRole(at(600), 'SELECT', 'TABLE', table.name, role, { catalog: table.database, schema: table.schema, grantedBy: 'SYSADMIN' }));
    }
    for (const database of databases) rows.push(grantToRole(at(600), 'USAGE', 'DATABASE', database, role, { grantedBy: 'SYSADMIN' }));
  }
  for (const loader of ['ETL_LOADER', 'DBT_TRANSFORMER']) {
    for (const tableName of ROLE_TABLES[loader] ?? []) {
      const table = TABLES.find((candidate) => candidate.name === tableName);
      if (table) rows.push(grantToRole(at(590), 'INSERT', 'TABLE', table.name, loader, { catalog: table.database, schema: table.schema, grantedBy: 'SYSADMIN' }));
    }
  }
  for (const warehouse of WAREHOUSES) {
    for (const role of ['ANALYST', 'DATA_ENGINEER', 'BI_READER', 'ETL_LOADER', 'DBT_TRANSFORMER', 'PLATFORM_OPS']) {
      rows.push(grantToRole(at(580), 'USAGE', 'WAREHOUSE', warehouse.name, role, { grantedBy: 'SYSADMIN' }));
    }
  }
  // Every account ships this grant to PUBLIC; it is two years old and must not be reported as new.
  rows.push(grantToRole(at(730), 'IMPORTED PRIVILEGES', 'DATABASE', 'SNOWFLAKE_SAMPLE_DATA', 'PUBLIC', { grantedBy: 'ACCOUNTADMIN' }));
  rows.push(grantToRole(at(690), 'CREATE SHARE', 'ACCOUNT', accountName, 'SHARING_ADMIN', { grantedBy: 'ACCOUNTADMIN' }));
  return rows;
}

export function userGrantRows(p: Persona): Row[] {
  return p.roles.map((role, i) => ({
    CREATED_ON: iso(new Date(p.createdOn.getTime() + (i + 1) * 3_600_000)),
    DELETED_ON: null,
    ROLE: role,
    GRANTED_TO: 'USER',
    GRANTEE_NAME: p.name,
    GRANTED_BY: role === 'ACCOUNTADMIN' || role === 'SECURITYADMIN' ? 'ACCOUNTADMIN' : 'USERADMIN',
  }));
}

/** Roles a set of directly granted roles reaches through the hierarchy (a grantee role inherits the granted role). */
export function effectiveRoles(direct: readonly string[], extraEdges: readonly (readonly [string, string])[] = []): Set<string> {
  const edges = [...ROLE_HIERARCHY, ...extraEdges];
  const seen = new Set(direct);
  const queue = [...direct];
  while (queue.length > 0) {
    const role = queue.pop() as string;
    for (const [granted, grantee] of edges) {
      if (grantee === role && !seen.has(granted)) {
        seen.add(granted);
        queue.push(granted);
      }
    }
  }
  return seen;
}

export function clientOf(key: ClientKey): (typeof CLIENTS)[ClientKey] {
  return CLIENTS[key];
}
