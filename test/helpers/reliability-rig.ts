// The reliability suite's rig: the real exporter in this process (startExporter: state store, delivery pipeline,
// scheduler, SQL API client, metrics and HTTP server) on one key-pair account of the emulator, with its OTLP logs sink
// exporting to an in-process OTLP/HTTP receiver (protobuf decoded with the official definitions): the downstream the
// suite judges. Rows arrive as in production: history visible at once, then fresh rows that surface only after their
// view's latency as the virtual clock moves. Everything the exporter writes (its log, /metrics, the records it
// exports) is kept, so the security checks can scan it for this rig's secrets.
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Registry, type Metric } from 'prom-client';
import type { CycleReport } from '../../src/collect/cycle.ts';
import type { AccountConfig, ExporterConfig } from '../../src/config/types.ts';
import { OtlpLogSink, type BackoffPolicy } from '../../src/export/otlp/index.ts';
import { startExporter, type RunningExporter } from '../../src/runtime/exporter.ts';
import { EXPORTER_QUERY_TAG } from '../../src/snowflake/account-client.ts';
import { keyPairEmulatorFor, type KeyPairEmulator, type KeyPairEmulatorOptions } from './emulator-account.ts';
import { exporterConfigFor, loginRow, minutesAfter, queryRow, tempDirFor } from './exporter-harness.ts';
import { otlpConfigFor } from './otlp-config.ts';
import { OtlpReceiver, type ReceivedRecord } from './otlp-receiver.ts';
import { seeded } from './seeded-random.ts';

export const RIG_T0 = new Date('2026-11-20T12:00:00Z');
const QUERY_LATENCY_MINUTES = 45;
const LOGIN_LATENCY_MINUTES = 120;
/** Fast OTLP retries: the suite judges what arrives, not the length of the pauses. */
export const QUICK_BACKOFF: BackoffPolicy = { initialMs: 20, maxMs: 300 };

export interface RigOptions {
  readonly emulatorOptions?: KeyPairEmulatorOptions['emulatorOptions'];
  /** Over the emulated account's settings (e.g. a short cycleDeadlineSeconds). */
  readonly account?: Partial<AccountConfig>;
  /** Seed of the rows' times (and of anything else the test draws). */
  readonly seed?: number;
  readonly otlpTimeoutSeconds?: number;
  /** Where the state file lives (default: a fresh temporary directory). */
  readonly statePath?: string;
}

export interface Rig {
  readonly e: KeyPairEmulator;
  /** The collector stand-in now (replaced by collectorUp()). */
  receiver: OtlpReceiver;
  readonly account: AccountConfig;
  readonly statePath: string;
  readonly random: () => number;
  /** The running exporter (replaced by restart()). */
  exporter: RunningExporter;
  /** Every line the exporter logged, as "<level> <message>". */
  readonly logs: string[];
  /** Every /metrics text scraped through scrape(). */
  readonly scrapes: string[];
  /** QUERY_HISTORY and LOGIN_HISTORY rows visible at once (inside the first run's 24 h backfill). */
  history(queries: number, logins: number): Promise<void>;
  /** Rows whose time lies within their view's latency of the virtual now: visible only later. */
  fresh(queries: number, logins: number): Promise<void>;
  /** Moves the emulator's virtual clock. */
  advance(minutes: number): void;
  /** Moves the clock past every view's latency, so every row inserted so far is visible. */
  settle(): void;
  /** One collection cycle now; undefined when it could not start (overlap). */
  cycle(): Promise<CycleReport | undefined>;
  scrape(): Promise<string>;
  /** Stops this exporter (as SIGTERM would) and starts a new one on the same state file. */
  restart(): Promise<void>;
  /** The query and login ids the emulator holds, read from its engine (what "the set in the emulator" is). */
  emulatorEventIds(): Promise<string[]>;
  /** Stops the collector: its port refuses connections until collectorUp(). What it acknowledged stays counted. */
  collectorDown(): Promise<void>;
  /** Starts a collector again on the same port. */
  collectorUp(): Promise<void>;
  /** Records every collector so far acknowledged (2xx answers). */
  acknowledged(): ReceivedRecord[];
  /** Records every collector so far received, whatever it answered. */
  received(): ReceivedRecord[];
  /** Acknowledged records per Snowflake event id. */
  deliveredCounts(): Map<string, number>;
  /** The secrets this rig's exporter holds (the private key, and its lines). */
  readonly secrets: readonly string[];
}

/** The Snowflake id an OTLP record is about (query id or login event id); undefined for other kinds. */
export function eventIdOf(record: ReceivedRecord): string | undefined {
  const id = record.attributes['snowflake.query.id'] ?? record.attributes['snowflake.login.event_id'];
  return id === undefined || id === null ? undefined : String(id);
}

