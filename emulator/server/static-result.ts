// A small in-memory StatementResult for answers the protocol layer makes itself (the multi-statement parent row).
import type { RowTypeField, StatementResult } from '../engine/types.ts';

export class StaticResult implements StatementResult {
  readonly rowType: RowTypeField[];
  readonly rowCount: number;
  readonly #rows: (string | null)[][];

  constructor(rowType: RowTypeField[], rows: (string | null)[][]) {
    this.rowType = rowType;
    this.#rows = rows;
    this.rowCount = rows.length;
  }

  readRows(offset: number, limit: number): Promise<(string | null)[][]> {
    return Promise.resolve(this.#rows.slice(offset, offset + limit));
  }

  release(): Promise<void> {
    return Promise.resolve();
  }
}

/** rowType of a computed string column, as the real service types constants and system functions (077, 087). */
export function computedTextColumn(name: string): RowTypeField {
  return {
    name,
    database: '',
    schema: '',
    table: '',
    collation: null,
    byteLength: 134217728,
    nullable: false,
    scale: null,
    precision: null,
    length: 134217728,
    type: 'text',
  };
}
