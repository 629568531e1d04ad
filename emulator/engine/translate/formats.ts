// Snowflake's date and time format strings (TO_CHAR / TO_VARCHAR / TO_TIMESTAMP with a format), read element by
// element and written as DuckDB SQL. The elements are those of
// https://docs.snowflake.com/en/sql-reference/functions-conversion#date-and-time-formats-in-conversion-functions;
// matching is case-insensitive and text in double quotes is copied as it is. Where the page is silent, the readings
// of Snowflake's own drivers, which format the server's timestamps client-side with the same elements, decide: HH is
// the 24-hour clock, TZH is the sign and two hour digits of the offset (`-07`), TZM its two minute digits, FF<n> the
// first n digits of the fraction (truncated)
// (https://github.com/snowflakedb/snowflake-connector-nodejs/blob/master/lib/connection/result/sf_timestamp.js,
// https://github.com/snowflakedb/snowflake-connector-python/blob/main/src/snowflake/connector/sfdatetime.py).
//
// DuckDB's strftime cannot write everything: its %z gives `+00` for UTC where Snowflake's TZHTZM gives `+0000`, and its
// %n (nanoseconds) writes six digits and garbage on microsecond timestamps. Those elements are computed in SQL.

import { sqlString } from './pieces.ts';
import type { SqlType } from './types.ts';

type Element =
  | { kind: 'strftime'; directive: string }
  | { kind: 'fraction'; digits: number }
  | { kind: 'offset-hours' }
  | { kind: 'offset-minutes' }
  | { kind: 'text'; text: string };

/** Element names, longest first where one is the prefix of another; FF is handled apart (it takes a digit). */
const DIRECTIVES: readonly [string, string][] = [
  ['YYYY', '%Y'],
  ['YY', '%y'],
  ['MMMM', '%B'],
  ['MON', '%b'],
  ['MM', '%m'],
  ['MI', '%M'],
  ['DD', '%d'],
  ['DY', '%a'],
  ['HH24', '%H'],
  ['HH12', '%I'],
  ['HH', '%H'],
  ['AM', '%p'],
  ['PM', '%p'],
  ['SS', '%S'],
];

