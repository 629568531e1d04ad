// Loads a generated scenario into an emulator engine: every view's rows streamed into insertRows (lazily, so the big
// views never sit in memory), then the account parameters, then (by default) the virtual clock set to the end.
import type { Scenario } from './generate.ts';
import { SCENARIO_VIEWS, type Row, type ScenarioView } from './types.ts';

/** The part of the emulator engine the loader needs (emulator/engine's EmulatorEngine satisfies it). */
export interface ScenarioSink {
  insertRows(view: string, rows: Iterable<Row> | AsyncIterable<Row>): Promise<number>;
  setParameter(name: string, value: string): void;
  readonly clock?: { set(t: Date): void };
}

export interface LoadOptions {
  /** Set the engine's virtual clock to the scenario end (default true). */
  setClock?: boolean;
  /** Load only these views (default: all). */
  views?: readonly ScenarioView[];
}

export interface LoadReport {
  rows: Partial<Record<ScenarioView, number>>;
  totalRows: number;
  elapsedMs: number;
}

export async function loadScenario(engine: ScenarioSink, scenario: Scenario, options: LoadOptions = {}): Promise<LoadReport> {
  const started = performance.now();
  const rows: Partial<Record<ScenarioView, number>> = {};
  let totalRows = 0;
  for (const view of options.views ?? SCENARIO_VIEWS) {
    const count = await engine.insertRows(view, scenario.rows(view));
    rows[view] = count;
    totalRows += count;
  }
  for (const [name, value] of Object.entries(scenario.accountParameters)) engine.setParameter(name, value);
  if (options.setClock ?? true) engine.clock?.set(scenario.end);
  return { rows, totalRows, elapsedMs: performance.now() - started };
}
