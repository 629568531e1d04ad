// Answers for a statement's current state: 202 while running, the error once failed, and once succeeded the
// envelope with partition 0 (POST, or GET without `partition` / with `partition=0`) or a later partition's bare
// `{"data":[...]}` body, gzip-compressed (reference doc 1.7; recordings 055, 058, 059, 077, 088).
import type { RowTypeField } from '../engine/types.ts';
import { newRequestId } from './ids.ts';
import { gzipPartition, readPartitionRows } from './partitions.ts';
import {
  inProgressResponse,
  invalidPartitionError,
  jsonResponse,
  statementErrorResponse,
  type WireResponse,
} from './responses.ts';
import type { StatementRecord } from './statements.ts';
import { envelopeRows, partitionBody, type WireValue } from './wire-json.ts';

export interface AnswerOptions {
  /** Raw `partition` query value (GET only); undefined means "the first partition, with metadata". */
  partition: string | undefined;
  /** The answer to the submitting POST: a timeout is 408 there, and 422 on later GETs. */
  isSubmit: boolean;
  acceptsGzip: boolean;
  /** Partitions >= 1 are gzip whatever the client said (docs), unless the emulator is told to honour Accept-Encoding. */
  gzipLaterPartitions: 'always' | 'when-accepted';
}

const SUCCESS = { code: '090001', sqlState: '00000', message: 'Statement executed successfully.' } as const;
const STATS_ORDER = ['numRowsInserted', 'numRowsDeleted', 'numRowsUpdated', 'numDmlDuplicates'];

export async function answerFor(record: StatementRecord, options: AnswerOptions): Promise<WireResponse> {
  if (record.state === 'running') return inProgressResponse(record.handle);
  if (record.state === 'failed') {
    const failure = record.failure ?? { code: '000603', message: 'SQL execution internal error', sqlState: 'XX000', httpStatus: 422 };
    const status = !options.isSubmit && failure.httpStatus === 408 ? 422 : failure.httpStatus;
    return statementErrorResponse(status, failure, record.handle);
  }
  const partitions = record.partitions ?? [];
  const result = record.result;
  if (result === undefined || partitions.length === 0) throw new Error('succeeded statement without a result');
  let index = 0;
  if (options.partition !== undefined) {
    const raw = options.partition;
    index = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isInteger(index) || index >= partitions.length) {
      return statementErrorResponse(400, invalidPartitionError(raw, partitions.length - 1), record.handle);
    }
  }
  const entry = partitions[index];
  if (entry === undefined) throw new Error('partition plan is inconsistent');
  const rows = await readPartitionRows(result, entry);
  const link = linkHeader(record.handle, index, partitions.length);
  if (index > 0) {
    const text = partitionBody(rows);
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Link: link };
    if (options.gzipLaterPartitions === 'always' || options.acceptsGzip) {
      return { status: 200, headers: { ...headers, 'Content-Encoding': 'gzip' }, body: await gzipPartition(text), isResult: true };
    }
    return { status: 200, headers, body: text, isResult: true };
  }
  const envelope: WireValue = {
    resultSetMetaData: {
      numRows: result.rowCount,
      format: 'jsonv2',
      partitionInfo: partitions.map((p) => ({ rowCount: p.rowCount, uncompressedSize: p.uncompressedSize, compressedSize: p.compressedSize })),
      rowType: result.rowType.map(rowTypeEntry),
    },
    data: envelopeRows(rows),
    code: SUCCESS.code,
    statementHandles: record.childHandles,
    statementStatusUrl: `/api/v2/statements/${record.handle}?requestId=${record.requestId}`,
    requestId: record.requestId,
    sqlState: SUCCESS.sqlState,
    statementHandle: record.handle,
    message: SUCCESS.message,
    createdOn: record.createdOn,
    stats: result.stats === undefined ? undefined : orderedStats(result.stats),
  };
  const response = jsonResponse(200, envelope, { Link: link });
  response.isResult = true;
  if (options.acceptsGzip) {
    response.headers['Content-Encoding'] = 'gzip';
    response.body = await gzipPartition(response.body as string);
  }
  return response;
}

/** Keys in the order the real answers carry them (018), extTypeName right after name (026). */
function rowTypeEntry(field: RowTypeField): WireValue {
  return {
    name: field.name,
    extTypeName: field.extTypeName,
    database: field.database,
    schema: field.schema,
    table: field.table,
    collation: field.collation,
    byteLength: field.byteLength,
    nullable: field.nullable,
    scale: field.scale,
    precision: field.precision,
    length: field.length,
    type: field.type,
  };
}

function orderedStats(stats: Record<string, number>): WireValue {
  const out: Record<string, number> = {};
  for (const key of STATS_ORDER) out[key] = stats[key] ?? 0;
  for (const [key, value] of Object.entries(stats)) if (!(key in out)) out[key] = value;
  return out;
}

/** `<url&partition=N>; rel="first",...` with first, prev, next, last and a fresh requestId in every entry (055, 058). */
export function linkHeader(handle: string, index: number, count: number): string {
  const entry = (partition: number, rel: string): string =>
    `</api/v2/statements/${handle}?requestId=${newRequestId()}&partition=${partition}>; rel="${rel}"`;
  const links = [entry(0, 'first')];
  if (index > 0) links.push(entry(index - 1, 'prev'));
  if (index < count - 1) links.push(entry(index + 1, 'next'));
  links.push(entry(count - 1, 'last'));
  return links.join(',');
}