export async function rigFor(t: TestContext, options: RigOptions = {}): Promise<Rig> {
  const random = seeded(options.seed ?? 0x5e1_0000);
  const e = await keyPairEmulatorFor(t, { start: RIG_T0, ...(options.emulatorOptions === undefined ? {} : { emulatorOptions: options.emulatorOptions }) });
  const receiver = await OtlpReceiver.start();
  const receivers = [receiver];
  const collectorPort = receiver.port;
  t.after(() => Promise.all(receivers.map((each) => each.close())));
  const account: AccountConfig = { ...e.account, jitterSeconds: 0, ...options.account };
  const statePath = options.statePath ?? join(tempDirFor(t, 'sre-reliability-'), 'state.db');
  const config: ExporterConfig = exporterConfigFor(account, statePath);
  const logs: string[] = [];
  const scrapes: string[] = [];

  const start = async (): Promise<RunningExporter> => {
    // The OTLP sink the runtime would build from `otlp:`, with quick retries; it is the exporter's only extra sink.
    // Its self-metrics move to the exporter's registry once that exists, so /metrics shows them as in production.
    const sinkRegistry = new Registry();
    const sink = new OtlpLogSink({
      config: otlpConfigFor(receiver.url, { maxBatch: 100, timeoutSeconds: options.otlpTimeoutSeconds ?? 2 }),
      accounts: [{ name: account.name, identifier: account.identifier.raw }],
      registry: sinkRegistry,
      backoff: QUICK_BACKOFF,
      log: (level, message) => logs.push(`${level} otlp: ${message}`),
    });
    const exporter = await startExporter(config, { schedule: false, sinks: [sink], log: (level, message) => logs.push(`${level} ${message}`) });
    // getMetricsAsArray() returns the metric objects themselves (its type only names their serialised shape).
    for (const metric of sinkRegistry.getMetricsAsArray() as unknown as Metric[]) exporter.metrics.registry.registerMetric(metric);
    return exporter;
  };

  const feed = new RowFeed(e, random);
  const rig: Rig = {
    e,
    receiver,
    account,
    statePath,
    random,
    exporter: await start(),
    logs,
    scrapes,
    history: (queries, logins) => feed.insert(queries, logins, true),
    fresh: (queries, logins) => feed.insert(queries, logins, false),
    advance: (minutes) => e.advance(minutes * 60),
    settle: () => e.advance((LOGIN_LATENCY_MINUTES + 30) * 60),
    async cycle() {
      const result = await rig.exporter.scheduler.runOnce(account.name);
      return result.ran ? result.report : undefined;
    },
    async scrape() {
      const response = await fetch(new URL('/metrics', rig.exporter.url), { signal: AbortSignal.timeout(10_000) });
      const text = await response.text();
      scrapes.push(text);
      if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
      return text;
    },
    async restart() {
      await rig.exporter.close();
      rig.exporter = await start();
    },
    emulatorEventIds: () => emulatorEventIds(e, account),
    async collectorDown() {
      await rig.receiver.close();
    },
    async collectorUp() {
      const next = await OtlpReceiver.start(collectorPort);
      receivers.push(next);
      rig.receiver = next;
    },
    acknowledged: () => receivers.flatMap((each) => each.acknowledged()),
    received: () => receivers.flatMap((each) => each.received()),
    deliveredCounts: () => deliveredCounts(rig.acknowledged()),
    secrets: secretsOf(account),
  };
  t.after(() => rig.exporter.close());
  return rig;
}

/**
 * Inserts QUERY_HISTORY and LOGIN_HISTORY rows with ids q-0, q-1... and 1, 2...: `visible` ones older than their view's
 * latency, the others within it (they surface as the virtual clock moves on).
 */
export class RowFeed {
  readonly #e: KeyPairEmulator;
  readonly #random: () => number;
  #nextQuery = 0;
  #nextLogin = 1;

  constructor(e: KeyPairEmulator, random: () => number) {
    this.#e = e;
    this.#random = random;
  }

  async insert(queries: number, logins: number, visible: boolean): Promise<void> {
    const now = this.#e.now();
    const age = (latency: number): number => (visible ? -(latency + 5 + this.#random() * 600) : -this.#random() * (latency - 1));
    const qs = Array.from({ length: queries }, () => queryRow(`q-${this.#nextQuery++}`, minutesAfter(now, age(QUERY_LATENCY_MINUTES))));
    const ls = Array.from({ length: logins }, () => loginRow(this.#nextLogin++, minutesAfter(now, age(LOGIN_LATENCY_MINUTES))));
    if (qs.length > 0) await this.#e.engine.insertRows('QUERY_HISTORY', qs);
    if (ls.length > 0) await this.#e.engine.insertRows('LOGIN_HISTORY', ls);
  }
}

/** The query and login ids the emulator holds (those visible at its clock), read from its engine. */
export async function emulatorEventIds(e: KeyPairEmulator, account: AccountConfig): Promise<string[]> {
  const readIds = async (statement: string): Promise<string[]> => {
    const result = await e.engine.execute({
      statement,
      user: account.user ?? '',
      role: account.role,
      warehouse: account.warehouse,
      parameters: {},
      signal: AbortSignal.timeout(30_000),
    });
    try {
      return (await result.readRows(0, result.rowCount)).map((row) => String(row[0]));
    } finally {
      await result.release();
    }
  };
  const queries = await readIds(`SELECT QUERY_ID FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY WHERE COALESCE(QUERY_TAG, '') <> '${EXPORTER_QUERY_TAG}'`);
  const logins = await readIds('SELECT EVENT_ID FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY');
  return [...queries, ...logins].sort();
}

/** Records per Snowflake event id (only those of `account` when given: its `snowflake.account.name`). */
export function deliveredCounts(records: readonly ReceivedRecord[], account?: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of records) {
    if (account !== undefined && record.resource['snowflake.account.name'] !== account) continue;
    const id = eventIdOf(record);
    if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** The credential material an account's configuration holds, and each line of it (a leak may be partial). */
export function secretsOf(account: AccountConfig): string[] {
  const values: string[] = [];
  if (account.auth.method === 'keypair') values.push(account.auth.privateKey.reveal(), ...(account.auth.passphrase === undefined ? [] : [account.auth.passphrase.reveal()]));
  if (account.auth.method === 'pat') values.push(account.auth.token.reveal());
  if (account.auth.method === 'oauth') values.push(account.auth.clientSecret.reveal());
  return values.flatMap((value) => [value, ...value.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----'))]);
}
