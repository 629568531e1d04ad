// The Snowflake -> DuckDB rewriter. Not a full SQL parser: it walks the token tree, knows the shape of a query (WITH,
// set operations, SELECT list, FROM items with their aliases, the clauses after them), resolves every column reference
// to its declared type through those scopes, and rewrites the constructs the exporter's queries use (functions, `:`
// paths, `::` casts, FLATTEN, ILIKE ANY, regular expressions, division) into DuckDB SQL with Snowflake's semantics.
// What Snowflake refuses at compile time fails here the same way (a `:` path on a VARCHAR, an unknown function, a
// bind marker as a LIMIT row count or in place of a name); what the emulator cannot reproduce fails with a
// compilation error naming the construct, so a query never silently returns something Snowflake would not.

import {
  DIVISION_BY_ZERO_MARKER,
  compilationError,
  invalidArgumentTypes,
  invalidRowCount,
  positionOf,
  unexpectedToken,
  unknownFunction,
  unsupportedConstruct,
} from '../errors.ts';
import { PASS_THROUGH_FUNCTIONS, UNSUPPORTED_FUNCTIONS } from './functions.ts';
import type { Token } from './tokenizer.ts';
import { tokenize } from './tokenizer.ts';
import type { GroupNode, Node, TokenNode } from './tree.ts';
import { buildTree, isGroup, isOp, isWord, splitArgs } from './tree.ts';
import type { Piece } from './pieces.ts';
import { COMPARISONS, asText, comparable, jsonKey, normaliseTimestampText, sqlString, typeOfPieces, typed, value, variantOf } from './pieces.ts';
import type { Column, Scope } from './scope.ts';
import { FLATTEN_COLUMNS, renamed, resolveColumn, viewColumns } from './scope.ts';
import type { SqlType } from './types.ts';
import { isSemiStructured, typeSignature } from './types.ts';
import { formatNeedsOffset, formatTimestampSql, strptimeFormat, timestampText } from './formats.ts';
import { canonicalUnit, intervalFor } from './units.ts';

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

/** A result column as the translator resolved it: its name (null for an unnamed expression) and Snowflake type. */
export interface ResolvedColumn {
  readonly name: string | null;
  readonly type: SqlType | undefined;
}

/** One item of the outermost select list: a `*` / `t.*` stands for several columns (null: not known). */
export interface ResolvedSelectItem {
  readonly star: boolean;
  readonly columns: readonly ResolvedColumn[] | null;
}

export interface Translation {
  readonly sql: string;
  /** Binding key for DuckDB parameter $1, $2, ... in order. */
  readonly paramKeys: readonly string[];
  /** The outermost select list with resolved types (empty when the statement is not a query). */
  readonly selectList: readonly ResolvedSelectItem[];
}

interface QueryResult {
  readonly sql: string;
  readonly columns: readonly Column[] | null;
  readonly items: readonly ResolvedSelectItem[];
}

const KEYWORDS = new Set([
  'SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'IN', 'IS', 'LIKE', 'ILIKE', 'BETWEEN', 'CASE', 'WHEN', 'THEN', 'ELSE',
  'END', 'AS', 'ON', 'JOIN', 'LEFT', 'RIGHT', 'FULL', 'INNER', 'OUTER', 'CROSS', 'LATERAL', 'GROUP', 'BY', 'ORDER',
  'HAVING', 'QUALIFY', 'LIMIT', 'OFFSET', 'UNION', 'ALL', 'DISTINCT', 'EXCEPT', 'MINUS', 'INTERSECT', 'WITH', 'ASC',
  'DESC', 'NULLS', 'FIRST', 'LAST', 'OVER', 'PARTITION', 'ROWS', 'RANGE', 'PRECEDING', 'FOLLOWING', 'UNBOUNDED',
  'CURRENT', 'ROW', 'EXISTS', 'ANY', 'SOME', 'USING', 'NATURAL', 'TOP', 'FETCH', 'NEXT', 'ONLY', 'WINDOW', 'FILTER',
  'WITHIN', 'VALUES', 'INTERVAL', 'ESCAPE', 'RECURSIVE', 'EXCLUDE',
]);

/** Keywords that may be followed by `(` without being a function call. */
const NOT_FUNCTIONS = new Set([
  'IN', 'EXISTS', 'AS', 'OVER', 'FROM', 'JOIN', 'VALUES', 'AND', 'OR', 'NOT', 'WHEN', 'THEN', 'ELSE', 'ON', 'USING',
  'SELECT', 'WHERE', 'FILTER', 'WITHIN', 'ANY', 'ALL', 'SOME', 'BY', 'HAVING', 'QUALIFY', 'UNION', 'EXCEPT', 'MINUS',
  'INTERSECT', 'IS', 'LIKE', 'ILIKE', 'BETWEEN', 'CASE', 'END', 'WITH', 'LATERAL', 'DISTINCT', 'LIMIT', 'OFFSET',
  'PARTITION', 'ORDER', 'GROUP', 'RECURSIVE', 'INTERVAL', 'EXCLUDE',
]);

const REJECTED_WORDS = new Set(['MATCH_RECOGNIZE', 'CONNECT', 'SAMPLE', 'TABLESAMPLE', 'PIVOT', 'UNPIVOT', 'ASOF']);
/** After a FROM item, also the time-travel and change-tracking clauses. */
const REJECTED_AFTER_FROM_ITEM = new Set([...REJECTED_WORDS, 'AT', 'BEFORE', 'CHANGES']);

/** Operators Snowflake has (https://docs.snowflake.com/en/sql-reference/operators); DuckDB's others (~, ^, ->...) are not. */
const OPERATORS = new Set(['+', '-', '*', '/', '%', '||', '=', '<>', '!=', '<', '>', '<=', '>=', ',', '.', ';', '::', ':', '=>']);

/** Top-level keywords that end one clause of a SELECT and start the next. */
const CLAUSES = new Set(['FROM', 'WHERE', 'GROUP', 'HAVING', 'QUALIFY', 'ORDER', 'LIMIT', 'OFFSET', 'FETCH', 'WINDOW']);
const SET_OPERATORS = new Set(['UNION', 'EXCEPT', 'MINUS', 'INTERSECT']);
const JOIN_WORDS = new Set(['JOIN', 'LEFT', 'RIGHT', 'FULL', 'INNER', 'OUTER', 'CROSS', 'NATURAL']);
/** Words that can follow a select-list expression without being its alias. */
const NOT_ALIAS = new Set(['END', 'NULL', 'TRUE', 'FALSE', 'ASC', 'DESC', 'AND', 'OR', 'NOT', 'IS', 'IN', 'THEN', 'ELSE', 'WHEN', 'LIKE', 'ILIKE', 'OVER']);
/** Keywords of KEYWORDS that Snowflake does not reserve, so they may name a column without AS. */
const UNRESERVED_KEYWORDS = new Set(['FIRST', 'LAST', 'NEXT', 'ONLY', 'FILTER', 'RANGE', 'ESCAPE', 'EXCLUDE', 'NULLS', 'PRECEDING', 'UNBOUNDED', 'TOP', 'INTERVAL', 'WITHIN', 'OFFSET', 'LIMIT', 'RECURSIVE', 'PARTITION']);
/** Words that end a value (so that a name after them is an alias). */
const VALUE_WORDS = new Set(['END', 'NULL', 'TRUE', 'FALSE']);

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function utcParts(d: Date): { date: string; time: string } {
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
  return { date, time };
}

/** An identifier as Snowflake resolves it: unquoted upper-cased, quoted exact. */
function canonical(token: Token): string {
  return token.kind === 'qident' ? token.value : token.value.toUpperCase();
}

function isName(node: Node | undefined): node is TokenNode {
  return node?.type === 'token' && (node.token.kind === 'ident' || node.token.kind === 'qident');
}

function isQuery(nodes: readonly Node[]): boolean {
  return isWord(nodes[0], 'SELECT', 'WITH');
}

interface FromItem {
  /** `,` or the join keywords before this item ('' for the first). */
  readonly joiner: string;
  readonly render: () => string;
  readonly aliasText: string;
  readonly columnAliasText: string;
  readonly condition: { readonly kind: 'ON'; readonly nodes: readonly Node[] } | { readonly kind: 'USING'; readonly text: string } | null;
}

