// Reading statement text the way Snowflake does, for the per-event rules: comments are not code. A statement may start
// with `-- why I did this` or carry `/* ... */` anywhere; a rule that searched the raw text could match words inside a
// comment, or miss a statement whose keywords a comment splits. Quoted strings, $$ strings and quoted identifiers are
// kept verbatim (a URL such as 's3://a--b/' is not a comment).
import { executionSucceeded } from '../../../collect/execution-status.ts';

/** The statement with its comments replaced by a single space; everything else unchanged. */
export function stripSqlComments(text: string): string {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      out += ' ';
      i = end < 0 ? n : end;
    } else if (c === '/' && next === '/') {
      // Snowflake also accepts // line comments.
      const end = text.indexOf('\n', i);
      out += ' ';
      i = end < 0 ? n : end;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      out += ' ';
      i = end < 0 ? n : end + 2;
    } else if (c === '$' && next === '$') {
      const end = text.indexOf('$$', i + 2);
      const stop = end < 0 ? n : end + 2;
      out += text.slice(i, stop);
      i = stop;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < n) {
        if (c === "'" && text[j] === '\\') j += 2;
        else if (text[j] === c && text[j + 1] === c) j += 2;
        else if (text[j] === c) break;
        else j++;
      }
      const stop = Math.min(n, j + 1);
      out += text.slice(i, stop);
      i = stop;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Whether a query event's statement succeeded (collect/execution-status.ts: in whatever case it is stored). */
export const succeeded = (executionStatus: string | null): boolean => executionSucceeded(executionStatus);
