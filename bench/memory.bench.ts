// Memory of the exporter as deployed: `node src/main.ts --config` in a process of its own (the emulator runs in
// another, so DuckDB's memory is not counted), OTLP logs on to a collector stand-in, default settings otherwise
// (every source, the whole detection catalog, hourly intervals). RSS is read from /proc (VmHWM, VmRSS): what the kernel
// charges the process, the Node.js binary's pages included.
//
// Each case runs twice: with the Node.js flags README.md recommends for production (RECOMMENDED_NODE_FLAGS) and with
// Node's defaults, which size the V8 heap from the machine's memory (on a large host the young generation alone
// grows to 128 MB and garbage piles up in the old one before it is collected).
//
//   peak RSS while one cycle streams a 1,000,000-row QUERY_HISTORY window (target < 300 MB). Baselines from the same
//   run: Node's defaults; and a window a tenth as long (~100,000 rows), whose ratio near 1 says memory does not grow
//   with the window (rows stream partition by partition and are delivered in bounded batches).
//   idle RSS with 10 accounts, a minute after their first cycles (target < 100 MB). Baselines: Node's defaults; and
//   one account, whose ratio says what an account costs at rest.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Benchmark, BenchFigure } from './harness.ts';
import { startCollectorStandIn, startEmulatorProcess, startExporterProcess, totalOf, type EmulatorProcess } from './support/processes.ts';

const END = '2026-11-20T12:00:00Z';
/** How long an exporter is left alone after its first cycles before its idle RSS is read. */
const IDLE_SETTLE_SECONDS = Number(process.env.BENCH_IDLE_SETTLE_SECONDS ?? 60);
/**
 * A small young generation (4 MB semi-spaces instead of up to 64 MB) and old-generation growth kept within 25% of
 * the live heap between full collections. Neither caps the heap, so a larger fleet never runs out of it because of
 * them. Set them with NODE_OPTIONS (README.md, "Performance").
 */
export const RECOMMENDED_NODE_FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=25'] as const;

function configYaml(options: { statePath: string; emulatorUrl: string; collectorUrl: string; backfill: string; accounts: number }): string {
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
    `  backfill: ${options.backfill}`,
    '  jitter: 0s',
    'accounts:',
    ...accounts,
    '',
  ].join('\n');
}

interface Run {
  /** VmHWM once every account ended its first cycle. */
  readonly peakMb: number;
  /** VmRSS after IDLE_SETTLE_SECONDS more. */
  readonly idleMb: number;
  readonly idleAnonMb: number;
  readonly queryRows: number;
  readonly exported: number;
  readonly cycleSeconds: number;
}

async function runExporter(emulator: EmulatorProcess, collectorUrl: string, backfill: string, accounts: number, nodeFlags: readonly string[]): Promise<Run> {
  const directory = mkdtempSync(join(tmpdir(), 'bench-memory-'));
  const started = performance.now();
  const exporter = await startExporterProcess({
    directory,
    nodeFlags,
    configYaml: configYaml({ statePath: join(directory, 'state.db'), emulatorUrl: emulator.url, collectorUrl, backfill, accounts }),
  });
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
    'exporter process RSS (src/main.ts, OTLP on, default sources and detections; emulator in another process): ' +
    `peak over a 1,000,000-row QUERY_HISTORY window, idle with 10 accounts; with ${RECOMMENDED_NODE_FLAGS.join(' ')}`,
  async run(): Promise<readonly BenchFigure[]> {
    // The `large` preset: 200 users, 30 days, 33,334 queries a day = 1,000,000 QUERY_HISTORY rows.
    const large = await startEmulatorProcess({ preset: 'large', end: END, views: ['QUERY_HISTORY'] });
    const collector = await startCollectorStandIn();
    try {
      console.log(`emulator: ${large.rows.toLocaleString('en-US')} QUERY_HISTORY rows loaded in ${large.loadSeconds.toFixed(0)} s (own process)`);
      console.log(`recommended Node.js flags: ${RECOMMENDED_NODE_FLAGS.join(' ')}`);
      const flags = { recommended: RECOMMENDED_NODE_FLAGS, 'Node defaults': [] } as const;
      const describe = (name: string, run: Run): void =>
        console.log(
          `${name}: ${run.queryRows.toLocaleString('en-US')} query rows read, ${run.exported.toLocaleString('en-US')} OTLP records acknowledged, ` +
            `first cycle(s) done ${run.cycleSeconds.toFixed(0)} s after start, peak ${run.peakMb.toFixed(0)} MB, ` +
            `${IDLE_SETTLE_SECONDS} s later RSS ${run.idleMb.toFixed(0)} MB (anonymous ${run.idleAnonMb.toFixed(0)} MB)`,
        );
      // The large preset: 200 users, 30 days, 33,334 queries a day = 1,000,000 QUERY_HISTORY rows; 31 d reads them all.
      const full = await runExporter(large, collector.url, '31d', 1, flags.recommended);
      describe('31 d window, recommended flags', full);
      const fullDefaults = await runExporter(large, collector.url, '31d', 1, flags['Node defaults']);
      describe('31 d window, Node defaults', fullDefaults);
      const tenth = await runExporter(large, collector.url, '3d', 1, flags.recommended);
      describe('3 d window, recommended flags', tenth);
      // Idle: a day of the large account per account (~33,000 query rows each) in the first cycle, then rest.
      const ten = await runExporter(large, collector.url, '1d', 10, flags.recommended);
      describe('10 accounts (1 d backfill), recommended flags', ten);
      const tenDefaults = await runExporter(large, collector.url, '1d', 10, flags['Node defaults']);
      describe('10 accounts (1 d backfill), Node defaults', tenDefaults);
      const one = await runExporter(large, collector.url, '1d', 1, flags.recommended);
      describe('1 account (1 d backfill), recommended flags', one);
      const rows = (run: Run): string => `${run.queryRows.toLocaleString('en-US')} rows`;
      return [
        { name: `peak RSS, one cycle over ${rows(full)}`, unit: 'MB', value: full.peakMb, baselineName: 'Node defaults', baseline: fullDefaults.peakMb },
        { name: `peak RSS, one cycle over ${rows(full)}`, unit: 'MB', value: full.peakMb, baselineName: rows(tenth), baseline: tenth.peakMb },
        { name: 'idle RSS, 10 accounts', unit: 'MB', value: ten.idleMb, baselineName: 'Node defaults', baseline: tenDefaults.idleMb },
        { name: 'idle RSS, 10 accounts', unit: 'MB', value: ten.idleMb, baselineName: '1 account', baseline: one.idleMb },
      ];
    } finally {
      await collector.stop();
      await large.stop();
    }
  },
};

export default benchmark;
