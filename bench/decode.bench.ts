// Decoding throughput of the SQL API client on a large result shaped like QUERY_HISTORY (text ids and query text,
// LTZ timestamps, integers, a NUMBER(38,9), a pretty-printed VARIANT, some NULLs), in the recordings' wire format.
// Baseline: plain JSON.parse of the same bytes, measured in the same run. The ratio says how much the typed decoding
// (envelope check + per-value decoding) costs on top of the parsing any client must do.
import { gzipSync, gunzipSync } from 'node:zlib';
import { checkPartition, checkResultSet, parseJsonBody } from '../src/snowflake/sqlapi/envelope.ts';
import { createRowDecoder, type ColumnMeta, type DecodedRow } from '../src/snowflake/sqlapi/index.ts';
import { pairedMedianRates, type Benchmark } from './harness.ts';

const ROWS = 200_000;
const ITERATIONS = 7;

function column(name: string, type: string, scale: number | null = null): ColumnMeta {
  return { name, database: 'SNOWFLAKE', schema: 'ACCOUNT_USAGE', table: 'QUERY_HISTORY', type, scale, precision: scale === null ? null : 38, nullable: true };
}

const rowType: ColumnMeta[] = [
  column('QUERY_ID', 'text'),
  column('QUERY_TEXT', 'text'),
  column('USER_NAME', 'text'),
  column('ROLE_NAME', 'text'),
  column('START_TIME', 'timestamp_ltz'),
  column('END_TIME', 'timestamp_ltz'),
  column('ROWS_PRODUCED', 'fixed', 0),
  column('BYTES_SCANNED', 'fixed', 0),
  column('CREDITS_USED_CLOUD_SERVICES', 'fixed', 9),
  column('QUERY_TAG_JSON', 'variant'),
];

/** A deterministic pseudo-random sequence, so every run decodes the same bytes. */
function* numbers(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1103515245 + 12345) % 2147483648;
    yield x;
  }
}

function buildRows(): (string | null)[][] {
  const random = numbers(42);
  const next = (): number => random.next().value as number;
  const users = ['ALICE', 'BOB', 'ETL_SERVICE', 'LOOKER', 'DBT_PROD', 'CAROL'];
  const rows: (string | null)[][] = [];
  const start = 1791499232;
  for (let i = 0; i < ROWS; i++) {
    const r = next();
    const began = start + i * 3;
    const handle = `01c79a10-0001-ac43-0000-${(0xd07900024c6a + i).toString(16).padStart(12, '0')}`;
    rows.push([
      handle,
      `SELECT o.id, o.amount, c.email FROM sales.orders o JOIN crm.customers c ON c.id = o.customer_id WHERE o.id > ${r % 100000}`,
      users[r % users.length] ?? null,
      r % 7 === 0 ? null : 'ANALYST',
      `${began}.${String(r % 1_000_000_000).padStart(9, '0')}`,
      `${began + (r % 120)}.${String((r >> 3) % 1_000_000_000).padStart(9, '0')}`,
      String(r % 50_000),
      r % 11 === 0 ? '9007199254740993' : String(r * 1024),
      `0.${String(r % 1_000_000_000).padStart(9, '0')}`,
      r % 3 === 0 ? null : `{\n  "team": "risk",\n  "job": "job-${r % 40}",\n  "retries": [\n    1,\n    undefined\n  ]\n}`,
    ]);
  }
  return rows;
}

/** The first answer of a statement, in the server's layout (metadata pretty-printed, rows compact). */
function firstPartitionBytes(rows: (string | null)[][]): Buffer {
  const meta = {
    resultSetMetaData: { numRows: rows.length, format: 'jsonv2', partitionInfo: [{ rowCount: rows.length, uncompressedSize: 0 }], rowType },
    data: [] as unknown[],
    code: '090001',
    statementHandle: '01c79a10-0001-ac43-0000-d07900024c6a',
    sqlState: '00000',
    message: 'Statement executed successfully.',
  };
  const head = JSON.stringify(meta, null, 2).replace('"data": []', '"data" : [ %ROWS% ]');
  return Buffer.from(head.replace('%ROWS%', rows.map((row) => JSON.stringify(row)).join(',\n')));
}

/** A later partition, shaped like REC#058. */
function partitionBytes(rows: (string | null)[][]): Buffer {
  return Buffer.from(`{"data":[${rows.map((row) => JSON.stringify(row)).join(',\n')}]}`);
}

function consume(decode: (raw: unknown, index: number) => DecodedRow, data: unknown[]): number {
  let width = 0;
  for (let i = 0; i < data.length; i++) width += decode(data[i], i).length;
  return width;
}

const benchmark: Benchmark = {
  name: 'decode',
  description: `${ROWS.toLocaleString('en-US')} rows × ${rowType.length} columns (QUERY_HISTORY shape), median of ${ITERATIONS}`,
  run() {
    const rows = buildRows();
    const first = firstPartitionBytes(rows);
    const laterGzip = gzipSync(partitionBytes(rows));
    let sink = 0;

    const first0 = pairedMedianRates(
      ITERATIONS,
      ROWS,
      () => {
        const envelope = checkResultSet(parseJsonBody(first, 'bench'));
        const decoder = createRowDecoder(envelope.rowType);
        sink += consume((raw, i) => decoder.decode(raw, i), envelope.data);
      },
      () => {
        const parsed = JSON.parse(first.toString('utf8')) as { data: unknown[] };
        sink += parsed.data.length;
      },
    );
    const later = pairedMedianRates(
      ITERATIONS,
      ROWS,
      () => {
        const data = checkPartition(parseJsonBody(gunzipSync(laterGzip), 'bench'));
        const decoder = createRowDecoder(rowType);
        sink += consume((raw, i) => decoder.decode(raw, i), data);
      },
      () => {
        const parsed = JSON.parse(gunzipSync(laterGzip).toString('utf8')) as { data: unknown[] };
        sink += parsed.data.length;
      },
    );
    if (sink === 0) throw new Error('nothing was decoded');

    const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
    return [
      { name: `partition 0: parse + check + decode (${mb(first.length)})`, unit: 'rows/s', value: first0.figure, baselineName: 'JSON.parse', baseline: first0.baseline },
      {
        name: `partition n: gunzip + parse + check + decode (${mb(laterGzip.length)} gz)`,
        unit: 'rows/s',
        value: later.figure,
        baselineName: 'gunzip + JSON.parse',
        baseline: later.baseline,
      },
    ];
  },
};

export default benchmark;
