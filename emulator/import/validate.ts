// Checks one parsed record against a view's documented columns (emulator/schema.ts) and converts it to the row the
// engine loads. Stricter than the engine where it matters: a value Snowflake's export would not write fails with its
// file and line instead of being coerced. Column names match case-insensitively (unquoted Snowflake identifiers are
// upper case; OBJECT_CONSTRUCT(*) writes them so). A column the documentation does not list is dropped and reported
// once per view, or is an error under `strict`.
import type { ViewColumnType, ViewDefinition } from '../schema.ts';
import type { ImportProblem, ImportWarning, ImportWarningCode } from './errors.ts';
import { convertValue, type ValueNote } from './values.ts';

type Column = { readonly name: string; readonly type: ViewColumnType };

export interface ColumnLookup {
  readonly view: ViewDefinition;
  readonly viewKey: string;
  /** The documented column a key of a record names (case-insensitive), or null; remembered per key as written. */
  column(key: string): Column | null;
}

export function columnLookup(view: ViewDefinition, viewKey: string): ColumnLookup {
  const byName = new Map<string, Column>(view.columns.map((c) => [c.name, c]));
  const byKey = new Map<string, Column | null>();
  return {
    view,
    viewKey,
    column(key) {
      let column = byKey.get(key);
      if (column === undefined) {
        column = byName.get(key.toUpperCase()) ?? null;
        if (byKey.size < 10_000) byKey.set(key, column);
      }
      return column;
    },
  };
}

const NOTE_WARNINGS: Readonly<Record<ValueNote, RecordWarningCode>> = {
  'json-value-for-varchar': 'IMPORT_JSON_VALUE_FOR_VARCHAR',
  'json-text-for-semi-structured': 'IMPORT_JSON_TEXT_FOR_SEMI_STRUCTURED',
};

/** The warnings a record can raise, each reported once per view. */
type RecordWarningCode = Extract<ImportWarningCode, 'IMPORT_UNDOCUMENTED_COLUMN' | 'IMPORT_JSON_VALUE_FOR_VARCHAR' | 'IMPORT_JSON_TEXT_FOR_SEMI_STRUCTURED'>;

const RECORD_WARNINGS: Readonly<Record<RecordWarningCode, (columns: string, plural: boolean) => string>> = {
  IMPORT_UNDOCUMENTED_COLUMN: (columns, plural) => `column${plural ? 's' : ''} not documented for this view, ignored (an error with --strict): ${columns}`,
  IMPORT_JSON_VALUE_FOR_VARCHAR: (columns, plural) => `a JSON object or array given for VARCHAR column${plural ? 's' : ''} ${columns}: stored as its JSON text, as Snowflake holds it`,
  IMPORT_JSON_TEXT_FOR_SEMI_STRUCTURED: (columns, plural) => `JSON text given for semi-structured column${plural ? 's' : ''} ${columns}: parsed (connectors return VARIANT values as text)`,
};

interface WarningEntry {
  code: RecordWarningCode;
  view: string;
  file: string;
  line: number;
  rows: number;
  columns: Map<string, number>;
}

/** Warnings of an import, one per view and cause, each listing its columns with their row counts. */
export class WarningLog {
  readonly #entries = new Map<string, WarningEntry>();
  readonly #other: ImportWarning[] = [];

  /** Notes that `column` of `view` had the `code` condition on this row. */
  note(code: RecordWarningCode, view: string, column: string, file: string, line: number): void {
    const key = `${view}\u0000${code}`;
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = { code, view, file, line, rows: 0, columns: new Map() };
      this.#entries.set(key, entry);
    }
    entry.columns.set(column, (entry.columns.get(column) ?? 0) + 1);
  }

  /** Counts one row for every warning this row raised (called once per row). */
  countRow(codes: ReadonlySet<RecordWarningCode>, view: string): void {
    for (const code of codes) {
      const entry = this.#entries.get(`${view}\u0000${code}`);
      if (entry !== undefined) entry.rows++;
    }
  }

  add(warning: ImportWarning): void {
    this.#other.push(warning);
  }

  list(): ImportWarning[] {
    const out: ImportWarning[] = [];
    for (const entry of this.#entries.values()) {
      const columns = [...entry.columns.entries()].map(([name, rows]) => `${name} (${rows} row${rows === 1 ? '' : 's'})`).join(', ');
      const what = RECORD_WARNINGS[entry.code](columns, entry.columns.size > 1);
      out.push({
        code: entry.code,
        view: entry.view,
        columns: [...entry.columns.keys()],
        file: entry.file,
        line: entry.line,
        rows: entry.rows,
        message: `${entry.view}: ${what} (first at ${entry.file}:${entry.line})`,
      });
    }
    return [...this.#other, ...out];
  }
}

export interface RecordContext {
  readonly lookup: ColumnLookup;
  readonly file: string;
  readonly line: number;
  readonly strict: boolean;
  readonly problems: { add(problem: ImportProblem): void };
  /** Undefined in the loading pass: warnings were counted in the validation pass. */
  readonly warnings: WarningLog | undefined;
}

/** The row to load, or undefined when the record has problems (all of them reported to `context.problems`). */
export function convertRecord(record: unknown, context: RecordContext): Record<string, unknown> | undefined {
  const { lookup, file, line } = context;
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    context.problems.add({ code: 'IMPORT_NOT_AN_OBJECT', file, line, message: 'each record must be one JSON object (a row keyed by column name)' });
    return undefined;
  }
  const row: Record<string, unknown> = {};
  const raised = new Set<RecordWarningCode>();
  let failed = false;
  for (const key in record) {
    const value = (record as Record<string, unknown>)[key];
    const column = lookup.column(key);
    if (column === null) {
      if (context.strict) {
        context.problems.add({ code: 'IMPORT_UNKNOWN_COLUMN', file, line, message: `${JSON.stringify(key)} is not a documented column of ${lookup.view.schema}.${lookup.view.name}` });
        failed = true;
      } else if (context.warnings !== undefined) {
        context.warnings.note('IMPORT_UNDOCUMENTED_COLUMN', lookup.viewKey, key, file, line);
        raised.add('IMPORT_UNDOCUMENTED_COLUMN');
      }
      continue;
    }
    const name = column.name;
    if (Object.hasOwn(row, name)) {
      context.problems.add({ code: 'IMPORT_DUPLICATE_COLUMN', file, line, message: `column ${name} is given twice (names are case-insensitive)` });
      failed = true;
      continue;
    }
    const result = convertValue(column.type, value);
    if (!result.ok) {
      context.problems.add({ code: result.code, file, line, message: `column ${name}: ${result.message}` });
      failed = true;
      continue;
    }
    if (result.note !== undefined && context.warnings !== undefined) {
      const code = NOTE_WARNINGS[result.note];
      context.warnings.note(code, lookup.viewKey, name, file, line);
      raised.add(code);
    }
    row[name] = result.value;
  }
  if (raised.size > 0) context.warnings?.countRow(raised, lookup.viewKey);
  return failed ? undefined : row;
}
