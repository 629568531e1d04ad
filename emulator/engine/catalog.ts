// The DuckDB side of emulator/schema.ts: storage tables (all rows, as loaded) and the SNOWFLAKE.<schema>.<view> views
// that queries see. A view shows a row only once virtual now >= its event time + the view's latency; the cut-off is a
// per-connection DuckDB variable the engine sets before each statement, so concurrent statements never interfere.

import { BEHAVIOUR_CHANGE_BUNDLES, VIEWS } from '../schema.ts';
import type { BehaviourChangeBundle, ViewColumnType, ViewDefinition } from '../schema.ts';

/** Where rows are stored: `SNOWFLAKE.EMULATOR_STORE.<SCHEMA>__<VIEW>` (hidden from the views' schemas). */
export const STORE_SCHEMA = 'EMULATOR_STORE';
export const RESULTS_SCHEMA = 'EMULATOR_RESULTS';

export function storeTableName(view: ViewDefinition): string {
  return `${view.schema}__${view.name}`;
}

export function qualifiedStoreTable(view: ViewDefinition): string {
  return `SNOWFLAKE.${STORE_SCHEMA}."${storeTableName(view)}"`;
}

/** Variable holding the visibility cut-off (virtual now - latency) for a view. */
export function cutoffVariable(view: ViewDefinition): string {
  return `emu_cutoff_${view.schema}__${view.name}`.toLowerCase();
}

/**
 * NUMBER(38,0) is stored as HUGEINT: exact to 38 digits, fast to append, and reported as `fixed` precision 38 scale 0.
 * VARIANT/OBJECT/ARRAY are DuckDB JSON; TIMESTAMP_LTZ is TIMESTAMPTZ (the session time zone is UTC).
 */
export function duckDbType(type: ViewColumnType): string {
  switch (type) {
    case 'NUMBER':
      return 'HUGEINT';
    case 'FLOAT':
      return 'DOUBLE';
    case 'TEXT':
      return 'VARCHAR';
    case 'BOOLEAN':
      return 'BOOLEAN';
    case 'TIMESTAMP_LTZ':
      return 'TIMESTAMPTZ';
    case 'TIMESTAMP_NTZ':
      return 'TIMESTAMP';
    case 'DATE':
      return 'DATE';
    case 'VARIANT':
    case 'OBJECT':
    case 'ARRAY':
      return 'JSON';
  }
}

/**
 * Behaviour-change bundles that add view columns, with the columns each adds: derived from the `bundle` of the columns
 * of emulator/schema.ts. On an account where a bundle is not enabled the columns are absent from the view (a query
 * naming one fails with 000904 invalid identifier); the storage table keeps them, so the same rows load either way.
 */
export interface BundleColumn {
  readonly view: string;
  readonly column: string;
}

function columnsAddedBy(bundle: BehaviourChangeBundle): readonly BundleColumn[] {
  return VIEWS.flatMap((view) => view.columns.filter((c) => c.bundle === bundle).map((c) => ({ view: view.name, column: c.name })));
}

export const BEHAVIOUR_CHANGE_COLUMNS: Readonly<Record<BehaviourChangeBundle, readonly BundleColumn[]>> = {
  '2024_02': columnsAddedBy('2024_02'),
  '2024_06': columnsAddedBy('2024_06'),
  '2025_01': columnsAddedBy('2025_01'),
  '2025_04': columnsAddedBy('2025_04'),
  '2025_06': columnsAddedBy('2025_06'),
  '2025_07': columnsAddedBy('2025_07'),
};

export type { BehaviourChangeBundle };

export interface CatalogOptions {
  /** Bundles the emulated account has not enabled (default: every bundle enabled). */
  readonly disabledBundles?: readonly BehaviourChangeBundle[] | undefined;
}

function hiddenColumns(view: ViewDefinition, options: CatalogOptions): ReadonlySet<string> {
  const disabled = new Set<string>(options.disabledBundles ?? []);
  for (const bundle of disabled) {
    if (!(BEHAVIOUR_CHANGE_BUNDLES as readonly string[]).includes(bundle)) throw new RangeError(`unknown behaviour change bundle ${bundle}`);
  }
  return new Set(view.columns.filter((c) => c.bundle !== undefined && disabled.has(c.bundle)).map((c) => c.name));
}

function visibilityFilter(view: ViewDefinition): string {
  const cutoff = `getvariable('${cutoffVariable(view)}')`;
  if (view.eventTimeColumn) return `WHERE "${view.eventTimeColumn}" <= ${cutoff}`;
  // Snapshot views (USERS, ROLES): a row appears once its CREATED_ON has aged past the latency, and a deletion shows
  // only once DELETED_ON has aged the same way. Rows without CREATED_ON are always visible.
  if (view.columns.some((c) => c.name === 'CREATED_ON')) return `WHERE "CREATED_ON" IS NULL OR "CREATED_ON" <= ${cutoff}`;
  return '';
}

function projection(view: ViewDefinition, hidden: ReadonlySet<string>): string {
  const cutoff = `getvariable('${cutoffVariable(view)}')`;
  return view.columns
    .filter((c) => !hidden.has(c.name))
    .map((c) => (c.name === 'DELETED_ON' && !view.eventTimeColumn ? `CASE WHEN "DELETED_ON" <= ${cutoff} THEN "DELETED_ON" END AS "DELETED_ON"` : `"${c.name}"`))
    .join(', ');
}

export function catalogDdl(options: CatalogOptions = {}): string[] {
  const statements = [
    `ATTACH ':memory:' AS SNOWFLAKE`,
    `CREATE SCHEMA SNOWFLAKE.${STORE_SCHEMA}`,
    `CREATE SCHEMA SNOWFLAKE.${RESULTS_SCHEMA}`,
  ];
  for (const schema of new Set(VIEWS.map((v) => v.schema))) statements.push(`CREATE SCHEMA SNOWFLAKE.${schema}`);
  for (const view of VIEWS) {
    const columns = view.columns.map((c) => `"${c.name}" ${duckDbType(c.type)}`).join(', ');
    statements.push(`CREATE TABLE ${qualifiedStoreTable(view)} (${columns})`);
    statements.push(`CREATE VIEW SNOWFLAKE.${view.schema}.${view.name} AS SELECT ${projection(view, hiddenColumns(view, options))} FROM ${qualifiedStoreTable(view)} ${visibilityFilter(view)}`);
  }
  return statements;
}
