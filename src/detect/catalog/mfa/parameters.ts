// Reading a detection's tuned parameters. The configuration layer validates them against each detection's declared
// defaults; these readers only fall back to the default when a value is absent or of the wrong type, so a detection
// never crashes a cycle over a parameter. Shared by the MFA and exfiltration families.
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

/** Role names travel as one comma-separated binding; anything but a plain upper-case name is refused. */
export function roleListBinding(roles: readonly string[]): string {
  const names = roles.map((role) => role.trim().toUpperCase()).filter((role) => role !== '');
  for (const name of names) {
    if (!/^[A-Z0-9_$]+$/.test(name)) throw new RangeError(`role ${name} is not a plain role name`);
  }
  return names.join(',');
}