class Translator {
  readonly paramKeys: string[] = [];
  /** Positional `?` markers numbered by where they stand in the text (translation order may differ). */
  private readonly positional = new Map<number, string>();
  private readonly context: TranslateContext;
  private readonly sql: string;
  private scope: Scope | null = null;
  private readonly cteFrames: Map<string, Column[] | null>[] = [];

  constructor(context: TranslateContext, sql: string, tokens: readonly Token[]) {
    this.context = context;
    this.sql = sql;
    let n = 0;
    for (const token of tokens) if (token.kind === 'param' && token.value === '?') this.positional.set(token.offset, String(++n));
  }

  /** One statement: a query gets the scope-aware translation; anything else the expression walk. */
  statement(nodes: readonly Node[]): QueryResult {
    const body = this.withoutTrailingSemicolon(nodes);
    if (isQuery(body)) return this.query(body);
    return { sql: this.translate(body), columns: null, items: [] };
  }

  translate(nodes: readonly Node[]): string {
    return this.render(this.seq(nodes));
  }

  private withoutTrailingSemicolon(nodes: readonly Node[]): Node[] {
    const out = [...nodes];
    while (isOp(out[out.length - 1], ';')) out.pop();
    const inner = out.findIndex((n) => isOp(n, ';'));
    if (inner >= 0) throw compilationError('Multiple SQL statements in a single API call are not supported; use one statement per request.');
    return out;
  }

  private where(offset: number | undefined): string {
    return positionOf(this.sql, offset ?? 0);
  }

  private unexpected(node: Node | undefined): Error {
    if (node === undefined) return compilationError(`syntax error ${this.where(this.sql.length)} unexpected '<EOF>'.`);
    const token = node.type === 'token' ? node.token : node.openToken;
    return unexpectedToken(this.sql, token.offset, token.text);
  }

  // ---- queries: WITH, set operations, SELECT blocks, FROM items -------------------------------------------------

  private query(nodes: readonly Node[]): QueryResult {
    if (!isWord(nodes[0], 'WITH')) return this.setOperation(nodes);
    const frame = new Map<string, Column[] | null>();
    this.cteFrames.push(frame);
    try {
      let i = 1;
      const recursive = isWord(nodes[1], 'RECURSIVE');
      if (recursive) i = 2;
      const definitions: string[] = [];
      for (;;) {
        const nameNode = nodes[i];
        if (!isName(nameNode)) throw this.unexpected(nameNode);
        const name = canonical(nameNode.token);
        let j = i + 1;
        let columnNames: string[] | null = null;
        let columnList = '';
        const maybeColumns = nodes[j];
        if (isGroup(maybeColumns)) {
          const names = splitArgs(maybeColumns.children).map((arg) => {
            if (arg.length !== 1 || !isName(arg[0])) throw this.unexpected(arg[0] ?? maybeColumns);
            return arg[0].token;
          });
          columnNames = names.map(canonical);
          columnList = ` (${names.map((t) => this.identText(t)).join(', ')})`;
          j++;
        }
        if (!isWord(nodes[j], 'AS')) throw this.unexpected(nodes[j]);
        const body = nodes[j + 1];
        if (!isGroup(body) || !isQuery(body.children)) throw this.unexpected(body);
        if (recursive) {
          // The anchor (before the first set operator) types the CTE for its own recursive reference.
          const anchorEnd = body.children.findIndex((n) => isWord(n, ...SET_OPERATORS));
          if (anchorEnd > 0) frame.set(name, renamed(this.query(body.children.slice(0, anchorEnd)).columns, columnNames));
        }
        const translated = this.query(body.children);
        frame.set(name, renamed(translated.columns, columnNames));
        definitions.push(`${this.identText(nameNode.token)}${columnList} AS (${translated.sql})`);
        i = j + 2;
        if (!isOp(nodes[i], ',')) break;
        i++;
      }
      const main = this.setOperation(nodes.slice(i));
      return { sql: `WITH ${recursive ? 'RECURSIVE ' : ''}${definitions.join(', ')} ${main.sql}`, columns: main.columns, items: main.items };
    } finally {
      this.cteFrames.pop();
    }
  }

  /** SELECT ... UNION [ALL] SELECT ...: each branch has its own scope; the first names the columns. */
  private setOperation(nodes: readonly Node[]): QueryResult {
    const branches: Node[][] = [[]];
    const operators: string[] = [];
    for (let k = 0; k < nodes.length; k++) {
      const node = nodes[k]!;
      if (isWord(node, ...SET_OPERATORS)) {
        let operator = node.type === 'token' && node.token.value === 'MINUS' ? 'EXCEPT' : (node as TokenNode).token.value;
        if (isWord(nodes[k + 1], 'ALL', 'DISTINCT')) operator += ` ${(nodes[++k] as TokenNode).token.value}`;
        operators.push(operator);
        branches.push([]);
      } else {
        branches[branches.length - 1]!.push(node);
      }
    }
    const results = branches.map((branch) => this.branch(branch));
    const first = results[0]!;
    const columns = first.columns?.map((column, k) => ({ name: column.name, type: column.type ?? results.map((r) => r.columns?.[k]?.type).find((t) => t !== undefined) })) ?? null;
    let sql = first.sql;
    for (let k = 1; k < results.length; k++) sql += ` ${operators[k - 1]!} ${results[k]!.sql}`;
    return { sql, columns, items: first.items };
  }

  private branch(nodes: readonly Node[]): QueryResult {
    const head = nodes[0];
    if (isGroup(head) && isQuery(head.children)) {
      // (SELECT ...) [ORDER BY ... LIMIT ...]
      const inner = this.query(head.children);
      const scope: Scope = { parent: this.scope, relations: [{ alias: null, columns: inner.columns }], aliases: new Map() };
      this.scope = scope;
      try {
        const rest = nodes.slice(1);
        this.checkRowCounts(rest);
        return { sql: `(${inner.sql})${rest.length > 0 ? ` ${this.translate(rest)}` : ''}`, columns: inner.columns, items: inner.items };
      } finally {
        this.scope = scope.parent;
      }
    }
    return this.select(nodes);
  }

  /** A bind marker as a row count: Snowflake refuses it at compile time (see errors.ts invalidRowCount). */
  private checkRowCounts(nodes: readonly Node[]): void {
    for (let k = 0; k < nodes.length; k++) {
      if (!isWord(nodes[k], 'LIMIT', 'OFFSET', 'FETCH', 'TOP')) continue;
      let j = k + 1;
      if (isWord(nodes[k], 'FETCH') && isWord(nodes[j], 'FIRST', 'NEXT')) j++;
      const count = nodes[j];
      if (count?.type === 'token' && count.token.kind === 'param') {
        throw invalidRowCount(count.token.text, isWord(nodes[k], 'OFFSET') ? 'offset' : 'limit');
      }
    }
  }

  private select(nodes: readonly Node[]): QueryResult {
    if (!isWord(nodes[0], 'SELECT')) throw this.unexpected(nodes[0]);
    let i = 1;
    let head = 'SELECT';
    while (isWord(nodes[i], 'DISTINCT', 'ALL')) head += ` ${(nodes[i++] as TokenNode).token.value}`;
    let top: string | null = null;
    if (isWord(nodes[i], 'TOP')) {
      this.checkRowCounts(nodes.slice(i, i + 2));
      const count = nodes[i + 1];
      if (count?.type !== 'token' || count.token.kind !== 'number') throw this.unexpected(count);
      top = count.token.value;
      i += 2;
    }
    // Clause boundaries at the top level (groups are single nodes, so nested queries never interfere).
    const clauseAt: number[] = [];
    for (let k = i; k < nodes.length; k++) {
      const node = nodes[k];
      if (!isWord(node, ...CLAUSES)) continue;
      if (isWord(node, 'GROUP') && isWord(nodes[k - 1], 'WITHIN')) continue;
      if (isWord(node, 'FROM') && isWord(nodes[k - 1], 'DISTINCT')) continue; // IS [NOT] DISTINCT FROM
      clauseAt.push(k);
    }
    const listEnd = clauseAt[0] ?? nodes.length;
    const hasFrom = isWord(nodes[listEnd], 'FROM');
    const fromEnd = hasFrom ? (clauseAt[1] ?? nodes.length) : listEnd;
    const scope: Scope = { parent: this.scope, relations: [], aliases: new Map() };
    this.scope = scope;
    try {
      if (hasFrom && fromEnd === listEnd + 1) throw this.unexpected(nodes[fromEnd]);
      const from = hasFrom ? this.fromItems(nodes.slice(listEnd + 1, fromEnd), scope) : [];
      const items = this.selectList(nodes.slice(i, listEnd), scope);
      let sql = `${head} ${items.texts.join(', ')}`;
      if (hasFrom) sql += ` FROM ${this.renderFrom(from)}`;
      const rest = nodes.slice(fromEnd);
      this.checkRowCounts(rest);
      if (rest.length > 0) sql += ` ${this.translate(rest)}`;
      if (top !== null) sql += ` LIMIT ${top}`;
      return { sql, columns: items.columns, items: items.resolved };
    } finally {
      this.scope = scope.parent;
    }
  }

