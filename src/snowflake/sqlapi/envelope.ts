// Shape checks for every SQL API answer, so that malformed, truncated or unexpected bodies become typed errors instead
// of undefined-property crashes deep in a collector. Only the envelope is checked by schema; the (possibly huge)
// `data` array is checked row by row by the decoder, which has to visit every value anyway.
import { z } from 'zod';
import type { ColumnMeta } from './decode.ts';
import { ResponseFormatError, type SqlApiErrorDetails } from './errors.ts';

const columnSchema = z.looseObject({
  name: z.string(),
  type: z.string().min(1),
  scale: z.number().int().nullish(),
  precision: z.number().int().nullish(),
  nullable: z.boolean().nullish(),
  length: z.number().nullish(),
  byteLength: z.number().nullish(),
  extTypeName: z.string().nullish(),
  database: z.string().nullish(),
  schema: z.string().nullish(),
  table: z.string().nullish(),
});

const partitionInfoSchema = z.looseObject({
  rowCount: z.number().int().nonnegative(),
  uncompressedSize: z.number().nonnegative().optional(),
  compressedSize: z.number().nonnegative().optional(),
});

const rowsSchema = z.custom<unknown[]>((value) => Array.isArray(value), { message: 'expected an array of rows' });

const statsSchema = z.looseObject({
  numRowsInserted: z.number().optional(),
  numRowsDeleted: z.number().optional(),
  numRowsUpdated: z.number().optional(),
  numDmlDuplicates: z.number().optional(),
});

const resultSetSchema = z.looseObject({
  resultSetMetaData: z.looseObject({
    numRows: z.number().int().nonnegative(),
    format: z.string().optional(),
    // Real answers always carry at least one entry; an empty list is accepted for an empty result (rows are then checked against it).
    partitionInfo: z.array(partitionInfoSchema),
    rowType: z.array(columnSchema),
  }),
  data: rowsSchema,
  code: z.string().optional(),
  sqlState: z.string().optional(),
  message: z.string().optional(),
  statementHandle: z.string().min(1),
  statementHandles: z.array(z.string()).optional(),
  statementStatusUrl: z.string().optional(),
  requestId: z.string().optional(),
  createdOn: z.number().optional(),
  stats: statsSchema.optional(),
});

const partitionSchema = z.looseObject({ data: rowsSchema });

const queryStatusSchema = z.looseObject({
  code: z.string().optional(),
  message: z.string().optional(),
  statementHandle: z.string().min(1),
  statementStatusUrl: z.string().optional(),
});

/** Error bodies vary: `{code,message,sqlState,statementHandle}`, the servlet layer's `{servlet,message,url,status}`, or empty. */
const errorBodySchema = z.looseObject({
  code: z.union([z.string(), z.number()]).nullish(),
  message: z.string().nullish(),
  sqlState: z.string().nullish(),
  statementHandle: z.string().nullish(),
});

export interface PartitionInfo {
  readonly rowCount: number;
  readonly uncompressedSize?: number | undefined;
  readonly compressedSize?: number | undefined;
}

export interface DmlStats {
  readonly numRowsInserted?: number | undefined;
  readonly numRowsDeleted?: number | undefined;
  readonly numRowsUpdated?: number | undefined;
  readonly numDmlDuplicates?: number | undefined;
}

export interface ResultSetEnvelope {
  readonly numRows: number;
  readonly partitionInfo: readonly PartitionInfo[];
  readonly rowType: readonly ColumnMeta[];
  readonly data: unknown[];
  readonly statementHandle: string;
  readonly statementHandles?: readonly string[] | undefined;
  readonly createdOn?: number | undefined;
  readonly stats?: DmlStats | undefined;
  readonly snowflakeCode?: string | undefined;
}

export interface QueryStatusEnvelope {
  readonly statementHandle: string;
  readonly snowflakeCode?: string | undefined;
  readonly message?: string | undefined;
}

export interface ErrorEnvelope {
  readonly snowflakeCode?: string | undefined;
  readonly message?: string | undefined;
  readonly sqlState?: string | undefined;
  readonly statementHandle?: string | undefined;
}

/** Parses JSON bytes; any syntax error (malformed or truncated body) becomes a ResponseFormatError. */
export function parseJsonBody(body: Buffer | string, what: string, details: SqlApiErrorDetails = {}): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.length === 0) throw new ResponseFormatError(`${what}: empty body`, details);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    // The SyntaxError text can quote the body; keep only its class so no result value leaks into the message.
    throw new ResponseFormatError(`${what}: body is not valid JSON (${text.length} bytes, possibly truncated)`, {
      ...details,
      cause: error instanceof Error ? new SyntaxError('JSON.parse failed') : undefined,
    });
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

export function checkResultSet(value: unknown, details: SqlApiErrorDetails = {}): ResultSetEnvelope {
  const parsed = resultSetSchema.safeParse(value);
  if (!parsed.success) {
    throw new ResponseFormatError(`result set has an unexpected shape: ${describeIssues(parsed.error)}`, details);
  }
  const body = parsed.data;
  const meta = body.resultSetMetaData;
  const total = meta.partitionInfo.reduce((sum, p) => sum + p.rowCount, 0);
  const handle = { ...details, statementHandle: body.statementHandle };
  if (total !== meta.numRows) {
    throw new ResponseFormatError(`partitionInfo counts ${total} rows but numRows is ${meta.numRows}`, handle);
  }
  return {
    numRows: meta.numRows,
    partitionInfo: meta.partitionInfo,
    rowType: meta.rowType,
    data: body.data,
    statementHandle: body.statementHandle,
    statementHandles: body.statementHandles,
    createdOn: body.createdOn,
    stats: body.stats,
    snowflakeCode: body.code,
  };
}

export function checkPartition(value: unknown, details: SqlApiErrorDetails = {}): unknown[] {
  const parsed = partitionSchema.safeParse(value);
  if (!parsed.success) {
    throw new ResponseFormatError(`partition has an unexpected shape: ${describeIssues(parsed.error)}`, details);
  }
  return parsed.data.data;
}

export function checkQueryStatus(value: unknown, details: SqlApiErrorDetails = {}): QueryStatusEnvelope {
  const parsed = queryStatusSchema.safeParse(value);
  if (!parsed.success) {
    throw new ResponseFormatError(`query status has an unexpected shape: ${describeIssues(parsed.error)}`, details);
  }
  return { statementHandle: parsed.data.statementHandle, snowflakeCode: parsed.data.code, message: parsed.data.message };
}

/** Best effort: whatever Snowflake-shaped fields an error body has; never throws. */
export function readErrorBody(body: Buffer): ErrorEnvelope {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return {};
  }
  const parsed = errorBodySchema.safeParse(value);
  if (!parsed.success) return {};
  const { code, message, sqlState, statementHandle } = parsed.data;
  return {
    snowflakeCode: code === null || code === undefined ? undefined : String(code),
    message: message ?? undefined,
    sqlState: sqlState ?? undefined,
    statementHandle: statementHandle ?? undefined,
  };
}
