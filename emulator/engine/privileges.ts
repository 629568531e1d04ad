// The emulated account's access control: which SNOWFLAKE views a role may read, which warehouses it may use and which
// shares SHOW SHARES lists for it. Each rule comes from Snowflake's documentation:
//
// - SNOWFLAKE database roles: OBJECT_VIEWER, USAGE_VIEWER, GOVERNANCE_VIEWER and SECURITY_VIEWER each hold SELECT on
//   a documented list of ACCOUNT_USAGE views (ACCOUNT_USAGE_VIEW_ROLES below), and so USAGE on the schema.
//   https://docs.snowflake.com/en/sql-reference/snowflake-db-roles
// - IMPORTED PRIVILEGES on the SNOWFLAKE database opens every schema of it, every view included.
//   https://docs.snowflake.com/en/sql-reference/account-usage#enabling-other-roles-to-use-schemas-in-the-snowflake-database
// - The SNOWFLAKE.TRUST_CENTER_VIEWER and TRUST_CENTER_ADMIN application roles may SELECT the views of the
//   SNOWFLAKE.TRUST_CENTER schema. https://docs.snowflake.com/en/sql-reference/trust_center
// - Roles inherit the privileges of the roles granted to them; the system roles form ACCOUNTADMIN > SECURITYADMIN >
//   USERADMIN and ACCOUNTADMIN > SYSADMIN, and every role inherits PUBLIC. ACCOUNTADMIN holds everything here.
//   https://docs.snowflake.com/en/user-guide/security-access-control-overview#system-defined-roles
// - A warehouse runs a statement only for a role with USAGE on it; otherwise the session has no current warehouse,
//   so a statement that needs one fails with 000606 "No active warehouse selected" (a warehouse that does not exist
//   is no different: recording snowflake-082 names one and still answers a metadata-only COUNT(*)).
//   https://docs.snowflake.com/en/user-guide/security-access-control-privileges#virtual-warehouse-privileges
// - SHOW SHARES lists shares only for a role with the IMPORT SHARE privilege (ACCOUNTADMIN has it by default): all
//   outbound shares for ACCOUNTADMIN, for other roles only the outbound shares they own; MANAGE GRANTS (SECURITYADMIN
//   by default) sees every object. Without privileges the answer is empty, not an error.
//   https://docs.snowflake.com/en/sql-reference/sql/show-shares
// - A view the role may not read fails with 002003. When the role cannot use the view's schema at all the message
//   names the schema (recording snowflake-079); when it can, the view, in the form of a missing object (recording
//   snowflake-063), since Snowflake answers "does not exist or not authorized" alike for both.
//
// Not modelled: secondary roles (only the request's role and what it inherits count), future grants, and grants on
// objects other than the SNOWFLAKE database, warehouses and the two account privileges above.

import { VIEWS } from '../schema.ts';
import { storeTableName } from './catalog.ts';
import { objectNotAuthorized, schemaNotAuthorized } from './errors.ts';

export const SNOWFLAKE_DATABASE_ROLES_URL = 'https://docs.snowflake.com/en/sql-reference/snowflake-db-roles';

export const SNOWFLAKE_DATABASE_ROLES = ['OBJECT_VIEWER', 'USAGE_VIEWER', 'GOVERNANCE_VIEWER', 'SECURITY_VIEWER'] as const;
export type SnowflakeDatabaseRole = (typeof SNOWFLAKE_DATABASE_ROLES)[number];

/** Application roles of the SNOWFLAKE database that grant SELECT on the SNOWFLAKE.TRUST_CENTER views. */
export const TRUST_CENTER_APPLICATION_ROLES = ['TRUST_CENTER_VIEWER', 'TRUST_CENTER_ADMIN'] as const;
export type TrustCenterApplicationRole = (typeof TRUST_CENTER_APPLICATION_ROLES)[number];

/**
 * ACCOUNT_USAGE view -> the SNOWFLAKE database roles holding SELECT on it, from the table "Database role required to
 * access ACCOUNT_USAGE views" at SNOWFLAKE_DATABASE_ROLES_URL, for every view the emulator holds or the exporter reads.
 * Each of them is in a role's list. A view in no role's list (the Account Usage page lists some, e.g. ALERT_HISTORY,
 * LOCK_WAIT_HISTORY, COMPUTE_POOLS) is readable only with IMPORTED PRIVILEGES: give it an empty list here.
 */
