// A finished statement's result: metadata up front, rows as an async iterator that walks partition 0 (inline in the
// first answer) and then fetches partitions 1..n one at a time, only when the consumer has read past the previous one.
// A partition is parsed whole before any of its rows is yielded, so a connection that breaks mid-partition is simply
// fetched again: no row is lost or yielded twice, and memory holds at most one partition.
import { createRowDecoder, rowToObject, type ColumnMeta, type DecodedRow, type DecodedValue } from './decode.ts';
import type { DmlStats, PartitionInfo, ResultSetEnvelope } from './envelope.ts';
import { ResponseFormatError, ResultConsumedError } from './errors.ts';

/** Fetches the raw rows of partition `index` (>= 1), retrying as the client's policy says. */
export type PartitionFetcher = (index: number) => Promise<unknown[]>;

export class StatementResult {
  readonly statementHandle: string;
  readonly requestId: string;
  readonly rowType: readonly ColumnMeta[];
  /** Total rows across all partitions. */
  readonly numRows: number;
  readonly partitions: readonly PartitionInfo[];
  /** Child statement handles of a multi-statement request. */
  readonly statementHandles: readonly string[] | undefined;
  /** Row counts of a DML statement. */
  readonly stats: DmlStats | undefined;
  /** When Snowflake created the statement (ms since the epoch), when it says. */
  readonly createdOn: number | undefined;

  #firstPartition: unknown[] | undefined;
  readonly #fetchPartition: PartitionFetcher;
  #consumed = false;

  constructor(envelope: ResultSetEnvelope, requestId: string, fetchPartition: PartitionFetcher) {
    this.statementHandle = envelope.statementHandle;
    this.requestId = requestId;
    this.rowType = envelope.rowType;
    this.numRows = envelope.numRows;
    this.partitions = envelope.partitionInfo;
    this.statementHandles = envelope.statementHandles;
    this.stats = envelope.stats;
    this.createdOn = envelope.createdOn;
    this.#firstPartition = envelope.data;
    this.#fetchPartition = fetchPartition;
    const expected = envelope.partitionInfo[0]?.rowCount ?? 0;
    if (envelope.data.length !== expected) {
      throw new ResponseFormatError(
        `partition 0 holds ${envelope.data.length} rows but partitionInfo says ${expected}`,
        { statementHandle: this.statementHandle, requestId },
      );
    }
  }

  /** Column names in order. */
  get columnNames(): readonly string[] {
    return this.rowType.map((column) => column.name);
  }

  /**
   * The rows, decoded by column type, in result order. A result streams once (calling rows() twice throws) so that
   * nothing needs to keep rows around for a second reader.
   */
  rows(): AsyncIterable<DecodedRow> {
    if (this.#consumed) throw new ResultConsumedError({ statementHandle: this.statementHandle, requestId: this.requestId });
    this.#consumed = true;
    const first = this.#firstPartition ?? [];
    this.#firstPartition = undefined;
    return this.#iterate(first);
  }

  /** The rows as objects keyed by column name (with duplicate column names, the last one wins). */
  async *rowsAsObjects(): AsyncIterable<Record<string, DecodedValue>> {
    for await (const row of this.rows()) yield rowToObject(this.rowType, row);
  }

  async *#iterate(first: unknown[]): AsyncGenerator<DecodedRow> {
    const decoder = createRowDecoder(this.rowType);
    let rowIndex = 0;
    let partition: unknown[] | undefined = first;
    for (let index = 0; index < this.partitions.length; index++) {
      // Partition 0 came inline; later ones are fetched only now, when the consumer has read everything before them.
      partition ??= await this.#fetchPartition(index);
      const expected = this.partitions[index]?.rowCount ?? 0;
      if (partition.length !== expected) {
        throw new ResponseFormatError(`partition ${index} holds ${partition.length} rows but partitionInfo says ${expected}`, {
          statementHandle: this.statementHandle,
          requestId: this.requestId,
        });
      }
      // Memory: each raw row is released as soon as it is decoded. A full partition parses to tens of MB of arrays
      // and strings, and this generator's frame (`first` is a parameter, alive as long as the generator) would
      // otherwise keep a consumed partition reachable while the consumer delivers its rows and while the next
      // partition is fetched and parsed: two partitions live at once instead of at most one.
      for (let i = 0; i < partition.length; i++) {
        const raw = partition[i];
        partition[i] = undefined;
        yield decoder.decode(raw, rowIndex++);
      }
      partition.length = 0;
      partition = undefined;
    }
  }
}
