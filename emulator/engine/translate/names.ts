// Result column names the way Snowflake derives them from the outermost select list: an alias upper-cased unless
// quoted, a column reference by its (last) name, any other expression by its upper-cased source text. A `*` item
// takes whatever DuckDB reports for the columns it expands to. Whether a JSON column is reported as variant, object
// or array comes from the translator's type resolution (the same one that decides what a `:` path may apply to).

import type { Token } from './tokenizer.ts';
import { tokenize } from './tokenizer.ts';
import type { ResolvedSelectItem } from './translate.ts';
import { translateQuery } from './translate.ts';
import type { SqlType } from './types.ts';

export interface SelectItem {
  /** The derived name, or null for `*` / `t.*` (expanded from DuckDB's own column names). */
  readonly name: string | null;
  /** Set for a plain integer literal (Snowflake reports its digit count as precision). */
  readonly integerLiteralDigits?: number;
  /** The semi-structured kind the translator resolved for the item (DuckDB only knows JSON). */
  readonly structured?: SemiStructuredWire;
  /** For `*` / `t.*`: the kinds of the columns it expands to, when the translator knows them. */
  readonly starStructured?: readonly (SemiStructuredWire | undefined)[];
}

export type SemiStructuredWire = 'variant' | 'object' | 'array';

function wireOf(type: SqlType | undefined): SemiStructuredWire | undefined {
  if (type === 'VARIANT') return 'variant';
  if (type === 'OBJECT') return 'object';
  if (type === 'ARRAY') return 'array';
  return undefined;
}

const NEUTRAL_CONTEXT = {
  now: new Date(0),
  user: 'EMULATOR',
  role: 'EMULATOR',
  warehouse: null,
  database: null,
  schema: null,
  account: 'EMULATOR',
  region: 'EMULATOR',
  version: '0',
  placeholdersAsNull: true,
} as const;

/** The translator's view of the outermost select list, or null if the statement does not translate. */
function resolvedSelectList(sql: string): readonly ResolvedSelectItem[] | null {
  try {
    return translateQuery(sql, NEUTRAL_CONTEXT).selectList;
  } catch {
    return null;
  }
}

const CLAUSE_END = new Set(['FROM', 'WHERE', 'GROUP', 'HAVING', 'QUALIFY', 'ORDER', 'LIMIT', 'UNION', 'EXCEPT', 'MINUS', 'INTERSECT', 'WINDOW', 'OFFSET', 'FETCH', 'INTO']);

const NOT_ALIAS = new Set(['END', 'NULL', 'TRUE', 'FALSE', 'ASC', 'DESC', 'AND', 'OR', 'NOT', 'IS', 'IN', 'THEN', 'ELSE', 'WHEN', 'LIKE', 'ILIKE']);

/** Indexes of the outermost SELECT's items in the token list, or null if the statement has no SELECT list. */
function selectListRanges(tokens: readonly Token[]): [number, number][] | null {
  let depth = 0;
  let start = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'op' && (t.value === '(' || t.value === '[')) depth++;
    else if (t.kind === 'op' && (t.value === ')' || t.value === ']')) depth--;
    else if (depth === 0 && t.kind === 'ident' && t.value === 'SELECT') {
      start = i + 1;
      break;
    }
  }
  if (start < 0) return null;
  // Skip DISTINCT / ALL / TOP n.
  const skipWs = (k: number): number => {
    while (k < tokens.length && tokens[k]!.kind === 'ws') k++;
    return k;
  };
  let k = skipWs(start);
  while (tokens[k]?.kind === 'ident' && ['DISTINCT', 'ALL'].includes(tokens[k]!.value)) k = skipWs(k + 1);
  if (tokens[k]?.kind === 'ident' && tokens[k]!.value === 'TOP') k = skipWs(skipWs(k + 1) + 1);
  const ranges: [number, number][] = [];
  let itemStart = k;
  depth = 0;
  let i = k;
  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'op' && (t.value === '(' || t.value === '[')) depth++;
    else if (t.kind === 'op' && (t.value === ')' || t.value === ']')) depth--;
    else if (depth === 0 && t.kind === 'op' && t.value === ',') {
      ranges.push([itemStart, i]);
      itemStart = i + 1;
    } else if (depth === 0 && ((t.kind === 'ident' && CLAUSE_END.has(t.value) && !isWithinGroup(tokens, i)) || (t.kind === 'op' && t.value === ';'))) {
      break;
    }
    if (depth < 0) break;
  }
  ranges.push([itemStart, i]);
  return ranges;
}

