// `npm run emulator -- [options]`: the Snowflake emulator as a standalone program. Generates a scenario (or replays a
// JSON Lines directory), loads it into the DuckDB engine, serves the SQL API and OAuth on a local port, and prints
// where to connect. Runs until SIGINT/SIGTERM, then closes cleanly and exits 0.
import { parseArgs } from 'node:util';
import { OWN_USER_HELP, OWN_USER_PARSE_OPTIONS, exporterConfigLines, parseOwnUser, type OwnUserSetup } from './cli-own-user.ts';
import { DEMO_GRANTS, DEMO_PASSWORD, DEMO_PAT_SECRET, DEMO_ROLE, DEMO_USER, DEMO_USERS, DEMO_WAREHOUSE, startEmulator, type OAuthClientConfig, type UserConfig } from './index.ts';
import { parseGrantFlag, withGrants, type GrantsConfig } from './engine/index.ts';
import { createReplayEngine, importJsonlDirectory } from './import/index.ts';
import { VIEWS } from './schema.ts';
import { PRESET_NAMES, generateScenario, loadScenario, presetOptions, writeGroundTruthFile, type PresetOverrides } from './scenario/index.ts';

const HELP = `Usage: npm run emulator -- [options]

Starts the Snowflake emulator (SQL API v2 + OAuth, DuckDB inside) loaded with a generated scenario or a replay.

Data:
  --scenario NAME          ${PRESET_NAMES.join(' | ')} (default demo: 40 users, 14 days, every incident)
  --seed S                 scenario seed (default "demo")
  --users N                number of users
  --days N                 days of history
  --queries-per-day N      average QUERY_HISTORY rows per day
  --import DIR             replay a directory of exported views (JSON Lines or JSON, plain or .gz, one file,
                           COPY part files or a directory per view) instead of generating
  --strict                 with --import: an undocumented column or account parameter is an error, not a warning
  --now ISO                the virtual "now" (default: the current time, rounded down to the minute)
  --latency VIEW=SECONDS   override a view's ingestion latency (repeatable), e.g. QUERY_HISTORY=0
  --no-latency             every row visible at once
  --write-ground-truth F   write the generated scenario's ground truth (JSON) to file F

Privileges (the demo role ${DEMO_ROLE} holds the README's least-privilege grants; other roles read nothing):
  --grant ROLE=GRANT       grant to a role (repeatable), as in Snowflake's GRANT: SNOWFLAKE.SECURITY_VIEWER,
                           "APPLICATION ROLE SNOWFLAKE.TRUST_CENTER_VIEWER", "IMPORTED PRIVILEGES ON DATABASE
                           SNOWFLAKE", "USAGE ON WAREHOUSE COMPUTE_WH", "ROLE OTHER_ROLE", "IMPORT SHARE"

${OWN_USER_HELP}
Server:
  --port N                 port to listen on (default 8085; 0 picks a free one)
  --host H                 address to bind (default 127.0.0.1)
  --oauth-redirect-uri U   redirect URI of the demo OAuth client (default http://127.0.0.1:9975/oauth/callback,
                           the exporter's default address)
  -h, --help               this text
`;

/** Emulator-only demo OAuth client; its secret is a published demo value, not a credential. */
const DEMO_OAUTH_CLIENT_ID = 'demo-exporter';
const DEMO_OAUTH_CLIENT_SECRET = 'demo-exporter-secret';
const DEMO_OAUTH_REDIRECT_URI = 'http://127.0.0.1:9975/oauth/callback';

interface CliConfig {
  scenario: string;
  overrides: PresetOverrides;
  importDir: string | undefined;
  strict: boolean;
  own: OwnUserSetup;
  now: Date | undefined;
  latency: Record<string, number>;
  noLatency: boolean;
  groundTruthFile: string | undefined;
  port: number;
  host: string;
  redirectUri: string;
  grants: GrantsConfig;
}

