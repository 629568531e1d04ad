// Turning decoded SQL API values (see src/snowflake/sqlapi/decode.ts) into the plain types events carry. Columns
// are read by name, so a view that gains columns (Snowflake adds some every bundle) changes nothing here.
import { canonicalAccountName } from '../../snowflake/identifier.ts';
import { SnowflakeTimestamp, type DecodedValue } from '../../snowflake/sqlapi/index.ts';

export type Row = Readonly<Record<string, DecodedValue>>;

export function textOf(row: Row, column: string): string | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof SnowflakeTimestamp) return value.toISOString();
  return JSON.stringify(value);
}

/**
 * A Snowflake error code as Snowflake writes it: six digits, zero-padded (`002003`), as in its messages and the SQL
 * API's `code`. QUERY_HISTORY.ERROR_CODE and LOGIN_HISTORY.ERROR_CODE are NUMBER columns
 * (https://docs.snowflake.com/en/sql-reference/account-usage/query_history), so a real account returns 2003; padded,
 * the same failure carries the same code in an event as in the exporter's own errors.
 */
export function errorCodeOf(row: Row, column: string): string | null {
  const text = textOf(row, column);
  return text !== null && /^\d{1,6}$/.test(text) ? text.padStart(6, '0') : text;
}

/** A count or byte figure: NULL is 0; a NUMBER beyond 2^53 is rounded (figures that large are metrics, not ids). */
export function numberOf(row: Row, column: string): number {
  const value = row[column];
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return 0;
}

export function dateOf(row: Row, column: string): Date | null {
  const value = row[column];
  if (value instanceof SnowflakeTimestamp) return value.toDate();
  if (typeof value === 'string') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  return null;
}

export function requiredDate(row: Row, column: string): Date {
  const date = dateOf(row, column);
  if (date === null) throw new TypeError(`column ${column} is not a timestamp`);
  return date;
}

/** BOOLEAN columns, and the VARIANT / text forms ('true', 'YES') some views use. Unknown is null. */
export function booleanOf(row: Row, column: string): boolean | null {
  const value = row[column];
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true' || lower === 'yes' || lower === 'y') return true;
    if (lower === 'false' || lower === 'no' || lower === 'n') return false;
  }
  return null;
}

/**
 * Snowflake's comma-separated account lists (SHARES.TARGET_ACCOUNTS, SHOW SHARES `to`): names Snowflake stores, not
 * SQL text, so nothing is unquoted; each in the one account form (canonicalAccountName), unique, sorted.
 */
export function accountList(text: string | null): string[] {
  if (text === null) return [];
  const accounts = new Set<string>();
  for (const part of text.split(',')) {
    const account = canonicalAccountName(part);
    if (account !== '') accounts.add(account);
  }
  return [...accounts].sort();
}