  private selectList(nodes: readonly Node[], scope: Scope): { texts: string[]; columns: Column[] | null; resolved: ResolvedSelectItem[] } {
    const texts: string[] = [];
    let columns: Column[] | null = [];
    const resolved: ResolvedSelectItem[] = [];
    const add = (star: boolean, cols: readonly Column[] | null): void => {
      resolved.push({ star, columns: cols });
      columns = columns === null || cols === null ? null : [...columns, ...cols];
    };
    for (const item of splitArgs(nodes)) {
      if (item.length === 0) throw this.unexpected(nodes[0]);
      if (item.length === 1 && isOp(item[0], '*')) {
        texts.push('*');
        add(true, scope.relations.some((r) => r.columns === null) ? null : scope.relations.flatMap((r) => r.columns ?? []));
        continue;
      }
      if (item.length === 3 && isName(item[0]) && isOp(item[1], '.') && isOp(item[2], '*')) {
        const alias = canonical(item[0].token);
        texts.push(`${this.identText(item[0].token)}.*`);
        add(true, scope.relations.find((r) => r.alias === alias)?.columns ?? null);
        continue;
      }
      if (isOp(item[0], '*')) {
        // * EXCLUDE (...) / * RENAME ...: columns not tracked.
        texts.push(this.translate(item));
        add(true, null);
        continue;
      }
      const { expression, alias } = this.splitAlias(item);
      const pieces = this.seq(expression);
      const type = typeOfPieces(pieces);
      let text = this.render(pieces);
      let name: string | null = null;
      if (alias) {
        name = canonical(alias);
        text += ` AS ${this.identText(alias)}`;
        scope.aliases.set(name, type);
      } else {
        const last = expression[expression.length - 1];
        if (isName(last) && expression.every((n, k) => (k % 2 === 0 ? isName(n) : isOp(n, '.')))) name = canonical(last.token);
      }
      texts.push(text);
      add(false, [{ name, type }]);
    }
    return { texts, columns, resolved };
  }

  /** `expr AS alias` / `expr alias` -> the expression and the alias token. */
  private splitAlias(item: readonly Node[]): { expression: readonly Node[]; alias: Token | null } {
    const last = item[item.length - 1];
    const before = item[item.length - 2];
    if (isWord(before, 'AS')) {
      if (!isName(last)) throw this.unexpected(last);
      return { expression: item.slice(0, -2), alias: last.token };
    }
    if (isWord(last, 'AS')) throw this.unexpected(undefined);
    const reserved = (word: string): boolean => NOT_ALIAS.has(word) || (KEYWORDS.has(word) && !UNRESERVED_KEYWORDS.has(word));
    if (item.length >= 2 && isName(last) && !(last.token.kind === 'ident' && reserved(last.token.value))) {
      const endsValue =
        before?.type === 'group' ||
        (before?.type === 'token' &&
          (['string', 'number', 'param', 'qident'].includes(before.token.kind) ||
            (before.token.kind === 'ident' && (VALUE_WORDS.has(before.token.value) || !(NOT_ALIAS.has(before.token.value) || KEYWORDS.has(before.token.value))))));
      if (endsValue) return { expression: item.slice(0, -1), alias: last.token };
    }
    return { expression: item, alias: null };
  }

  /**
   * Parses a FROM clause into items and registers each item's relation in the scope as it goes (a LATERAL item
   * sees the ones before it). Derived tables and CTE bodies are translated here, since their columns type the rest.
   */
  private fromItems(nodes: readonly Node[], scope: Scope): FromItem[] {
    const items: FromItem[] = [];
    let joiner = '';
    let k = 0;
    while (k < nodes.length) {
      let lateral = false;
      if (isWord(nodes[k], 'LATERAL')) {
        lateral = true;
        k++;
      }
      const node = nodes[k];
      let render: () => string;
      let columns: readonly Column[] | null = null;
      let defaultAlias: string | null = null;
      if (node?.type === 'token' && node.token.kind === 'param') throw this.unexpected(node);
      if (isWord(node, 'IDENTIFIER') && isGroup(nodes[k + 1])) throw this.identifierFunction();
      if (isWord(node, 'TABLE') && isGroup(nodes[k + 1])) {
        const inner = (nodes[k + 1] as GroupNode).children;
        const innerGroup = inner[1];
        if (!(isWord(inner[0], 'FLATTEN') && isGroup(innerGroup) && inner.length === 2)) {
          if (isWord(inner[0], 'IDENTIFIER')) throw this.identifierFunction();
          const inner0 = inner[0];
          const innerName = inner0?.type === 'token' ? inner0.token.text.toUpperCase() : '...';
          throw unsupportedConstruct(`TABLE(${innerName}(...)): only TABLE(FLATTEN(...)) is emulated`);
        }
        render = () => `LATERAL ${this.flatten(innerGroup)}`;
        columns = FLATTEN_COLUMNS;
        k += 2;
      } else if (isWord(node, 'FLATTEN') && isGroup(nodes[k + 1])) {
        if (!lateral) throw unsupportedConstruct('FLATTEN outside LATERAL FLATTEN(...) or TABLE(FLATTEN(...))');
        const group = nodes[k + 1] as GroupNode;
        render = () => `LATERAL ${this.flatten(group)}`;
        columns = FLATTEN_COLUMNS;
        k += 2;
      } else if (isWord(node, 'VALUES') || (isGroup(node) && isWord(node.children[0], 'VALUES'))) {
        // VALUES (...), (...) [AS t (a, b)], bare or parenthesised; typed by its first row.
        const rows = isGroup(node) ? node.children.slice(1) : nodes.slice(k + 1);
        let count = 0;
        while (isGroup(rows[count]) && (count === 0 || isOp(rows[count - 1], ','))) count += isOp(rows[count + 1], ',') ? 2 : 1;
        const rowNodes = rows.slice(0, count);
        if (rowNodes.length === 0 || (isGroup(node) && rowNodes.length !== rows.length)) throw this.unexpected(rows[0] ?? node);
        const firstRow = (rowNodes[0] as GroupNode).children;
        columns = splitArgs(firstRow).map((arg, n) => ({ name: `COLUMN${n + 1}`, type: this.expression(arg).type }));
        // Snowflake names the columns COLUMN1, COLUMN2... (DuckDB: col0, col1...).
        const names = columns.map((c) => `"${c.name ?? ''}"`).join(', ');
        render = () => `(SELECT * FROM (VALUES ${this.translate(rowNodes)}) AS __values (${names}))`;
        k += isGroup(node) ? 1 : 1 + count;
      } else if (isGroup(node)) {
        if (!isQuery(node.children)) throw unsupportedConstruct('a parenthesised FROM item that is not a subquery');
        const derived = this.query(node.children);
        render = () => `${lateral ? 'LATERAL ' : ''}(${derived.sql})`;
        columns = derived.columns;
        k += 1;
      } else if (isName(node)) {
        const tokens: Token[] = [node.token];
        while (isOp(nodes[k + 1], '.')) {
          const part = nodes[k + 2];
          if (!isName(part)) throw this.unexpected(part);
          tokens.push(part.token);
          k += 2;
        }
        k += 1;
        const parts = tokens.map(canonical);
        if (isGroup(nodes[k])) {
          // A table function other than FLATTEN (DuckDB's range(), read_csv()...).
          const name = parts.join('.');
          if (UNSUPPORTED_FUNCTIONS.has(name)) throw unsupportedConstruct(`function ${name}`);
          throw unknownFunction(name);
        }
        const cte = parts.length === 1 ? this.cte(parts[0]!) : undefined;
        columns = cte !== undefined ? cte : viewColumns(parts);
        defaultAlias = parts[parts.length - 1]!;
        const text = tokens.map((t) => this.identText(t)).join('.');
        render = () => text;
      } else {
        throw this.unexpected(node);
      }
      // [AS] alias [(column aliases)]
      let aliasToken: Token | null = null;
      if (isWord(nodes[k], 'AS')) {
        const aliasNode = nodes[k + 1];
        if (!isName(aliasNode)) throw this.unexpected(aliasNode);
        aliasToken = aliasNode.token;
        k += 2;
      } else {
        const maybe = nodes[k];
        if (maybe?.type === 'token' && maybe.token.kind === 'ident' && REJECTED_AFTER_FROM_ITEM.has(maybe.token.value)) throw unsupportedConstruct(maybe.token.value);
        if (isName(maybe) && !(maybe.token.kind === 'ident' && (KEYWORDS.has(maybe.token.value) || JOIN_WORDS.has(maybe.token.value)))) {
          aliasToken = maybe.token;
          k += 1;
        }
      }
      let columnAliasText = '';
      let columnNames: string[] | null = null;
      const maybeColumns = nodes[k];
      if (aliasToken && isGroup(maybeColumns)) {
        const names = splitArgs(maybeColumns.children).map((arg) => {
          if (arg.length !== 1 || !isName(arg[0])) throw this.unexpected(arg[0] ?? maybeColumns);
          return arg[0].token;
        });
        columnNames = names.map(canonical);
        columnAliasText = ` (${names.map((t) => this.identText(t)).join(', ')})`;
        k += 1;
      }
      scope.relations.push({ alias: aliasToken ? canonical(aliasToken) : defaultAlias, columns: renamed(columns, columnNames) });
      // ON condition / USING (...)
      let condition: FromItem['condition'] = null;
      if (isWord(nodes[k], 'ON')) {
        const start = k + 1;
        k = start;
        while (k < nodes.length && !isOp(nodes[k], ',') && !(isWord(nodes[k], ...JOIN_WORDS) && !isGroup(nodes[k + 1]))) k++;
        condition = { kind: 'ON', nodes: nodes.slice(start, k) };
      } else if (isWord(nodes[k], 'USING') && isGroup(nodes[k + 1])) {
        const names = splitArgs((nodes[k + 1] as GroupNode).children).map((arg) => {
          if (arg.length !== 1 || !isName(arg[0])) throw this.unexpected(arg[0]);
          return this.identText(arg[0].token);
        });
        condition = { kind: 'USING', text: `(${names.join(', ')})` };
        k += 2;
      }
      items.push({ joiner, render, aliasText: aliasToken ? ` AS ${this.identText(aliasToken)}` : '', columnAliasText, condition });
      // What joins the next item
      if (k >= nodes.length) break;
      if (isOp(nodes[k], ',')) {
        joiner = ',';
        k++;
        continue;
      }
      const words: string[] = [];
      while (isWord(nodes[k], ...JOIN_WORDS) && !isGroup(nodes[k + 1])) {
        const word = (nodes[k] as TokenNode).token.value;
        words.push(word);
        k++;
        if (word === 'JOIN') break;
      }
      if (words[words.length - 1] !== 'JOIN') throw this.unexpected(nodes[k]);
      joiner = words.join(' ');
    }
    if (items.length === 0) throw this.unexpected(undefined);
    return items;
  }

