// The Snowflake -> DuckDB rewriter. Not a SQL parser: it walks the token tree, rewrites the constructs the exporter's
// queries use (functions, `:` paths, `::` casts, FLATTEN, ILIKE ANY, regular expressions, division) into DuckDB SQL
// with Snowflake's semantics, and passes everything else through. Anything it knows it cannot reproduce fails with a
// compilation error that names the construct, so a query never silently returns something Snowflake would not.

import { DIVISION_BY_ZERO_MARKER, compilationError, unsupportedConstruct } from '../errors.ts';
import { TIMESTAMP_COLUMN_NAMES, VARIANT_COLUMN_NAMES } from '../catalog.ts';
import { tokenize } from './tokenizer.ts';
import type { GroupNode, Node } from './tree.ts';
import { buildTree, isGroup, isOp, isWord, splitArgs } from './tree.ts';
import { canonicalUnit, intervalFor, strftimeFormat } from './units.ts';

export interface TranslateContext {
  /** Virtual "now": CURRENT_TIMESTAMP() and friends become this constant. */
  readonly now: Date;
  readonly user: string;
  readonly role: string;
  readonly warehouse: string | null;
  readonly database: string | null;
  readonly schema: string | null;
  readonly account: string;
  readonly region: string;
  readonly version: string;
  /** DuckDB types for bindings whose value is NULL (an untyped NULL parameter would bind as INTEGER). */
  readonly nullBindingTypes?: ReadonlyMap<string, string>;
  /**
   * Render every placeholder as NULL. DuckDB's table-name extraction cannot parse `$1`, so the engine asks for this
   * form to learn which tables a bound statement reads (and whether it needs a warehouse).
   */
  readonly placeholdersAsNull?: boolean;
}

export interface Translation {
  readonly sql: string;
  /** Binding key for DuckDB parameter $1, $2, ... in order. */
  readonly paramKeys: readonly string[];
}

type SqlType = 'date' | 'timestamp' | 'timestamptz' | 'text' | 'number';

interface Piece {
  text: string;
  readonly kind: 'value' | 'op' | 'word';
  /** Set when the value is a VARIANT: the JSON it is `json_extract(base, path)` of. */
  readonly variant?: { readonly base: string; readonly path: string };
  readonly literal?: 'string' | 'number' | 'boolean';
  readonly stringValue?: string;
  readonly sqlType?: SqlType;
}

const KEYWORDS = new Set([
  'SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'IN', 'IS', 'LIKE', 'ILIKE', 'BETWEEN', 'CASE', 'WHEN', 'THEN', 'ELSE',
  'END', 'AS', 'ON', 'JOIN', 'LEFT', 'RIGHT', 'FULL', 'INNER', 'OUTER', 'CROSS', 'LATERAL', 'GROUP', 'BY', 'ORDER',
  'HAVING', 'QUALIFY', 'LIMIT', 'OFFSET', 'UNION', 'ALL', 'DISTINCT', 'EXCEPT', 'MINUS', 'INTERSECT', 'WITH', 'ASC',
  'DESC', 'NULLS', 'FIRST', 'LAST', 'OVER', 'PARTITION', 'ROWS', 'RANGE', 'PRECEDING', 'FOLLOWING', 'UNBOUNDED',
  'CURRENT', 'ROW', 'EXISTS', 'ANY', 'SOME', 'USING', 'NATURAL', 'TOP', 'FETCH', 'NEXT', 'ONLY', 'WINDOW', 'FILTER',
  'WITHIN', 'VALUES', 'INTERVAL', 'ESCAPE', 'RECURSIVE',
]);

/** Keywords that may be followed by `(` without being a function call. */
const NOT_FUNCTIONS = new Set([
  'IN', 'EXISTS', 'AS', 'OVER', 'FROM', 'JOIN', 'VALUES', 'AND', 'OR', 'NOT', 'WHEN', 'THEN', 'ELSE', 'ON', 'USING',
  'SELECT', 'WHERE', 'FILTER', 'WITHIN', 'ANY', 'ALL', 'SOME', 'BY', 'HAVING', 'QUALIFY', 'UNION', 'EXCEPT', 'MINUS',
  'INTERSECT', 'IS', 'LIKE', 'ILIKE', 'BETWEEN', 'CASE', 'END', 'WITH', 'LATERAL', 'DISTINCT', 'LIMIT', 'OFFSET',
  'PARTITION', 'ORDER', 'GROUP', 'RECURSIVE', 'INTERVAL',
]);

/** Functions whose Snowflake results DuckDB cannot reproduce: rejected by name rather than answered differently. */
const REJECTED_FUNCTIONS = new Set([
  'HASH', 'HASH_AGG', 'SEQ1', 'SEQ2', 'SEQ4', 'SEQ8', 'GENERATOR', 'UNIFORM', 'RANDSTR', 'NORMAL', 'ZIPF',
  'REGEXP_INSTR', 'MATCH_RECOGNIZE', 'AT', 'BEFORE', 'CHANGES', 'SAMPLE', 'TABLESAMPLE', 'RESULT_SCAN',
  'ARRAY_CONSTRUCT_COMPACT', 'OBJECT_CONSTRUCT_KEEP_NULL', 'TIME_SLICE',
]);

const REJECTED_WORDS = new Set(['MATCH_RECOGNIZE', 'CONNECT', 'SAMPLE', 'TABLESAMPLE', 'PIVOT', 'UNPIVOT', 'ASOF']);

const COMPARISONS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);

export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function utcParts(d: Date): { date: string; time: string } {
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
  return { date, time };
}

/** `'2026-10-09 12:34:56 +0700'` -> `+07:00`: DuckDB does not read the offset form Snowflake prints. */
export function normaliseTimestampText(text: string): string {
  return text.trim().replace(/\s*([+-])(\d{2}):?(\d{2})$/, '$1$2:$3');
}

function value(text: string, extra: Partial<Piece> = {}): Piece {
  return { text, kind: 'value', ...extra };
}

function variantOf(base: string, path = '$'): Piece {
  return { text: path === '$' ? base : `json_extract(${base}, ${sqlString(path)})`, kind: 'value', variant: { base, path } };
}