export const ACCOUNT_USAGE_VIEW_ROLES: Readonly<Record<string, readonly SnowflakeDatabaseRole[]>> = {
  ACCESS_HISTORY: ['GOVERNANCE_VIEWER'],
  DATA_TRANSFER_HISTORY: ['USAGE_VIEWER'],
  GRANTS_TO_ROLES: ['SECURITY_VIEWER'],
  GRANTS_TO_SHARES: ['SECURITY_VIEWER'],
  GRANTS_TO_USERS: ['SECURITY_VIEWER'],
  LOGIN_HISTORY: ['SECURITY_VIEWER'],
  QUERY_HISTORY: ['GOVERNANCE_VIEWER'],
  ROLES: ['SECURITY_VIEWER'],
  SESSIONS: ['SECURITY_VIEWER'],
  SHARES: ['SECURITY_VIEWER'],
  TRUST_CENTER_FINDINGS: ['SECURITY_VIEWER'],
  USERS: ['SECURITY_VIEWER'],
};

/** Every grant that lets a role read SNOWFLAKE.<schema>.<view>, as the README and the exporter name them. */
export function grantsThatRead(schema: string, view: string): string[] {
  const s = schema.toUpperCase();
  const v = view.toUpperCase();
  const grants: string[] = [];
  if (s === 'ACCOUNT_USAGE') grants.push(...(ACCOUNT_USAGE_VIEW_ROLES[v] ?? []).map((role) => `SNOWFLAKE.${role}`));
  if (s === 'TRUST_CENTER') grants.push(...TRUST_CENTER_APPLICATION_ROLES.map((role) => `SNOWFLAKE.${role}`));
  grants.push(IMPORTED_PRIVILEGES_GRANT);
  return grants;
}

export const IMPORTED_PRIVILEGES_GRANT = 'IMPORTED PRIVILEGES ON DATABASE SNOWFLAKE';

/** One privilege held by an account role. */
export type Grant =
  | { readonly kind: 'role'; readonly role: string }
  | { readonly kind: 'database-role'; readonly name: SnowflakeDatabaseRole }
  | { readonly kind: 'application-role'; readonly name: TrustCenterApplicationRole }
  | { readonly kind: 'imported-privileges' }
  | { readonly kind: 'warehouse-usage'; readonly warehouse: string }
  | { readonly kind: 'account-privilege'; readonly privilege: 'IMPORT SHARE' | 'MANAGE GRANTS' };

/**
 * Account role -> what is granted to it, written as the object of Snowflake's GRANT statement:
 * `ROLE <name>`, `DATABASE ROLE SNOWFLAKE.SECURITY_VIEWER` (or just `SNOWFLAKE.SECURITY_VIEWER`),
 * `APPLICATION ROLE SNOWFLAKE.TRUST_CENTER_VIEWER`, `IMPORTED PRIVILEGES ON DATABASE SNOWFLAKE`,
 * `USAGE ON WAREHOUSE <name>`, `IMPORT SHARE ON ACCOUNT`, `MANAGE GRANTS ON ACCOUNT`.
 * Role and warehouse names follow identifier rules: unquoted ones are upper-cased, "quoted" ones kept as they are.
 */
export type GrantsConfig = Readonly<Record<string, readonly string[]>>;

export class GrantConfigError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'GrantConfigError';
  }
}

const UNQUOTED_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/**
 * The canonical name of a role or warehouse given as identifier text: "quoted" -> as written inside the quotes,
 * unquoted -> upper case. Text that cannot be an unquoted identifier (e.g. `<role>`) can only name a quoted one, so
 * it is kept as it is.
 */
export function identifierName(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) return trimmed.slice(1, -1).replace(/""/g, '"');
  return UNQUOTED_IDENTIFIER.test(trimmed) ? trimmed.toUpperCase() : trimmed;
}

function snowflakeRoleName(text: string): string | undefined {
  const match = /^SNOWFLAKE\s*\.\s*(\S+)$/i.exec(text.trim());
  return match ? identifierName(match[1]!) : undefined;
}

