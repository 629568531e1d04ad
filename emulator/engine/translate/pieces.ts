// Pieces: what the translator makes of each part of an expression (its DuckDB text, its Snowflake type, and for a
// semi-structured value the JSON and path it reads), and the conversions Snowflake applies between them.

import { isSemiStructured, isTimestamp } from './types.ts';
import type { SqlType } from './types.ts';

export interface Piece {
  text: string;
  readonly kind: 'value' | 'op' | 'word';
  /** Set when the value is semi-structured (DuckDB JSON): the JSON it is `json_extract(base, path)` of. */
  readonly variant?: { readonly base: string; readonly path: string };
  readonly literal?: 'string' | 'number' | 'boolean' | 'null';
  readonly stringValue?: string;
  /** The Snowflake type of the value, when known. */
  readonly type?: SqlType;
  /** Source offset of the expression's first token, for error positions. */
  readonly offset?: number;
}

export const COMPARISONS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);

export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** `'2026-10-09 12:34:56 +0700'` -> `+07:00`: DuckDB does not read the offset form Snowflake prints. */
export function normaliseTimestampText(text: string): string {
  return text.trim().replace(/\s*([+-])(\d{2}):?(\d{2})$/, '$1$2:$3');
}

export function value(text: string, extra: Partial<Piece> = {}): Piece {
  return { text, kind: 'value', ...extra };
}

/** A semi-structured value: `base` is DuckDB JSON, `path` the JSON path into it. */
export function variantOf(base: string, path = '$', type: 'VARIANT' | 'OBJECT' | 'ARRAY' = 'VARIANT', offset?: number): Piece {
  return {
    text: path === '$' ? base : `json_extract(${base}, ${sqlString(path)})`,
    kind: 'value',
    variant: { base, path },
    type,
    ...(offset === undefined ? {} : { offset }),
  };
}

/** A value of a known (or unknown) type; semi-structured ones carry their JSON for paths. */
export function typed(text: string, type: SqlType | undefined, offset?: number): Piece {
  if (isSemiStructured(type)) return variantOf(text, '$', type, offset);
  return value(text, { ...(type === undefined ? {} : { type }), ...(offset === undefined ? {} : { offset }) });
}

/** VARIANT as text the way Snowflake compares and casts it: strings unquoted, other JSON as compact text. */
export function asText(piece: Piece): string {
  return piece.variant ? `json_extract_string(${piece.variant.base}, ${sqlString(piece.variant.path)})` : piece.text;
}

/** A VARIANT operand of a comparison, typed after the other operand the way Snowflake coerces it. */
export function comparable(variant: Piece, other: Piece | undefined): string {
  if (other?.literal === 'number') return `TRY_CAST(${asText(variant)} AS DOUBLE)`;
  if (other?.literal === 'boolean') return `TRY_CAST(${asText(variant)} AS BOOLEAN)`;
  return asText(variant);
}

export function jsonKey(key: string): string {
  return `."${key.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** The type of an expression made of several pieces: what its top-level operator yields. */
export function typeOfPieces(pieces: readonly Piece[]): SqlType | undefined {
  if (pieces.length === 1) return pieces[0]!.type;
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  if (first?.kind === 'word' && first.text === 'CASE' && last?.kind === 'word' && last.text === 'END') {
    // The type of the first THEN / ELSE result that is not NULL.
    for (let k = 0; k + 1 < pieces.length; k++) {
      const p = pieces[k]!;
      const result = pieces[k + 1]!;
      const after = pieces[k + 2];
      const single = after?.kind === 'word' && ['WHEN', 'ELSE', 'END'].includes(after.text);
      if (p.kind === 'word' && (p.text === 'THEN' || p.text === 'ELSE') && single && result.literal !== 'null') return result.type;
    }
    return undefined;
  }
  const booleanWords = ['AND', 'OR', 'NOT', 'IS', 'IN', 'LIKE', 'ILIKE', 'BETWEEN', 'EXISTS'];
  if (pieces.some((p) => (p.kind === 'word' && booleanWords.includes(p.text)) || (p.kind === 'op' && (COMPARISONS.has(p.text) || p.text === '~' || p.text === '!~')))) return 'BOOLEAN';
  if (pieces.some((p) => p.kind === 'op' && p.text === '||')) return 'TEXT';
  if (pieces.some((p) => p.kind === 'op' && ['+', '-', '*', '/', '%'].includes(p.text))) {
    const values = pieces.filter((p) => p.kind === 'value');
    const moment = values.find((p) => isTimestamp(p.type) || p.type === 'DATE');
    if (moment) return moment.type;
    return values.some((p) => p.type === 'FLOAT') ? 'FLOAT' : 'NUMBER';
  }
  return undefined;
}
