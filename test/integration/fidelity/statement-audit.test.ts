// Every statement the exporter can send, held against Snowflake's documented views (emulator/schema.ts: the columns
// and types of each ACCOUNT_USAGE view as its reference page gives them, with the page's URL), so that a statement a
// real account would refuse or read wrongly cannot come back unnoticed.
//
// The statements are collected, not listed by hand: full collection cycles run against the emulator (every source,
// every built-in detection, a custom detection, list parameters filled in) under the settings that change what is
// sent (the README's least-privilege grants, a role that may read nothing, accounts without behaviour-change bundles
// 2025_07, 2025_06 and 2024_06, query events scoped to risky types with no detection adding predicates). A coverage check then makes sure each built-in SQL detection and each
// statement constant of the sources was among them, so a new statement cannot escape the audit.
//
// Each statement is then checked three ways:
//  1. replayed, with the bindings it was sent with, on an emulator holding every documented view, as a role that may
//     read them all: the emulator compiles against the documented columns and types (an unknown column is 000904, a
//     `:` path on a VARCHAR is 001044, a bind marker as LIMIT's row count is refused ...);
//  2. parsed by an independent Snowflake-dialect parser (@polyglot-sql/sdk), whose schema validation reports every view
//     that is not documented and every column that none of the statement's views documents; what it cannot parse is
//     listed, not hidden;
//  3. rules the documentation gives that the first two cannot see: a `:` path or `[]` applied directly to a column
//     that is documented as VARCHAR; a timestamp turned into text without an explicit format (its text then follows
//     the account's TIMESTAMP_*_OUTPUT_FORMAT).
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { describe, it, type TestContext } from 'node:test';
import { Dialect, parse, validateWithSchema, type Schema } from '@polyglot-sql/sdk';
import { createEmulatorEngine, type ExecuteRequest } from '../../../emulator/engine/index.ts';
import { VIEWS } from '../../../emulator/schema.ts';
import { BUILT_IN_DETECTIONS } from '../../../src/detect/catalog/index.ts';
import { prepareCustomSql } from '../../../src/detect/custom.ts';
import { captureCycle, type CapturedStatement } from '../../helpers/statement-capture.ts';

const README_GRANTS = ['DATABASE ROLE SNOWFLAKE.SECURITY_VIEWER', 'DATABASE ROLE SNOWFLAKE.GOVERNANCE_VIEWER', 'DATABASE ROLE SNOWFLAKE.USAGE_VIEWER', 'USAGE ON WAREHOUSE RISK_EXPORTER_WH'];

/** Every list parameter filled in, so each detection sends the form of its statement with `IN (?, ...)`. */
const DETECTION_PARAMETERS = {
  'auth.suspicious_login': { iocIps: ['203.0.113.7', '198.51.100.9'] },
  'share.unapproved_consumer': { approvedConsumerAccounts: ['PARTNER.ANALYTICS'] },
};

const CUSTOM_DETECTION = {
  id: 'custom.large_unloads',
  title: 'Large unloads',
  severity: 'high' as const,
  description: 'Unloads of more than a million rows.',
  sql: `SELECT USER_NAME, END_TIME AS EVENT_TIME, ARRAY_CONSTRUCT(QUERY_ID) AS EVIDENCE_IDS,
       'Unloaded ' || TO_VARCHAR(ROWS_UNLOADED) || ' rows' AS REASON
FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
WHERE END_TIME >= :from AND END_TIME < :to AND QUERY_TYPE = 'UNLOAD' AND ROWS_UNLOADED > 1000000`,
};

interface Collected {
  readonly statements: Map<string, CapturedStatement>;
  readonly detectionTexts: Map<string, Set<string>>;
}

