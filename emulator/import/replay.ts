// An engine set up for a replay: its virtual clock at the replay's "now" and the per-view latency overridden
// (or switched off) so imported data shows exactly when the replay wants it to.
import { VIEWS } from '../schema.ts';
import { createEmulatorEngine, createVirtualClock, defaultLatencyModel, type EmulatorEngine, type EngineOptions } from '../engine/index.ts';
import { viewKey } from './files.ts';

export interface ReplayEngineOptions {
  now?: Date;
  /** Seconds per view ('QUERY_HISTORY', 'TRUST_CENTER_FINDINGS'...); the documented maxima otherwise. */
  latency?: Record<string, number>;
  /** Every view visible at once (latency 0), whatever `latency` says. */
  noLatency?: boolean;
  engineOptions?: Omit<EngineOptions, 'clock' | 'latency'>;
}

export function latencyOverrides(options: Pick<ReplayEngineOptions, 'latency' | 'noLatency'>): Record<string, number> {
  if (options.noLatency) return Object.fromEntries(VIEWS.map((view) => [viewKey(view), 0]));
  return { ...(options.latency ?? {}) };
}

export function createReplayEngine(options: ReplayEngineOptions = {}): Promise<EmulatorEngine> {
  return createEmulatorEngine({
    ...options.engineOptions,
    clock: createVirtualClock(options.now ?? new Date()),
    latency: defaultLatencyModel(latencyOverrides(options)),
  });
}