/** VARIANT as text the way Snowflake compares and casts it: strings unquoted, other JSON as compact text. */
function asText(piece: Piece): string {
  return piece.variant ? `json_extract_string(${piece.variant.base}, ${sqlString(piece.variant.path)})` : piece.text;
}

/**
 * A timestamp as text in Snowflake's default output formats: `YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM` for LTZ/TZ and
 * without the offset for NTZ (DuckDB's own cast prints `+00` and drops the milliseconds).
 */
function timestampText(text: string, sqlType: SqlType | undefined): string | undefined {
  if (sqlType === 'timestamp') return `strftime(${text}, '%Y-%m-%d %H:%M:%S.%g')`;
  if (sqlType !== 'timestamptz') return undefined;
  const offset = `date_part('timezone', ${text})`;
  return (
    `(strftime(${text}, '%Y-%m-%d %H:%M:%S.%g ') || CASE WHEN ${offset} < 0 THEN '-' ELSE '+' END || ` +
    `lpad(CAST(abs(${offset}) // 3600 AS VARCHAR), 2, '0') || lpad(CAST(abs(${offset}) % 3600 // 60 AS VARCHAR), 2, '0'))`
  );
}

/** A VARIANT operand of a comparison, typed after the other operand the way Snowflake coerces it. */
function comparable(variant: Piece, other: Piece | undefined): string {
  if (other?.literal === 'number') return `TRY_CAST(${asText(variant)} AS DOUBLE)`;
  if (other?.literal === 'boolean') return `TRY_CAST(${asText(variant)} AS BOOLEAN)`;
  return asText(variant);
}