/** `WITHIN GROUP (...)` after an aggregate is part of the select item, not a GROUP BY. */
function isWithinGroup(tokens: readonly Token[], at: number): boolean {
  if (tokens[at]?.value !== 'GROUP') return false;
  for (let k = at - 1; k >= 0; k--) {
    const t = tokens[k]!;
    if (t.kind === 'ws') continue;
    return t.kind === 'ident' && t.value === 'WITHIN';
  }
  return false;
}

function itemName(tokens: readonly Token[]): SelectItem {
  const meaningful = tokens.filter((t) => t.kind !== 'ws');
  const last = meaningful[meaningful.length - 1];
  const beforeLast = meaningful[meaningful.length - 2];
  if (!last) return { name: '' };
  if (last.kind === 'op' && last.value === '*') return { name: null };
  // Explicit alias: `expr AS alias`, or `expr alias` (an identifier right after something that ends a value).
  if (meaningful.length >= 2 && beforeLast && (last.kind === 'ident' || last.kind === 'qident')) {
    const explicitAs = beforeLast.kind === 'ident' && beforeLast.value === 'AS';
    const implicit = isValueEnd(beforeLast) && !(last.kind === 'ident' && NOT_ALIAS.has(last.value));
    if (explicitAs || implicit) {
      const expression = meaningful.slice(0, explicitAs ? -2 : -1);
      const only = expression[0];
      const digits = expression.length === 1 && only?.kind === 'number' && /^\d+$/.test(only.value) ? only.value.replace(/^0+(?=\d)/, '').length : undefined;
      return digits === undefined ? { name: last.value } : { name: last.value, integerLiteralDigits: digits };
    }
  }
  // A column reference a, t.a, "A", t."a": the last part.
  const isChain = meaningful.every((t, idx) => (idx % 2 === 0 ? t.kind === 'ident' || t.kind === 'qident' : t.kind === 'op' && t.value === '.'));
  if (isChain && last.kind !== 'op') return { name: last.value };
  if (meaningful.length === 1 && last.kind === 'number' && /^\d+$/.test(last.value)) {
    return { name: last.value, integerLiteralDigits: last.value.replace(/^0+(?=\d)/, '').length };
  }
  const text = tokens.map((t) => t.text).join('').trim();
  return { name: text.toUpperCase() };
}

/** True if a token can end an expression, so that an identifier after it is an alias. */
function isValueEnd(token: Token): boolean {
  if (token.kind === 'ident') return ['END', 'NULL', 'TRUE', 'FALSE'].includes(token.value) || !NOT_ALIAS.has(token.value);
  if (token.kind === 'op') return token.value === ')' || token.value === ']';
  return true;
}

export function selectItems(sql: string): SelectItem[] | null {
  const tokens = tokenize(sql);
  const ranges = selectListRanges(tokens);
  if (!ranges) return null;
  const items = ranges.map(([from, to]) => itemName(tokens.slice(from, to)));
  const resolved = resolvedSelectList(sql);
  if (resolved === null || resolved.length !== items.length) return items;
  return items.map((item, k) => {
    const columns = resolved[k]!.columns;
    if (item.name === null) return columns === null ? item : { ...item, starStructured: columns.map((c) => wireOf(c.type)) };
    const structured = wireOf(columns?.[0]?.type);
    return structured === undefined ? item : { ...item, structured };
  });
}

/**
 * Output names for DuckDB's columns: derived names where the select list maps one-to-one (a single `*` may stand for
 * several columns); DuckDB's names otherwise.
 */
export interface ResultColumns {
  names: string[];
  literalDigits: (number | undefined)[];
  structured: (SemiStructuredWire | undefined)[];
}

export function resultColumnNames(items: readonly SelectItem[] | null, duckNames: readonly string[]): ResultColumns {
  const fallback = { names: [...duckNames], literalDigits: duckNames.map(() => undefined), structured: duckNames.map(() => undefined) };
  if (!items) return fallback;
  const stars = items.filter((item) => item.name === null).length;
  if (stars > 1 || (stars === 0 && items.length !== duckNames.length)) return fallback;
  const starWidth = duckNames.length - (items.length - stars);
  if (starWidth < 0) return fallback;
  const names: string[] = [];
  const literalDigits: (number | undefined)[] = [];
  const structured: (SemiStructuredWire | undefined)[] = [];
  let col = 0;
  for (const item of items) {
    if (item.name === null) {
      const kinds = item.starStructured?.length === starWidth ? item.starStructured : undefined;
      for (let k = 0; k < starWidth; k++) {
        names.push(duckNames[col++]!);
        literalDigits.push(undefined);
        structured.push(kinds?.[k]);
      }
    } else {
      names.push(item.name);
      literalDigits.push(item.integerLiteralDigits);
      structured.push(item.structured);
      col++;
    }
  }
  return { names, literalDigits, structured };
}
