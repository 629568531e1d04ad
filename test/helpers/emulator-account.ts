// Starts the in-process Snowflake emulator with a key-pair user and builds the exporter's side of it: an
// AccountConfig pointing at the emulator and the SqlApiClient that createAccountClient makes from it. Shared by the
// integration tests of sources, scheduler and detections: everything is real (JWT signing, HTTP, DuckDB), only the
// account is an emulated one.
import { generateKeyPairSync } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { Dispatcher } from 'undici';
import { startEmulator, type RunningEmulator, type StartEmulatorOptions, type UserConfig } from '../../emulator/index.ts';
import { createEmulatorEngine, createVirtualClock, defaultLatencyModel, type EmulatorEngine, type EngineOptions } from '../../emulator/engine/index.ts';
import { SOURCES, SOURCE_IDS, type SourceId } from '../../src/collect/source-ids.ts';
import { defaultCollectionSettings, type AccountConfig } from '../../src/config/types.ts';
import { createAccountClient } from '../../src/snowflake/account-client.ts';
import { parseAccountIdentifier, parseEndpointOverride } from '../../src/snowflake/account-identifier.ts';
import type { SqlApiClient } from '../../src/snowflake/sqlapi/index.ts';
import { Secret } from '../../src/util/secret.ts';

/** The org-account identifier the emulated account answers to (JWT claims carry its upper-case form). */
export const EMULATED_ACCOUNT_IDENTIFIER = 'riskorg-emulated';
export const EMULATED_USER = 'RISK_EXPORTER_SVC';
export const EMULATED_ROLE = 'RISK_READER';
export const EMULATED_WAREHOUSE = 'COMPUTE_WH';

export interface KeyPairEmulatorOptions {
  /** Label of the account in the exporter (metrics, events). Default 'emulated'. */
  readonly accountName?: string;
  readonly user?: string;
  readonly role?: string;
  readonly warehouse?: string;
  /** Virtual clock start. Default 2026-11-20T12:00:00Z. */
  readonly start?: Date;
  /** Per-view latency overrides in seconds (e.g. `{ QUERY_HISTORY: 0 }`); omitted views keep the documented latency. */
  readonly latency?: Record<string, number>;
  /**
   * Extra engine options (grants, account identity...). clock and latency are set from above. Without `grants` every
   * role reads everything (the engine's open default).
   */
  readonly engineOptions?: Omit<EngineOptions, 'clock' | 'latency'>;
  /** Extra emulator options (faults, partitionRows...). */
  readonly emulatorOptions?: Omit<StartEmulatorOptions, 'engine' | 'engineOptions' | 'users' | 'account'>;
  /** Extra users besides the exporter's key-pair user. */
  readonly extraUsers?: readonly UserConfig[];
  /** Statements in flight at once for the account. Default 4. */
  readonly concurrency?: number;
  /** HTTP dispatcher for the client (e.g. one that records request bodies); not closed by close(). */
  readonly dispatcher?: Dispatcher;
}

export interface KeyPairEmulator {
  readonly emulator: RunningEmulator;
  readonly engine: EmulatorEngine;
  readonly account: AccountConfig;
  readonly client: SqlApiClient;
  /** Moves the emulator's virtual clock forward. */
  advance(seconds: number): void;
  now(): Date;
  close(): Promise<void>;
}

export function defaultIntervals(): Record<SourceId, number> {
  return Object.fromEntries(SOURCE_IDS.map((id) => [id, SOURCES[id].defaultIntervalSeconds])) as Record<SourceId, number>;
}

/** An AccountConfig for a key-pair user of an emulator at `baseUrl`, as the configuration layer would resolve it. */
export function emulatorAccountConfig(options: {
  readonly baseUrl: URL | string;
  readonly privateKeyPem: string;
  readonly name?: string;
  readonly user?: string;
  readonly role?: string;
  readonly warehouse?: string;
  readonly concurrency?: number;
}): AccountConfig {
  const endpoint = parseEndpointOverride(new URL(options.baseUrl).origin);
  return {
    name: options.name ?? 'emulated',
    identifier: parseAccountIdentifier(EMULATED_ACCOUNT_IDENTIFIER),
    endpoint,
    baseUrl: endpoint.baseUrl,
    user: options.user ?? EMULATED_USER,
    role: options.role ?? EMULATED_ROLE,
    warehouse: options.warehouse ?? EMULATED_WAREHOUSE,
    auth: { method: 'keypair', privateKey: new Secret(options.privateKeyPem, 'test'), passphrase: undefined },
    concurrency: options.concurrency ?? 4,
    intervalSeconds: defaultIntervals(),
    detections: [],
    statementTimeoutSeconds: 60,
    ...defaultCollectionSettings(),
  };
}

/** Starts an emulator whose only exporter user signs in with a freshly generated RSA key pair. */
export async function startKeyPairEmulator(options: KeyPairEmulatorOptions = {}): Promise<KeyPairEmulator> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const user = (options.user ?? EMULATED_USER).toUpperCase();
  const role = (options.role ?? EMULATED_ROLE).toUpperCase();
  const warehouse = options.warehouse ?? EMULATED_WAREHOUSE;
  const clock = createVirtualClock(options.start ?? new Date('2026-11-20T12:00:00Z'));
  const engine = await createEmulatorEngine({ ...options.engineOptions, clock, latency: defaultLatencyModel(options.latency ?? {}) });
  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator({
      ...options.emulatorOptions,
      engine,
      ownsEngine: true,
      account: parseAccountIdentifier(EMULATED_ACCOUNT_IDENTIFIER).jwtAccount,
      users: [{ name: user, roles: [role], defaultRole: role, defaultWarehouse: warehouse, rsaPublicKeys: [publicKeyPem] }, ...(options.extraUsers ?? [])],
    });
  } catch (error) {
    await engine.close();
    throw error;
  }
  const account = emulatorAccountConfig({ baseUrl: emulator.url, privateKeyPem, name: options.accountName, user, role, warehouse, concurrency: options.concurrency });
  const { client, close: closeClient } = createAccountClient(account, { dispatcher: options.dispatcher });
  let closing: Promise<void> | undefined;
  return {
    emulator,
    engine,
    account,
    client,
    advance: (seconds) => clock.advance(seconds * 1000),
    now: () => clock.now(),
    close() {
      closing ??= (async () => {
        await closeClient();
        await emulator.close();
      })();
      return closing;
    },
  };
}

/** startKeyPairEmulator, closed when the test ends. */
export async function keyPairEmulatorFor(t: TestContext, options: KeyPairEmulatorOptions = {}): Promise<KeyPairEmulator> {
  const running = await startKeyPairEmulator(options);
  t.after(() => running.close());
  return running;
}