function jsonKey(key: string): string {
  return `."${key.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

class Translator {
  readonly paramKeys: string[] = [];
  private positional = 0;
  private readonly context: TranslateContext;

  constructor(context: TranslateContext) {
    this.context = context;
  }

  translate(nodes: readonly Node[]): string {
    return this.render(this.seq(nodes));
  }

  private render(pieces: Piece[]): string {
    return this.rewriteDivision(this.textifyVariantComparisons(pieces))
      .map((p) => p.text)
      .join(' ');
  }

  private textifyVariantComparisons(pieces: Piece[]): Piece[] {
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      const isComparison = p.kind === 'op' && COMPARISONS.has(p.text);
      const isPredicate = p.kind === 'word' && ['IN', 'LIKE', 'ILIKE', 'BETWEEN', '~', '!~'].includes(p.text);
      if (!isComparison && !isPredicate && !(p.kind === 'op' && (p.text === '~' || p.text === '!~'))) continue;
      const before = pieces[i - 1];
      const after = pieces[i + 1];
      if (before?.variant) before.text = comparable(before, after);
      if (isComparison && after?.variant) after.text = comparable(after, before);
    }
    return pieces;
  }

  /** `a / b` -> a CASE that raises Snowflake's division-by-zero error (DuckDB returns NULL instead). */
  private rewriteDivision(pieces: Piece[]): Piece[] {
    const out: Piece[] = [];
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (!(p.kind === 'op' && p.text === '/')) {
        out.push(p);
        continue;
      }
      const left: Piece[] = [];
      const last = out.pop();
      if (!last || last.kind !== 'value') throw compilationError(`syntax error: unexpected '/'`);
      left.unshift(last);
      while (out.length >= 2 && out[out.length - 1]!.kind === 'op' && ['*', '%'].includes(out[out.length - 1]!.text) && out[out.length - 2]!.kind === 'value') {
        left.unshift(out.pop()!);
        left.unshift(out.pop()!);
      }
      const right: Piece[] = [];
      let j = i + 1;
      if (pieces[j]?.kind === 'op' && (pieces[j]!.text === '-' || pieces[j]!.text === '+')) right.push(pieces[j++]!);
      const operand = pieces[j];
      if (!operand || operand.kind !== 'value') throw compilationError(`syntax error: unexpected '/'`);
      right.push(operand);
      i = j;
      const l = left.map((x) => x.text).join(' ');
      const r = right.map((x) => x.text).join(' ');
      out.push(value(`CASE WHEN (${r}) = 0 THEN error('${DIVISION_BY_ZERO_MARKER}') ELSE (${l}) / (${r}) END`));
    }
    return out;
  }

  private seq(nodes: readonly Node[]): Piece[] {
    const out: Piece[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (node.type === 'group') {
        const prev = out[out.length - 1];
        if (node.open === '[') {
          if (prev?.kind === 'value') out[out.length - 1] = this.index(prev, node);
          else out.push(variantOf(`to_json([${this.translate(node.children)}])`));
        } else {
          out.push(value(`(${this.translate(node.children)})`));
        }
        continue;
      }
      const token = node.token;
      switch (token.kind) {
        case 'string':
          out.push(value(sqlString(token.value), { literal: 'string', stringValue: token.value, sqlType: 'text' }));
          break;
        case 'number':
          out.push(value(token.value, { literal: 'number', sqlType: 'number' }));
          break;
        case 'param':
          out.push(value(this.param(token.value)));
          break;
        case 'ident':
        case 'qident':
          i = this.word(nodes, i, out);
          break;
        case 'op':
          i = this.op(nodes, i, out);
          break;
        default:
          break;
      }
    }
    return out;
  }

  private param(key: string): string {
    const bindingKey = key === '?' ? String(++this.positional) : key;
    let index = this.paramKeys.indexOf(bindingKey);
    if (index < 0) {
      this.paramKeys.push(bindingKey);
      index = this.paramKeys.length - 1;
    }
    if (this.context.placeholdersAsNull === true) return 'NULL';
    const nullType = this.context.nullBindingTypes?.get(bindingKey);
    return nullType ? `CAST($${index + 1} AS ${nullType})` : `$${index + 1}`;
  }

  private word(nodes: readonly Node[], i: number, out: Piece[]): number {
    const node = nodes[i]!;
    if (node.type !== 'token') return i;
    const token = node.token;
    const next = nodes[i + 1];
    if (token.kind === 'ident') {
      const word = token.value;
      if (REJECTED_WORDS.has(word)) throw unsupportedConstruct(word);
      if (isGroup(next) && !NOT_FUNCTIONS.has(word)) return this.call(word, next, nodes, i, out);
      if ((word === 'LIKE' || word === 'ILIKE') && isWord(next, 'ANY', 'ALL', 'SOME') && isGroup(nodes[i + 2])) {
        return this.likeAny(word, next?.type === 'token' ? next.token.value : 'ANY', nodes[i + 2] as GroupNode, out, i + 2);
      }
      if (word === 'RLIKE' || word === 'REGEXP') {
        if (out[out.length - 1]?.kind === 'word' && out[out.length - 1]!.text === 'NOT') {
          out.pop();
          out.push({ text: '!~', kind: 'op' });
        } else {
          out.push({ text: '~', kind: 'op' });
        }
        return i;
      }
      const constant = this.constantWord(word);
      if (constant) {
        out.push(constant);
        return i;
      }
      if (word === 'NULL' || word === 'TRUE' || word === 'FALSE') {
        out.push(value(word, word === 'NULL' ? {} : { literal: 'boolean' }));
        return i;
      }
      if (KEYWORDS.has(word)) {
        out.push({ text: word, kind: 'word' });
        return i;
      }
    }
    // An identifier chain: a, a.b, "A".b.*
    const parts: string[] = [this.identText(token)];
    let lastName = token.kind === 'ident' ? token.value : token.value.toUpperCase();
    let j = i;
    while (isOp(nodes[j + 1], '.')) {
      const part = nodes[j + 2];
      if (part?.type !== 'token') break;
      if (part.token.kind === 'ident' || part.token.kind === 'qident') {
        parts.push(this.identText(part.token));
        lastName = part.token.kind === 'ident' ? part.token.value : part.token.value.toUpperCase();
      } else if (part.token.kind === 'op' && part.token.value === '*') {
        parts.push('*');
        lastName = '*';
      } else {
        break;
      }
      j += 2;
    }
    const text = parts.join('.');
    if (VARIANT_COLUMN_NAMES.has(lastName)) out.push(variantOf(text));
    else out.push(value(text, TIMESTAMP_COLUMN_NAMES.has(lastName) ? { sqlType: 'timestamptz' } : {}));
    return j;
  }

  private identText(token: { kind: string; value: string; text: string }): string {
    return token.kind === 'qident' ? `"${token.value.replaceAll('"', '""')}"` : token.text;
  }

  private constantWord(word: string): Piece | undefined {
    const { date, time } = utcParts(this.context.now);
    switch (word) {
      case 'CURRENT_TIMESTAMP':
      case 'LOCALTIMESTAMP':
        return value(`CAST('${date} ${time}+00' AS TIMESTAMPTZ)`, { sqlType: 'timestamptz' });
      case 'CURRENT_DATE':
        return value(`DATE '${date}'`, { sqlType: 'date' });
      case 'CURRENT_TIME':
      case 'LOCALTIME':
        return value(`TIME '${time}'`);
      default:
        return undefined;
    }
  }

  private op(nodes: readonly Node[], i: number, out: Piece[]): number {
    const node = nodes[i]!;
    if (node.type !== 'token') return i;
    const op = node.token.value;
    if (op === ':') return this.path(nodes, i, out);
    if (op === '::') return this.castOperator(nodes, i, out);
    if (op === ';') {
      if (nodes.slice(i + 1).length === 0) return i;
      throw compilationError('Multiple SQL statements in a single API call are not supported; use one statement per request.');
    }
    if (op === '=>') throw unsupportedConstruct('named argument (=>) outside FLATTEN');
    out.push({ text: op, kind: 'op' });
    return i;
  }

  /** `v:a.b[0]."Quoted"` -> json_extract(v, '$."a"."b"[0]."Quoted"'). Snowflake path keys are case-sensitive. */
  private path(nodes: readonly Node[], i: number, out: Piece[]): number {
    const prev = out.pop();
    if (!prev || prev.kind !== 'value') throw compilationError(`syntax error line 1 at position ${nodes[i]?.type === 'token' ? nodes[i].token.offset : 0} unexpected ':'.`);
    let path = prev.variant ? prev.variant.path : '$';
    const base = prev.variant ? prev.variant.base : prev.text;
    let j = i + 1;
    const first = nodes[j];
    if (first?.type !== 'token' || (first.token.kind !== 'ident' && first.token.kind !== 'qident')) throw compilationError("syntax error: a path element must follow ':'");
    path += jsonKey(first.token.kind === 'ident' ? first.token.text : first.token.value);
    for (;;) {
      const next = nodes[j + 1];
      if (isOp(next, '.')) {
        const key = nodes[j + 2];
        if (key?.type !== 'token' || (key.token.kind !== 'ident' && key.token.kind !== 'qident')) break;
        path += jsonKey(key.token.kind === 'ident' ? key.token.text : key.token.value);
        j += 2;
      } else if (isGroup(next, '[')) {
        path += this.indexPath(next);
        j += 1;
      } else {
        break;
      }
    }
    out.push(variantOf(base, path));
    return j;
  }

  private indexPath(group: GroupNode): string {
    const inner = group.children;
    const only = inner[0];
    if (inner.length === 1 && only?.type === 'token' && only.token.kind === 'number') return `[${only.token.value}]`;
    if (inner.length === 1 && only?.type === 'token' && only.token.kind === 'string') return jsonKey(only.token.value);
    throw unsupportedConstruct('a computed index or key in a semi-structured path');
  }

  private index(prev: Piece, group: GroupNode): Piece {
    const base = prev.variant ? prev.variant.base : prev.text;
    const path = prev.variant ? prev.variant.path : '$';
    return variantOf(base, path + this.indexPath(group));
  }

  private castOperator(nodes: readonly Node[], i: number, out: Piece[]): number {
    const prev = out.pop();
    if (!prev || prev.kind !== 'value') throw compilationError("syntax error: unexpected '::'");
    const typeNode = nodes[i + 1];
    if (typeNode?.type !== 'token' || typeNode.token.kind !== 'ident') throw compilationError("syntax error: a type must follow '::'");
    let j = i + 1;
    let typeName = typeNode.token.value;
    if (typeName === 'DOUBLE' && isWord(nodes[j + 1], 'PRECISION')) j++;
    let typeArgs: string[] = [];
    const maybeArgs = nodes[j + 1];
    if (isGroup(maybeArgs)) {
      typeArgs = splitArgs(maybeArgs.children).map((arg) => this.translate(arg));
      j++;
    }
    if (typeName === 'TIMESTAMP' && isWord(nodes[j + 1], 'WITH')) typeName = 'TIMESTAMP_TZ';
    out.push(this.cast(prev, typeName, typeArgs, false));
    return j;
  }

  /** Applies a Snowflake cast with Snowflake semantics (VARIANT strings unquoted, offsets normalised...). */
  private cast(piece: Piece, typeName: string, typeArgs: readonly string[], tryCast: boolean): Piece {
    const CAST = tryCast ? 'TRY_CAST' : 'CAST';
    const source = piece.variant ? asText(piece) : piece.literal === 'string' && piece.stringValue !== undefined ? sqlString(piece.stringValue) : piece.text;
    switch (typeName) {
      case 'STRING':
      case 'TEXT':
      case 'VARCHAR':
      case 'CHAR':
      case 'CHARACTER':
      case 'NVARCHAR':
      case 'NCHAR':
        return value(piece.variant ? asText(piece) : (timestampText(piece.text, piece.sqlType) ?? `${CAST}(${piece.text} AS VARCHAR)`), { sqlType: 'text' });
      case 'NUMBER':
      case 'DECIMAL':
      case 'NUMERIC': {
        const precision = typeArgs[0] ?? '38';
        const scale = typeArgs[1] ?? '0';
        return value(`${CAST}(${source} AS DECIMAL(${precision},${scale}))`, { sqlType: 'number' });
      }
      case 'INT':
      case 'INTEGER':
      case 'BIGINT':
      case 'SMALLINT':
      case 'TINYINT':
      case 'BYTEINT':
        return value(`${CAST}(${source} AS DECIMAL(38,0))`, { sqlType: 'number' });
      case 'FLOAT':
      case 'FLOAT4':
      case 'FLOAT8':
      case 'DOUBLE':
      case 'REAL':
        return value(`${CAST}(${source} AS DOUBLE)`, { sqlType: 'number' });
      case 'BOOLEAN':
        return value(`${CAST}(${source} AS BOOLEAN)`);
      case 'DATE':
        return value(`${CAST}(${this.timestampSource(piece, source)} AS DATE)`, { sqlType: 'date' });
      case 'TIME':
        return value(`${CAST}(${source} AS TIME)`);
      case 'TIMESTAMP':
      case 'TIMESTAMP_NTZ':
      case 'DATETIME':
        return value(`${CAST}(${this.timestampSource(piece, source)} AS TIMESTAMP)`, { sqlType: 'timestamp' });
      case 'TIMESTAMP_LTZ':
      case 'TIMESTAMP_TZ':
        return value(`${CAST}(${this.timestampSource(piece, source)} AS TIMESTAMPTZ)`, { sqlType: 'timestamptz' });
      case 'VARIANT':
        return piece.variant ? piece : variantOf(`to_json(${piece.text})`);
      case 'OBJECT':
      case 'ARRAY':
        return piece.variant ? piece : variantOf(`${CAST}(${piece.text} AS JSON)`);
      case 'BINARY':
      case 'VARBINARY':
        return value(`unhex(${source})`);
      default:
        throw unsupportedConstruct(`cast to ${typeName}`);
    }
  }

  private timestampSource(piece: Piece, source: string): string {
    return piece.literal === 'string' && piece.stringValue !== undefined ? sqlString(normaliseTimestampText(piece.stringValue)) : source;
  }

  private likeAny(operator: string, quantifier: string, group: GroupNode, out: Piece[], end: number): number {
    if (out[out.length - 1]?.kind === 'word' && out[out.length - 1]!.text === 'NOT') throw unsupportedConstruct(`NOT ${operator} ${quantifier}`);
    const left = out.pop();
    if (!left || left.kind !== 'value') throw compilationError(`syntax error: unexpected '${operator}'`);
    const subject = asText(left);
    const patterns = splitArgs(group.children).map((arg) => this.translate(arg));
    if (patterns.length === 0) throw compilationError(`syntax error: ${operator} ${quantifier} needs at least one pattern`);
    const joiner = quantifier === 'ALL' ? ' AND ' : ' OR ';
    out.push(value(`(${patterns.map((p) => `${subject} ${operator} ${p}`).join(joiner)})`));
    return end;
  }

  private args(group: GroupNode): Piece[] {
    return splitArgs(group.children).map((arg) => {
      const pieces = this.seq(arg);
      if (pieces.length === 1) return pieces[0]!;
      return value(this.render(pieces));
    });
  }

  private unitOf(arg: readonly Node[] | undefined, fn: string): string {
    const only = arg?.[0];
    if (arg?.length === 1 && only?.type === 'token' && (only.token.kind === 'ident' || only.token.kind === 'string' || only.token.kind === 'qident')) {
      const unit = canonicalUnit(only.token.value);
      if (unit) return unit;
    }
    throw compilationError(`invalid date/time part for ${fn}`);
  }

  private literalString(piece: Piece | undefined, what: string): string {
    if (piece?.literal !== 'string' || piece.stringValue === undefined) throw unsupportedConstruct(`${what} that is not a string literal`);
    return piece.stringValue;
  }

  /** Pattern argument with Snowflake's regex parameters folded in as RE2 inline flags. */
  private regexPattern(pattern: Piece, flags: string, fn: string): string {
    let inline = '';
    let caseInsensitive = false;
    for (const flag of flags) {
      if (flag === 'i') caseInsensitive = true;
      else if (flag === 'c') caseInsensitive = false;
      else if (flag === 's' || flag === 'm') inline += flag;
      else if (flag !== 'e') throw compilationError(`Invalid regular expression parameter '${flag}' for ${fn}`);
    }
    if (caseInsensitive) inline = `i${inline}`;
    const prefix = inline ? `(?${inline})` : '';
    if (pattern.literal === 'string' && pattern.stringValue !== undefined) return sqlString(prefix + pattern.stringValue);
    return prefix ? `(${sqlString(prefix)} || ${asText(pattern)})` : asText(pattern);
  }

  private call(name: string, group: GroupNode, nodes: readonly Node[], i: number, out: Piece[]): number {
    const rawArgs = splitArgs(group.children);
    let end = i + 1;
    const push = (piece: Piece): number => {
      out.push(piece);
      return end;
    };
    const arity = (min: number, max = min): void => {
      if (rawArgs.length < min || rawArgs.length > max) {
        throw compilationError(`error line 1 at position 0\nInvalid argument count for function ${name}: ${rawArgs.length}`);
      }
    };
    const { date, time } = utcParts(this.context.now);
    const ctx = this.context;
    const text = (s: string | null): Piece => value(s === null ? 'CAST(NULL AS VARCHAR)' : sqlString(s), { sqlType: 'text' });
    if (REJECTED_FUNCTIONS.has(name)) throw unsupportedConstruct(`function ${name}`);
    if (name.includes('$')) throw unsupportedConstruct(`function ${name}`);
    switch (name) {
      case 'CURRENT_TIMESTAMP':
      case 'LOCALTIMESTAMP':
      case 'GETDATE':
        return push(value(`CAST('${date} ${time}+00' AS TIMESTAMPTZ)`, { sqlType: 'timestamptz' }));
      case 'SYSDATE':
        return push(value(`CAST('${date} ${time}' AS TIMESTAMP)`, { sqlType: 'timestamp' }));
      case 'CURRENT_DATE':
        return push(value(`DATE '${date}'`, { sqlType: 'date' }));
      case 'CURRENT_TIME':
      case 'LOCALTIME':
        return push(value(`TIME '${time}'`));
      case 'CURRENT_VERSION':
        return push(text(ctx.version));
      case 'CURRENT_USER':
        return push(text(ctx.user));
      case 'CURRENT_ROLE':
        return push(text(ctx.role));
      case 'CURRENT_WAREHOUSE':
        return push(text(ctx.warehouse));
      case 'CURRENT_DATABASE':
        return push(text(ctx.database));
      case 'CURRENT_SCHEMA':
        return push(text(ctx.schema));
      case 'CURRENT_ACCOUNT':
      case 'CURRENT_ACCOUNT_NAME':
        return push(text(ctx.account));
      case 'CURRENT_REGION':
        return push(text(ctx.region));
      case 'CURRENT_AVAILABLE_ROLES':
        return push(text(JSON.stringify([ctx.role])));
      default:
        break;
    }
    if (name === 'DATEADD' || name === 'TIMESTAMPADD' || name === 'TIMEADD') {
      arity(3);
      const unit = this.unitOf(rawArgs[0], name);
      const [, amount, ts] = this.args(group);
      const interval = intervalFor(unit, amount!.text);
      if (!interval) throw unsupportedConstruct(`${name} with unit ${unit}`);
      const base = ts!.literal === 'string' ? `CAST(${sqlString(normaliseTimestampText(ts!.stringValue ?? ''))} AS TIMESTAMP)` : asText(ts!);
      const sum = `(${base} + ${interval})`;
      const keepsDate = ts!.sqlType === 'date' && ['year', 'quarter', 'month', 'week', 'day'].includes(unit);
      return push(value(keepsDate ? `CAST(${sum} AS DATE)` : sum, { sqlType: keepsDate ? 'date' : ts!.sqlType === 'timestamptz' ? 'timestamptz' : 'timestamp' }));
    }
    if (name === 'DATEDIFF' || name === 'TIMESTAMPDIFF' || name === 'TIMEDIFF') {
      arity(3);
      const unit = this.unitOf(rawArgs[0], name);
      if (unit === 'nanosecond') throw unsupportedConstruct(`${name} with unit nanosecond`);
      const [, a, b] = this.args(group);
      const operand = (p: Piece): string => (p.literal === 'string' ? `CAST(${sqlString(normaliseTimestampText(p.stringValue ?? ''))} AS TIMESTAMP)` : asText(p));
      return push(value(`date_diff('${unit}', ${operand(a!)}, ${operand(b!)})`, { sqlType: 'number' }));
    }
    if (name === 'DATE_TRUNC' || name === 'TRUNC' && rawArgs.length === 2 && this.isUnitArg(rawArgs[1])) {
      arity(2);
      const unitFirst = name === 'DATE_TRUNC';
      const unit = this.unitOf(unitFirst ? rawArgs[0] : rawArgs[1], name);
      const args = this.args(group);
      const ts = unitFirst ? args[1]! : args[0]!;
      const truncated = `date_trunc('${unit}', ${ts.literal === 'string' ? `CAST(${sqlString(normaliseTimestampText(ts.stringValue ?? ''))} AS TIMESTAMP)` : asText(ts)})`;
      return push(value(ts.sqlType === 'date' ? `CAST(${truncated} AS DATE)` : truncated, ts.sqlType ? { sqlType: ts.sqlType } : {}));
    }
    if (name === 'DATE_PART') {
      arity(2);
      const unit = this.unitOf(rawArgs[0], name);
      const [, ts] = this.args(group);
      return push(value(`date_part('${unit}', ${asText(ts!)})`, { sqlType: 'number' }));
    }
    const args = (): Piece[] => this.args(group);
    switch (name) {
      case 'IFF': {
        arity(3);
        const [c, a, b] = args();
        return push(value(`CASE WHEN ${c!.text} THEN ${a!.text} ELSE ${b!.text} END`));
      }
      case 'NVL':
      case 'IFNULL': {
        arity(2);
        const [a, b] = args();
        return push(value(`COALESCE(${a!.text}, ${b!.text})`, a!.variant && b!.variant ? { variant: { base: `COALESCE(${a!.text}, ${b!.text})`, path: '$' } } : {}));
      }
      case 'NVL2': {
        arity(3);
        const [a, b, c] = args();
        return push(value(`CASE WHEN ${a!.text} IS NOT NULL THEN ${b!.text} ELSE ${c!.text} END`));
      }
      case 'ZEROIFNULL':
        arity(1);
        return push(value(`COALESCE(${args()[0]!.text}, 0)`, { sqlType: 'number' }));
      case 'NULLIFZERO':
        arity(1);
        return push(value(`NULLIF(${args()[0]!.text}, 0)`, { sqlType: 'number' }));
      case 'DIV0':
      case 'DIV0NULL': {
        arity(2);
        const [a, b] = args();
        const zero = name === 'DIV0' ? `(${b!.text}) = 0` : `COALESCE((${b!.text}) = 0, TRUE)`;
        return push(value(`CASE WHEN ${zero} THEN 0 ELSE (${a!.text}) / (${b!.text}) END`, { sqlType: 'number' }));
      }
      case 'DECODE': {
        // Snowflake's DECODE is a CASE that matches NULL to NULL (DuckDB's decode() converts BLOB to text).
        const list = args();
        if (list.length < 3) throw compilationError(`Invalid argument count for function DECODE: ${list.length}`);
        const [subject, ...rest] = list;
        const branches: string[] = [];
        for (let k = 0; k + 1 < rest.length; k += 2) branches.push(`WHEN ${asText(subject!)} IS NOT DISTINCT FROM ${asText(rest[k]!)} THEN ${rest[k + 1]!.text}`);
        const otherwise = rest.length % 2 === 1 ? ` ELSE ${rest[rest.length - 1]!.text}` : '';
        return push(value(`CASE ${branches.join(' ')}${otherwise} END`));
      }
      case 'APPROX_PERCENTILE': {
        arity(2);
        const [x, q] = args();
        return push(value(`approx_quantile(${x!.text}, ${q!.text})`));
      }
      case 'SHA2':
      case 'SHA2_HEX': {
        arity(1, 2);
        const [x, bits] = args();
        if (bits && bits.text !== '256') throw unsupportedConstruct(`${name} with ${bits.text} bits`);
        return push(value(`sha256(${asText(x!)})`, { sqlType: 'text' }));
      }
      case 'ARRAY_UNIQUE_AGG': {
        arity(1);
        const x = args()[0]!.text;
        return push(variantOf(`to_json(list(DISTINCT ${x}) FILTER (WHERE ${x} IS NOT NULL))`));
      }
      case 'EQUAL_NULL': {
        arity(2);
        const [a, b] = args();
        return push(value(`(${a!.text} IS NOT DISTINCT FROM ${b!.text})`));
      }
      case 'BOOLOR_AGG':
        return push(value(`bool_or(${this.translate(group.children)})`));
      case 'BOOLAND_AGG':
        return push(value(`bool_and(${this.translate(group.children)})`));
      case 'COUNT_IF':
        return push(value(`count_if(${this.translate(group.children)})`, { sqlType: 'number' }));
      case 'GREATEST':
      case 'LEAST': {
        const list = args();
        if (list.length === 0) throw compilationError(`Invalid argument count for function ${name}`);
        const texts = list.map(asText);
        return push(value(`CASE WHEN ${texts.map((t) => `(${t}) IS NULL`).join(' OR ')} THEN NULL ELSE ${name.toLowerCase()}(${texts.join(', ')}) END`));
      }
      case 'PARSE_JSON':
      case 'TRY_PARSE_JSON': {
        arity(1);
        const s = asText(args()[0]!);
        return push(variantOf(name === 'PARSE_JSON' ? `CAST(${s} AS JSON)` : `(CASE WHEN json_valid(${s}) THEN CAST(${s} AS JSON) END)`));
      }
      case 'TO_VARIANT':
        arity(1);
        return push(this.cast(args()[0]!, 'VARIANT', [], false));
      case 'TO_JSON':
        arity(1);
        return push(value(`CAST(${args()[0]!.text} AS VARCHAR)`, { sqlType: 'text' }));
      case 'REGEXP_LIKE':
      case 'RLIKE': {
        arity(2, 3);
        const [s, p, f] = args();
        const flags = f ? this.literalString(f, `${name} parameters`) : 'c';
        return push(value(`regexp_full_match(${asText(s!)}, ${this.regexPattern(p!, flags, name)})`));
      }
      case 'REGEXP_SUBSTR': {
        arity(2, 6);
        const [s, p, pos, occ, params, grp] = args();
        const flags = params ? this.literalString(params, 'REGEXP_SUBSTR parameters') : 'c';
        const groupNumber = grp ? grp.text : flags.includes('e') ? '1' : '0';
        const subject = pos ? `substr(${asText(s!)}, ${pos.text})` : asText(s!);
        return push(value(`list_extract(regexp_extract_all(${subject}, ${this.regexPattern(p!, flags, name)}, ${groupNumber}), ${occ ? occ.text : '1'})`, { sqlType: 'text' }));
      }
      case 'REGEXP_COUNT': {
        arity(2, 4);
        const [s, p, pos, params] = args();
        const flags = params ? this.literalString(params, 'REGEXP_COUNT parameters') : 'c';
        const subject = pos ? `substr(${asText(s!)}, ${pos.text})` : asText(s!);
        return push(value(`len(regexp_extract_all(${subject}, ${this.regexPattern(p!, flags, name)}))`, { sqlType: 'number' }));
      }
      case 'REGEXP_REPLACE': {
        arity(2, 6);
        const [s, p, r, pos, occ, params] = args();
        if ((pos && pos.text !== '1') || (occ && occ.text !== '0')) throw unsupportedConstruct('REGEXP_REPLACE with a position or occurrence');
        const flags = params ? this.literalString(params, 'REGEXP_REPLACE parameters') : 'c';
        return push(value(`regexp_replace(${asText(s!)}, ${this.regexPattern(p!, flags, name)}, ${r ? r.text : "''"}, 'g')`, { sqlType: 'text' }));
      }
      case 'ARRAY_CONTAINS': {
        arity(2);
        const [v, a] = args();
        return push(value(`list_contains(CAST(${a!.text} AS JSON[]), ${v!.variant ? v!.text : `to_json(${v!.text})`})`));
      }
      case 'ARRAY_SIZE': {
        arity(1);
        const a = args()[0]!.text;
        return push(value(`(CASE WHEN json_type(CAST(${a} AS JSON)) = 'ARRAY' THEN json_array_length(CAST(${a} AS JSON)) END)`, { sqlType: 'number' }));
      }
      case 'ARRAY_CONSTRUCT':
        return push(variantOf(`json_array(${args().map((a) => a.text).join(', ')})`));
      case 'OBJECT_CONSTRUCT':
        return push(variantOf(`json_object(${args().map((a) => a.text).join(', ')})`));
      case 'OBJECT_KEYS':
        arity(1);
        return push(variantOf(`to_json(json_keys(${args()[0]!.text}))`));
      case 'ARRAY_TO_STRING': {
        arity(2);
        const [a, sep] = args();
        return push(value(`array_to_string(CAST(${a!.text} AS VARCHAR[]), ${sep!.text})`, { sqlType: 'text' }));
      }
      case 'SPLIT': {
        arity(2);
        const [s, sep] = args();
        return push(variantOf(`to_json(string_split(${asText(s!)}, ${asText(sep!)}))`));
      }
      case 'GET': {
        arity(2);
        const [v, k] = args();
        const base = v!.variant ? v!.variant.base : v!.text;
        const path = v!.variant ? v!.variant.path : '$';
        if (k!.literal === 'number') return push(variantOf(base, `${path}[${k!.text}]`));
        if (k!.literal === 'string') return push(variantOf(base, path + jsonKey(k!.stringValue ?? '')));
        throw unsupportedConstruct('GET with a computed key');
      }
      case 'GET_PATH': {
        arity(2);
        const [v, p] = args();
        const spec = this.literalString(p, 'GET_PATH path');
        const base = v!.variant ? v!.variant.base : v!.text;
        let path = v!.variant ? v!.variant.path : '$';
        for (const part of spec.match(/[^.[\]]+|\[\d+\]/g) ?? []) path += part.startsWith('[') ? part : jsonKey(part);
        return push(variantOf(base, path));
      }
      case 'IS_NULL_VALUE':
        arity(1);
        return push(value(`(json_type(${args()[0]!.text}) = 'NULL')`));
      case 'TO_CHAR':
      case 'TO_VARCHAR': {
        arity(1, 2);
        const [x, f] = args();
        if (!f) return push(value(x!.variant ? asText(x!) : (timestampText(x!.text, x!.sqlType) ?? `CAST(${x!.text} AS VARCHAR)`), { sqlType: 'text' }));
        const format = strftimeFormat(this.literalString(f, `${name} format`));
        if (format === undefined) throw unsupportedConstruct(`${name} format '${f.stringValue ?? ''}'`);
        return push(value(`strftime(${x!.text}, ${sqlString(format)})`, { sqlType: 'text' }));
      }
      case 'TO_TIMESTAMP':
      case 'TO_TIMESTAMP_NTZ':
      case 'TO_TIMESTAMP_LTZ':
      case 'TO_TIMESTAMP_TZ':
      case 'TRY_TO_TIMESTAMP':
      case 'TRY_TO_TIMESTAMP_NTZ':
      case 'TRY_TO_TIMESTAMP_LTZ':
      case 'TRY_TO_TIMESTAMP_TZ':
        return push(this.toTimestamp(name, args()));
      case 'TO_DATE':
      case 'DATE':
      case 'TRY_TO_DATE': {
        arity(1);
        return push(this.cast(args()[0]!, 'DATE', [], name.startsWith('TRY_')));
      }
      case 'TO_NUMBER':
      case 'TO_DECIMAL':
      case 'TO_NUMERIC':
      case 'TRY_TO_NUMBER':
      case 'TRY_TO_DECIMAL':
      case 'TRY_TO_NUMERIC': {
        arity(1, 3);
        const [x, p, s] = args();
        if (p?.literal === 'string') throw unsupportedConstruct(`${name} with a format`);
        return push(this.cast(x!, 'NUMBER', [p?.text ?? '38', s?.text ?? '0'], name.startsWith('TRY_')));
      }
      case 'TO_DOUBLE':
      case 'TRY_TO_DOUBLE':
        arity(1);
        return push(this.cast(args()[0]!, 'DOUBLE', [], name.startsWith('TRY_')));
      case 'TO_BOOLEAN':
      case 'TRY_TO_BOOLEAN':
        arity(1);
        return push(this.cast(args()[0]!, 'BOOLEAN', [], name.startsWith('TRY_')));
      case 'CAST':
      case 'TRY_CAST':
        return push(this.castCall(name, group));
      case 'STARTSWITH': {
        arity(2);
        const [a, b] = args();
        return push(value(`starts_with(${asText(a!)}, ${asText(b!)})`));
      }
      case 'ENDSWITH': {
        arity(2);
        const [a, b] = args();
        return push(value(`ends_with(${asText(a!)}, ${asText(b!)})`));
      }
      case 'CHARINDEX': {
        arity(2);
        const [a, b] = args();
        return push(value(`instr(${asText(b!)}, ${asText(a!)})`, { sqlType: 'number' }));
      }
      case 'UUID_STRING':
        return push(value('CAST(uuid() AS VARCHAR)', { sqlType: 'text' }));
      case 'LISTAGG':
      case 'ARRAY_AGG': {
        ({ end } = { end: i + 1 });
        let orderBy = '';
        if (isWord(nodes[end + 1], 'WITHIN') && isWord(nodes[end + 2], 'GROUP') && isGroup(nodes[end + 3])) {
          orderBy = ` ${this.translate((nodes[end + 3] as GroupNode).children)}`;
          end += 3;
        }
        const list = args();
        if (name === 'LISTAGG') {
          arity(1, 2);
          return push(value(`string_agg(${list[0]!.text}, ${list[1] ? list[1].text : "''"}${orderBy})`, { sqlType: 'text' }));
        }
        arity(1);
        const element = list[0]!.text;
        const bare = element.replace(/^DISTINCT\s+/i, '');
        return push(variantOf(`to_json(list(${element}${orderBy}) FILTER (WHERE ${bare} IS NOT NULL))`));
      }
      case 'TABLE': {
        const inner = group.children;
        if (isWord(inner[0], 'FLATTEN') && isGroup(inner[1]) && inner.length === 2) return push(value(`LATERAL ${this.flatten(inner[1])}`));
        const inner0 = inner[0];
        const innerName = inner0?.type === 'token' ? inner0.token.text.toUpperCase() : '...';
        throw unsupportedConstruct(`TABLE(${innerName}(...)): only TABLE(FLATTEN(...)) is emulated`);
      }
      case 'FLATTEN': {
        const previous = out[out.length - 1];
        if (!(previous?.kind === 'word' && previous.text === 'LATERAL')) throw unsupportedConstruct('FLATTEN outside LATERAL FLATTEN(...) or TABLE(FLATTEN(...))');
        return push(value(this.flatten(group)));
      }
      default:
        return push(value(`${name}(${this.translate(group.children)})`));
    }
  }

  private isUnitArg(arg: readonly Node[] | undefined): boolean {
    const only = arg?.[0];
    return arg?.length === 1 && only?.type === 'token' && (only.token.kind === 'string' || only.token.kind === 'ident') && canonicalUnit(only.token.value) !== undefined;
  }

  private castCall(name: string, group: GroupNode): Piece {
    const children = group.children;
    const asIndex = children.findIndex((n) => isWord(n, 'AS'));
    if (asIndex < 0) throw compilationError(`syntax error: ${name} needs AS`);
    const pieces = this.seq(children.slice(0, asIndex));
    const subject = pieces.length === 1 ? pieces[0]! : value(this.render(pieces));
    const typeNode = children[asIndex + 1];
    if (typeNode?.type !== 'token' || typeNode.token.kind !== 'ident') throw compilationError(`syntax error: ${name} needs a type`);
    const typeArgsNode = children[asIndex + 2];
    const typeArgs = isGroup(typeArgsNode) ? splitArgs(typeArgsNode.children).map((a) => this.translate(a)) : [];
    return this.cast(subject, typeNode.token.value, typeArgs, name === 'TRY_CAST');
  }

  private toTimestamp(name: string, list: Piece[]): Piece {
    if (list.length < 1 || list.length > 2) throw compilationError(`Invalid argument count for function ${name}`);
    const [x, second] = list;
    const tryCast = name.startsWith('TRY_');
    const ntz = name.endsWith('_NTZ') || name === 'TO_TIMESTAMP' || name === 'TRY_TO_TIMESTAMP';
    const target = ntz ? 'TIMESTAMP' : 'TIMESTAMPTZ';
    if (second?.literal === 'string') {
      const format = strftimeFormat(second.stringValue ?? '');
      if (format === undefined) throw unsupportedConstruct(`${name} format '${second.stringValue ?? ''}'`);
      const parsed = `${tryCast ? 'try_strptime' : 'strptime'}(${asText(x!)}, ${sqlString(format)})`;
      return value(`CAST(${parsed} AS ${target})`, { sqlType: ntz ? 'timestamp' : 'timestamptz' });
    }
    const numeric = x!.literal === 'number' || x!.sqlType === 'number';
    if (numeric) {
      const scaled = second ? `(${x!.text}) / POWER(10, ${second.text})` : x!.text;
      const instant = `to_timestamp(CAST(${scaled} AS DOUBLE))`;
      return value(ntz ? `CAST(${instant} AS TIMESTAMP)` : instant, { sqlType: ntz ? 'timestamp' : 'timestamptz' });
    }
    return this.cast(x!, ntz ? 'TIMESTAMP_NTZ' : 'TIMESTAMP_LTZ', [], tryCast);
  }

  /**
   * FLATTEN as a correlated subquery with Snowflake's output columns (SEQ, KEY, PATH, INDEX, VALUE, THIS), over a
   * JSON array (in order) or a JSON object (by key). Only `input =>` is supported; OUTER/PATH/MODE fail loudly.
   */
  private flatten(group: GroupNode): string {
    let input: string | undefined;
    for (const arg of splitArgs(group.children)) {
      if (arg.length >= 3 && arg[0]?.type === 'token' && isOp(arg[1], '=>')) {
        const key = arg[0].token.value.toUpperCase();
        if (key === 'INPUT') input = this.translate(arg.slice(2));
        else if (key === 'OUTER' && isWord(arg[2], 'FALSE') && arg.length === 3) continue;
        else throw unsupportedConstruct(`FLATTEN argument ${key}`);
      } else if (input === undefined) {
        input = this.translate(arg);
      } else {
        throw unsupportedConstruct('FLATTEN positional arguments beyond INPUT');
      }
    }
    if (input === undefined) throw compilationError('FLATTEN needs INPUT =>');
    const j = `CAST(${input} AS JSON)`;
    return (
      `(SELECT 1 AS "SEQ", CAST(NULL AS VARCHAR) AS "KEY", '[' || __flat_i || ']' AS "PATH", __flat_i AS "INDEX", ` +
      `json_extract(__flat_j, '$[' || __flat_i || ']') AS "VALUE", __flat_j AS "THIS" ` +
      `FROM (SELECT ${j} AS __flat_j) AS __flat_s, ` +
      `range(CAST(CASE WHEN json_type(__flat_s.__flat_j) = 'ARRAY' THEN json_array_length(__flat_s.__flat_j) ELSE 0 END AS BIGINT)) AS __flat_r(__flat_i) ` +
      `UNION ALL SELECT 1, __flat_k, __flat_k, NULL, json_extract(__flat_j, '$."' || replace(__flat_k, '"', '\\"') || '"'), __flat_j ` +
      `FROM (SELECT ${j} AS __flat_j) AS __flat_s, ` +
      `unnest(CASE WHEN json_type(__flat_s.__flat_j) = 'OBJECT' THEN json_keys(__flat_s.__flat_j) ELSE CAST([] AS VARCHAR[]) END) AS __flat_u(__flat_k))`
    );
  }
}

/** Translates one Snowflake SELECT statement to DuckDB SQL. */
export function translateQuery(sql: string, context: TranslateContext): Translation {
  const tree = buildTree(tokenize(sql));
  const translator = new Translator(context);
  const translated = translator.translate(tree);
  return { sql: translated, paramKeys: translator.paramKeys };
}
