// Builds SQL API answers in the exact shape of the recordings (pretty-printed metadata, compact partition bodies) for
// results the recordings do not cover, such as a result with a chosen number of partitions.
import type { ColumnMeta } from '../../src/snowflake/sqlapi/index.ts';

export interface SyntheticResult {
  /** The body of the POST (or status GET) answer: metadata plus partition 0. */
  readonly first: string;
  /** Bodies of partitions 1..n (index 0 unused), shaped like REC#058: `{"data":[[...],\n[...]]}`. */
  readonly partitions: readonly string[];
  readonly rows: readonly (readonly (string | null)[])[];
}

export function column(name: string, type: string, extra: Partial<ColumnMeta> = {}): ColumnMeta {
  return {
    name,
    database: '',
    schema: '',
    table: '',
    byteLength: null,
    nullable: true,
    scale: type === 'fixed' ? 0 : null,
    precision: type === 'fixed' ? 38 : null,
    length: null,
    type,
    ...extra,
  };
}

function partitionBody(rows: readonly (readonly (string | null)[])[]): string {
  return `{"data":[${rows.map((row) => JSON.stringify(row)).join(',\n')}]}`;
}

export function syntheticResult(
  handle: string,
  rowType: readonly ColumnMeta[],
  partitions: readonly (readonly (readonly (string | null)[])[])[],
): SyntheticResult {
  const rows = partitions.flat();
  const body = {
    resultSetMetaData: {
      numRows: rows.length,
      format: 'jsonv2',
      partitionInfo: partitions.map((p) => ({ rowCount: p.length, uncompressedSize: partitionBody(p).length })),
      rowType,
    },
    data: partitions[0] ?? [],
    code: '090001',
    statementStatusUrl: `/api/v2/statements/${handle}?requestId=00000000-0000-4000-8000-000000000001`,
    requestId: '00000000-0000-4000-8000-000000000001',
    sqlState: '00000',
    statementHandle: handle,
    message: 'Statement executed successfully.',
    createdOn: 1791499234833,
  };
  return {
    first: JSON.stringify(body, null, 2).replaceAll('": ', '" : '),
    partitions: partitions.map((p, index) => (index === 0 ? '' : partitionBody(p))),
    rows,
  };
}

/** `count` rows of [sequence number, text] starting at `from`, like REC#055's `seq4(), uuid_string()`. */
export function numberedRows(from: number, count: number): (string | null)[][] {
  return Array.from({ length: count }, (_, i) => [String(from + i), `row-${from + i}`]);
}