/** The format's elements, or undefined if it holds a letter or digit that is no element (or an unclosed quote). */
function elements(format: string): Element[] | undefined {
  const out: Element[] = [];
  let i = 0;
  while (i < format.length) {
    const rest = format.slice(i).toUpperCase();
    if (rest.startsWith('"')) {
      const end = format.indexOf('"', i + 1);
      if (end < 0) return undefined;
      out.push({ kind: 'text', text: format.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const fraction = /^FF(\d?)/.exec(rest);
    if (fraction) {
      out.push({ kind: 'fraction', digits: fraction[1] === '' ? 9 : Number(fraction[1]) });
      i += fraction[0].length;
      continue;
    }
    if (rest.startsWith('TZH') || rest.startsWith('TZM')) {
      out.push({ kind: rest.startsWith('TZH') ? 'offset-hours' : 'offset-minutes' });
      i += 3;
      continue;
    }
    const directive = DIRECTIVES.find(([name]) => rest.startsWith(name));
    if (directive) {
      out.push({ kind: 'strftime', directive: directive[1] });
      i += directive[0].length;
      continue;
    }
    if (/[A-Za-z0-9]/.test(rest[0]!)) return undefined;
    out.push({ kind: 'text', text: format[i]! });
    i++;
  }
  return out;
}

/** Whether the format has an element that needs the value's time-zone offset (TZH, TZM). */
export function formatNeedsOffset(format: string): boolean {
  return (elements(format) ?? []).some((e) => e.kind === 'offset-hours' || e.kind === 'offset-minutes');
}

/**
 * DuckDB SQL writing `value` (SQL text of a DATE or TIMESTAMP) in the Snowflake `format`, or undefined if the format
 * has an element the emulator does not know. Offsets are those of the session time zone at each value's instant
 * (`date_part('timezone', ...)`), so the value must be a TIMESTAMPTZ when the format has TZH or TZM.
 */
export function formatTimestampSql(value: string, format: string): string | undefined {
  const list = elements(format);
  if (list === undefined) return undefined;
  const parts: string[] = [];
  let pattern = '';
  const flush = (): void => {
    if (pattern !== '') parts.push(`strftime(${value}, ${sqlString(pattern)})`);
    pattern = '';
  };
  const offset = `date_part('timezone', ${value})`;
  for (const element of list) {
    switch (element.kind) {
      case 'strftime':
        pattern += element.directive;
        break;
      case 'text':
        pattern += element.text.replaceAll('%', '%%');
        break;
      case 'fraction':
        // The values are microsecond-precise: digits 7 to 9 are zeros.
        if (element.digits === 6) pattern += '%f';
        else if (element.digits === 3) pattern += '%g';
        else if (element.digits > 0) {
          flush();
          parts.push(`substr(strftime(${value}, '%f') || '000', 1, ${element.digits})`);
        }
        break;
      case 'offset-hours':
        flush();
        parts.push(`(CASE WHEN ${offset} < 0 THEN '-' ELSE '+' END || lpad(CAST(abs(${offset}) // 3600 AS VARCHAR), 2, '0'))`);
        break;
      case 'offset-minutes':
        flush();
        parts.push(`lpad(CAST(abs(${offset}) % 3600 // 60 AS VARCHAR), 2, '0')`);
        break;
    }
  }
  flush();
  if (parts.length === 0) return `CASE WHEN ${value} IS NULL THEN NULL ELSE '' END`;
  return parts.length === 1 ? parts[0]! : `(${parts.join(' || ')})`;
}

/**
 * The strptime pattern reading text written in the Snowflake `format` (TO_TIMESTAMP), or undefined if DuckDB cannot
 * read one of its elements. DuckDB's %z reads `+05:30`, `+0530` and `+05`, so TZH:TZM, TZHTZM and TZH alone all
 * become %z; TZM without a TZH before it, and fractions other than FF3 / FF6 / FF9 / FF, have no strptime directive.
 */
export function strptimeFormat(format: string): string | undefined {
  const list = elements(format);
  if (list === undefined) return undefined;
  let pattern = '';
  for (let k = 0; k < list.length; k++) {
    const element = list[k]!;
    switch (element.kind) {
      case 'strftime':
        pattern += element.directive;
        break;
      case 'text':
        pattern += element.text.replaceAll('%', '%%');
        break;
      case 'fraction': {
        const directive = { 3: '%g', 6: '%f', 9: '%n' }[element.digits];
        if (directive === undefined) return undefined;
        pattern += directive;
        break;
      }
      case 'offset-hours': {
        pattern += '%z';
        const next = list[k + 1];
        const colon = next?.kind === 'text' && next.text === ':' ? 1 : 0;
        if (list[k + 1 + colon]?.kind === 'offset-minutes') k += 1 + colon;
        break;
      }
      case 'offset-minutes':
        return undefined;
    }
  }
  return pattern;
}

/**
 * A timestamp as text in Snowflake's default output formats (https://docs.snowflake.com/en/sql-reference/parameters#timestamp-output-format):
 * `YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM` for TIMESTAMP_LTZ / TIMESTAMP_TZ and without the offset for TIMESTAMP_NTZ
 * (DuckDB's own cast prints `+00` and drops the milliseconds); undefined for any other type.
 */
export function timestampText(text: string, type: SqlType | undefined): string | undefined {
  if (type === 'TIMESTAMP_NTZ') return formatTimestampSql(text, 'YYYY-MM-DD HH24:MI:SS.FF3');
  if (type !== 'TIMESTAMP_LTZ' && type !== 'TIMESTAMP_TZ') return undefined;
  return formatTimestampSql(text, 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM');
}
