// /metrics under load: the real exporter (startExporter: registry, HTTP app, server) after real collection cycles of
// many accounts against the emulator (demo activity, default sources and the whole detection catalog), until the
// registry holds at least 10,000 series. Then a Prometheus stand-in in another process scrapes /metrics with
// CONCURRENCY scrapers back to back (bench/support/scrape-child.ts). Baseline from the same run, in alternation:
// prom-client's own `registry.metrics()` on the same registry, called by CONCURRENCY loops at once in the exporter's
// process. Both sides see the same concurrency, so the ratio is what the exporter's HTTP path adds to serialisation.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExporter } from '../src/runtime/exporter.ts';
import { startFleet } from '../test/helpers/reliability-fleet.ts';
import { percentile, type Benchmark, type BenchFigure } from './harness.ts';

const TARGET_SERIES = 10_000;
/** More accounts than needed: cycles run one account at a time until the registry reaches TARGET_SERIES. */
const MAX_ACCOUNTS = 60;
const CONCURRENCY = 4;
const REQUESTS_PER_ROUND = 40;
const ROUNDS = 3;

function seriesIn(exposition: string): number {
  let count = 0;
  for (const line of exposition.split('\n')) if (line !== '' && !line.startsWith('#')) count++;
  return count;
}

function scrapeFromChild(url: string): Promise<{ latenciesMs: number[]; bytes: number }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'support/scrape-child.ts'), url, String(CONCURRENCY), String(REQUESTS_PER_ROUND)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out) as { latenciesMs: number[]; bytes: number });
      else reject(new Error(`the scrape child exited with ${code}`));
    });
  });
}

const benchmark: Benchmark = {
  name: 'metrics',
  description: `GET /metrics at >= ${TARGET_SERIES.toLocaleString('en-US')} series, ${CONCURRENCY} concurrent scrapers (another process) vs registry.metrics() at the same concurrency`,
  async run(): Promise<readonly BenchFigure[]> {
    const fleet = await startFleet({ accounts: MAX_ACCOUNTS, scenario: { days: 2 }, concurrency: 8 });
    const directory = mkdtempSync(join(tmpdir(), 'bench-metrics-'));
    const exporter = await startExporter(fleet.config(join(directory, 'state.db')), { schedule: false });
    try {
      let series = seriesIn(await exporter.metrics.metrics());
      let cycles = 0;
      for (const account of fleet.accounts) {
        if (series >= TARGET_SERIES) break;
        const result = await exporter.scheduler.runOnce(account.name);
        if (!result.ran || result.report.outcome !== 'ok') throw new Error(`cycle of ${account.name} did not end ok`);
        cycles++;
        series = seriesIn(await exporter.metrics.metrics());
      }
      if (series < TARGET_SERIES) throw new Error(`only ${series} series after ${cycles} accounts`);

      const registry = exporter.metrics.registry;
      const url = new URL('/metrics', exporter.url).href;
      const figure: number[] = [];
      const baseline: number[] = [];
      let bytes = 0;
      // Warm-up of both sides.
      await registry.metrics();
      await scrapeFromChild(url);
      for (let round = 0; round < ROUNDS; round++) {
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            for (let i = 0; i < REQUESTS_PER_ROUND; i++) {
              const started = performance.now();
              bytes = (await registry.metrics()).length;
              baseline.push(performance.now() - started);
            }
          }),
        );
        figure.push(...(await scrapeFromChild(url)).latenciesMs);
      }
      console.log(
        `${series.toLocaleString('en-US')} series from ${cycles} accounts' cycles (${fleet.accounts.length} configured), ` +
          `${(bytes / 1024).toFixed(0)} KiB per scrape; ${figure.length} scrapes and ${baseline.length} registry.metrics() calls, ` +
          `${CONCURRENCY} at a time`,
      );
      return [
        { name: `/metrics p50 latency (${series.toLocaleString('en-US')} series)`, unit: 'ms', value: percentile(figure, 50), baselineName: 'registry.metrics() p50', baseline: percentile(baseline, 50) },
        { name: `/metrics p99 latency (${series.toLocaleString('en-US')} series)`, unit: 'ms', value: percentile(figure, 99), baselineName: 'registry.metrics() p99', baseline: percentile(baseline, 99) },
      ];
    } finally {
      await exporter.close();
      await fleet.close();
      rmSync(directory, { recursive: true, force: true });
    }
  },
};

export default benchmark;
