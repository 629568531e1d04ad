// Per-view ingestion latency: a row shows in a view only once virtual now >= its event time + this many seconds.
// Defaults are the documented maxima in emulator/schema.ts; overrides (0 allowed) make replays and tests immediate.

import { VIEWS } from '../schema.ts';
import type { ViewDefinition } from '../schema.ts';

export interface LatencyModel {
  /** `view` is the view name for ACCOUNT_USAGE ('QUERY_HISTORY') or `SCHEMA.VIEW` for a view of another schema. */
  latencySeconds(view: string): number;
}

/** The key a latency model is asked about for a view. */
export function latencyKey(view: ViewDefinition): string {
  return view.schema === 'ACCOUNT_USAGE' ? view.name : `${view.schema}.${view.name}`;
}

export function defaultLatencyModel(overrides: Record<string, number> = {}): LatencyModel {
  const normalised = new Map<string, number>();
  for (const [key, seconds] of Object.entries(overrides)) {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`latency for ${key} must be a number of seconds >= 0`);
    const upper = key.toUpperCase().replace(/^SNOWFLAKE\./, '');
    normalised.set(upper.startsWith('ACCOUNT_USAGE.') ? upper.slice('ACCOUNT_USAGE.'.length) : upper, seconds);
  }
  const defaults = new Map(VIEWS.map((view) => [latencyKey(view), view.latencySeconds]));
  return {
    latencySeconds(view: string): number {
      const key = view.toUpperCase();
      return normalised.get(key) ?? defaults.get(key) ?? 0;
    },
  };
}
