// What the protocol layer must know about statement text before the engine sees it: how many statements a request
// holds (MULTI_STATEMENT_COUNT, recordings 086/087) and which commands the SQL API refuses outright (099: BEGIN alone,
// PUT/GET). Splitting honours quotes, $$ strings and comments, so a `;` inside a literal does not count.

/** Splits on top-level semicolons; parts that hold only whitespace or comments are dropped. */
export function splitStatements(text: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i];
    const next = text[i + 1];
    if (ch === "'" || ch === '"') {
      i = skipQuoted(text, i, ch);
    } else if (ch === '$' && next === '$') {
      const end = text.indexOf('$$', i + 2);
      i = end === -1 ? n : end + 2;
    } else if (ch === '-' && next === '-') {
      const end = text.indexOf('\n', i + 2);
      i = end === -1 ? n : end + 1;
    } else if (ch === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
    } else if (ch === ';') {
      parts.push(text.slice(start, i));
      i += 1;
      start = i;
    } else {
      i += 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim()).filter((part) => stripComments(part).trim().length > 0);
}

function skipQuoted(text: string, open: number, quote: string): number {
  let i = open + 1;
  while (i < text.length) {
    if (text[i] === '\\' && quote === "'") {
      i += 2;
      continue;
    }
    if (text[i] === quote) {
      if (text[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i += 1;
  }
  return text.length;
}

export function stripComments(text: string): string {
  return text.replace(/--[^\n]*(\n|$)/g, ' ').replace(/\/\*[\s\S]*?(\*\/|$)/g, ' ');
}

/**
 * The command name the SQL API reports for statements it does not run on its own (`Command not supported by SQL API:
 * <name>`), or null. Transactions work only inside a multi-statement request, so `inMultiStatement` lets them pass.
 */
export function unsupportedCommand(statement: string, inMultiStatement: boolean): string | null {
  const words = stripComments(statement).trim().toUpperCase().split(/\s+/);
  const first = words[0] ?? '';
  if (first === 'PUT' || first === 'GET') return first;
  if (inMultiStatement) return null;
  const rest = words.slice(1);
  if ((first === 'BEGIN' || first === 'START') && isTransactionTail(first === 'START' ? rest.slice(1) : rest, first === 'START' ? rest[0] : 'TRANSACTION')) {
    return 'TRANSACTION_BEGIN';
  }
  if (first === 'COMMIT' && rest.every((w) => w === 'WORK')) return 'TRANSACTION_COMMIT';
  if (first === 'ROLLBACK' && rest.every((w) => w === 'WORK')) return 'TRANSACTION_ROLLBACK';
  return null;
}

function isTransactionTail(rest: string[], keyword: string | undefined): boolean {
  if (keyword !== 'TRANSACTION') return false;
  // BEGIN [ { WORK | TRANSACTION } ] [ NAME <name> ]
  const tail = rest[0] === 'WORK' || rest[0] === 'TRANSACTION' ? rest.slice(1) : rest;
  return tail.length === 0 || (tail[0] === 'NAME' && tail.length === 2);
}
