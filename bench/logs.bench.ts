// OTLP logs throughput: decoded QUERY_HISTORY rows (as the SQL API client yields them) become query events
// (QueryHistorySource.toEvent, text policy `redact`), are delivered to the OTLP sink in the pipeline's batches, built
// as SDK log records, protobuf-encoded, POSTed and ACKNOWLEDGED by a collector stand-in running in a child process
// (it reads each request and answers 200, as a collector that accepted it would). The figure is records per second
// from decoded rows to acknowledged export. Baseline, measured in the same run in alternation: protobuf-encoding the
// same SDK records alone (the official ProtobufLogsSerializer, the exporter's own encoder, in the same chunk size).
// The ratio says how close the whole path gets to the cost of encoding alone.
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { Registry } from 'prom-client';
import type { QueryEvent } from '../src/collect/events.ts';
import { QueryHistorySource } from '../src/collect/sources/query-history.ts';
import type { Row } from '../src/collect/sources/values.ts';
import { draftForEvent, OtlpLogSink, RecordFactory } from '../src/export/otlp/index.ts';
import { createRowDecoder, rowToObject, type ColumnMeta } from '../src/snowflake/sqlapi/index.ts';
import { median, type Benchmark } from './harness.ts';

const ROWS = 20_000;
const ITERATIONS = 5;
const PIPELINE_BATCH = 500;
const MAX_BATCH = 512;

function column(name: string, type: string, scale: number | null = null): ColumnMeta {
  return { name, database: 'SNOWFLAKE', schema: 'ACCOUNT_USAGE', table: 'QUERY_HISTORY', type, scale, precision: scale === null ? null : 38, nullable: true };
}

const rowType: ColumnMeta[] = [
  column('QUERY_ID', 'text'),
  column('QUERY_TEXT', 'text'),
  column('QUERY_TYPE', 'text'),
  column('USER_NAME', 'text'),
  column('ROLE_NAME', 'text'),
  column('WAREHOUSE_NAME', 'text'),
  column('DATABASE_NAME', 'text'),
  column('SCHEMA_NAME', 'text'),
  column('EXECUTION_STATUS', 'text'),
  column('ERROR_CODE', 'text'),
  column('QUERY_TAG', 'text'),
  column('SESSION_ID', 'fixed', 0),
  column('START_TIME', 'timestamp_ltz'),
  column('END_TIME', 'timestamp_ltz'),
  column('BYTES_SCANNED', 'fixed', 0),
  column('BYTES_WRITTEN_TO_RESULT', 'fixed', 0),
  column('ROWS_PRODUCED', 'fixed', 0),
  column('ROWS_UNLOADED', 'fixed', 0),
  column('OUTBOUND_DATA_TRANSFER_BYTES', 'fixed', 0),
];

/** Rows decoded by the SQL API client's own decoder, as a stream hands them to a source. */
function decodedRows(): Row[] {
  const decoder = createRowDecoder(rowType);
  const users = ['ALICE', 'BOB', 'ETL_SERVICE', 'LOOKER', 'DBT_PROD', 'CAROL'];
  const start = 1791499232;
  const rows: Row[] = [];
  for (let i = 0; i < ROWS; i++) {
    const began = start + i;
    const raw = [
      `01c79a10-0001-ac43-0000-${(0xd07900024c6a + i).toString(16).padStart(12, '0')}`,
      `SELECT o.id, o.amount, c.email FROM sales.orders o JOIN crm.customers c ON c.id = o.customer_id WHERE o.id > ${i % 100000} AND c.region = 'EMEA'`,
      'SELECT',
      users[i % users.length] ?? null,
      'ANALYST',
      'BI_WH',
      'SALES',
      'PUBLIC',
      'SUCCESS',
      null,
      '',
      String(7000 + (i % 50)),
      `${began}.123000000`,
      `${began + 2}.456000000`,
      String(i * 1024),
      String(i * 8),
      String(i % 5000),
      '0',
      '0',
    ];
    rows.push(rowToObject(rowType, decoder.decode(raw, i)));
  }
  return rows;
}

