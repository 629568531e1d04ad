// Reading a detection's tuned parameters. The configuration layer validates them against each detection's declared
// defaults; these readers only fall back to the default when a value is absent or of the wrong type, so a detection
// never crashes a cycle over a parameter. Shared by the MFA and exfiltration families.
import { parseIdentifier } from '../../../snowflake/identifier.ts';
import type { ParameterValues } from '../../types.ts';

export function numberParameter(values: ParameterValues, name: string, fallback: number): number {
  const value = values[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

export function stringListParameter(values: ParameterValues, name: string, fallback: readonly string[]): readonly string[] {
  const value = values[name];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value === 'string') return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  return fallback;
}

/**
 * Role names as one binding: a JSON array of the names Snowflake stores (identifier rules: `accountadmin` is
 * ACCOUNTADMIN, `"Ops Admin"` keeps its case and space), read in SQL with `FLATTEN(INPUT => PARSE_JSON(?))`. A JSON
 * array, not a comma-separated list, so a quoted name holding a comma stays one name. The names are bound, never
 * written into the SQL.
 */
export function roleListBinding(roles: readonly string[]): string {
  return JSON.stringify(resolveRoleNames(roles));
}

/**
 * The stored names of configured role names, empty entries dropped, duplicates removed. Text that is not an unquoted
 * identifier can only be the exact name of a quoted one, so it is kept as written (it matches nothing otherwise).
 */
export function resolveRoleNames(roles: readonly string[]): readonly string[] {
  const names = roles.map((role) => role.trim()).filter((role) => role !== '').map((role) => {
    const parsed = parseIdentifier(role);
    return parsed.ok ? parsed.name : role;
  });
  return [...new Set(names)];
}
