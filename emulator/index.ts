// The Snowflake emulator's public entry: `startEmulator()` runs the SQL API v2, the OAuth authorization server and
// the admin surface on node:http, in-process (tests, the exporter's embedded demo) or from `npm run emulator`.
// The emulator is its own program: it never imports the exporter (src/).
import type { AddressInfo } from 'node:net';
import type { AuthContext } from './auth/authenticate.ts';
import { UserDirectory, type UserConfig } from './auth/users.ts';
import { FaultInjector } from './faults/injector.ts';
import { faultConfigSchema, type FaultConfig } from './faults/rules.ts';
import { createEmulatorEngine, type EmulatorEngine, type EngineOptions, type GrantsConfig } from './engine/index.ts';
import { AuthorizeEndpoint } from './oauth/authorize.ts';
import { ClientRegistry, type OAuthClientConfig } from './oauth/clients.ts';
import { AuthorizationCodes } from './oauth/codes.ts';
import { OAuthTokenStore, type TokenFilter } from './oauth/token-store.ts';
import { adminReport, type AdminDeps, type AdminReport } from './server/admin.ts';
import { createRequestHandler } from './server/app.ts';
import { clockMillis, sessionCatalogOf, type EngineWithExtras } from './server/engine-port.ts';
import { DEFAULT_PARTITION_POLICY } from './server/partitions.ts';
import { StatementStore } from './server/statements.ts';

// Not an ES import: that would load Node's bundled undici and its WebAssembly parser (see src/http/node-http.ts).
const { createServer } = process.getBuiltinModule('node:http');

export type { UserConfig, PatConfig } from './auth/users.ts';
export type { OAuthClientConfig } from './oauth/clients.ts';
export { OAuthClientConfigError } from './oauth/clients.ts';
export type { FaultConfig, FaultRule, FaultAction } from './faults/rules.ts';
export type { AdminReport } from './server/admin.ts';
export type { TokenFilter } from './oauth/token-store.ts';
export type { GrantsConfig } from './engine/index.ts';

/** The demo account's credentials (public on purpose: the emulator holds no real data). */
export const DEMO_ACCOUNT = 'EMULATOR';
export const DEMO_USER = 'DEMO';
export const DEMO_PASSWORD = 'demo';
export const DEMO_ROLE = 'RISK_EXPORTER';
/** The engine's default warehouse (X-Small, AUTO_SUSPEND 60). */
export const DEMO_WAREHOUSE = 'COMPUTE_WH';
export const DEMO_PAT_SECRET = 'demo-programmatic-access-token';

/**
 * The demo role's grants: the README's least-privilege setup (the three SNOWFLAKE database roles that cover every view
 * the exporter reads, USAGE on the warehouse) and nothing else, so the embedded demo and
 * `npm run emulator` show that this setup is enough. Other roles (the demo user's SYSADMIN too) read no SNOWFLAKE view.
 */
export const DEMO_GRANTS: GrantsConfig = {
  [DEMO_ROLE]: [
    'DATABASE ROLE SNOWFLAKE.SECURITY_VIEWER',
    'DATABASE ROLE SNOWFLAKE.GOVERNANCE_VIEWER',
    'DATABASE ROLE SNOWFLAKE.USAGE_VIEWER',
    `USAGE ON WAREHOUSE ${DEMO_WAREHOUSE}`,
  ],
};

export const DEMO_USERS: UserConfig[] = [
  {
    name: DEMO_USER,
    password: DEMO_PASSWORD,
    roles: [DEMO_ROLE, 'SYSADMIN'],
    defaultRole: DEMO_ROLE,
    defaultWarehouse: DEMO_WAREHOUSE,
    pats: [{ name: 'DEMO_PAT', secret: DEMO_PAT_SECRET, roleRestriction: DEMO_ROLE, expiresAt: Date.UTC(2100, 0, 1) }],
  },
];

