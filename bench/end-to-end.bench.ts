// End to end: emulator rows to acknowledged OTLP records. The emulator (its own process, file-backed DuckDB) holds
// ~200,000 QUERY_HISTORY rows; the real exporter (startExporter: every source, state store, delivery pipeline, metrics
// and OTLP sinks) runs one collection cycle over them and the OTLP sink exports every event to a collector stand-in
// (another process, answers 200). The figure is acknowledged records per second of cycle time. Baseline from the same
// run, in alternation: the SQL API client reading the same statement over the same window alone (HTTP, gunzip, parse,
// decode into row objects), with nothing delivered. Target: the figure at least half of the baseline.
// Detections are off here: they run in Snowflake and return aggregates, which is not the row path being measured.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { DEMO_PAT_SECRET } from '../emulator/index.ts';
import { QUERY_HISTORY_SQL } from '../src/collect/sources/query-history.ts';
import { loadConfig } from '../src/config/index.ts';
import type { ExporterConfig } from '../src/config/types.ts';
import { startExporter } from '../src/runtime/exporter.ts';
import { createAccountClient, EXPORTER_QUERY_TAG } from '../src/snowflake/account-client.ts';
import { bind } from '../src/snowflake/sqlapi/index.ts';
import { median, type Benchmark, type BenchFigure } from './harness.ts';
import { startCollectorStandIn, startEmulatorProcess } from './support/processes.ts';

const END = new Date('2026-11-20T12:00:00Z');
const DAYS = 6;
const BACKFILL_DAYS = DAYS + 1;
const ITERATIONS = 3;

async function exportedRecords(registry: Registry): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'snowflake_risk_otlp_exported_records_total');
  return (metric?.values ?? []).reduce((sum, value) => sum + value.value, 0);
}

/** The configuration as a deployment would write it, loaded by the real loader. */
function configFor(directory: string, emulatorUrl: string, collectorUrl: string): ExporterConfig {
  const path = join(directory, 'config.yaml');
  writeFileSync(
    path,
    [
      'server: { listen: "127.0.0.1:0" }',
      `state: { path: ${JSON.stringify(join(directory, 'state.db'))} }`,
      `otlp: { enabled: true, endpoint: ${JSON.stringify(collectorUrl)} }`,
      'accounts:',
      '  - name: bench',
      '    account: xy12345',
      `    endpoint: ${emulatorUrl}`,
      '    user: DEMO',
      '    role: RISK_EXPORTER',
      '    warehouse: COMPUTE_WH',
      `    backfill: ${BACKFILL_DAYS}d`,
      '    jitter: 0s',
      '    detections: { enabled: [] }',
      '    auth: { method: pat, token: "env:BENCH_PAT" }',
      '',
    ].join('\n'),
  );
  return loadConfig({ path, env: { BENCH_PAT: DEMO_PAT_SECRET } }).config;
}

const benchmark: Benchmark = {
  name: 'end-to-end',
  description: `${DAYS} days of the large scenario's QUERY_HISTORY (emulator in its own process) to acknowledged OTLP records, median of ${ITERATIONS}`,
  async run(): Promise<readonly BenchFigure[]> {
    const emulator = await startEmulatorProcess({ preset: 'large', days: DAYS, end: END.toISOString(), views: ['QUERY_HISTORY'] });
    const collector = await startCollectorStandIn();
    const figure: number[] = [];
    const baseline: number[] = [];
    let records = 0;
    let rows = 0;
    try {
      const readAlone = async (config: ExporterConfig): Promise<void> => {
        const account = config.accounts[0];
        if (account === undefined) throw new Error('no account');
        const { client, close } = createAccountClient(account);
        try {
          const started = performance.now();
          const from = new Date(END.getTime() - BACKFILL_DAYS * 86_400_000);
          const result = await client.execute(QUERY_HISTORY_SQL, { bindings: { from: bind.timestampLtz(from), exporterTag: bind.text(EXPORTER_QUERY_TAG) } });
          let count = 0;
          for await (const row of result.rowsAsObjects()) if (row.QUERY_ID !== undefined) count++;
          baseline.push(count / ((performance.now() - started) / 1000));
          rows = count;
        } finally {
          await close();
        }
      };
      const endToEnd = async (directory: string): Promise<void> => {
        const config = configFor(directory, emulator.url, collector.url);
        const exporter = await startExporter(config, { schedule: false });
        try {
          const started = performance.now();
          const result = await exporter.scheduler.runOnce('bench');
          const seconds = (performance.now() - started) / 1000;
          if (!result.ran || result.report.outcome !== 'ok') throw new Error('the cycle did not end ok');
          records = await exportedRecords(exporter.metrics.registry);
          figure.push(records / seconds);
        } finally {
          await exporter.close();
        }
      };
      for (let i = 0; i <= ITERATIONS; i++) {
        // Iteration 0 warms both paths up and is not counted.
        const directory = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
        try {
          await readAlone(configFor(directory, emulator.url, collector.url));
          await endToEnd(directory);
        } finally {
          rmSync(directory, { recursive: true, force: true });
        }
        if (i === 0) {
          figure.length = 0;
          baseline.length = 0;
        }
      }
    } finally {
      await collector.stop();
      await emulator.stop();
    }
    if (records < rows) throw new Error(`${records} records acknowledged for ${rows} rows`);
    console.log(`${rows.toLocaleString('en-US')} QUERY_HISTORY rows per read; ${records.toLocaleString('en-US')} OTLP records acknowledged per cycle (events of every source)`);
    return [
      {
        name: 'emulator rows → events → OTLP records acknowledged (one cycle)',
        unit: 'records/s',
        value: median(figure),
        baselineName: 'SQL API client reading the same rows alone',
        baseline: median(baseline),
      },
    ];
  },
};

export default benchmark;