  /** FROM items rendered with the whole scope in place (FLATTEN inputs and ON conditions resolve against it). */
  private renderFrom(items: readonly FromItem[]): string {
    let sql = '';
    for (const item of items) {
      const text = `${item.render()}${item.aliasText}${item.columnAliasText}`;
      sql += item.joiner === '' ? text : item.joiner === ',' ? `, ${text}` : ` ${item.joiner} ${text}`;
      if (item.condition?.kind === 'ON') sql += ` ON ${this.translate(item.condition.nodes)}`;
      else if (item.condition?.kind === 'USING') sql += ` USING ${item.condition.text}`;
    }
    return sql;
  }

  private cte(name: string): Column[] | null | undefined {
    for (let k = this.cteFrames.length - 1; k >= 0; k--) {
      const frame = this.cteFrames[k]!;
      if (frame.has(name)) return frame.get(name) ?? null;
    }
    return undefined;
  }

  private identifierFunction(): Error {
    // https://docs.snowflake.com/en/sql-reference/identifier-literal allows IDENTIFIER(:x); the emulator's views are
    // fixed, so a name chosen at run time is refused loudly rather than resolved.
    return unsupportedConstruct('IDENTIFIER(...): the emulator does not resolve object names at run time');
  }

  // ---- expressions -------------------------------------------------------------------------------------------------

  private render(pieces: Piece[]): string {
    return this.rewriteDivision(this.textifyConcatenation(this.textifyVariantComparisons(pieces)))
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

  /**
   * `||` converts its operands to text the way Snowflake does: a VARIANT string without its quotes, a timestamp in
   * the default output format (DuckDB would keep the JSON quotes and print its own timestamp text).
   */
  private textifyConcatenation(pieces: Piece[]): Piece[] {
    const done = new Set<Piece>();
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (!(p.kind === 'op' && p.text === '||')) continue;
      for (const operand of [pieces[i - 1], pieces[i + 1]]) {
        if (operand?.kind !== 'value' || done.has(operand)) continue;
        done.add(operand);
        if (operand.variant) operand.text = asText(operand);
        else operand.text = timestampText(operand.text, operand.type) ?? operand.text;
      }
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
      out.push(value(`CASE WHEN (${r}) = 0 THEN error('${DIVISION_BY_ZERO_MARKER}') ELSE (${l}) / (${r}) END`, { type: 'NUMBER' }));
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
          else out.push(variantOf(`to_json([${this.translate(node.children)}])`, '$', 'ARRAY', node.openToken.offset));
        } else {
          out.push(this.parenthesised(node));
        }
        continue;
      }
      const token = node.token;
      switch (token.kind) {
        case 'string':
          out.push(value(sqlString(token.value), { literal: 'string', stringValue: token.value, type: 'TEXT', offset: token.offset }));
          break;
        case 'number':
          out.push(value(token.value, { literal: 'number', type: 'NUMBER', offset: token.offset }));
          break;
        case 'param':
          out.push(value(this.param(token), { offset: token.offset }));
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

  /** `( ... )`: a subquery (typed by its first column) or a parenthesised expression (typed by its content). */
  private parenthesised(node: GroupNode): Piece {
    if (isQuery(node.children)) {
      const inner = this.query(node.children);
      return typed(`(${inner.sql})`, inner.columns?.[0]?.type, node.openToken.offset);
    }
    const pieces = this.seq(node.children);
    return typed(`(${this.render(pieces)})`, typeOfPieces(pieces), node.openToken.offset);
  }

  private param(token: Token): string {
    const bindingKey = token.value === '?' ? (this.positional.get(token.offset) ?? '?') : token.value;
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
      if (REJECTED_WORDS.has(word) && !(isOp(nodes[i - 1], '.') || isOp(next, '.'))) throw unsupportedConstruct(word);
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
      const constant = this.constantWord(word, token.offset);
      if (constant) {
        out.push(constant);
        return i;
      }
      if (word === 'NULL') {
        out.push(value(word, { literal: 'null', offset: token.offset }));
        return i;
      }
      if (word === 'TRUE' || word === 'FALSE') {
        out.push(value(word, { literal: 'boolean', type: 'BOOLEAN', offset: token.offset }));
        return i;
      }
      if (KEYWORDS.has(word)) {
        out.push({ text: word, kind: 'word' });
        return i;
      }
    }
    // An identifier chain: a, a.b, "A".b.*
    const parts: string[] = [this.identText(token)];
    const names: string[] = [canonical(token)];
    let j = i;
    while (isOp(nodes[j + 1], '.')) {
      const part = nodes[j + 2];
      if (part?.type !== 'token') break;
      if (part.token.kind === 'ident' || part.token.kind === 'qident') {
        parts.push(this.identText(part.token));
        names.push(canonical(part.token));
      } else if (part.token.kind === 'op' && part.token.value === '*') {
        parts.push('*');
        names.push('*');
      } else {
        // `t.?`: a bind marker cannot stand for a name.
        throw unexpectedToken(this.sql, part.token.offset, part.token.text);
      }
      j += 2;
    }
    const text = parts.join('.');
    out.push(names[names.length - 1] === '*' ? value(text) : typed(text, resolveColumn(this.scope, names), token.offset));
    return j;
  }

  private identText(token: { kind: string; value: string; text: string }): string {
    return token.kind === 'qident' ? `"${token.value.replaceAll('"', '""')}"` : token.text;
  }