/** Parses one grant as written in GrantsConfig (see there); throws GrantConfigError naming what is wrong. */
export function parseGrant(text: string): Grant {
  const words = text.trim().replace(/\s+/g, ' ');
  const upper = words.toUpperCase();
  const rest = (prefix: string): string => words.slice(prefix.length).trim();
  if (upper === 'IMPORTED PRIVILEGES' || upper === IMPORTED_PRIVILEGES_GRANT) return { kind: 'imported-privileges' };
  if (upper === 'IMPORT SHARE' || upper === 'IMPORT SHARE ON ACCOUNT') return { kind: 'account-privilege', privilege: 'IMPORT SHARE' };
  if (upper === 'MANAGE GRANTS' || upper === 'MANAGE GRANTS ON ACCOUNT') return { kind: 'account-privilege', privilege: 'MANAGE GRANTS' };
  if (upper.startsWith('USAGE ON WAREHOUSE ') && rest('USAGE ON WAREHOUSE ') !== '') return { kind: 'warehouse-usage', warehouse: identifierName(rest('USAGE ON WAREHOUSE ')) };
  if (upper.startsWith('ROLE ') && rest('ROLE ') !== '') return { kind: 'role', role: identifierName(rest('ROLE ')) };
  const databaseRole = upper.startsWith('DATABASE ROLE ') ? rest('DATABASE ROLE ') : undefined;
  const applicationRole = upper.startsWith('APPLICATION ROLE ') ? rest('APPLICATION ROLE ') : undefined;
  const name = snowflakeRoleName(databaseRole ?? applicationRole ?? words);
  if (name !== undefined) {
    if (applicationRole === undefined && (SNOWFLAKE_DATABASE_ROLES as readonly string[]).includes(name)) return { kind: 'database-role', name: name as SnowflakeDatabaseRole };
    if (databaseRole === undefined && (TRUST_CENTER_APPLICATION_ROLES as readonly string[]).includes(name)) return { kind: 'application-role', name: name as TrustCenterApplicationRole };
    throw new GrantConfigError(
      `unknown SNOWFLAKE ${applicationRole === undefined ? 'database' : 'application'} role in "${text}" ` +
        `(database roles: ${SNOWFLAKE_DATABASE_ROLES.join(', ')}; application roles: ${TRUST_CENTER_APPLICATION_ROLES.join(', ')})`,
    );
  }
  throw new GrantConfigError(
    `cannot read the grant "${text}": expected ROLE <name>, SNOWFLAKE.<database or application role>, ` +
      `IMPORTED PRIVILEGES ON DATABASE SNOWFLAKE, USAGE ON WAREHOUSE <name>, IMPORT SHARE or MANAGE GRANTS`,
  );
}

/** `ROLE=GRANT` (the emulator CLI's --grant) into the role and its grant text; throws GrantConfigError. */
export function parseGrantFlag(flag: string): { role: string; grant: string } {
  const at = flag.indexOf('=');
  const role = at < 0 ? '' : flag.slice(0, at).trim();
  const grant = at < 0 ? '' : flag.slice(at + 1).trim();
  if (role === '' || grant === '') throw new GrantConfigError(`--grant must look like ROLE=GRANT, e.g. RISK_EXPORTER=SNOWFLAKE.SECURITY_VIEWER (got "${flag}")`);
  parseGrant(grant);
  return { role, grant };
}

/** Adds grants to a configuration (a new object; the same role written twice is one role). */
export function withGrants(config: GrantsConfig, additions: readonly { role: string; grant: string }[]): GrantsConfig {
  const merged = new Map<string, string[]>();
  for (const [role, grants] of Object.entries(config)) merged.set(identifierName(role), [...(merged.get(identifierName(role)) ?? []), ...grants]);
  for (const { role, grant } of additions) merged.set(identifierName(role), [...(merged.get(identifierName(role)) ?? []), grant]);
  return Object.fromEntries(merged);
}

/**
 * The default when an engine is given no grants: an account where PUBLIC (so every role) holds IMPORTED PRIVILEGES,
 * the Trust Center viewer role, MANAGE GRANTS and USAGE on every warehouse. Tests about something other than
 * privileges need no setup; tests of privileges, the demo and the CLI configure real grants.
 */
export function openGrants(warehouses: readonly string[]): GrantsConfig {
  return {
    PUBLIC: [
      IMPORTED_PRIVILEGES_GRANT,
      'APPLICATION ROLE SNOWFLAKE.TRUST_CENTER_VIEWER',
      'MANAGE GRANTS ON ACCOUNT',
      ...warehouses.map((warehouse) => `USAGE ON WAREHOUSE "${warehouse.replace(/"/g, '""')}"`),
    ],
  };
}

/** The system-defined role hierarchy, always present (role -> roles granted to it). */
const SYSTEM_ROLE_GRANTS: Readonly<Record<string, readonly string[]>> = {
  ACCOUNTADMIN: ['SECURITYADMIN', 'SYSADMIN'],
  SECURITYADMIN: ['USERADMIN'],
};