async function collect(t: TestContext): Promise<Collected> {
  const runs = [
    { grants: README_GRANTS },
    { grants: README_GRANTS, disabledBundles: ['2025_07' as const] },
    // Without the bundles that add QUERY_HISTORY.AUTHN_EVENT_ID (2025_06) and USERS.TYPE / HAS_MFA (2024_06): the
    // statements the streams and snapshots send instead (collect/optional-columns.ts).
    // (Cast while the emulator's BehaviourChangeBundle type lists only the bundles it models so far.)
    { grants: README_GRANTS, disabledBundles: ['2025_06', '2024_06'] as string[] as readonly '2025_07'[] },
    { grants: ['USAGE ON WAREHOUSE RISK_EXPORTER_WH'] },
    // Without detections that add predicates of their own, the 'risky' scope filters QUERY_HISTORY in Snowflake.
    { grants: README_GRANTS, queryEventScope: 'risky' as const, detections: [] },
  ];
  const statements = new Map<string, CapturedStatement>();
  for (const run of runs) {
    const captured = await captureCycle(t, { ...run, detectionParameters: DETECTION_PARAMETERS, customDetections: [CUSTOM_DETECTION] });
    assert.ok(captured.ran.ran, 'the cycle ran');
    for (const statement of captured.statements) if (!statements.has(statement.statement)) statements.set(statement.statement, statement);
  }
  // What each built-in SQL detection sends, built the way the runner builds it (the window does not change the text).
  const detectionTexts = new Map<string, Set<string>>();
  const window = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-20T12:00:00Z') };
  for (const detection of BUILT_IN_DETECTIONS) {
    if (detection.kind !== 'sql') continue;
    const parameters = (DETECTION_PARAMETERS as Record<string, Record<string, unknown>>)[detection.id] ?? {};
    const defaults = Object.fromEntries(Object.entries(detection.parameters).map(([name, parameter]) => [name, parameter.default]));
    detectionTexts.set(detection.id, new Set([detection.statement(window, { ...defaults, ...parameters } as never).sql]));
  }
  return { statements, detectionTexts };
}

/** Exported statement constants of the collection code: every one must be among the statements a cycle sends. */
async function sourceStatementConstants(): Promise<Map<string, string>> {
  const constants = new Map<string, string>();
  const folder = new URL('../../../src/collect/sources/', import.meta.url);
  const files = [...(await readdir(folder)).filter((name) => name.endsWith('.ts')).map((name) => new URL(name, folder)), new URL('../../../src/collect/cycle.ts', import.meta.url)];
  for (const file of files) {
    const module = (await import(file.href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(module)) {
      if (typeof value === 'string' && /^\s*(SELECT|WITH|SHOW)\b/i.test(value)) constants.set(`${file.pathname.split('/').pop() ?? ''} ${name}`, value);
    }
  }
  return constants;
}

const DOCUMENTED_SCHEMA: Schema = {
  strict: true,
  tables: VIEWS.map((view) => ({ name: view.name, schema: view.schema, columns: view.columns.map((column) => ({ name: column.name, type: column.type === 'TEXT' ? 'VARCHAR' : column.type })) })),
};

/** Output columns of FLATTEN (https://docs.snowflake.com/en/sql-reference/functions/flatten), which no view documents. */
const FLATTEN_COLUMNS = new Set(['SEQ', 'KEY', 'PATH', 'INDEX', 'VALUE', 'THIS']);

const COLUMN_TYPES = new Map<string, Set<string>>();
for (const view of VIEWS) for (const column of view.columns) COLUMN_TYPES.set(column.name, new Set([...(COLUMN_TYPES.get(column.name) ?? []), column.type]));

function walk(node: unknown, visit: (key: string, value: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) visit(key, value as Record<string, unknown>);
      walk(value, visit);
    }
  }
}

/** The column a node is, when it is a bare column reference: its upper-case name. */
function columnName(node: unknown): string | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const column = (node as { column?: { name?: { name?: unknown; quoted?: unknown } } }).column;
  const name = column?.name?.name;
  if (typeof name !== 'string') return undefined;
  return column?.name?.quoted === true ? name : name.toUpperCase();
}

/** Static rules from the documentation, on the parsed statement (see the module comment, point 3). */
function documentedRuleViolations(ast: unknown): string[] {
  const problems: string[] = [];
  walk(ast, (key, value) => {
    // `x:path`, `x[...]`: GET on x. Snowflake refuses it on a VARCHAR at compile time (001044).
    if (key === 'j_s_o_n_extract' || key === 'subscript' || key === 'bracket') {
      const base = columnName(value.this);
      const types = base === undefined ? undefined : COLUMN_TYPES.get(base);
      if (types !== undefined && ![...types].some((type) => type === 'VARIANT' || type === 'OBJECT' || type === 'ARRAY')) {
        problems.push(`a semi-structured path on ${base ?? ''}, which the documentation types ${[...types].join('/')}`);
      }
    }
    // TO_VARCHAR(ts) / TO_CHAR(ts) / CAST(ts AS VARCHAR) without a format: the text follows the account's settings.
    if (key === 'function') {
      const name = typeof value.name === 'string' ? value.name.toUpperCase() : '';
      const args = Array.isArray(value.args) ? value.args : [];
      const base = columnName(args[0]);
      if ((name === 'TO_VARCHAR' || name === 'TO_CHAR') && args.length === 1 && base !== undefined && [...(COLUMN_TYPES.get(base) ?? [])].some((type) => type.startsWith('TIMESTAMP'))) {
        problems.push(`${name}(${base}) without a format: the text follows TIMESTAMP_LTZ_OUTPUT_FORMAT`);
      }
    }
    if (key === 'cast') {
      const base = columnName(value.this);
      const to = JSON.stringify(value.to ?? '');
      if (base !== undefined && /"(text|varchar|string)"/i.test(to) && [...(COLUMN_TYPES.get(base) ?? [])].some((type) => type.startsWith('TIMESTAMP'))) {
        problems.push(`${base} cast to text without a format: the text follows TIMESTAMP_LTZ_OUTPUT_FORMAT`);
      }
    }
  });
  return problems;
}

