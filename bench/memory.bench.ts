// Memory of the exporter as deployed: the container image's entry (the JavaScript build, `npm run build` first, then
// `node dist/bin/snowflake-risk-exporter.js --config`) in a process of its own (the emulator runs in
// another, so DuckDB's memory is not counted), OTLP logs on to a collector stand-in, default settings otherwise
// (every source, the whole detection catalog, hourly intervals). RSS is read from /proc (VmHWM, VmRSS): what the kernel
// charges the process, the Node.js binary's pages included, in MiB (/proc's kB are KiB).
//
// Each case runs twice: with the memory settings the container image runs with (bench/support/image-memory-settings.ts
// reads them from the Dockerfile: V8 heap flags and glibc allocator variables) and with Node's and glibc's defaults.
// Node's defaults size the V8 heap from the machine's memory (on a large host the young generation alone grows to
// 128 MB and garbage piles up in the old one before it is collected); glibc's keep freed buffers in per-thread arenas.
//
//   peak RSS while one cycle streams a 1,000,000-row QUERY_HISTORY window (target < 300 MB, read as MiB). Baselines from the same
//   run: Node's defaults; and a window a tenth as long (~100,000 rows), whose ratio near 1 says memory does not grow
//   with the window (rows stream partition by partition and are delivered in bounded batches).
//   idle RSS with 10 accounts, a minute after their first cycles (target < 100 MB, read as MiB), each having read a day of the
//   large account (~33,000 query rows). Baselines: Node's defaults; and one account, whose ratio says what an
//   account costs at rest. Then 10 demo-sized accounts (the demo scenario, every view, default backfill), against
//   the same process's RSS at start: what activity adds to the floor of the runtime and its libraries.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Benchmark, BenchFigure } from './harness.ts';
import { describeSettings, imageMemorySettings, type MemorySettings } from './support/image-memory-settings.ts';
import { startCollectorStandIn, startEmulatorProcess, startExporterProcess, totalOf, type EmulatorProcess } from './support/processes.ts';

const END = '2026-11-20T12:00:00Z';
/** How long an exporter is left alone after its first cycles before its idle RSS is read. */
const IDLE_SETTLE_SECONDS = Number(process.env.BENCH_IDLE_SETTLE_SECONDS ?? 60);
/** What the image runs: the build of scripts/build.ts (made once when the benchmark starts). */
const ENTRY = join(import.meta.dirname, '..', 'dist', 'bin', 'snowflake-risk-exporter.js');

