// The emulator at scale: generate 1,000,000 QUERY_HISTORY rows and load them into DuckDB, then serve them through
// the SQL API over HTTP (POST, then every partition with plain undici GETs, gunzip and JSON.parse, one partition in
// memory at a time). Baselines from the same run: generation alone (what loading adds), reading the same result
// straight from the engine in-process (what the HTTP layer adds), and the client's own gunzip + JSON.parse of the
// bytes it received (how much of the time is the client). Peak RSS is compared with an empty engine's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { DEMO_PAT_SECRET, startEmulator } from '../emulator/index.ts';
import { createReplayEngine } from '../emulator/import/index.ts';
import { generateScenario, loadScenario, presetOptions } from '../emulator/scenario/index.ts';
import type { Benchmark, BenchFigure } from './harness.ts';

const END = new Date('2026-11-20T12:00:00Z');
const STATEMENT = `SELECT QUERY_ID, QUERY_TEXT, QUERY_TYPE, USER_NAME, ROLE_NAME, EXECUTION_STATUS, START_TIME, END_TIME,
  BYTES_WRITTEN_TO_RESULT, ROWS_UNLOADED, SESSION_ID, AUTHN_EVENT_ID
FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
WHERE START_TIME >= DATEADD(day, -31, CURRENT_TIMESTAMP())`;

const MEMORY_LIMIT = '256MB';
const rssMb = (): number => process.resourceUsage().maxRSS / 1024;
const seconds = (start: number): number => (performance.now() - start) / 1000;

interface ResultSetBody {
  statementHandle: string;
  code?: string;
  data?: unknown[][];
  resultSetMetaData?: { numRows: number; partitionInfo: { rowCount: number }[] };
}

const headers = {
  authorization: `Bearer ${DEMO_PAT_SECRET}`,
  'x-snowflake-authorization-token-type': 'PROGRAMMATIC_ACCESS_TOKEN',
  'content-type': 'application/json',
  accept: 'application/json',
  'accept-encoding': 'gzip',
  'user-agent': 'emulator-bench/1.0',
};

async function getJson(url: string, parseSeconds: { total: number }): Promise<{ status: number; body: unknown }> {
  const response = await request(url, { headers });
  const raw = Buffer.from(await response.body.arrayBuffer());
  const gzip = String(response.headers['content-encoding'] ?? '') === 'gzip';
  const started = performance.now();
  const text = (gzip ? gunzipSync(raw) : raw).toString('utf8');
  const body: unknown = JSON.parse(text);
  parseSeconds.total += seconds(started);
  return { status: response.statusCode, body };
}

const benchmark: Benchmark = {
  name: 'emulator',
  description: '1,000,000 QUERY_HISTORY rows: generate + load into DuckDB, then serve through the SQL API over HTTP',
  async run(): Promise<readonly BenchFigure[]> {
    const scenario = generateScenario(presetOptions('large', { end: END }));

    let started = performance.now();
    let generated = 0;
    for (const _row of scenario.rows('QUERY_HISTORY')) generated++;
    const generateRate = generated / seconds(started);

    // A file-backed database with a memory limit: DuckDB keeps what does not fit on disk, so serving a million rows
    // runs in bounded memory (an in-memory database would hold all of it, over 1 GB).
    const databaseDir = mkdtempSync(join(tmpdir(), 'emulator-bench-'));
    const engine = await createReplayEngine({
      now: END,
      noLatency: true,
      engineOptions: { databasePath: join(databaseDir, 'account.duckdb'), memoryLimit: MEMORY_LIMIT },
    });
    const emptyRss = rssMb();
    started = performance.now();
    const load = await loadScenario(engine, scenario, { views: ['QUERY_HISTORY'] });
    const loadSeconds = seconds(started);
    const loadRate = load.totalRows / loadSeconds;
    const afterLoadRss = rssMb();

    // Baseline: the same statement read straight from the engine, in-process, 10,000 rows at a time.
    started = performance.now();
    const direct = await engine.execute({ statement: STATEMENT, user: 'DEMO', role: 'RISK_EXPORTER', warehouse: 'COMPUTE_WH', parameters: {}, signal: new AbortController().signal });
    let directRows = 0;
    for (let offset = 0; offset < direct.rowCount; offset += 10_000) directRows += (await direct.readRows(offset, 10_000)).length;
    await direct.release();
    const directRate = directRows / seconds(started);
    const afterDirectRss = rssMb();

    const emulator = await startEmulator({ engine, ownsEngine: true });
    const base = emulator.url.toString().replace(/\/$/, '');
    const parse = { total: 0 };
    let servedRows = 0;
    let partitions = 0;
    started = performance.now();
    try {
      const post = await request(`${base}/api/v2/statements?async=false`, { method: 'POST', headers, body: JSON.stringify({ statement: STATEMENT, warehouse: 'COMPUTE_WH', timeout: 600 }) });
      const raw = Buffer.from(await post.body.arrayBuffer());
      const parseStart = performance.now();
      const gzip = String(post.headers['content-encoding'] ?? '') === 'gzip';
      let first = JSON.parse((gzip ? gunzipSync(raw) : raw).toString('utf8')) as ResultSetBody;
      parse.total += seconds(parseStart);
      // A statement still running after the synchronous wait answers 202: poll its handle.
      while (first.code === '333334') {
        await new Promise((resolve) => setTimeout(resolve, 500));
        first = (await getJson(`${base}/api/v2/statements/${first.statementHandle}`, parse)).body as ResultSetBody;
      }
      const info = first.resultSetMetaData?.partitionInfo ?? [];
      servedRows += first.data?.length ?? 0;
      partitions = info.length;
      for (let partition = 1; partition < info.length; partition++) {
        const { status, body } = await getJson(`${base}/api/v2/statements/${first.statementHandle}?partition=${partition}`, parse);
        if (status !== 200) throw new Error(`partition ${partition} answered ${status}`);
        servedRows += (body as { data: unknown[][] }).data.length;
      }
      if (servedRows !== directRows) throw new Error(`served ${servedRows} rows, the engine read ${directRows}`);
    } finally {
      await emulator.close(); // closes the engine too (ownsEngine)
      rmSync(databaseDir, { recursive: true, force: true });
    }
    const serveSeconds = seconds(started);
    const serveRate = servedRows / serveSeconds;
    const clientParseRate = servedRows / parse.total;
    const peakRss = rssMb();
    console.log(
      `generated ${generated} rows; loaded ${load.totalRows} rows in ${loadSeconds.toFixed(1)} s (generation included); ` +
        `served ${servedRows} rows in ${partitions} partitions in ${serveSeconds.toFixed(1)} s; peak RSS (MB) empty engine ${Math.round(emptyRss)}, ` +
        `after load ${Math.round(afterLoadRss)}, after the in-process read ${Math.round(afterDirectRss)}, after serving ${Math.round(peakRss)}`,
    );
    return [
      { name: 'generate + load into DuckDB', unit: 'rows/s', value: loadRate, baselineName: 'generate only', baseline: generateRate },
      { name: 'served over HTTP (POST + partition GETs + gunzip + JSON.parse)', unit: 'rows/s', value: serveRate, baselineName: 'engine.readRows in-process', baseline: directRate },
      { name: 'served over HTTP (same)', unit: 'rows/s', value: serveRate, baselineName: "client's gunzip + JSON.parse alone", baseline: clientParseRate },
      { name: 'peak RSS after generate, load and serve', unit: 'MB', value: peakRss, baselineName: 'empty engine', baseline: emptyRss },
    ];
  },
};

export default benchmark;