function parseCli(argv: string[]): { config?: CliConfig; help?: boolean; problems: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        scenario: { type: 'string' },
        seed: { type: 'string' },
        users: { type: 'string' },
        days: { type: 'string' },
        'queries-per-day': { type: 'string' },
        import: { type: 'string' },
        strict: { type: 'boolean' },
        now: { type: 'string' },
        latency: { type: 'string', multiple: true },
        'no-latency': { type: 'boolean' },
        'write-ground-truth': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'oauth-redirect-uri': { type: 'string' },
        grant: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
        ...OWN_USER_PARSE_OPTIONS,
      },
    });
  } catch (error) {
    return { problems: [(error as Error).message] };
  }
  const v = parsed.values;
  if (v.help) return { help: true, problems: [] };
  const problems: string[] = [];
  const integer = (name: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`--${name} must be an integer from ${min} to ${max} (got "${text}")`);
      return undefined;
    }
    return n;
  };
  const scenario = v.scenario ?? 'demo';
  if (!(PRESET_NAMES as readonly string[]).includes(scenario)) problems.push(`--scenario must be one of ${PRESET_NAMES.join(', ')} (got "${scenario}")`);
  let now: Date | undefined;
  if (v.now !== undefined) {
    now = new Date(v.now);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(v.now) || !Number.isFinite(now.getTime())) problems.push(`--now must be an ISO 8601 date-time (got "${v.now}")`);
  }
  const latency: Record<string, number> = {};
  for (const entry of v.latency ?? []) {
    const match = /^([A-Za-z_][A-Za-z0-9_.]*)=(\d+(?:\.\d+)?)$/.exec(entry);
    if (!match) problems.push(`--latency must look like VIEW=SECONDS (got "${entry}")`);
    else {
      const key = (match[1] as string).toUpperCase().replace(/^SNOWFLAKE\./, '').replace(/^ACCOUNT_USAGE\./, '');
      const known = VIEWS.map((view) => (view.schema === 'ACCOUNT_USAGE' ? view.name : `${view.schema}.${view.name}`));
      if (known.includes(key)) latency[key] = Number(match[2]);
      else problems.push(`--latency: unknown view ${match[1] ?? ''} (known: ${known.join(', ')})`);
    }
  }
  if (v.strict === true && v.import === undefined) problems.push('--strict applies to --import');
  const own = parseOwnUser(v, process.env, process.cwd());
  problems.push(...own.problems);
  if (v.import !== undefined && v['write-ground-truth'] !== undefined) problems.push('--write-ground-truth applies to generated scenarios, not to --import');
  if (v.import !== undefined && (v.scenario ?? v.seed ?? v.users ?? v.days ?? v['queries-per-day']) !== undefined) {
    problems.push('--import replays a directory: --scenario, --seed, --users, --days and --queries-per-day do not apply');
  }
  // The exporter's default listen port and callback path, so `npm run emulator` and `npm start` connect as they are.
  const redirectUri = v['oauth-redirect-uri'] ?? DEMO_OAUTH_REDIRECT_URI;
  if (!URL.canParse(redirectUri)) problems.push(`--oauth-redirect-uri must be a URL (got "${redirectUri}")`);
  const overrides: PresetOverrides = {};
  if (v.seed !== undefined) overrides.seed = v.seed;
  const users = integer('users', v.users, 1, 50_000);
  if (users !== undefined) overrides.users = users;
  const days = integer('days', v.days, 2, 365);
  if (days !== undefined) overrides.days = days;
  const qpd = integer('queries-per-day', v['queries-per-day'], 0, 5_000_000);
  if (qpd !== undefined) overrides.queriesPerDay = qpd;
  if (now !== undefined) overrides.end = now;
  const port = integer('port', v.port, 0, 65_535) ?? 8085;
  const grantAdditions: { role: string; grant: string }[] = [];
  for (const flag of v.grant ?? []) {
    try {
      grantAdditions.push(parseGrantFlag(flag));
    } catch (error) {
      problems.push(`--grant: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0 || own.setup === undefined) return { problems };
  return {
    problems,
    config: {
      scenario,
      overrides,
      importDir: v.import,
      strict: v.strict ?? false,
      own: own.setup,
      now,
      latency,
      noLatency: v['no-latency'] ?? false,
      groundTruthFile: v['write-ground-truth'],
      port,
      host: v.host ?? '127.0.0.1',
      redirectUri,
      grants: withGrants(DEMO_GRANTS, grantAdditions),
    },
  };
}

/**
 * The registered user's role holds the README's least-privilege grants (the demo role's database roles, with USAGE on
 * the registered user's own warehouse), so a replay is read as the exporter would read the real account set up that
 * way; --grant adds to them as to any role.
 */
function withOwnRoleGrants(grants: GrantsConfig, user: UserConfig | undefined): GrantsConfig {
  const role = user?.defaultRole;
  if (role === undefined || role === DEMO_ROLE) return grants;
  const databaseRoles = (DEMO_GRANTS[DEMO_ROLE] ?? []).filter((grant) => !grant.startsWith('USAGE ON WAREHOUSE '));
  const warehouse = user?.defaultWarehouse ?? DEMO_WAREHOUSE;
  return withGrants(grants, [...databaseRoles, `USAGE ON WAREHOUSE ${warehouse}`].map((grant) => ({ role, grant })));
}

async function main(argv: string[]): Promise<number> {
  const { config, help, problems } = parseCli(argv);
  if (help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!config) {
    process.stderr.write(`emulator: invalid arguments:\n${problems.map((p) => `  - ${p}`).join('\n')}\n\n${HELP}`);
    return 2;
  }
  const started = performance.now();
  let summary: string;
  let engine;
  // The engine's default warehouse plus the one the registered user works in.
  const warehouses = config.own.extraWarehouses.length === 0 ? {} : {
    warehouses: Object.fromEntries([DEMO_WAREHOUSE, ...config.own.extraWarehouses].map((name) => [name, { size: 'X-Small' as const, autoSuspendSeconds: 60 }])),
  };
  const engineOptions = { ...warehouses, grants: withOwnRoleGrants(config.grants, config.own.user) };
  if (config.importDir !== undefined) {
    engine = await createReplayEngine({ now: config.now ?? new Date(), latency: config.latency, noLatency: config.noLatency, engineOptions });
    try {
      const report = await importJsonlDirectory(engine, config.importDir, { ...(config.now ? { now: config.now } : {}), strict: config.strict });
      for (const warning of report.warnings) process.stderr.write(`emulator: warning: ${warning.message}\n`);
      summary = `replayed ${report.totalRows} rows from ${config.importDir} (${report.files.map((f) => `${f.view} ${f.rows}`).join(', ')})`;
    } catch (error) {
      await engine.close();
      throw error;
    }
  } else {
    const scenario = generateScenario(presetOptions(config.scenario, config.overrides));
    engine = await createReplayEngine({ now: scenario.end, latency: config.latency, noLatency: config.noLatency, engineOptions });
    const report = await loadScenario(engine, scenario);
    const o = scenario.options;
    summary = `scenario ${config.scenario} (seed ${o.seed}, ${o.users} users, ${o.days} days, ${report.totalRows} rows, ${scenario.groundTruth.incidents.length} labelled incidents), virtual now ${scenario.end.toISOString()}`;
    if (config.groundTruthFile !== undefined) {
      await writeGroundTruthFile(scenario.groundTruth, config.groundTruthFile);
      summary += `\nground truth written to ${config.groundTruthFile}`;
    }
  }
  // The demo integration is the README's local one: the exporter's default address is plain http, which Snowflake
  // accepts only with OAUTH_ALLOW_NON_TLS_REDIRECT_URI = TRUE.
  const oauthClient: OAuthClientConfig = {
    clientId: DEMO_OAUTH_CLIENT_ID,
    clientSecrets: [DEMO_OAUTH_CLIENT_SECRET],
    redirectUri: config.redirectUri,
    allowNonTlsRedirectUri: true,
    name: 'snowflake-risk-exporter (demo)',
  };
  const ownUser = config.own.user;
  const users = ownUser === undefined ? DEMO_USERS : [...DEMO_USERS.filter((u) => u.name.toUpperCase() !== ownUser.name), ownUser];
  const emulator = await startEmulator({ port: config.port, host: config.host, engine, ownsEngine: true, users, account: config.own.jwtAccount, oauthClients: [oauthClient] });
  const url = emulator.url.toString().replace(/\/$/, '');
  // Listen for the stop signals before saying "Ctrl-C to stop": a signal sent on that line must stop cleanly.
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stdout.write(
    [
      `Snowflake emulator listening on ${url}`,
      `  data: ${summary}`,
      `  loaded in ${Math.round(performance.now() - started)} ms`,
      '  emulator-only demo credentials (public test values, not secrets of any real account):',
      `    account ${config.own.accountIdentifier}, user ${DEMO_USER}, password ${DEMO_PASSWORD}, role ${DEMO_ROLE}, warehouse ${DEMO_WAREHOUSE}`,
      `    programmatic access token: ${DEMO_PAT_SECRET}`,
      `    OAuth client: id ${DEMO_OAUTH_CLIENT_ID}, secret ${DEMO_OAUTH_CLIENT_SECRET}, redirect ${config.redirectUri}`,
      `  SQL API: ${url}/api/v2/statements   OAuth: ${url}/oauth/authorize   admin: ${url}/_emulator/report`,
      ...(ownUser === undefined ? [] : [`  registered user ${ownUser.name}, role ${ownUser.defaultRole ?? ''}, warehouse ${ownUser.defaultWarehouse ?? ''}`]),
      `  grants: ${Object.entries(engineOptions.grants).map(([role, grants]) => `${role} <- ${grants.join(', ')}`).join('; ')}`,
      '  exporter configuration for this emulator (README "Trying it on your own data"):',
      ...exporterConfigLines(config.own, url, { user: DEMO_USER, role: DEMO_ROLE, warehouse: DEMO_WAREHOUSE }).map((line) => `    ${line}`),
      '  Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await stopped;
  await emulator.close();
  process.stdout.write('Snowflake emulator stopped.\n');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const code = (error as { code?: unknown }).code;
    process.stderr.write(`emulator: ${error instanceof Error ? error.message : String(error)}${typeof code === 'string' ? ` [${code}]` : ''}\n`);
    process.exitCode = 1;
  },
);