export interface StartEmulatorOptions<E extends EngineWithExtras = EmulatorEngine> {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** The SQL engine; default a new DuckDB engine (`createEmulatorEngine(engineOptions)`), closed with the emulator. */
  engine?: E;
  /**
   * Options for the engine created when `engine` is not given; `engineOptions.grants` sets who may read what (default:
   * every role reads everything; DEMO_GRANTS is the demo's least-privilege setup).
   */
  engineOptions?: EngineOptions;
  /** Close the engine with the emulator (default: true for the engine it created, false for one passed in). */
  ownsEngine?: boolean;
  /** Account identifier expected in key-pair JWT claims (upper case, e.g. MYORG-MYACCOUNT). */
  account?: string;
  users?: UserConfig[];
  oauthClients?: OAuthClientConfig[];
  /** The account parameter OAUTH_ADD_PRIVILEGED_ROLES_TO_BLOCKED_LIST (default true: OAuth refuses ACCOUNTADMIN & co). */
  oauthAddPrivilegedRolesToBlockedList?: boolean;
  faults?: FaultConfig;
  /** Fixed rows per partition; default: growing partitions from ~100 KB like the real service. */
  partitionRows?: number;
  firstPartitionBytes?: number;
  maxPartitionBytes?: number;
  /** How long a POST without async=true waits before a 202 (real service: 45 s). */
  syncWaitMs?: number;
  /** Partitions >= 1 are gzip always (the docs) or only with Accept-Encoding: gzip. */
  gzipLaterPartitions?: 'always' | 'when-accepted';
  /** Largest accepted request body (default 1 MiB). */
  maxBodyBytes?: number;
  /** How long finished statements stay fetchable (default 1 h), and how many are kept at most (default 2000). */
  resultRetentionMs?: number;
  maxStatements?: number;
  accessTokenTtlSeconds?: number;
  authorizationCodeTtlSeconds?: number;
  /** Clock for authentication and OAuth (tokens live in real time); tests inject one to expire codes and tokens. */
  authNow?: () => number;
  /** One JSON line per request; default silent. */
  logger?: (line: string) => void;
}

export interface EmulatorAdmin {
  report(): AdminReport;
  setFaults(config: FaultConfig): void;
  revokeTokens(filter?: TokenFilter): number;
  expireTokens(filter?: TokenFilter): number;
  /** Adds or replaces an OAuth client at run time (a security integration created on a live account). */
  registerOAuthClient(config: OAuthClientConfig): void;
}

export interface RunningEmulator<E extends EngineWithExtras = EmulatorEngine> {
  url: URL;
  port: number;
  engine: E;
  admin: EmulatorAdmin;
  close(): Promise<void>;
}

export async function startEmulator<E extends EngineWithExtras = EmulatorEngine>(
  options: StartEmulatorOptions<E> = {},
): Promise<RunningEmulator<E>> {
  // The OAuth clients first: one the account could not have fails before an engine is created.
  const clients = new ClientRegistry(options.oauthClients ?? [], { addPrivilegedRolesToBlockedList: options.oauthAddPrivilegedRolesToBlockedList });
  // Without an engine the default type parameter applies, so the created EmulatorEngine is what E stands for.
  const engine = options.engine ?? ((await createEmulatorEngine(options.engineOptions)) as unknown as E);
  const ownsEngine = options.ownsEngine ?? options.engine === undefined;
  const authNow = options.authNow ?? Date.now;
  const users = new UserDirectory(options.users ?? DEMO_USERS, authNow());
  const tokens = new OAuthTokenStore(authNow);
  const codes = new AuthorizationCodes(authNow, options.authorizationCodeTtlSeconds ?? 60);
  const faults = new FaultInjector(faultConfigSchema.parse(options.faults ?? { rules: [] }));
  const store = new StatementStore({
    engine,
    partitionPolicy: {
      ...DEFAULT_PARTITION_POLICY,
      ...(options.partitionRows === undefined ? {} : { partitionRows: options.partitionRows }),
      ...(options.firstPartitionBytes === undefined ? {} : { firstPartitionBytes: options.firstPartitionBytes }),
      ...(options.maxPartitionBytes === undefined ? {} : { maxPartitionBytes: options.maxPartitionBytes }),
    },
    retentionMs: options.resultRetentionMs ?? 3_600_000,
    maxStatements: options.maxStatements ?? 2000,
    // createdOn follows the virtual clock so it agrees with CURRENT_TIMESTAMP() inside the emulated account.
    createdOnNow: () => (engine.clock === undefined ? Date.now() : clockMillis(engine.clock.now())),
  });
  const auth: AuthContext = { account: (options.account ?? DEMO_ACCOUNT).toUpperCase(), users, tokens, now: authNow };
  const accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 600;
  const adminDeps: AdminDeps = { engine, store, faults, tokens, requestCounts: new Map() };
  const handler = createRequestHandler({
    sqlApi: { store, users, catalog: sessionCatalogOf(engine), syncWaitMs: options.syncWaitMs ?? 45_000, gzipLaterPartitions: options.gzipLaterPartitions ?? 'always' },
    auth,
    faults,
    authorize: new AuthorizeEndpoint({ clients, users, codes, now: authNow }),
    token: { clients, users, codes, tokens, now: authNow, accessTokenTtlSeconds },
    admin: adminDeps,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    log: options.logger,
  });
  const server = createServer(handler);
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await store.close();
    if (ownsEngine) await engine.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: new URL(`http://${host}:${port}/`),
    port,
    engine,
    admin: {
      report: () => adminReport(adminDeps),
      setFaults: (config) => faults.replace(faultConfigSchema.parse(config)),
      revokeTokens: (filter = {}) => tokens.revoke(filter),
      expireTokens: (filter = {}) => tokens.expire(filter),
      registerOAuthClient: (config) => clients.register(config),
    },
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await store.close();
        if (ownsEngine) await engine.close();
      })();
      return closing;
    },
  };
}
