// A Snowflake SQL tokenizer. It understands exactly what the rewriter must not break: single-quoted strings with
// Snowflake's backslash escapes, $$ strings, double-quoted identifiers, comments, bind placeholders and the `:` / `::`
// operators. Everything else is an identifier, a number or punctuation.

import { compilationError } from '../errors.ts';

export type TokenKind =
  | 'ws' // whitespace or a comment (kept so that source text can be reproduced)
  | 'ident' // unquoted identifier or keyword (value: upper case)
  | 'qident' // "quoted identifier" (value: the exact name)
  | 'string' // '...' or $$...$$ (value: the decoded string)
  | 'number'
  | 'param' // ? or :1 or :name (value: '?' , '1', 'name')
  | 'op'; // punctuation and operators

export interface Token {
  readonly kind: TokenKind;
  /** Decoded value: upper-cased identifier, unescaped string, operator text. */
  readonly value: string;
  /** The exact source text. */
  readonly text: string;
  readonly offset: number;
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const THREE_CHAR_OPS = ['!~*'];
const TWO_CHAR_OPS = ['::', '=>', '||', '<=', '>=', '<>', '!=', '->'];

/** Snowflake single-quoted strings accept backslash escapes; this decodes them to the string's value. */
function decodeEscape(ch: string): string {
  switch (ch) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'r':
      return '\r';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case '0':
      return '\0';
    default:
      return ch;
  }
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  const push = (kind: TokenKind, value: string, start: number): void => {
    tokens.push({ kind, value, text: sql.slice(start, i), offset: start });
  };
  while (i < n) {
    const start = i;
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(ch)) {
      while (i < n && /\s/.test(sql[i]!)) i++;
      push('ws', ' ', start);
    } else if ((ch === '-' && next === '-') || (ch === '/' && next === '/')) {
      while (i < n && sql[i] !== '\n') i++;
      push('ws', ' ', start);
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw compilationError(`syntax error: unterminated comment at position ${start}`);
      i = end + 2;
      push('ws', ' ', start);
    } else if (ch === "'") {
      i++;
      let value = '';
      for (;;) {
        if (i >= n) throw compilationError(`syntax error: unterminated string literal at position ${start}`);
        const c = sql[i]!;
        if (c === '\\' && i + 1 < n) {
          value += decodeEscape(sql[i + 1]!);
          i += 2;
        } else if (c === "'") {
          if (sql[i + 1] === "'") {
            value += "'";
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          value += c;
          i++;
        }
      }
      push('string', value, start);
    } else if (ch === '$' && next === '$') {
      const end = sql.indexOf('$$', i + 2);
      if (end < 0) throw compilationError(`syntax error: unterminated $$ string at position ${start}`);
      const value = sql.slice(i + 2, end);
      i = end + 2;
      push('string', value, start);
    } else if (ch === '"') {
      i++;
      let value = '';
      for (;;) {
        if (i >= n) throw compilationError(`syntax error: unterminated quoted identifier at position ${start}`);
        const c = sql[i]!;
        if (c === '"') {
          if (sql[i + 1] === '"') {
            value += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          value += c;
          i++;
        }
      }
      push('qident', value, start);
    } else if (/[0-9]/.test(ch) || (ch === '.' && next !== undefined && /[0-9]/.test(next))) {
      while (i < n && /[0-9]/.test(sql[i]!)) i++;
      if (sql[i] === '.' && sql[i + 1] !== '.') {
        i++;
        while (i < n && /[0-9]/.test(sql[i]!)) i++;
      }
      if ((sql[i] === 'e' || sql[i] === 'E') && /[0-9+-]/.test(sql[i + 1] ?? '')) {
        i += 2;
        while (i < n && /[0-9]/.test(sql[i]!)) i++;
      }
      push('number', sql.slice(start, i), start);
    } else if (IDENT_START.test(ch)) {
      while (i < n && IDENT_PART.test(sql[i]!)) i++;
      push('ident', sql.slice(start, i).toUpperCase(), start);
    } else if (ch === '?') {
      i++;
      push('param', '?', start);
    } else if (ch === ':' && next !== ':' && isPlaceholderContext(tokens) && next !== undefined && /[A-Za-z0-9_]/.test(next)) {
      i++;
      while (i < n && /[A-Za-z0-9_]/.test(sql[i]!)) i++;
      push('param', sql.slice(start + 1, i), start);
    } else {
      const three = sql.slice(i, i + 3);
      const two = sql.slice(i, i + 2);
      if (THREE_CHAR_OPS.includes(three)) i += 3;
      else if (TWO_CHAR_OPS.includes(two)) i += 2;
      else i++;
      push('op', sql.slice(start, i), start);
    }
  }
  return tokens;
}

/**
 * `:` starts a bind placeholder unless it follows something a path can hang off (`v:a`, `f(x):a`, `a[0]:b`,
 * `"Col":x`). Snowflake resolves the same ambiguity the same way.
 */
function isPlaceholderContext(tokens: readonly Token[]): boolean {
  for (let k = tokens.length - 1; k >= 0; k--) {
    const t = tokens[k]!;
    if (t.kind === 'ws') return true; // `a :b` is a placeholder (paths are written without spaces)
    if (t.kind === 'ident') return isKeywordBeforeValue(t.value);
    if (t.kind === 'qident' || t.kind === 'string' || t.kind === 'number' || t.kind === 'param') return false;
    return !(t.value === ')' || t.value === ']');
  }
  return true;
}

const VALUE_KEYWORDS = new Set(['SELECT', 'WHERE', 'AND', 'OR', 'NOT', 'THEN', 'ELSE', 'WHEN', 'ON', 'BY', 'IN', 'IS', 'LIKE', 'ILIKE', 'LIMIT', 'OFFSET', 'HAVING', 'RETURN', 'CASE', 'BETWEEN', 'VALUES']);

function isKeywordBeforeValue(word: string): boolean {
  return VALUE_KEYWORDS.has(word);
}

/** Splits a request body into statements at top-level semicolons (for the protocol layer's MULTI_STATEMENT_COUNT). */
export function splitStatements(sql: string): string[] {
  const tokens = tokenize(sql);
  const statements: string[] = [];
  let current = '';
  let meaningful = false;
  for (const token of tokens) {
    if (token.kind === 'op' && token.value === ';') {
      if (meaningful) statements.push(current.trim());
      current = '';
      meaningful = false;
    } else {
      current += token.text;
      if (token.kind !== 'ws') meaningful = true;
    }
  }
  if (meaningful) statements.push(current.trim());
  return statements;
}
