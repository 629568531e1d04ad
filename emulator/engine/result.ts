// Statement results. A query's rows live in a DuckDB table (SNOWFLAKE.EMULATOR_RESULTS.R_<n>) numbered by __RN, so a
// million-row result is paged from DuckDB partition by partition and never sits in the Node heap. Answers the
// engine builds itself (SHOW, SYSTEM$WAIT) are small and kept inline.

import type { DuckDBInstance } from '@duckdb/node-api';
import type { ValueEncoder } from './encode.ts';
import type { RowTypeField, StatementResult } from './types.ts';

export class InlineResult implements StatementResult {
  readonly rowType: RowTypeField[];
  readonly rowCount: number;
  private rows: (string | null)[][];

  constructor(rowType: RowTypeField[], rows: (string | null)[][]) {
    this.rowType = rowType;
    this.rows = rows;
    this.rowCount = rows.length;
  }

  readRows(offset: number, limit: number): Promise<(string | null)[][]> {
    return Promise.resolve(this.rows.slice(offset, offset + limit));
  }

  release(): Promise<void> {
    this.rows = [];
    return Promise.resolve();
  }
}

export class MaterializedResult implements StatementResult {
  readonly rowType: RowTypeField[];
  readonly rowCount: number;
  private readonly instance: DuckDBInstance;
  private readonly table: string;
  private readonly encoders: readonly ValueEncoder[];
  private released = false;

  constructor(options: { instance: DuckDBInstance; table: string; rowType: RowTypeField[]; rowCount: number; encoders: readonly ValueEncoder[] }) {
    this.instance = options.instance;
    this.table = options.table;
    this.rowType = options.rowType;
    this.rowCount = options.rowCount;
    this.encoders = options.encoders;
  }

  async readRows(offset: number, limit: number): Promise<(string | null)[][]> {
    if (this.released) throw new Error('result already released');
    const from = Math.max(0, Math.floor(offset));
    const count = Math.max(0, Math.floor(limit));
    if (count === 0 || from >= this.rowCount) return [];
    const connection = await this.instance.connect();
    try {
      const reader = await connection.runAndReadAll(`SELECT * EXCLUDE (__RN) FROM ${this.table} WHERE __RN > ${from} AND __RN <= ${from + count} ORDER BY __RN`);
      return reader.getRows().map((row) => row.map((value, i) => this.encoders[i]!(value)));
    } finally {
      connection.closeSync();
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const connection = await this.instance.connect();
    try {
      await connection.run(`DROP TABLE IF EXISTS ${this.table}`);
    } finally {
      connection.closeSync();
    }
  }
}