  private constantWord(word: string, offset: number): Piece | undefined {
    const { date, time } = utcParts(this.context.now);
    switch (word) {
      case 'CURRENT_TIMESTAMP':
      case 'LOCALTIMESTAMP':
        return value(`CAST('${date} ${time}+00' AS TIMESTAMPTZ)`, { type: 'TIMESTAMP_LTZ', offset });
      case 'CURRENT_DATE':
        return value(`DATE '${date}'`, { type: 'DATE', offset });
      case 'CURRENT_TIME':
      case 'LOCALTIME':
        return value(`TIME '${time}'`, { type: 'TIME', offset });
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
    if (op === '{') throw unsupportedConstruct('object constant {...}');
    if (!OPERATORS.has(op)) throw unexpectedToken(this.sql, node.token.offset, node.token.text);
    out.push({ text: op, kind: 'op' });
    return i;
  }

  /**
   * GET's operand check: `:` paths, `[]` subscripts, GET and GET_PATH apply to VARIANT, OBJECT (by name) and ARRAY
   * (by index) only (https://docs.snowflake.com/en/sql-reference/functions/get); anything else fails to compile
   * with 001044, as a real account answers a `:` path on a VARCHAR.
   */
  private checkGet(subject: Piece, key: { readonly kind: 'string' | 'number'; readonly text: string }, fn: 'GET' | 'GET_PATH' = 'GET', at = subject.offset): void {
    // GET_PATH takes its path as text and resolves it at run time: any semi-structured subject compiles.
    const ok = fn === 'GET_PATH' ? isSemiStructured(subject.type) : subject.type === 'VARIANT' || (subject.type === 'OBJECT' && key.kind === 'string') || (subject.type === 'ARRAY' && key.kind === 'number');
    if (ok) return;
    if (subject.type === undefined && subject.literal !== 'string' && subject.literal !== 'number' && subject.literal !== 'boolean') {
      throw unsupportedConstruct(`${fn} (or a ':' path / '[]' subscript) on an expression whose type the emulator does not know`);
    }
    const subjectType = typeSignature(subject.type, subject.literal === 'string' ? { kind: 'string', text: subject.stringValue ?? '' } : subject.literal === 'number' ? { kind: 'number', text: subject.text } : undefined);
    throw invalidArgumentTypes(this.where(at), fn, [subjectType, typeSignature(undefined, key)]);
  }

  /** `v:a.b[0]."Quoted"` -> json_extract(v, '$."a"."b"[0]."Quoted"'). Snowflake path keys are case-sensitive. */
  private path(nodes: readonly Node[], i: number, out: Piece[]): number {
    const prev = out.pop();
    if (!prev || prev.kind !== 'value') throw compilationError(`syntax error line 1 at position ${nodes[i]?.type === 'token' ? nodes[i].token.offset : 0} unexpected ':'.`);
    let j = i + 1;
    const first = nodes[j];
    if (first?.type !== 'token' || (first.token.kind !== 'ident' && first.token.kind !== 'qident')) throw compilationError("syntax error: a path element must follow ':'");
    const firstKey = first.token.kind === 'ident' ? first.token.text : first.token.value;
    this.checkGet(prev, { kind: 'string', text: firstKey });
    let path = prev.variant ? prev.variant.path : '$';
    const base = prev.variant ? prev.variant.base : prev.text;
    path += jsonKey(firstKey);
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
    out.push(variantOf(base, path, 'VARIANT', prev.offset));
    return j;
  }

  private indexKey(group: GroupNode): { kind: 'string' | 'number'; text: string } {
    const inner = group.children;
    const only = inner[0];
    if (inner.length === 1 && only?.type === 'token' && only.token.kind === 'number') return { kind: 'number', text: only.token.value };
    if (inner.length === 1 && only?.type === 'token' && only.token.kind === 'string') return { kind: 'string', text: only.token.value };
    throw unsupportedConstruct('a computed index or key in a semi-structured path');
  }

  private indexPath(group: GroupNode): string {
    const key = this.indexKey(group);
    return key.kind === 'number' ? `[${key.text}]` : jsonKey(key.text);
  }

  private index(prev: Piece, group: GroupNode): Piece {
    this.checkGet(prev, this.indexKey(group));
    const base = prev.variant ? prev.variant.base : prev.text;
    const path = prev.variant ? prev.variant.path : '$';
    return variantOf(base, path + this.indexPath(group), 'VARIANT', prev.offset);
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
    const sourceText = prev.offset === undefined ? undefined : this.sql.slice(prev.offset, (nodes[i] as TokenNode).token.offset).trim();
    out.push(this.cast(prev, typeName, typeArgs, false, sourceText));
    return j;
  }

  /** Applies a Snowflake cast with Snowflake semantics (VARIANT strings unquoted, offsets normalised...). */
  private cast(piece: Piece, typeName: string, typeArgs: readonly string[], tryCast: boolean, sourceText?: string): Piece {
    const CAST = tryCast ? 'TRY_CAST' : 'CAST';
    const source = piece.variant ? asText(piece) : piece.literal === 'string' && piece.stringValue !== undefined ? sqlString(piece.stringValue) : piece.text;
    const at = piece.offset === undefined ? {} : { offset: piece.offset };
    switch (typeName) {
      case 'STRING':
      case 'TEXT':
      case 'VARCHAR':
      case 'CHAR':
      case 'CHARACTER':
      case 'NVARCHAR':
      case 'NCHAR':
        return value(piece.variant ? asText(piece) : (timestampText(piece.text, piece.type) ?? `${CAST}(${piece.text} AS VARCHAR)`), { type: 'TEXT', ...at });
      case 'NUMBER':
      case 'DECIMAL':
      case 'NUMERIC': {
        const precision = typeArgs[0] ?? '38';
        const scale = typeArgs[1] ?? '0';
        return value(`${CAST}(${source} AS DECIMAL(${precision},${scale}))`, { type: 'NUMBER', ...at });
      }
      case 'INT':
      case 'INTEGER':
      case 'BIGINT':
      case 'SMALLINT':
      case 'TINYINT':
      case 'BYTEINT':
        return value(`${CAST}(${source} AS DECIMAL(38,0))`, { type: 'NUMBER', ...at });
      case 'FLOAT':
      case 'FLOAT4':
      case 'FLOAT8':
      case 'DOUBLE':
      case 'REAL':
        return value(`${CAST}(${source} AS DOUBLE)`, { type: 'FLOAT', ...at });
      case 'BOOLEAN':
        return value(`${CAST}(${source} AS BOOLEAN)`, { type: 'BOOLEAN', ...at });
      case 'DATE':
        return value(`${CAST}(${this.timestampSource(piece, source)} AS DATE)`, { type: 'DATE', ...at });
      case 'TIME':
        return value(`${CAST}(${source} AS TIME)`, { type: 'TIME', ...at });
      case 'TIMESTAMP':
      case 'TIMESTAMP_NTZ':
      case 'DATETIME':
        return value(`${CAST}(${this.timestampSource(piece, source)} AS TIMESTAMP)`, { type: 'TIMESTAMP_NTZ', ...at });
      case 'TIMESTAMP_LTZ':
      case 'TIMESTAMP_TZ':
        return value(`${CAST}(${this.timestampSource(piece, source)} AS TIMESTAMPTZ)`, { type: typeName, ...at });
      case 'VARIANT':
        // A VARIANT stays itself; anything else becomes a VARIANT holding that value (text is a VARIANT string, not
        // parsed JSON: https://docs.snowflake.com/en/sql-reference/functions/to_variant).
        return piece.variant ? { ...piece, type: 'VARIANT' } : variantOf(`to_json(${piece.text})`, '$', 'VARIANT', piece.offset);
      case 'OBJECT':
      case 'ARRAY':
        if (piece.variant) return { ...piece, type: typeName };
        if (piece.type !== undefined || (piece.literal !== undefined && piece.literal !== 'null')) {
          // Only a semi-structured value converts (https://docs.snowflake.com/en/sql-reference/data-type-conversion).
          throw compilationError(`invalid type [CAST(${sourceText ?? piece.text} AS ${typeName})] for parameter 'TO_${typeName}'`);
        }
        return variantOf(`${CAST}(${piece.text} AS JSON)`, '$', typeName, piece.offset);
      case 'BINARY':
      case 'VARBINARY':
        return value(`unhex(${source})`, { type: 'BINARY', ...at });
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
    out.push(value(`(${patterns.map((p) => `${subject} ${operator} ${p}`).join(joiner)})`, { type: 'BOOLEAN', ...(left.offset === undefined ? {} : { offset: left.offset }) }));
    return end;
  }

  private args(group: GroupNode): Piece[] {
    return splitArgs(group.children).map((arg) => this.expression(arg));
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
    const nameNode = nodes[i];
    const nameOffset = nameNode?.type === 'token' ? nameNode.token.offset : 0;
    const push = (piece: Piece): number => {
      out.push(piece.offset === undefined ? { ...piece, offset: nameOffset } : piece);
      return end;
    };
    const arity = (min: number, max = min): void => {
      if (rawArgs.length < min || rawArgs.length > max) {
        throw compilationError(`error line 1 at position 0\nInvalid argument count for function ${name}: ${rawArgs.length}`);
      }
    };
    const { date, time } = utcParts(this.context.now);
    const ctx = this.context;
    const text = (s: string | null): Piece => value(s === null ? 'CAST(NULL AS VARCHAR)' : sqlString(s), { type: 'TEXT' });
    if (UNSUPPORTED_FUNCTIONS.has(name)) throw unsupportedConstruct(`function ${name}`);
    if (name.includes('$')) throw unsupportedConstruct(`function ${name}`);
    if (name === 'IDENTIFIER') throw this.identifierFunction();
    switch (name) {
      case 'CURRENT_TIMESTAMP':
      case 'LOCALTIMESTAMP':
      case 'GETDATE':
        return push(value(`CAST('${date} ${time}+00' AS TIMESTAMPTZ)`, { type: 'TIMESTAMP_LTZ' }));
      case 'SYSDATE':
        return push(value(`CAST('${date} ${time}' AS TIMESTAMP)`, { type: 'TIMESTAMP_NTZ' }));
      case 'CURRENT_DATE':
        return push(value(`DATE '${date}'`, { type: 'DATE' }));
      case 'CURRENT_TIME':
      case 'LOCALTIME':
        return push(value(`TIME '${time}'`, { type: 'TIME' }));
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
      const keepsDate = ts!.type === 'DATE' && ['year', 'quarter', 'month', 'week', 'day'].includes(unit);
      const resultType = keepsDate ? 'DATE' : ts!.type === 'TIMESTAMP_LTZ' || ts!.type === 'TIMESTAMP_TZ' ? ts!.type : 'TIMESTAMP_NTZ';
      return push(value(keepsDate ? `CAST(${sum} AS DATE)` : sum, { type: resultType }));
    }
    if (name === 'DATEDIFF' || name === 'TIMESTAMPDIFF' || name === 'TIMEDIFF') {
      arity(3);
      const unit = this.unitOf(rawArgs[0], name);
      if (unit === 'nanosecond') throw unsupportedConstruct(`${name} with unit nanosecond`);
      const [, a, b] = this.args(group);
      const operand = (p: Piece): string => (p.literal === 'string' ? `CAST(${sqlString(normaliseTimestampText(p.stringValue ?? ''))} AS TIMESTAMP)` : asText(p));
      return push(value(`date_diff('${unit}', ${operand(a!)}, ${operand(b!)})`, { type: 'NUMBER' }));
    }
    if (name === 'DATE_TRUNC' || name === 'TRUNC' && rawArgs.length === 2 && this.isUnitArg(rawArgs[1])) {
      arity(2);
      const unitFirst = name === 'DATE_TRUNC';
      const unit = this.unitOf(unitFirst ? rawArgs[0] : rawArgs[1], name);
      const args = this.args(group);
      const ts = unitFirst ? args[1]! : args[0]!;
      const truncated = `date_trunc('${unit}', ${ts.literal === 'string' ? `CAST(${sqlString(normaliseTimestampText(ts.stringValue ?? ''))} AS TIMESTAMP)` : asText(ts)})`;
      return push(value(ts.type === 'DATE' ? `CAST(${truncated} AS DATE)` : truncated, ts.type ? { type: ts.type } : ts.literal === 'string' ? { type: 'TIMESTAMP_NTZ' } : {}));
    }
    if (name === 'DATE_PART') {
      arity(2);
      const unit = this.unitOf(rawArgs[0], name);
      const [, ts] = this.args(group);
      return push(value(`date_part('${unit}', ${asText(ts!)})`, { type: 'NUMBER' }));
    }
    const args = (): Piece[] => this.args(group);
    switch (name) {
      case 'IFF': {
        arity(3);
        const [c, a, b] = args();
        return push(typed(`CASE WHEN ${c!.text} THEN ${a!.text} ELSE ${b!.text} END`, a!.literal === 'null' ? b!.type : a!.type));
      }
      case 'NVL':
      case 'IFNULL': {
        arity(2);
        const [a, b] = args();
        return push(typed(`COALESCE(${a!.text}, ${b!.text})`, a!.type ?? b!.type));
      }
      case 'NVL2': {
        arity(3);
        const [a, b, c] = args();
        return push(typed(`CASE WHEN ${a!.text} IS NOT NULL THEN ${b!.text} ELSE ${c!.text} END`, b!.type ?? c!.type));
      }
      case 'ZEROIFNULL':
        arity(1);
        return push(value(`COALESCE(${args()[0]!.text}, 0)`, { type: 'NUMBER' }));
      case 'NULLIFZERO':
        arity(1);
        return push(value(`NULLIF(${args()[0]!.text}, 0)`, { type: 'NUMBER' }));
      case 'DIV0':
      case 'DIV0NULL': {
        arity(2);
        const [a, b] = args();
        const zero = name === 'DIV0' ? `(${b!.text}) = 0` : `COALESCE((${b!.text}) = 0, TRUE)`;
        return push(value(`CASE WHEN ${zero} THEN 0 ELSE (${a!.text}) / (${b!.text}) END`, { type: 'NUMBER' }));
      }
      case 'DECODE': {
        // Snowflake's DECODE is a CASE that matches NULL to NULL (DuckDB's decode() converts BLOB to text).
        const list = args();
        if (list.length < 3) throw compilationError(`Invalid argument count for function DECODE: ${list.length}`);
        const [subject, ...rest] = list;
        const branches: string[] = [];
        for (let k = 0; k + 1 < rest.length; k += 2) branches.push(`WHEN ${asText(subject!)} IS NOT DISTINCT FROM ${asText(rest[k]!)} THEN ${rest[k + 1]!.text}`);
        const otherwise = rest.length % 2 === 1 ? ` ELSE ${rest[rest.length - 1]!.text}` : '';
        return push(typed(`CASE ${branches.join(' ')}${otherwise} END`, rest.filter((_, k) => k % 2 === 1 || k === rest.length - 1).find((p) => p.literal !== 'null')?.type));
      }
      case 'APPROX_PERCENTILE': {
        arity(2);
        const [x, q] = args();
        return push(value(`approx_quantile(${x!.text}, ${q!.text})`, { type: 'FLOAT' }));
      }
      case 'SHA2':
      case 'SHA2_HEX': {
        arity(1, 2);
        const [x, bits] = args();
        if (bits && bits.text !== '256') throw unsupportedConstruct(`${name} with ${bits.text} bits`);
        return push(value(`sha256(${asText(x!)})`, { type: 'TEXT' }));
      }
      case 'ARRAY_UNIQUE_AGG': {
        arity(1);
        const x = args()[0]!.text;
        return push(variantOf(`to_json(list(DISTINCT ${x}) FILTER (WHERE ${x} IS NOT NULL))`, '$', 'ARRAY'));
      }
      case 'EQUAL_NULL': {
        arity(2);
        const [a, b] = args();
        return push(value(`(${a!.text} IS NOT DISTINCT FROM ${b!.text})`, { type: 'BOOLEAN' }));
      }
      case 'BOOLOR_AGG':
        return push(value(`bool_or(${this.translate(group.children)})`, { type: 'BOOLEAN' }));
      case 'BOOLAND_AGG':
        return push(value(`bool_and(${this.translate(group.children)})`, { type: 'BOOLEAN' }));
      case 'COUNT_IF':
        return push(value(`count_if(${this.translate(group.children)})`, { type: 'NUMBER' }));
      case 'GREATEST':
      case 'LEAST': {
        const list = args();
        if (list.length === 0) throw compilationError(`Invalid argument count for function ${name}`);
        const texts = list.map(asText);
        const firstType = list.find((p) => p.literal !== 'null')?.type;
        return push(value(`CASE WHEN ${texts.map((t) => `(${t}) IS NULL`).join(' OR ')} THEN NULL ELSE ${name.toLowerCase()}(${texts.join(', ')}) END`, { type: isSemiStructured(firstType) ? 'TEXT' : firstType }));
      }
      case 'PARSE_JSON':
      case 'TRY_PARSE_JSON': {
        // https://docs.snowflake.com/en/sql-reference/functions/parse_json: NULL in, NULL out; an empty or blank
        // string is NULL, not an error; invalid JSON is an error (100069) for PARSE_JSON and NULL for TRY_PARSE_JSON
        // (https://docs.snowflake.com/en/sql-reference/functions/try_parse_json). A JSON string literal ('"abc"')
        // parses to a VARIANT string.
        arity(1, 2);
        const [subject, parameter] = args();
        if (parameter && this.literalString(parameter, `${name} parameter`) !== 's') throw unsupportedConstruct(`${name} with parameter '${parameter.stringValue ?? ''}'`);
        const s = asText(subject!);
        const blank = `regexp_full_match(${s}, '\\s*')`;
        return push(variantOf(name === 'PARSE_JSON' ? `(CASE WHEN ${blank} THEN NULL ELSE CAST(${s} AS JSON) END)` : `(CASE WHEN json_valid(${s}) THEN CAST(${s} AS JSON) END)`));
      }
      case 'TO_VARIANT':
        arity(1);
        return push(this.cast(args()[0]!, 'VARIANT', [], false));
      case 'TO_JSON':
        arity(1);
        return push(value(`CAST(${args()[0]!.text} AS VARCHAR)`, { type: 'TEXT' }));
      case 'REGEXP_LIKE':
      case 'RLIKE': {
        arity(2, 3);
        const [s, p, f] = args();
        const flags = f ? this.literalString(f, `${name} parameters`) : 'c';
        return push(value(`regexp_full_match(${asText(s!)}, ${this.regexPattern(p!, flags, name)})`, { type: 'BOOLEAN' }));
      }
      case 'REGEXP_SUBSTR': {
        arity(2, 6);
        const [s, p, pos, occ, params, grp] = args();
        const flags = params ? this.literalString(params, 'REGEXP_SUBSTR parameters') : 'c';
        const groupNumber = grp ? grp.text : flags.includes('e') ? '1' : '0';
        const subject = pos ? `substr(${asText(s!)}, ${pos.text})` : asText(s!);
        return push(value(`list_extract(regexp_extract_all(${subject}, ${this.regexPattern(p!, flags, name)}, ${groupNumber}), ${occ ? occ.text : '1'})`, { type: 'TEXT' }));
      }
      case 'REGEXP_COUNT': {
        arity(2, 4);
        const [s, p, pos, params] = args();
        const flags = params ? this.literalString(params, 'REGEXP_COUNT parameters') : 'c';
        const subject = pos ? `substr(${asText(s!)}, ${pos.text})` : asText(s!);
        return push(value(`len(regexp_extract_all(${subject}, ${this.regexPattern(p!, flags, name)}))`, { type: 'NUMBER' }));
      }
      case 'REGEXP_REPLACE': {
        arity(2, 6);
        const [s, p, r, pos, occ, params] = args();
        if ((pos && pos.text !== '1') || (occ && occ.text !== '0')) throw unsupportedConstruct('REGEXP_REPLACE with a position or occurrence');
        const flags = params ? this.literalString(params, 'REGEXP_REPLACE parameters') : 'c';
        return push(value(`regexp_replace(${asText(s!)}, ${this.regexPattern(p!, flags, name)}, ${r ? r.text : "''"}, 'g')`, { type: 'TEXT' }));
      }
      case 'ARRAY_CONTAINS': {
        arity(2);
        const [v, a] = args();
        return push(value(`list_contains(CAST(${a!.text} AS JSON[]), ${v!.variant ? v!.text : `to_json(${v!.text})`})`, { type: 'BOOLEAN' }));
      }
      case 'ARRAY_SIZE': {
        arity(1);
        const a = args()[0]!.text;
        return push(value(`(CASE WHEN json_type(CAST(${a} AS JSON)) = 'ARRAY' THEN json_array_length(CAST(${a} AS JSON)) END)`, { type: 'NUMBER' }));
      }
      case 'ARRAY_CONSTRUCT':
        return push(variantOf(`json_array(${args().map((a) => a.text).join(', ')})`, '$', 'ARRAY'));
      case 'OBJECT_CONSTRUCT': {
        // A pair whose key or value is SQL NULL is left out of the object
        // (https://docs.snowflake.com/en/sql-reference/functions/object_construct); DuckDB's json_object keeps it.
        const list = args();
        if (rawArgs.length === 1 && isOp(rawArgs[0]![0], '*')) throw unsupportedConstruct('OBJECT_CONSTRUCT(*)');
        if (list.length % 2 !== 0) throw compilationError(`error line 1 at position 0\nInvalid argument count for function ${name}: ${list.length}`);
        if (list.length === 0) return push(variantOf('json_object()', '$', 'OBJECT'));
        const pairs: string[] = [];
        for (let k = 0; k < list.length; k += 2) pairs.push(`struct_pack(k := ${asText(list[k]!)}, v := to_json(${list[k + 1]!.text}))`);
        return push(variantOf(`to_json(map_from_entries(list_filter([${pairs.join(', ')}], __e -> __e.k IS NOT NULL AND __e.v IS NOT NULL)))`, '$', 'OBJECT'));
      }
      case 'OBJECT_KEYS':
        arity(1);
        return push(variantOf(`to_json(json_keys(${args()[0]!.text}))`, '$', 'ARRAY'));
      case 'ARRAY_TO_STRING': {
        arity(2);
        const [a, sep] = args();
        return push(value(`array_to_string(CAST(${a!.text} AS VARCHAR[]), ${sep!.text})`, { type: 'TEXT' }));
      }
      case 'SPLIT': {
        arity(2);
        const [s, sep] = args();
        return push(variantOf(`to_json(string_split(${asText(s!)}, ${asText(sep!)}))`, '$', 'ARRAY'));
      }
      case 'GET': {
        arity(2);
        const [v, k] = args();
        if (k!.literal !== 'number' && k!.literal !== 'string') throw unsupportedConstruct('GET with a computed key');
        this.checkGet(v!, k!.literal === 'number' ? { kind: 'number', text: k!.text } : { kind: 'string', text: k!.stringValue ?? '' }, 'GET', nameOffset);
        const base = v!.variant ? v!.variant.base : v!.text;
        const path = v!.variant ? v!.variant.path : '$';
        if (k!.literal === 'number') return push(variantOf(base, `${path}[${k!.text}]`, 'VARIANT', v!.offset));
        return push(variantOf(base, path + jsonKey(k!.stringValue ?? ''), 'VARIANT', v!.offset));
      }
      case 'GET_PATH': {
        arity(2);
        const [v, p] = args();
        const spec = this.literalString(p, 'GET_PATH path');
        this.checkGet(v!, { kind: 'string', text: spec }, 'GET_PATH', nameOffset);
        const base = v!.variant ? v!.variant.base : v!.text;
        let path = v!.variant ? v!.variant.path : '$';
        for (const part of spec.match(/[^.[\]]+|\[\d+\]/g) ?? []) path += part.startsWith('[') ? part : jsonKey(part);
        return push(variantOf(base, path, 'VARIANT', v!.offset));
      }
      case 'IS_NULL_VALUE':
        arity(1);
        return push(value(`(json_type(${args()[0]!.text}) = 'NULL')`, { type: 'BOOLEAN' }));
      case 'TO_CHAR':
      case 'TO_VARCHAR': {
        arity(1, 2);
        const [x, f] = args();
        if (!f) return push(value(x!.variant ? asText(x!) : (timestampText(x!.text, x!.type) ?? `CAST(${x!.text} AS VARCHAR)`), { type: 'TEXT' }));
        const format = this.literalString(f, `${name} format`);
        // TZH / TZM need an offset: a TIMESTAMP_NTZ has none, and what Snowflake writes for one is not documented.
        if (formatNeedsOffset(format) && x!.type !== 'TIMESTAMP_LTZ' && x!.type !== 'TIMESTAMP_TZ') {
          throw unsupportedConstruct(`${name} format '${format}' (TZH / TZM) on a value that is not a TIMESTAMP_LTZ or TIMESTAMP_TZ`);
        }
        const sql = formatTimestampSql(x!.text, format);
        if (sql === undefined) throw unsupportedConstruct(`${name} format '${format}'`);
        return push(value(sql, { type: 'TEXT' }));
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
        return push(value(`starts_with(${asText(a!)}, ${asText(b!)})`, { type: 'BOOLEAN' }));
      }
      case 'ENDSWITH': {
        arity(2);
        const [a, b] = args();
        return push(value(`ends_with(${asText(a!)}, ${asText(b!)})`, { type: 'BOOLEAN' }));
      }
      case 'CHARINDEX': {
        arity(2);
        const [a, b] = args();
        return push(value(`instr(${asText(b!)}, ${asText(a!)})`, { type: 'NUMBER' }));
      }
      case 'UUID_STRING':
        return push(value('CAST(uuid() AS VARCHAR)', { type: 'TEXT' }));
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
          return push(value(`string_agg(${list[0]!.text}, ${list[1] ? list[1].text : "''"}${orderBy})`, { type: 'TEXT' }));
        }
        arity(1);
        const element = list[0]!.text;
        const bare = element.replace(/^DISTINCT\s+/i, '');
        return push(variantOf(`to_json(list(${element}${orderBy}) FILTER (WHERE ${bare} IS NOT NULL))`, '$', 'ARRAY'));
      }
      case 'CONCAT': {
        // NULL if any argument is NULL (https://docs.snowflake.com/en/sql-reference/functions/concat); DuckDB's
        // concat() skips NULLs, its || does not.
        const list = args();
        if (list.length === 0) throw compilationError(`Invalid argument count for function ${name}`);
        return push(value(`(${list.map((p) => this.textOf(p)).join(' || ')})`, { type: 'TEXT' }));
      }
      case 'REPLACE': {
        // The replacement is optional: REPLACE(s, p) removes p (https://docs.snowflake.com/en/sql-reference/functions/replace).
        arity(2, 3);
        const [subject, pattern, replacement] = args();
        return push(value(`replace(${asText(subject!)}, ${asText(pattern!)}, ${replacement ? asText(replacement) : "''"})`, { type: 'TEXT' }));
      }
      case 'POSITION': {
        // POSITION(x IN s) and POSITION(x, s [, start]) (https://docs.snowflake.com/en/sql-reference/functions/position);
        // DuckDB knows only the IN form.
        const inAt = group.children.findIndex((n) => isWord(n, 'IN'));
        let needle: Piece;
        let haystack: Piece;
        let start: Piece | undefined;
        if (rawArgs.length === 1 && inAt > 0) {
          needle = this.expression(group.children.slice(0, inAt));
          haystack = this.expression(group.children.slice(inAt + 1));
        } else {
          arity(2, 3);
          [needle, haystack, start] = args() as [Piece, Piece, Piece | undefined];
        }
        const n = asText(needle);
        const h = asText(haystack);
        if (!start) return push(value(`instr(${h}, ${n})`, { type: 'NUMBER' }));
        const found = `instr(substr(${h}, ${start.text}), ${n})`;
        return push(value(`(CASE WHEN ${found} = 0 THEN 0 ELSE ${found} + (${start.text}) - 1 END)`, { type: 'NUMBER' }));
      }
      case 'TABLE':
        throw unsupportedConstruct('TABLE(...) outside a FROM clause');
      case 'FLATTEN':
        throw unsupportedConstruct('FLATTEN outside LATERAL FLATTEN(...) or TABLE(FLATTEN(...))');
      default:
        return push(this.passThrough(name, group));
    }
  }

