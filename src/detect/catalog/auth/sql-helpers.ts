// Small helpers the share/auth/priv/posture detections share: reading a parameter with its default, and turning a
// list parameter (IOC IPs, approved accounts, admin roles) into `IN (?, ?, ...)` with one binding per value, so a
// value from configuration is never concatenated into SQL text.
import type { DetectionParameter, ParameterValues } from '../../types.ts';

export type Binding = string | number | boolean | Date | null;

/** The configured value of a numeric parameter, else its default. */
export function numberParameter(values: ParameterValues, definitions: Readonly<Record<string, DetectionParameter>>, name: string): number {
  const value = values[name] ?? definitions[name]?.default;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`parameter ${name} must be a number`);
  return value;
}

/** The configured value of a list parameter, else its default; entries trimmed, empty entries dropped. */
export function listParameter(values: ParameterValues, definitions: Readonly<Record<string, DetectionParameter>>, name: string): readonly string[] {
  const value = values[name] ?? definitions[name]?.default;
  const list = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? (value as readonly string[]) : null;
  if (list === null) throw new TypeError(`parameter ${name} must be a list of strings`);
  return list.map((entry) => String(entry).trim()).filter((entry) => entry !== '');
}

/**
 * `<expression> IN (?, ?, ...)` for a list of values (compared as given), or `FALSE` for an empty list, which is what
 * "is one of no values" means (and `IN ()` is not valid SQL).
 */
export function inList(expression: string, values: readonly string[]): { readonly sql: string; readonly bindings: readonly Binding[] } {
  if (values.length === 0) return { sql: 'FALSE', bindings: [] };
  return { sql: `${expression} IN (${values.map(() => '?').join(', ')})`, bindings: [...values] };
}

/** Upper-cased list entries, for comparing with Snowflake's stored (upper-case) identifiers. */
export function upperList(values: readonly string[]): readonly string[] {
  return values.map((value) => value.toUpperCase());
}
