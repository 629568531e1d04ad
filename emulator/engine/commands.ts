// Statements the engine answers itself rather than through DuckDB: SHOW SHARES, SHOW PARAMETERS, SYSTEM$WAIT, and the
// transaction commands the SQL API refuses when sent alone. Everything else is a query for the translator.

import { compilationError, statementCanceled, unsupportedCommand, unsupportedConstruct } from './errors.ts';
import type { Token } from './translate/tokenizer.ts';
import { tokenize } from './translate/tokenizer.ts';

export type Command =
  | { readonly kind: 'query' }
  | { readonly kind: 'show-shares'; readonly like: string | null }
  | { readonly kind: 'show-parameters'; readonly like: string | null }
  | { readonly kind: 'wait'; readonly milliseconds: number; readonly amount: number; readonly unit: string; readonly columnName: string };

function meaningful(sql: string): Token[] {
  const tokens = tokenize(sql).filter((t) => t.kind !== 'ws');
  while (tokens.length > 0 && tokens[tokens.length - 1]!.kind === 'op' && tokens[tokens.length - 1]!.value === ';') tokens.pop();
  return tokens;
}

function likePattern(tokens: readonly Token[], at: number): { like: string | null; next: number } {
  if (tokens[at]?.kind === 'ident' && tokens[at].value === 'LIKE') {
    const pattern = tokens[at + 1];
    if (pattern?.kind !== 'string') throw compilationError(`syntax error line 1 at position ${pattern?.offset ?? 0} unexpected '${pattern?.text ?? '<EOF>'}'.`);
    return { like: pattern.value, next: at + 2 };
  }
  return { like: null, next: at };
}

function expectEnd(tokens: readonly Token[], at: number, allowed: readonly string[][]): void {
  const rest = tokens.slice(at).map((t) => t.value);
  if (rest.length === 0) return;
  if (allowed.some((words) => words.length === rest.length && words.every((w, i) => w === rest[i]))) return;
  const unexpected = tokens[at]!;
  throw compilationError(`syntax error line 1 at position ${unexpected.offset} unexpected '${unexpected.text}'.`);
}

export function classify(sql: string): Command {
  const tokens = meaningful(sql);
  const first = tokens[0];
  if (!first) throw compilationError('Empty SQL statement.');
  const word = first.kind === 'ident' ? first.value : '';
  if (word === 'BEGIN' || (word === 'START' && tokens[1]?.value === 'TRANSACTION')) throw unsupportedCommand('TRANSACTION_BEGIN');
  if (word === 'COMMIT') throw unsupportedCommand('TRANSACTION_COMMIT');
  if (word === 'ROLLBACK') throw unsupportedCommand('TRANSACTION_ROLLBACK');
  if (word === 'SHOW') {
    let at = 1;
    if (tokens[at]?.value === 'TERSE') at++;
    const object = tokens[at]?.kind === 'ident' ? tokens[at]!.value : '';
    if (object === 'SHARES') {
      const { like, next } = likePattern(tokens, at + 1);
      expectEnd(tokens, next, [['IN', 'ACCOUNT']]);
      return { kind: 'show-shares', like };
    }
    if (object === 'PARAMETERS') {
      const { like, next } = likePattern(tokens, at + 1);
      expectEnd(tokens, next, [['IN', 'ACCOUNT']]);
      return { kind: 'show-parameters', like };
    }
    throw unsupportedConstruct(`SHOW ${object || tokens[at]?.text || ''}`.trim());
  }
  if (word === 'SELECT' && tokens[1]?.kind === 'ident' && tokens[1].value === 'SYSTEM$WAIT') return waitCommand(sql, tokens);
  if (word === 'SELECT' || word === 'WITH' || (first.kind === 'op' && first.value === '(')) return { kind: 'query' };
  if (word === '') throw compilationError(`syntax error line 1 at position 0 unexpected '${first.text}'.`);
  const known = ['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'CREATE', 'ALTER', 'DROP', 'GRANT', 'REVOKE', 'USE', 'COPY', 'PUT', 'GET', 'CALL', 'DESCRIBE', 'DESC', 'EXPLAIN', 'SET', 'UNSET', 'TRUNCATE', 'LIST', 'REMOVE', 'UNDROP', 'EXECUTE'];
  if (known.includes(word)) throw unsupportedConstruct(`${word} statements (the emulated ACCOUNT_USAGE is read-only)`);
  throw compilationError(`syntax error line 1 at position 0 unexpected '${first.text}'.`);
}

function waitCommand(sql: string, tokens: readonly Token[]): Command {
  // SELECT SYSTEM$WAIT(n [, 'SECONDS' | 'MILLISECONDS' ...])
  const open = tokens[2];
  const amount = tokens[3];
  if (open?.value !== '(' || amount?.kind !== 'number') throw unsupportedConstruct('SYSTEM$WAIT with a computed argument');
  let at = 4;
  let unit = 'SECONDS';
  if (tokens[at]?.value === ',') {
    const unitToken = tokens[at + 1];
    if (unitToken?.kind !== 'string') throw unsupportedConstruct('SYSTEM$WAIT with a computed unit');
    unit = unitToken.value.toUpperCase();
    at += 2;
  }
  if (tokens[at]?.value !== ')' || tokens.length !== at + 1) throw unsupportedConstruct('SYSTEM$WAIT inside a larger statement');
  const factors: Record<string, number> = { SECONDS: 1000, SECOND: 1000, S: 1000, MILLISECONDS: 1, MILLISECOND: 1, MS: 1, MINUTES: 60_000, MINUTE: 60_000, HOURS: 3_600_000, HOUR: 3_600_000 };
  const factor = factors[unit];
  if (factor === undefined) throw compilationError(`Invalid time unit '${unit}' for SYSTEM$WAIT`);
  const n = Number(amount.value);
  const start = tokens[1]!.offset;
  const closing = tokens[at]!;
  const columnName = sql.slice(start, closing.offset + closing.text.length).toUpperCase();
  return { kind: 'wait', milliseconds: n * factor, amount: n, unit: factor === 1 ? 'milliseconds' : factor === 1000 ? 'seconds' : unit.toLowerCase(), columnName };
}

/** Waits in wall time (SYSTEM$WAIT is how tests exercise async execution, timeouts and cancel), honouring `signal`. */
export function wait(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const abortError = (): Error => (signal.reason instanceof Error && 'code' in signal.reason ? signal.reason : statementCanceled());
    if (signal.aborted) {
      reject(abortError());
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Snowflake LIKE pattern (case-insensitive in SHOW) as a RegExp. */
export function likeToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) source += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (ch === '%') source += '.*';
    else if (ch === '_') source += '.';
    else source += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}
