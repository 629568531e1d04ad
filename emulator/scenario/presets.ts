// Named scenarios: `demo` (small, every incident, ending now so findings show within seconds), `quiet` (the same
// account with no incident: the control) and `large` (volume for benchmarks).
import { ScenarioError } from './errors.ts';
import type { ScenarioOptions } from './types.ts';

export const PRESET_NAMES = ['demo', 'quiet', 'large'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export interface PresetOverrides {
  seed?: number | string;
  users?: number;
  days?: number;
  queriesPerDay?: number;
  /** The virtual now; default: the wall clock rounded down to the minute. */
  end?: Date;
  accountName?: string;
}

/**
 * The wall clock rounded down to the minute. Every incident is placed 3 to 20 hours before the end, older than the
 * largest view latency (3 h), so a demo loaded at this end shows all of them at once.
 */
export function demoEnd(now: Date = new Date()): Date {
  return new Date(Math.floor(now.getTime() / 60_000) * 60_000);
}

export function presetOptions(name: string, overrides: PresetOverrides = {}): ScenarioOptions {
  const end = overrides.end ?? demoEnd();
  const common = { seed: overrides.seed ?? 'demo', end, accountName: overrides.accountName ?? 'DEMO_ACCOUNT' };
  switch (name) {
    case 'demo':
      return { ...common, users: overrides.users ?? 40, days: overrides.days ?? 14, queriesPerDay: overrides.queriesPerDay ?? 2000, incidents: 'all' };
    case 'quiet':
      return { ...common, users: overrides.users ?? 40, days: overrides.days ?? 14, queriesPerDay: overrides.queriesPerDay ?? 2000, incidents: 'none' };
    case 'large':
      return { ...common, users: overrides.users ?? 200, days: overrides.days ?? 30, queriesPerDay: overrides.queriesPerDay ?? 33_334, incidents: 'all' };
    default:
      throw new ScenarioError('SCENARIO_PRESET', `unknown scenario preset "${name}" (known: ${PRESET_NAMES.join(', ')})`);
  }
}