/** SECURITYADMIN holds MANAGE GRANTS by default (SHOW SHARES page); ACCOUNTADMIN holds everything anyway. */
const SYSTEM_ROLE_PRIVILEGES: Readonly<Record<string, readonly Grant[]>> = {
  SECURITYADMIN: [{ kind: 'account-privilege', privilege: 'MANAGE GRANTS' }],
};

const VIEW_SCHEMAS: ReadonlySet<string> = new Set(VIEWS.map((view) => view.schema));

/** A SNOWFLAKE view a statement reads; `name` undefined when only its schema is known (a view that does not exist). */
export interface ViewReference {
  readonly schema: string;
  readonly name?: string;
}

/** What a role holds once every inherited role is counted. */
interface Holdings {
  readonly roles: ReadonlySet<string>;
  readonly everything: boolean;
  readonly importedPrivileges: boolean;
  readonly databaseRoles: ReadonlySet<SnowflakeDatabaseRole>;
  readonly applicationRoles: ReadonlySet<TrustCenterApplicationRole>;
  readonly warehouses: ReadonlySet<string>;
  readonly importShare: boolean;
  readonly manageGrants: boolean;
}

/** Which shares SHOW SHARES lists for a role. */
export interface ShareVisibility {
  /** Every outbound share (ACCOUNTADMIN, MANAGE GRANTS). */
  readonly allOutbound: boolean;
  /** Otherwise the outbound shares whose owner is one of these roles (IMPORT SHARE holders; empty without it). */
  readonly owners: ReadonlySet<string>;
  readonly inbound: boolean;
}

export class AccessControl {
  private readonly grants = new Map<string, Grant[]>();
  private readonly cache = new Map<string, Holdings>();

  /** `warehouses`: the canonical names of the account's warehouses (a USAGE grant on another one is a mistake). */
  constructor(config: GrantsConfig, warehouses: readonly string[]) {
    const known = new Set(warehouses);
    for (const [role, texts] of Object.entries(SYSTEM_ROLE_GRANTS)) this.add(role, texts.map((name) => ({ kind: 'role', role: name })));
    for (const [role, grants] of Object.entries(SYSTEM_ROLE_PRIVILEGES)) this.add(role, grants);
    for (const [grantee, texts] of Object.entries(config)) {
      const role = identifierName(grantee);
      if (role === '') throw new GrantConfigError('a grant names an empty role');
      this.add(
        role,
        texts.map((text) => {
          const grant = parseGrant(text);
          if (grant.kind === 'warehouse-usage' && !known.has(grant.warehouse)) {
            throw new GrantConfigError(`"${text}" for role ${role} names warehouse ${grant.warehouse}, which the account does not have (warehouses: ${[...known].join(', ')})`);
          }
          return grant;
        }),
      );
    }
  }

  /** May `role` read SNOWFLAKE.<schema>.<name>? */
  canRead(role: string, schema: string, name: string): boolean {
    return this.decide(this.holdings(role), { schema, name }) === 'granted';
  }

  /**
   * Throws Snowflake's 002003 for the first view the role may not read: views in a schema it cannot use at all
   * first (the schema form), then the others (the object form).
   */
  checkReads(role: string, references: readonly ViewReference[]): void {
    const holdings = this.holdings(role);
    const refused = references
      .map((reference) => ({ reference, decision: this.decide(holdings, reference) }))
      .filter((entry) => entry.decision !== 'granted')
      .sort((a, b) => (a.decision === b.decision ? 0 : a.decision === 'no-schema' ? -1 : 1));
    const first = refused[0];
    if (first === undefined) return;
    const displayRole = role;
    if (first.decision === 'no-schema') throw schemaNotAuthorized(`SNOWFLAKE.${first.reference.schema}`, displayRole);
    throw objectNotAuthorized(`SNOWFLAKE.${first.reference.schema}.${first.reference.name ?? ''}`, displayRole);
  }

  /** May `role` run statements on the warehouse with this canonical name? */
  canUseWarehouse(role: string, warehouse: string): boolean {
    const holdings = this.holdings(role);
    return holdings.everything || holdings.warehouses.has(warehouse);
  }

  shareVisibility(role: string): ShareVisibility {
    const holdings = this.holdings(role);
    const all = holdings.everything || holdings.manageGrants;
    return { allOutbound: all, owners: holdings.importShare ? holdings.roles : new Set(), inbound: all || holdings.importShare };
  }