  /**
   * A function DuckDB implements with Snowflake's meaning, called as written (functions.ts); any other name is one
   * Snowflake does not know, and fails as it would.
   */
  private passThrough(name: string, group: GroupNode): Piece {
    const rule = PASS_THROUGH_FUNCTIONS.get(name);
    if (rule === undefined) throw unknownFunction(name);
    const text = `${name}(${this.translate(group.children)})`;
    if (rule === 'FIRST_ARGUMENT' || rule === 'FIRST_TYPED_ARGUMENT' || rule === 'AVERAGE') {
      const list = this.args(group);
      const first = rule === 'FIRST_TYPED_ARGUMENT' ? list.find((p) => p.type !== undefined) : list[0];
      if (rule === 'AVERAGE') return value(text, { type: first?.type === 'FLOAT' ? 'FLOAT' : 'NUMBER' });
      return typed(text, first?.type);
    }
    return typed(text, rule);
  }

  /** One expression from its nodes, as a single piece. */
  private expression(nodes: readonly Node[]): Piece {
    const pieces = this.seq(nodes);
    if (pieces.length === 1) return pieces[0]!;
    const first = nodes[0];
    const offset = first?.type === 'token' ? first.token.offset : first?.openToken.offset;
    return typed(this.render(pieces), typeOfPieces(pieces), offset);
  }

