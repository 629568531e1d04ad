// What the exporter keeps of a statement's text before it leaves in an event: everything, a bounded prefix, the
// text with its literals replaced by `?`, or nothing. Query text can hold passwords (`ALTER USER ... PASSWORD =
// '...'`), personal data in predicates and keys in `CREATE STAGE ... CREDENTIALS = (...)`; literals are where those
// live. Redaction is a small scanner rather than a parser so that it works on any text QUERY_HISTORY holds,
// including statements that failed to compile, and it fails closed: whatever it cannot classify for sure (an
// unterminated string, quoted identifier or comment) is redacted up to the end of the text.

export type QueryTextPolicy =
  | { readonly mode: 'full' }
  | { readonly mode: 'truncate'; readonly maxLength: number }
  /** Literals replaced by `?` and comments removed, then truncated to maxLength when given. */
  | { readonly mode: 'redact'; readonly maxLength?: number | undefined }
  | { readonly mode: 'none' };

export type QueryTextMode = QueryTextPolicy['mode'];

/** Redacted and bounded: the safe default when the configuration says nothing. */
export const DEFAULT_QUERY_TEXT_POLICY: QueryTextPolicy = { mode: 'redact', maxLength: 4096 };

/** What replaces each literal. */
export const REDACTED_LITERAL = '?';
/** Appended to text cut by truncation, so a reader knows there was more. */
export const TRUNCATION_MARK = '…';

export class QueryTextPolicyError extends Error {
  readonly code = 'ERR_QUERY_TEXT_POLICY';
}

/** Validates a policy early (programmer or configuration error), so applying it never throws. */
export function checkQueryTextPolicy(policy: QueryTextPolicy): QueryTextPolicy {
  if (policy.mode === 'truncate' || (policy.mode === 'redact' && policy.maxLength !== undefined)) {
    const max = policy.maxLength;
    if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 1) {
      throw new QueryTextPolicyError(`query text maxLength must be a whole number >= 1, got ${String(max)}`);
    }
  }
  if (!['full', 'truncate', 'redact', 'none'].includes(policy.mode)) {
    throw new QueryTextPolicyError(`unknown query text mode ${String(policy.mode)}`);
  }
  return policy;
}

export function applyQueryTextPolicy(text: string | null, policy: QueryTextPolicy): string | null {
  if (text === null) return null;
  switch (policy.mode) {
    case 'full':
      return text;
    case 'truncate':
      return truncateText(text, policy.maxLength);
    case 'redact': {
      const redacted = redactLiterals(text);
      return policy.maxLength === undefined ? redacted : truncateText(redacted, policy.maxLength);
    }
    case 'none':
      return null;
  }
}

/** At most maxLength characters of text plus TRUNCATION_MARK when something was cut; never splits a surrogate pair. */
export function truncateText(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  let end = maxLength;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + TRUNCATION_MARK;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
// Letters of any script, digits, `_` and `$` continue an identifier (Snowflake allows `$` after the first char).
const IDENTIFIER_CHAR = /[\p{L}\p{N}_$]/u;
const isIdentifierChar = (c: string | undefined): boolean => c !== undefined && IDENTIFIER_CHAR.test(c);

/**
 * Replaces every string literal ('...' with '' or backslash escapes, $$...$$) and numeric literal (42, 3.14, 1e-9,
 * .5) by `?`, and removes comments (`--`, `//`, block comments), which can hold anything. Identifiers keep their
 * digits (`T_2024`, `"col 1"`, `$1`), keywords and operators stay, so the statement's shape remains readable.
 */
export function redactLiterals(sql: string): string {
  let out = '';
  let i = 0;
  const n = sql.length;
  // Collapses what was removed so that `a --x\n b` stays two words and runs of removed text do not pile up blanks.
  const separate = (): void => {
    if (out.length > 0 && !/\s$/.test(out)) out += ' ';
  };
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    // Comments: dropped whole. Unterminated block comment: the rest of the text is a comment.
    if ((c === '-' && next === '-') || (c === '/' && next === '/')) {
      const end = sql.indexOf('\n', i);
      separate();
      if (end < 0) break;
      i = end;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      separate();
      if (end < 0) break;
      i = end + 2;
      while (i < n && (sql[i] === ' ' || sql[i] === '\t')) i++;
      continue;
    }
    // String literals. Unterminated: fail closed, the rest is the literal.
    if (c === "'") {
      out += REDACTED_LITERAL;
      const end = endOfQuoted(sql, i);
      if (end < 0) break;
      i = end;
      continue;
    }
    if (c === '$' && next === '$') {
      out += REDACTED_LITERAL;
      const end = sql.indexOf('$$', i + 2);
      if (end < 0) break;
      i = end + 2;
      continue;
    }
    // Quoted identifiers are names, kept as written ("" is an escaped quote). Unterminated: fail closed.
    if (c === '"') {
      let j = i + 1;
      for (;;) {
        const q = sql.indexOf('"', j);
        if (q < 0) {
          j = -1;
          break;
        }
        if (sql[q + 1] === '"') {
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      if (j < 0) {
        out += REDACTED_LITERAL;
        break;
      }
      out += sql.slice(i, j);
      i = j;
      continue;
    }
    // Identifiers and keywords (including digits inside them, and positional references like $1) stay whole.
    if (isIdentifierChar(c) && !isDigit(c)) {
      let j = i + 1;
      // `$$` always opens a dollar-quoted string, even glued to a name: when unsure, treat text as a literal.
      while (j < n && isIdentifierChar(sql[j]) && !(sql[j] === '$' && sql[j + 1] === '$')) j++;
      out += sql.slice(i, j);
      i = j;
      continue;
    }
    // Numbers: digits, an optional fraction and exponent; `.5` too. A number glued to letters (`1abc`) is still
    // consumed whole, so no digit of it survives.
    if (isDigit(c) || (c === '.' && isDigit(next) && !isIdentifierChar(sql[i - 1]))) {
      let j = i;
      while (j < n && (isIdentifierChar(sql[j]) || sql[j] === '.')) {
        if ((sql[j] === 'e' || sql[j] === 'E') && (sql[j + 1] === '+' || sql[j + 1] === '-') && isDigit(sql[j + 2])) j += 2;
        j++;
      }
      out += REDACTED_LITERAL;
      i = j;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** Index just past the closing quote of the '...' literal opening at `start`, or -1 when it never closes. */
function endOfQuoted(sql: string, start: number): number {
  let j = start + 1;
  while (j < sql.length) {
    const c = sql[j];
    if (c === '\\') {
      j += 2;
      continue;
    }
    if (c === "'") {
      if (sql[j + 1] === "'") {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return -1;
}
