// The Snowflake errors the engine reports, and the mapping from DuckDB's exceptions to them. Codes, SQL states and
// message shapes follow real answers (the recordings in test/fixtures/snowflake-recordings/).

import { SnowflakeStatementError } from './types.ts';

export function compilationError(detail: string): SnowflakeStatementError {
  return new SnowflakeStatementError({ code: '001003', sqlState: '42000', message: `SQL compilation error:\n${detail}` });
}

/** A construct the translation layer does not support: a loud compilation error naming it, never a different result. */
export function unsupportedConstruct(construct: string): SnowflakeStatementError {
  return compilationError(`unsupported construct in the emulator: ${construct}`);
}

export function objectDoesNotExist(name: string): SnowflakeStatementError {
  return new SnowflakeStatementError({
    code: '002003',
    sqlState: '42S02',
    message: `SQL compilation error:\nObject '${name}' does not exist or not authorized.`,
  });
}

/**
 * A schema the role cannot use (recording snowflake-079, which goes on with the hint naming the role). Snowflake
 * answers the same for a schema that does not exist.
 */
export function schemaNotAuthorized(schema: string, role: string): SnowflakeStatementError {
  return new SnowflakeStatementError({
    code: '002003',
    sqlState: '02000',
    message:
      `SQL compilation error:\nSchema '${schema}' does not exist or not authorized. ` +
      `Your primary role ${role} or one of your secondary roles must have USAGE or any other privilege granted on SCHEMA ${schema}.`,
  });
}

/**
 * A view the role may not read in a schema it can use: the answer for an object that does not exist (recording
 * snowflake-063, hint included), since "does not exist or not authorized" must not tell the two apart.
 */
export function objectNotAuthorized(name: string, role: string): SnowflakeStatementError {
  return new SnowflakeStatementError({
    code: '002003',
    sqlState: '42S02',
    message:
      `SQL compilation error:\nObject '${name}' does not exist or not authorized. ` +
      `Your primary role ${role} or one of your secondary roles must have at least one privilege granted on TABLE ${name}.`,
  });
}

export function invalidIdentifier(name: string, where = 'line 0 at position 0'): SnowflakeStatementError {
  return new SnowflakeStatementError({
    code: '000904',
    sqlState: '42000',
    message: `SQL compilation error: error ${where}\ninvalid identifier '${name}'`,
  });
}

/** Snowflake's "line L at position P" (1-based line, 0-based column) of the first case-insensitive match of `text`. */
export function locate(sql: string | undefined, text: string): string {
  const index = sql && text ? sql.toUpperCase().indexOf(text.toUpperCase()) : -1;
  if (!sql || index < 0) return 'line 1 at position 0';
  const before = sql.slice(0, index);
  const line = before.split('\n').length;
  const column = index - (before.lastIndexOf('\n') + 1);
  return `line ${line} at position ${column}`;
}

/** "line L at position P" of a source offset: 1-based line, 0-based column, as Snowflake counts them. */
export function positionOf(sql: string, offset: number): string {
  const before = sql.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  return `line ${line} at position ${offset - (before.lastIndexOf('\n') + 1)}`;
}

/** A token Snowflake's parser does not accept where it stands (e.g. a bind marker where a name must be). */
export function unexpectedToken(sql: string, offset: number, text: string): SnowflakeStatementError {
  return compilationError(`syntax error ${positionOf(sql, offset)} unexpected '${text}'.`);
}

/**
 * A function (or an operator Snowflake compiles to one, e.g. `:` and `[]` to GET) given arguments of types it has no
 * signature for: 001044 / 42P13, placed at the expression. Shape as reported by users, e.g.
 * https://github.com/dbt-labs/dbt-external-tables/issues/362 ("001044 (42P13): SQL compilation error: error line 4
 * at position 17\nInvalid argument types for function 'GET': (VARCHAR(134217728), VARCHAR(3))").
 */
export function invalidArgumentTypes(where: string, fn: string, argumentTypes: readonly string[]): SnowflakeStatementError {
  return new SnowflakeStatementError({
    code: '001044',
    sqlState: '42P13',
    message: `SQL compilation error: error ${where}\nInvalid argument types for function '${fn}': (${argumentTypes.join(', ')})`,
  });
}

/** A function name Snowflake does not know: 002140 / 42601 "SQL compilation error:\nUnknown function X". */
export function unknownFunction(name: string): SnowflakeStatementError {
  return new SnowflakeStatementError({ code: '002140', sqlState: '42601', message: `SQL compilation error:\nUnknown function ${name}` });
}

/**
 * A bind marker as the row count of LIMIT / OFFSET / FETCH / TOP: 002010 / 2201W, the SQL API's answer to
 * `SELECT * FROM CUSTOMER LIMIT ?` in the test fixture of a public SQL API client
 * (https://github.com/grafbase/grafbase/tree/main/extensions/snowflake); the same text is reported through the
 * Node.js and JDBC drivers (https://github.com/snowflakedb/snowflake-connector-nodejs/issues/65,
 * https://github.com/snowflakedb/snowflake-jdbc/issues/974). Why the emulator refuses it: emulator/engine/README.md.
 */