  /** A value as Snowflake converts it to text: VARIANT strings unquoted, timestamps in the default output format. */
  private textOf(piece: Piece): string {
    if (piece.variant) return asText(piece);
    if (piece.literal === 'string') return piece.text;
    return timestampText(piece.text, piece.type) ?? `CAST(${piece.text} AS VARCHAR)`;
  }

  private isUnitArg(arg: readonly Node[] | undefined): boolean {
    const only = arg?.[0];
    return arg?.length === 1 && only?.type === 'token' && (only.token.kind === 'string' || only.token.kind === 'ident') && canonicalUnit(only.token.value) !== undefined;
  }

  private castCall(name: string, group: GroupNode): Piece {
    const children = group.children;
    const asIndex = children.findIndex((n) => isWord(n, 'AS'));
    if (asIndex < 0) throw compilationError(`syntax error: ${name} needs AS`);
    const subject = this.expression(children.slice(0, asIndex));
    const typeNode = children[asIndex + 1];
    if (typeNode?.type !== 'token' || typeNode.token.kind !== 'ident') throw compilationError(`syntax error: ${name} needs a type`);
    const typeArgsNode = children[asIndex + 2];
    const typeArgs = isGroup(typeArgsNode) ? splitArgs(typeArgsNode.children).map((a) => this.translate(a)) : [];
    const first = children[0];
    const sourceText = first === undefined ? undefined : this.sql.slice(first.type === 'token' ? first.token.offset : first.openToken.offset, (children[asIndex] as TokenNode).token.offset).trim();
    return this.cast(subject, typeNode.token.value, typeArgs, name === 'TRY_CAST', sourceText);
  }