  private add(role: string, grants: readonly Grant[]): void {
    this.grants.set(role, [...(this.grants.get(role) ?? []), ...grants]);
  }

  private decide(holdings: Holdings, reference: ViewReference): 'granted' | 'no-schema' | 'no-object' {
    if (holdings.everything || holdings.importedPrivileges) return 'granted';
    // Each database role holds USAGE on ACCOUNT_USAGE (it selects from views there); the application roles on TRUST_CENTER.
    const schemaUsable =
      reference.schema === 'ACCOUNT_USAGE' ? holdings.databaseRoles.size > 0 : reference.schema === 'TRUST_CENTER' ? holdings.applicationRoles.size > 0 : false;
    if (!schemaUsable) return 'no-schema';
    // A view that does not exist: compiling the statement reports it, as for any missing object.
    if (reference.name === undefined || reference.schema === 'TRUST_CENTER') return 'granted';
    const readers = ACCOUNT_USAGE_VIEW_ROLES[reference.name] ?? [];
    return readers.some((reader) => holdings.databaseRoles.has(reader)) ? 'granted' : 'no-object';
  }

  /**
   * `requested` is the session's role exactly as stored: the SQL API's `role` is a case-sensitive name, resolved by
   * the protocol layer (emulator/server/sql-api.ts), so it is never folded again here (a role created as "risk" is
   * not RISK).
   */
  private holdings(requested: string): Holdings {
    const start = requested;
    const cached = this.cache.get(start);
    if (cached !== undefined) return cached;
    const roles = new Set<string>();
    const queue = [start, 'PUBLIC'];
    while (queue.length > 0) {
      const role = queue.pop()!;
      if (roles.has(role)) continue;
      roles.add(role);
      for (const grant of this.grants.get(role) ?? []) if (grant.kind === 'role') queue.push(grant.role);
    }
    const grants = [...roles].flatMap((role) => this.grants.get(role) ?? []);
    const holdings: Holdings = {
      roles,
      everything: roles.has('ACCOUNTADMIN'),
      importedPrivileges: grants.some((grant) => grant.kind === 'imported-privileges'),
      databaseRoles: new Set(grants.flatMap((grant) => (grant.kind === 'database-role' ? [grant.name] : []))),
      applicationRoles: new Set(grants.flatMap((grant) => (grant.kind === 'application-role' ? [grant.name] : []))),
      warehouses: new Set(grants.flatMap((grant) => (grant.kind === 'warehouse-usage' ? [grant.warehouse] : []))),
      importShare: grants.some((grant) => grant.kind === 'account-privilege' && grant.privilege === 'IMPORT SHARE'),
      manageGrants: grants.some((grant) => grant.kind === 'account-privilege' && grant.privilege === 'MANAGE GRANTS'),
    };
    this.cache.set(start, holdings);
    return holdings;
  }
}

/**
 * The SNOWFLAKE views a statement reads, from the table names DuckDB's binder resolved for it (getTableNames with
 * qualified names): a resolved view shows as its storage table SNOWFLAKE.EMULATOR_STORE.<SCHEMA>__<VIEW>, because
 * the binder expands views (so CTEs, subqueries and the session's database and schema are already accounted for). A
 * name the binder could not resolve is returned as written ("ACCOUNT_USAGE.NOPE AS n"); if it points into a
 * SNOWFLAKE view schema, the schema is what the role must be able to use.
 */
export function viewsRead(tableNames: readonly string[], storeSchema: string, session: { database: string | null; schema: string | null }): ViewReference[] {
  const references = new Map<string, ViewReference>();
  for (const text of tableNames) {
    const parts = text
      .replace(/\s+AS\s+.*$/i, '')
      .split('.')
      .map((part) => part.trim().replace(/^"(.*)"$/, '$1').toUpperCase());
    if (parts.length === 3 && parts[0] === 'SNOWFLAKE' && parts[1] === storeSchema) {
      const view = VIEWS.find((candidate) => storeTableName(candidate) === parts[2]);
      if (view !== undefined) references.set(`${view.schema}.${view.name}`, { schema: view.schema, name: view.name });
      continue;
    }
    const qualified =
      parts.length === 3 ? parts : parts.length === 2 ? [session.database ?? '', ...parts] : [session.database ?? '', session.schema ?? '', ...parts];
    const [database, schema] = qualified;
    if (database === 'SNOWFLAKE' && schema !== undefined && VIEW_SCHEMAS.has(schema) && !references.has(`${schema}.`)) references.set(`${schema}.`, { schema });
  }
  return [...references.values()];
}
