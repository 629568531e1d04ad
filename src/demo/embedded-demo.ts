// The embedded default behind `npm start` without a configuration: the Snowflake emulator runs in-process with the
// demo scenario, and the exporter is configured against it exactly as it would be against a real account (key-pair
// auth with a key generated for this run, the emulator's URL as the endpoint override). The emulator is imported
// lazily, so a production image can leave it (and DuckDB) out.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFromText, type ExporterConfig } from '../config/index.ts';

/** The emulator's account in org-account form, so the identifier rules apply to the demo as to any account. */
const DEMO_ACCOUNT_IDENTIFIER = 'demo-emulator';
const DEMO_ACCOUNT_NAME = 'demo';
const PRIVATE_KEY_VARIABLE = 'DEMO_PRIVATE_KEY';
/** How often the emulator's virtual clock is moved to the wall clock, so views fill and cycles see time pass. */
const CLOCK_TICK_MS = 5_000;

export interface EmbeddedDemo {
  readonly config: ExporterConfig;
  readonly emulatorUrl: URL;
  /** Incidents in the demo scenario's ground truth, for the start-up message. */
  readonly incidents: number;
  /**
   * The scenario's virtual "now" (the wall clock rounded down to the minute at start). Generating the demo preset
   * again with this end gives the same rows and ground truth; without it, a minute boundary passing in between would
   * give different ids.
   */
  readonly scenarioEnd: Date;
  close(): Promise<void>;
}

export interface EmbeddedDemoOptions {
  /**
   * The process environment: SNOWFLAKE_RISK_EXPORTER_* overrides apply to the demo's configuration as to any other
   * (for example SNOWFLAKE_RISK_EXPORTER_SERVER__LISTEN=127.0.0.1:0 for a free port).
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Extra YAML appended to the account block (tests use it to shorten intervals). */
  readonly accountYaml?: string;
  /** Scenario preset: 'demo' (every incident, the default) or 'quiet' (the same account without incidents: a control). */
  readonly preset?: 'demo' | 'quiet';
  /** Name of the exporter's account (default 'demo'); tests running a demo and a control side by side tell them apart. */
  readonly accountName?: string;
}

/** Whole days from the scenario's start to its end, plus one so the first read covers the earliest row. */
function demoBackfillDays(scenario: { readonly groundTruth: { readonly window: { readonly start: string; readonly end: string } } }): number {
  const { start, end } = scenario.groundTruth.window;
  return Math.ceil((Date.parse(end) - Date.parse(start)) / 86_400_000) + 1;
}

export async function startEmbeddedDemo(options: EmbeddedDemoOptions = {}): Promise<EmbeddedDemo> {
  const [{ startEmulator, DEMO_GRANTS, DEMO_USERS, DEMO_ROLE, DEMO_WAREHOUSE }, engineModule, scenarioModule] = await Promise.all([
    import('../../emulator/index.ts'),
    import('../../emulator/engine/index.ts'),
    import('../../emulator/scenario/index.ts'),
  ]);

  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

  const scenario = scenarioModule.generateScenario(scenarioModule.presetOptions(options.preset ?? 'demo'));
  // The demo role holds the README's least-privilege grants, so the demo shows that they are enough.
  const engine = await engineModule.createEmulatorEngine({ clock: engineModule.createVirtualClock(scenario.end), grants: DEMO_GRANTS });
  await scenarioModule.loadScenario(engine, scenario);
  const users = DEMO_USERS.map((user) => ({ ...user, rsaPublicKeys: [publicKeyPem] }));
  const emulator = await startEmulator({ engine, ownsEngine: true, users, account: DEMO_ACCOUNT_IDENTIFIER.toUpperCase() });

  const tick = setInterval(() => {
    const now = new Date();
    if (now > engine.clock.now()) engine.clock.set(now);
  }, CLOCK_TICK_MS);
  tick.unref();

  // State lives in a fresh directory per run: the scenario's ids are deterministic, so state kept from an earlier run
  // would hide this run's events as already delivered.
  const stateDir = mkdtempSync(join(tmpdir(), 'snowflake-risk-exporter-demo-'));
  const yaml = [
    'server:',
    // The demo is local: loopback only, unless an override says otherwise.
    '  listen: "127.0.0.1:9975"',
    'state:',
    `  path: ${JSON.stringify(join(stateDir, 'state.db'))}`,
    'accounts:',
    `  - name: ${options.accountName ?? DEMO_ACCOUNT_NAME}`,
    `    account: ${DEMO_ACCOUNT_IDENTIFIER}`,
    `    endpoint: ${emulator.url.origin}`,
    `    user: ${DEMO_USERS[0]?.name ?? 'DEMO'}`,
    `    role: ${DEMO_ROLE}`,
    `    warehouse: ${DEMO_WAREHOUSE}`,
    // One account, started on purpose: no reason to spread its first cycle, findings should show within seconds.
    '    jitter: 0s',
    // The first cycle reads the whole scenario (two weeks), so every planted incident shows, not only the last day's.
    `    backfill: ${demoBackfillDays(scenario)}d`,
    // What a security engineer would configure on day one: the consumers the account shares with on purpose and the
    // threat-intelligence IPs. Without them the long-standing approved shares would be reported as unapproved.
    '    detectionParameters:',
    '      share.unapproved_consumer:',
    `        approvedConsumerAccounts: ${JSON.stringify(scenario.groundTruth.approvedConsumerAccounts)}`,
    '      auth.suspicious_login:',
    `        iocIps: ${JSON.stringify(scenario.groundTruth.iocIps)}`,
    '    auth:',
    '      method: keypair',
    `      privateKey: env:${PRIVATE_KEY_VARIABLE}`,
    ...(options.accountYaml === undefined ? [] : options.accountYaml.split('\n').map((line) => `    ${line}`)),
  ].join('\n');
  let config: ExporterConfig;
  try {
    ({ config } = loadConfigFromText(yaml, {
      sourcePath: join(stateDir, 'demo-config.yaml'),
      env: { ...options.env, [PRIVATE_KEY_VARIABLE]: privateKeyPem },
      cwd: stateDir,
    }));
  } catch (error) {
    // An invalid SNOWFLAKE_RISK_EXPORTER_* override: nothing of the demo may outlive the refusal (the emulator's
    // listening socket alone would keep the process running after the caller reported the error).
    clearInterval(tick);
    await emulator.close();
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }

  let closed = false;
  return {
    config,
    emulatorUrl: emulator.url,
    incidents: scenario.groundTruth.incidents.length,
    scenarioEnd: scenario.end,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(tick);
      await emulator.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