describe('every statement the exporter sends, against the documented views', () => {
  it('is collected from real cycles, covers every built-in SQL detection and source statement, and passes every check', { timeout: 600_000 }, async (t) => {
    const { statements, detectionTexts } = await collect(t);
    const texts = new Set(statements.keys());

    // Coverage: nothing the exporter can send escapes the audit.
    const missing: string[] = [];
    for (const [id, candidates] of detectionTexts) if (![...candidates].some((text) => texts.has(text))) missing.push(`detection ${id}`);
    for (const [name, text] of await sourceStatementConstants()) if (!texts.has(text) && ![...texts].some((sent) => sent.startsWith(text))) missing.push(`constant ${name}`);
    const custom = prepareCustomSql(CUSTOM_DETECTION.id, CUSTOM_DETECTION.sql).sql;
    if (!texts.has(custom)) missing.push('the custom detection wrapper');
    assert.deepEqual(missing, [], 'statements the cycles did not send');

    // 1. Replay on an account with every documented view, as ACCOUNTADMIN (privileges are not what is checked here).
    const engine = await createEmulatorEngine();
    t.after(() => engine.close());
    const refused: string[] = [];
    for (const statement of statements.values()) {
      const request: ExecuteRequest = { statement: statement.statement, bindings: statement.bindings, role: 'ACCOUNTADMIN', warehouse: 'COMPUTE_WH', user: 'AUDITOR', parameters: { TIMEZONE: 'UTC' }, signal: new AbortController().signal };
      try {
        const result = await engine.execute(request);
        await result.release?.();
      } catch (error) {
        refused.push(`${(error as { code?: string }).code ?? 'error'} ${(error as Error).message.split('\n').join(' ')}\n    in: ${statement.statement.slice(0, 160).replace(/\s+/g, ' ')}`);
      }
    }
    assert.deepEqual(refused, [], 'statements the documented views refuse');

    // 2. and 3. An independent parser: undocumented views and columns, and the documentation's other rules.
    const unparsed: string[] = [];
    const problems: string[] = [];
    for (const text of texts) {
      const parsed = parse(text, Dialect.Snowflake);
      if (!parsed.success) {
        unparsed.push(`${String(parsed.error).split('\n')[0] ?? ''}\n    in: ${text.slice(0, 120).replace(/\s+/g, ' ')}`);
        continue;
      }
      const validation = validateWithSchema(text, DOCUMENTED_SCHEMA, 'snowflake', { strict: true });
      for (const error of validation.errors) {
        if (String(error.severity).toLowerCase() !== 'error') continue;
        // FLATTEN's output columns are the function's, not a view's.
        const flattenColumn = /Unknown column '([^']+)'/.exec(error.message)?.[1];
        if (flattenColumn !== undefined && FLATTEN_COLUMNS.has(flattenColumn.toUpperCase()) && /FLATTEN\s*\(/i.test(text)) continue;
        problems.push(`${error.code} ${error.message}\n    in: ${text.slice(0, 120).replace(/\s+/g, ' ')}`);
      }
      for (const problem of documentedRuleViolations(parsed.ast)) problems.push(`${problem}\n    in: ${text.slice(0, 120).replace(/\s+/g, ' ')}`);
    }
    t.diagnostic(`${texts.size} distinct statements; the Snowflake-dialect parser could not parse ${unparsed.length}${unparsed.length === 0 ? '' : `:\n  ${unparsed.join('\n  ')}`}`);
    assert.deepEqual(problems, [], 'statements that name an undocumented view or column, or break a documented rule');
  });
});