  private toTimestamp(name: string, list: Piece[]): Piece {
    if (list.length < 1 || list.length > 2) throw compilationError(`Invalid argument count for function ${name}`);
    const [x, second] = list;
    const tryCast = name.startsWith('TRY_');
    const ntz = name.endsWith('_NTZ') || name === 'TO_TIMESTAMP' || name === 'TRY_TO_TIMESTAMP';
    const target = ntz ? 'TIMESTAMP' : 'TIMESTAMPTZ';
    if (second?.literal === 'string') {
      const format = strptimeFormat(second.stringValue ?? '');
      if (format === undefined) throw unsupportedConstruct(`${name} format '${second.stringValue ?? ''}'`);
      const parsed = `${tryCast ? 'try_strptime' : 'strptime'}(${asText(x!)}, ${sqlString(format)})`;
      return value(`CAST(${parsed} AS ${target})`, { type: ntz ? 'TIMESTAMP_NTZ' : name.endsWith('_TZ') ? 'TIMESTAMP_TZ' : 'TIMESTAMP_LTZ' });
    }
    const numeric = x!.literal === 'number' || x!.type === 'NUMBER' || x!.type === 'FLOAT';
    if (numeric) {
      const scaled = second ? `(${x!.text}) / POWER(10, ${second.text})` : x!.text;
      const instant = `to_timestamp(CAST(${scaled} AS DOUBLE))`;
      return value(ntz ? `CAST(${instant} AS TIMESTAMP)` : instant, { type: ntz ? 'TIMESTAMP_NTZ' : name.endsWith('_TZ') ? 'TIMESTAMP_TZ' : 'TIMESTAMP_LTZ' });
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

/** Translates one Snowflake statement to DuckDB SQL, with the types of its result columns. */
export function translateQuery(sql: string, context: TranslateContext): Translation {
  const tokens = tokenize(sql);
  const translator = new Translator(context, sql, tokens);
  const result = translator.statement(buildTree(tokens));
  return { sql: result.sql, paramKeys: translator.paramKeys, selectList: result.items };
}
