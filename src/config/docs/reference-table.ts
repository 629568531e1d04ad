// Renders the README's configuration reference from the schema (which keys exist, their types) and
// settings-reference.ts (defaults and meanings). `npm run generate` writes the tables; the generated-files test fails
// when the README is stale, and the reference test when a schema key is undocumented (or a documented one is gone).
import { createConfigSchema, type ConfigSchema } from '../schema.ts';
import { elementSchema, schemaPaths, type SchemaPath } from './schema-paths.ts';
import { ACCOUNT_REFERENCE, INTERVALS_ROW, SETTINGS_REFERENCE, TUNING_KEYS } from './settings-reference.ts';

/** The schema's settings as documented: the per-source intervals collapse into one `intervals.<source>` row. */
function documentedPaths(paths: readonly SchemaPath[]): SchemaPath[] {
  const seen = new Map<string, SchemaPath>();
  for (const entry of paths) {
    const path = entry.path.replace(/(^|\.)intervals\.[a-z_]+$/, `$1${INTERVALS_ROW}`);
    if (!seen.has(path)) seen.set(path, { path, type: entry.type });
  }
  return [...seen.values()];
}

function schema(): ConfigSchema {
  return createConfigSchema({ customDetectionIds: new Set() });
}

function topLevelPaths(): SchemaPath[] {
  return documentedPaths(schemaPaths(schema()));
}

function accountPaths(): SchemaPath[] {
  const shape = (schema() as unknown as { _zod: { def: { shape: { accounts: Parameters<typeof elementSchema>[0] } } } })._zod.def.shape;
  return documentedPaths(schemaPaths(elementSchema(shape.accounts)));
}

/** Keys the schema has without documentation, and documented keys the schema does not have. */
export function referenceProblems(): string[] {
  const problems: string[] = [];
  const top = new Set(topLevelPaths().map((entry) => entry.path));
  for (const path of top) if (!(path in SETTINGS_REFERENCE)) problems.push(`${path}: in the schema, not documented in settings-reference.ts`);
  for (const path of Object.keys(SETTINGS_REFERENCE)) if (!top.has(path)) problems.push(`${path}: documented, not in the schema`);
  const tuning = new Set(TUNING_KEYS);
  const account = accountPaths().map((entry) => entry.path);
  for (const path of account) {
    const key = path.split('.')[0]!;
    if (!tuning.has(path) && !(key in ACCOUNT_REFERENCE)) problems.push(`accounts[].${path}: in the schema, not documented`);
  }
  for (const key of Object.keys(ACCOUNT_REFERENCE)) if (!account.some((path) => path === key || path.startsWith(`${key}.`))) problems.push(`accounts[].${key}: documented, not in the schema`);
  for (const key of TUNING_KEYS) if (!account.includes(key)) problems.push(`accounts[].${key}: a defaults key accounts cannot override`);
  return problems;
}

const cell = (text: string): string => text.replace(/\n/g, ' ');

function settingsTable(filter: (path: string) => boolean, extraRows: readonly string[] = []): string {
  const lines = ['| key | type | default | meaning |', '| --- | --- | --- | --- |'];
  for (const { path, type } of topLevelPaths()) {
    if (!filter(path)) continue;
    const doc = SETTINGS_REFERENCE[path];
    if (doc === undefined) continue; // reported by referenceProblems()
    lines.push(`| \`${path}\` | ${cell(type)} | ${cell(doc.default)} | ${cell(doc.meaning)} |`);
  }
  return [...lines, ...extraRows].join('\n');
}

/** Every setting but the OTLP ones (their own table in the OpenTelemetry section). */
export function renderSettingsTable(): string {
  return settingsTable((path) => !path.startsWith('otlp.'), ['| `otlp.*` | | off | events and findings as OpenTelemetry logs, see [OpenTelemetry logs](#opentelemetry-logs) |']);
}

export function renderOtlpSettingsTable(): string {
  return settingsTable((path) => path.startsWith('otlp.'));
}

export function renderAccountTable(): string {
  const lines = ['| key | required | meaning |', '| --- | --- | --- |'];
  const keys = new Set(accountPaths().map((entry) => entry.path.split('.')[0]!));
  for (const [key, doc] of Object.entries(ACCOUNT_REFERENCE)) if (keys.has(key)) lines.push(`| \`${key}\` | ${doc.required} | ${cell(doc.meaning)} |`);
  const tuning = [...new Set(TUNING_KEYS.map((key) => key.split('.')[0]!))];
  lines.push(
    `| ${tuning.map((key) => `\`${key}\``).join(', ')} | no | override \`defaults\` for this account, object settings per key; \`creditBudget: { daily: null }\` switches a default budget off for one account |`,
  );
  return lines.join('\n');
}
