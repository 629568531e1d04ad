// Shared by the scenario tests: a fixed-time demo scenario with every view materialised (it is small).
import { generateScenario, presetOptions, SCENARIO_VIEWS, type Row, type Scenario, type ScenarioView } from '../../../emulator/scenario/index.ts';

export const FIXED_END = new Date('2026-11-20T09:37:00.000Z');

export function demoScenario(overrides: { seed?: string; end?: Date } = {}): Scenario {
  return generateScenario(presetOptions('demo', { end: overrides.end ?? FIXED_END, seed: overrides.seed ?? 'demo' }));
}

export type Materialised = Record<ScenarioView, Row[]>;

export function materialise(scenario: Scenario): Materialised {
  const out = {} as Materialised;
  for (const view of SCENARIO_VIEWS) out[view] = [...scenario.rows(view)];
  return out;
}

export const ms = (value: unknown): number => Date.parse(String(value));
export const DAY_MS = 86_400_000;
