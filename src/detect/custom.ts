// Custom detections from configuration (`customDetections`): a security engineer writes Snowflake SQL that returns
// the finding columns, and it runs exactly like a built-in SQL detection (same runner, same dedupe, same metrics).
//
// Binding convention: the SQL names the look-back window with `:from` and `:to` (TIMESTAMP_LTZ, window [from, to)).
// `:from` is strongly recommended (a detection should read incrementally); both are optional. Each occurrence
// is rewritten to a positional `?` once, at start, and bound in order, so the values never touch the SQL text.
// Occurrences inside string literals, quoted identifiers, $$ strings and comments are left alone, as are `::` casts
// and VARIANT paths such as `details:from` (a `:` right after an identifier, `)` or `]` is a path, not a binding).
// A bare `?` is refused: positional bindings would make the window's order ambiguous.
//
// Columns returned: USER_NAME, EVENT_TIME, EVIDENCE_IDS (ARRAY, or one id as text), REASON, optionally ATTRIBUTES
// (OBJECT) and SEVERITY, as for every SQL detection (src/detect/run-sql-detection.ts).
import type { SourceId } from '../collect/source-ids.ts';
import type { CustomDetectionConfig } from '../config/types.ts';
import type { DetectionFamily, SqlDetection } from './types.ts';

export class CustomDetectionError extends Error {
  readonly code = 'ERR_CUSTOM_DETECTION';
  readonly detectionId: string;
  constructor(detectionId: string, message: string) {
    super(`custom detection ${detectionId}: ${message}`);
    this.name = 'CustomDetectionError';
    this.detectionId = detectionId;
  }
}

export type WindowBinding = 'from' | 'to';

export interface PreparedCustomSql {
  /** The SQL with every `:from` / `:to` replaced by `?`. */
  readonly sql: string;
  /** Which window bound each `?` takes, in order. */
  readonly bindings: readonly WindowBinding[];
}

const FAMILIES: readonly DetectionFamily[] = ['mfa', 'exfil', 'share', 'priv', 'auth', 'posture'];
/** The source a custom detection follows unless configured otherwise: the view most custom rules read. */
export const DEFAULT_CUSTOM_SCHEDULE: SourceId = 'query_history';

/** Rewrites the named window bindings; throws CustomDetectionError (message without SQL text) when unusable. */
export function prepareCustomSql(detectionId: string, sql: string): PreparedCustomSql {
  if (sql.trim() === '') throw new CustomDetectionError(detectionId, 'sql is empty');
  let out = '';
  const bindings: WindowBinding[] = [];
  let i = 0;
  const n = sql.length;
  const copyUntil = (end: number): void => {
    out += sql.slice(i, end);
    i = end;
  };
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === "'" || c === '"') {
      // Quoted literal or identifier; '' (or "") and backslash escapes stay inside it.
      let j = i + 1;
      while (j < n) {
        if (sql[j] === '\\' && c === "'") j += 2;
        else if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j++;
      }
      if (j >= n) throw new CustomDetectionError(detectionId, `sql has an unterminated ${c === "'" ? 'string' : 'quoted identifier'}`);
      copyUntil(j + 1);
    } else if (c === '$' && next === '$') {
      const end = sql.indexOf('$$', i + 2);
      if (end < 0) throw new CustomDetectionError(detectionId, 'sql has an unterminated $$ string');
      copyUntil(end + 2);
    } else if ((c === '-' && next === '-') || (c === '/' && next === '/')) {
      const end = sql.indexOf('\n', i);
      copyUntil(end < 0 ? n : end);
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw new CustomDetectionError(detectionId, 'sql has an unterminated comment');
      copyUntil(end + 2);
    } else if (c === ':' && next === ':') {
      copyUntil(i + 2);
    } else if (c === ':') {
      const match = /^:([A-Za-z_][A-Za-z0-9_]*)/.exec(sql.slice(i));
      const name = match?.[1]?.toLowerCase();
      const before = out.at(-1) ?? ' ';
      const isPath = /[A-Za-z0-9_$)\]"]/.test(before);
      if (match !== null && !isPath && (name === 'from' || name === 'to')) {
        out += '?';
        bindings.push(name);
        i += match[0].length;
      } else copyUntil(i + 1);
    } else if (c === '?') {
      throw new CustomDetectionError(detectionId, 'sql uses "?": name the window with :from and :to instead');
    } else copyUntil(i + 1);
  }
  // Without :from the SQL chooses its own range (e.g. a fixed look-back); it still runs on the schedule and its
  // findings still dedupe by id, but it may re-read more than needed: the README recommends :from.
  return { sql: out, bindings };
}

/** The family a custom id's prefix names, when it is one of the catalog's; else 'posture' (the catch-all context). */
function familyOf(id: string): DetectionFamily {
  const prefix = id.split('.')[0] as DetectionFamily;
  return FAMILIES.includes(prefix) ? prefix : 'posture';
}

/** Builds the SqlDetection of one configured custom detection; throws CustomDetectionError when its SQL is unusable. */
export function customDetection(config: CustomDetectionConfig): SqlDetection {
  const prepared = prepareCustomSql(config.id, config.sql);
  const schedule = config.schedule ?? DEFAULT_CUSTOM_SCHEDULE;
  return {
    kind: 'sql',
    id: config.id,
    catalog: 'custom',
    title: config.title,
    severity: config.severity,
    family: familyOf(config.id),
    views: ['custom SQL'],
    parameters: {},
    metrics: ['snowflake_risk_findings_total'],
    runbook: 'custom-detections',
    description: config.description ?? config.title,
    schedule,
    statement: (window) => ({
      sql: prepared.sql,
      bindings: prepared.bindings.map((name) => window[name]),
    }),
  };
}
