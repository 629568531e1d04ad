// The contract between the emulator's HTTP protocol layer (emulator/server/) and its SQL engine (emulator/engine/).
// The protocol layer owns the wire format (envelopes, partitions, gzip, async, cancel, retries, faults); the engine
// owns SQL (translation to DuckDB, execution, encoding values as Snowflake wire text, the warehouse model).

/** Lower-case rowType.type values, as real Snowflake answers carry them. */
export type SnowflakeWireType =
  | 'fixed'
  | 'real'
  | 'text'
  | 'binary'
  | 'boolean'
  | 'date'
  | 'time'
  | 'timestamp_ntz'
  | 'timestamp_ltz'
  | 'timestamp_tz'
  | 'variant'
  | 'object'
  | 'array';

/** One rowType entry with every key real answers carry (see snowflake-recordings 026). */
export interface RowTypeField {
  name: string;
  database: string;
  schema: string;
  table: string;
  collation: string | null;
  byteLength: number | null;
  nullable: boolean;
  scale: number | null;
  precision: number | null;
  length: number | null;
  type: SnowflakeWireType;
  extTypeName?: string;
}

/** A binding as sent in the SQL API body: `{"1": {"type": "FIXED", "value": "1"}}`. */
export interface Binding {
  type: string;
  value: string | null | (string | null)[];
}

export interface ExecuteRequest {
  statement: string;
  bindings?: Record<string, Binding>;
  /** Case-sensitive names from the request body, or the user's defaults. */
  warehouse?: string;
  role?: string;
  database?: string;
  schema?: string;
  /** The authenticated user (upper case). */
  user: string;
  /** Session parameters from the request body, keys upper-cased (QUERY_TAG, TIMEZONE, MULTI_STATEMENT_COUNT...). */
  parameters: Record<string, string>;
  /** Aborted when the statement is cancelled or hits its timeout; the engine stops work and rejects. */
  signal: AbortSignal;
}

/**
 * A finished statement's result, held by the engine (materialised so that a million-row result does not sit in the
 * Node heap); the protocol layer reads it partition by partition and releases it when the handle expires.
 */
export interface StatementResult {
  rowType: RowTypeField[];
  rowCount: number;
  /** Rows [offset, offset + limit) already encoded as Snowflake wire text (strings, or null for SQL NULL). */
  readRows(offset: number, limit: number): Promise<(string | null)[][]>;
  /** DML statistics with the real field names (numRowsInserted, numRowsDeleted, numRowsUpdated, numDmlDuplicates). */
  stats?: Record<string, number>;
  release(): Promise<void>;
}

/**
 * An error Snowflake would report for a statement. The protocol layer turns it into the JSON body
 * `{code, message, sqlState, statementHandle}` with this HTTP status.
 */
export class SnowflakeStatementError extends Error {
  readonly code: string;
  readonly sqlState: string;
  readonly httpStatus: number;

  constructor(options: { code: string; sqlState: string; message: string; httpStatus?: number }) {
    super(options.message);
    this.name = 'SnowflakeStatementError';
    this.code = options.code;
    this.sqlState = options.sqlState;
    this.httpStatus = options.httpStatus ?? 422;
  }
}

export interface SqlEngine {
  /** Runs one statement (translation, execution, warehouse accounting). Rejects with SnowflakeStatementError. */
  execute(request: ExecuteRequest): Promise<StatementResult>;
  close(): Promise<void>;
}