/** The collector stand-in: another process, so its work does not share the event loop being measured. */
async function startCollector(): Promise<{ url: string; child: ChildProcess }> {
  const script = `
    const http = require('node:http');
    const empty = Buffer.alloc(0);
    const server = http.createServer((req, res) => {
      req.on('data', () => {});
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(empty));
    });
    server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').once('data', (text: string) => resolve(text.trim()));
    child.once('exit', () => reject(new Error('the collector stand-in did not start')));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

async function deliverAll(url: string, events: readonly QueryEvent[]): Promise<void> {
  // A fresh sink per run: a sink never sends an acknowledged record twice, so a reused one would skip them all.
  const sink = new OtlpLogSink({
    config: {
      enabled: true,
      endpoint: url,
      protocol: 'http/protobuf',
      headers: {},
      timeoutSeconds: 30,
      compression: 'none',
      queueSize: 2048,
      maxBatch: MAX_BATCH,
      shutdownFlushSeconds: 10,
      resourceAttributes: {},
    },
    accounts: [{ name: 'bench', identifier: 'myorg-bench' }],
    registry: new Registry(),
    env: {},
  });
  const signal = AbortSignal.timeout(120_000);
  try {
    for (let i = 0; i < events.length; i += PIPELINE_BATCH) {
      await sink.deliver({ account: 'bench', source: 'query_history', events: events.slice(i, i + PIPELINE_BATCH), findings: [] }, signal);
    }
  } finally {
    await sink.close();
  }
}

function encodeAll(records: readonly ReadableLogRecord[]): number {
  let bytes = 0;
  for (let i = 0; i < records.length; i += MAX_BATCH) {
    bytes += ProtobufLogsSerializer.serializeRequest(records.slice(i, i + MAX_BATCH))?.length ?? 0;
  }
  return bytes;
}

const benchmark: Benchmark = {
  name: 'logs',
  description: `${ROWS.toLocaleString('en-US')} QUERY_HISTORY rows to acknowledged OTLP/HTTP protobuf export, median of ${ITERATIONS}`,
  async run() {
    const rows = decodedRows();
    const source = new QueryHistorySource({ scope: 'all', textPolicy: { mode: 'redact', maxLength: 4096 } });
    const observedAt = new Date();
    const toEvents = (): QueryEvent[] => rows.map((row) => source.toEvent(row, 'bench', observedAt));
    const factory = new RecordFactory({ accounts: [{ name: 'bench', identifier: 'myorg-bench' }], detectEnvironment: false });
    const records = toEvents().map((event) => factory.build(draftForEvent(event)));
    const collector = await startCollector();
    try {
      let bytes = 0;
      const figure: number[] = [];
      const baseline: number[] = [];
      const timed = async (work: () => unknown): Promise<number> => {
        const start = performance.now();
        await work();
        return ROWS / ((performance.now() - start) / 1000);
      };
      // Warm-up of both, then alternate so drifting load from other processes weighs on both alike.
      bytes += encodeAll(records);
      await deliverAll(collector.url, toEvents());
      for (let i = 0; i < ITERATIONS; i++) {
        baseline.push(await timed(() => (bytes += encodeAll(records))));
        figure.push(await timed(() => deliverAll(collector.url, toEvents())));
      }
      if (bytes === 0) throw new Error('nothing was encoded');
      const perRecord = Math.round(bytes / ((ITERATIONS + 1) * ROWS));
      return [
        {
          name: `decoded rows → event → SDK record → protobuf → POST → acknowledged (${perRecord} B/record, ${MAX_BATCH}/request)`,
          unit: 'records/s',
          value: median(figure),
          baselineName: 'protobuf-encode the same records alone',
          baseline: median(baseline),
        },
      ];
    } finally {
      collector.child.kill();
      await factory.shutdown();
    }
  },
};

export default benchmark;