function build(): void {
  const result = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'scripts', 'build.ts')], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm run build failed: ${result.stdout}${result.stderr}`);
}

/** The image's settings (Dockerfile), and none at all. */
const IMAGE = imageMemorySettings();
const DEFAULTS: MemorySettings = { nodeFlags: [], env: {} };

function configYaml(options: { statePath: string; emulatorUrl: string; collectorUrl: string; backfill: string | undefined; accounts: number }): string {
  const accounts = Array.from({ length: options.accounts }, (_, i) =>
    [
      `  - name: account${i}`,
      '    account: xy12345',
      `    endpoint: ${options.emulatorUrl}`,
      '    user: DEMO',
      '    role: RISK_EXPORTER',
      '    warehouse: COMPUTE_WH',
      '    auth: { method: pat, token: "env:DEMO_PAT" }',
    ].join('\n'),
  );
  return [
    'server:',
    '  listen: "127.0.0.1:0"',
    'log:',
    '  level: info',
    'state:',
    `  path: ${JSON.stringify(options.statePath)}`,
    'otlp:',
    '  enabled: true',
    `  endpoint: ${options.collectorUrl}`,
    'defaults:',
    ...(options.backfill === undefined ? [] : [`  backfill: ${options.backfill}`]),
    '  jitter: 0s',
    'accounts:',
    ...accounts,
    '',
  ].join('\n');
}

interface Run {
  /** VmRSS as soon as it serves, before its first cycle has read anything much. */
  readonly startMb: number;
  /** VmHWM once every account ended its first cycle. */
  readonly peakMb: number;
  /** VmRSS after IDLE_SETTLE_SECONDS more. */
  readonly idleMb: number;
  readonly idleAnonMb: number;
  readonly queryRows: number;
  readonly exported: number;
  readonly cycleSeconds: number;
}

async function runExporter(emulator: EmulatorProcess, collectorUrl: string, backfill: string | undefined, accounts: number, settings: MemorySettings): Promise<Run> {
  const directory = mkdtempSync(join(tmpdir(), 'bench-memory-'));
  const started = performance.now();
  const exporter = await startExporterProcess({
    directory,
    entry: ENTRY,
    nodeFlags: settings.nodeFlags,
    env: settings.env,
    configYaml: configYaml({ statePath: join(directory, 'state.db'), emulatorUrl: emulator.url, collectorUrl, backfill, accounts }),
  });
  const startMb = exporter.memory().rssMb;
  try {
    await exporter.waitFor(
      `the first cycle of ${accounts} account(s)`,
      (samples) => new Set(samples.filter((s) => s.name === 'snowflake_risk_cycles_total' && s.value > 0).map((s) => s.labels.account)).size === accounts,
      1_800_000,
    );
    const cycleSeconds = (performance.now() - started) / 1000;
    const peakMb = exporter.memory().peakMb;
    const samples = await exporter.scrape();
    const failed = samples.filter((s) => s.name === 'snowflake_risk_cycles_total' && s.labels.outcome !== 'ok' && s.value > 0);
    if (failed.length > 0) throw new Error(`cycles did not end ok: ${JSON.stringify(failed)}; ${exporter.stderr().slice(-2000)}`);
    await sleep(IDLE_SETTLE_SECONDS * 1000);
    const idle = exporter.memory();
    return {
      startMb,
      peakMb,
      idleMb: idle.rssMb,
      idleAnonMb: idle.anonMb,
      queryRows: totalOf(samples, 'snowflake_risk_source_rows_total', { source: 'query_history' }),
      exported: totalOf(samples, 'snowflake_risk_otlp_exported_records_total'),
      cycleSeconds,
    };
  } finally {
    await exporter.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}

const benchmark: Benchmark = {
  name: 'memory',
  description:
    'exporter process RSS (the JavaScript build as the image runs it, OTLP on, default sources and detections; emulator in another process): ' +
    `peak over a 1,000,000-row QUERY_HISTORY window, idle with 10 accounts; with the image's settings (${describeSettings(IMAGE)})`,
  async run(): Promise<readonly BenchFigure[]> {
    build();
    // The `large` preset: 200 users, 30 days, 33,334 queries a day = 1,000,000 QUERY_HISTORY rows.
    const large = await startEmulatorProcess({ preset: 'large', end: END, views: ['QUERY_HISTORY'] });
    const collector = await startCollectorStandIn();
    try {
      console.log(`emulator: ${large.rows.toLocaleString('en-US')} QUERY_HISTORY rows loaded in ${large.loadSeconds.toFixed(0)} s (own process)`);
      console.log(`the image's memory settings (Dockerfile): ${describeSettings(IMAGE)}`);
      const describe = (name: string, run: Run): void =>
        console.log(
          `${name}: ${run.queryRows.toLocaleString('en-US')} query rows read, ${run.exported.toLocaleString('en-US')} OTLP records acknowledged, ` +
            `first cycle(s) done ${run.cycleSeconds.toFixed(0)} s after start, RSS at start ${run.startMb.toFixed(0)} MiB, peak ${run.peakMb.toFixed(0)} MiB, ` +
            `${IDLE_SETTLE_SECONDS} s later RSS ${run.idleMb.toFixed(0)} MiB (anonymous ${run.idleAnonMb.toFixed(0)} MiB)`,
        );
      // The large preset: 200 users, 30 days, 33,334 queries a day = 1,000,000 QUERY_HISTORY rows; 31 d reads them all.
      const full = await runExporter(large, collector.url, '31d', 1, IMAGE);
      describe('31 d window, image settings', full);
      const fullDefaults = await runExporter(large, collector.url, '31d', 1, DEFAULTS);
      describe('31 d window, defaults', fullDefaults);
      const tenth = await runExporter(large, collector.url, '3d', 1, IMAGE);
      describe('3 d window, image settings', tenth);
      // Idle: a day of the large account per account (~33,000 query rows each) in the first cycle, then rest.
      const ten = await runExporter(large, collector.url, '1d', 10, IMAGE);
      describe('10 accounts (1 d backfill), image settings', ten);
      const tenDefaults = await runExporter(large, collector.url, '1d', 10, DEFAULTS);
      describe('10 accounts (1 d backfill), defaults', tenDefaults);
      const one = await runExporter(large, collector.url, '1d', 1, IMAGE);
      describe('1 account (1 d backfill), image settings', one);
      // Idle with typical accounts: the demo scenario's activity (40 users, 2,000 queries a day, every view) with the
      // default backfill, in an emulator of its own.
      const demo = await startEmulatorProcess({ preset: 'demo', end: END });
      let typical: Run;
      try {
        typical = await runExporter(demo, collector.url, undefined, 10, IMAGE);
      } finally {
        await demo.stop();
      }
      describe('10 demo-sized accounts (default backfill), image settings', typical);
      const rows = (run: Run): string => `${run.queryRows.toLocaleString('en-US')} rows`;
      return [
        { name: `peak RSS, one cycle over ${rows(full)}`, unit: 'MiB', value: full.peakMb, baselineName: 'defaults', baseline: fullDefaults.peakMb },
        { name: `peak RSS, one cycle over ${rows(full)}`, unit: 'MiB', value: full.peakMb, baselineName: rows(tenth), baseline: tenth.peakMb },
        { name: 'idle RSS, 10 accounts', unit: 'MiB', value: ten.idleMb, baselineName: 'defaults', baseline: tenDefaults.idleMb },
        { name: 'idle RSS, 10 accounts', unit: 'MiB', value: ten.idleMb, baselineName: '1 account', baseline: one.idleMb },
        { name: 'idle RSS, 10 demo-sized accounts', unit: 'MiB', value: typical.idleMb, baselineName: 'the same process at start', baseline: typical.startMb },
      ];
    } finally {
      await collector.stop();
      await large.stop();
    }
  },
};

export default benchmark;