export function invalidRowCount(marker: string, clause: string): SnowflakeStatementError {
  return new SnowflakeStatementError({ code: '002010', sqlState: '2201W', message: `SQL compilation error:\nInvalid row count '${marker}' in ${clause} clause` });
}

export function divisionByZero(): SnowflakeStatementError {
  return new SnowflakeStatementError({ code: '100051', sqlState: '22012', message: 'Division by zero' });
}

export function conversionError(detail: string): SnowflakeStatementError {
  return new SnowflakeStatementError({ code: '100038', sqlState: '22018', message: `Numeric value ${detail} is not recognized` });
}

export function noActiveWarehouse(): SnowflakeStatementError {
  return new SnowflakeStatementError({
    code: '000606',
    sqlState: '57P03',
    message: "No active warehouse selected in the current session.  Select an active warehouse with the 'use warehouse' command.\n",
  });
}

export function statementCanceled(): SnowflakeStatementError {
  return new SnowflakeStatementError({ code: '000604', sqlState: '57014', message: 'SQL execution canceled' });
}

export function unsupportedCommand(kind: string): SnowflakeStatementError {
  return new SnowflakeStatementError({
    code: '391911',
    sqlState: '0A000',
    message: `Command not supported by SQL API: ${kind}`,
  });
}

const BINDING_SQL_STATES = { '002040': '0A000', '002049': '42601', '002086': '22018', '002099': '0A000' } as const;

export function bindingError(code: keyof typeof BINDING_SQL_STATES, message: string): SnowflakeStatementError {
  return new SnowflakeStatementError({ code, sqlState: BINDING_SQL_STATES[code], message });
}

/** Marker text our division rewrite raises through DuckDB's error(): recognised here and mapped to 100051. */
export const DIVISION_BY_ZERO_MARKER = 'EMU_DIVISION_BY_ZERO';

/**
 * Maps an exception thrown by DuckDB to the error Snowflake would report for the same statement. `sql` (the original
 * Snowflake text) lets a message point at the offending token the way Snowflake's do.
 */
export function mapDuckDbError(error: unknown, sql?: string): SnowflakeStatementError {
  if (error instanceof SnowflakeStatementError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0] ?? message;
  if (message.includes(DIVISION_BY_ZERO_MARKER) || /division by zero/i.test(firstLine)) return divisionByZero();
  if (firstLine.startsWith('Parser Error')) {
    const near = /at or near "([^"]*)"/.exec(firstLine)?.[1];
    if (near === undefined) return compilationError(`syntax error ${sql ? locate(sql, sql.trimEnd().slice(-1)) : 'line 1 at position 0'} unexpected '<EOF>'.`);
    return compilationError(`syntax error ${locate(sql, near)} unexpected '${near}'.`);
  }
  if (firstLine.startsWith('Catalog Error')) {
    const table = /(?:Table|View) with name "?([^"\s!]+)"? does not exist/.exec(firstLine);
    if (table) return objectDoesNotExist(table[1]!.toUpperCase());
    const schema = /schema "?([^"\s!]+)"? does not exist/i.exec(firstLine);
    if (schema) return objectDoesNotExist(schema[1]!.toUpperCase());
    const fn = /(?:Scalar|Aggregate|Table) Function with name "?([^"\s!]+)"? does not exist/i.exec(firstLine);
    if (fn) return unknownFunction(fn[1]!.toUpperCase());
    return compilationError(firstLine.replace(/^Catalog Error: /, ''));
  }
  if (firstLine.startsWith('Binder Error')) {
    const column = /column "([^"]+)" not found/i.exec(firstLine) ?? /Referenced column "?([^"\s]+)"? not found/.exec(firstLine);
    if (column) return invalidIdentifier(column[1]!.toUpperCase(), locate(sql, column[1]!));
    // A qualified reference (l.COLUMN): Snowflake names it with its qualifier, e.g. invalid identifier 'L.COLUMN'.
    const qualified = /"([^"]+)" does not have a column named "([^"]+)"/.exec(firstLine);
    if (qualified) return invalidIdentifier(`${qualified[1]!}.${qualified[2]!}`.toUpperCase(), locate(sql, `${qualified[1]!}.${qualified[2]!}`));
    return compilationError(firstLine.replace(/^Binder Error: /, ''));
  }
  if (/Malformed JSON/.test(firstLine)) {
    return new SnowflakeStatementError({ code: '100069', sqlState: '22P02', message: `Error parsing JSON: ${firstLine.replace(/^.*Malformed JSON( at byte \d+ of input)?:?\s*/, '')}` });
  }
  if (firstLine.startsWith('Conversion Error')) {
    const value = /(?:string|value) ['"]([^'"]*)['"]/.exec(firstLine);
    return conversionError(`'${value?.[1] ?? firstLine.replace(/^[A-Za-z ]+Error: /, '')}'`);
  }
  if (firstLine.startsWith('INTERRUPT Error') || /Interrupted/i.test(firstLine)) return statementCanceled();
  if (firstLine.startsWith('Out of Range Error')) {
    return new SnowflakeStatementError({ code: '100035', sqlState: '22003', message: firstLine.replace(/^Out of Range Error: /, '') });
  }
  return new SnowflakeStatementError({ code: '100132', sqlState: 'P0000', message: `Execution error: ${firstLine}` });
}
