// Name resolution: the relations a SELECT reads (views, CTEs, derived tables, VALUES, FLATTEN), the columns and
// declared types each one offers, and how a column reference finds its type through the scopes of a statement.

import { VIEWS } from '../../schema.ts';
import type { SqlType } from './types.ts';
import { viewColumnType } from './types.ts';

export interface Column {
  readonly name: string | null;
  readonly type: SqlType | undefined;
}

/** A FROM item as the scope sees it: its alias (canonical) and its columns (null when they are not known). */
export interface Relation {
  readonly alias: string | null;
  readonly columns: readonly Column[] | null;
}

/** Name resolution for one SELECT: its FROM relations, its select-list aliases, and the enclosing query's scope. */
export interface Scope {
  readonly parent: Scope | null;
  readonly relations: Relation[];
  readonly aliases: Map<string, SqlType | undefined>;
}

/** FLATTEN's output columns: https://docs.snowflake.com/en/sql-reference/functions/flatten#output */
export const FLATTEN_COLUMNS: readonly Column[] = [
  { name: 'SEQ', type: 'NUMBER' },
  { name: 'KEY', type: 'TEXT' },
  { name: 'PATH', type: 'TEXT' },
  { name: 'INDEX', type: 'NUMBER' },
  { name: 'VALUE', type: 'VARIANT' },
  { name: 'THIS', type: 'VARIANT' },
];

/** The columns of a view named by a FROM item (`USERS`, `ACCOUNT_USAGE.USERS`, `SNOWFLAKE.ACCOUNT_USAGE.USERS`). */
export function viewColumns(parts: readonly string[]): Column[] | null {
  const name = parts[parts.length - 1];
  const schema = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  const database = parts.length >= 3 ? parts[parts.length - 3] : undefined;
  if (database !== undefined && database !== 'SNOWFLAKE') return null;
  const view = VIEWS.find((v) => v.name === name && (schema === undefined || v.schema === schema));
  return view ? view.columns.map((c) => ({ name: c.name, type: viewColumnType(c.type) })) : null;
}

export function renamed(columns: readonly Column[] | null, names: readonly string[] | null): Column[] | null {
  if (names === null) return columns === null ? null : [...columns];
  return names.map((name, k) => ({ name, type: columns?.[k]?.type }));
}

/** The declared type of a column reference, through the scopes from the innermost out. */
export function resolveColumn(innermost: Scope | null, parts: readonly string[]): SqlType | undefined {
  const column = parts[parts.length - 1]!;
  const qualifier = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  for (let scope = innermost; scope !== null; scope = scope.parent) {
    if (qualifier !== undefined) {
      const relation = scope.relations.find((r) => r.alias === qualifier);
      if (relation) return relation.columns?.find((c) => c.name === column)?.type;
      continue;
    }
    for (const relation of scope.relations) {
      if (relation.columns === null) return undefined;
      const found = relation.columns.find((c) => c.name === column);
      if (found) return found.type;
    }
    if (scope.aliases.has(column)) return scope.aliases.get(column);
  }
  return undefined;
}
