// The emulator as a process of its own for benchmarks that measure the exporter: the exporter's RSS and CPU then hold
// none of DuckDB's memory or the emulator's HTTP serving. Generates a scenario (preset + overrides), loads the chosen
// views into a file-backed DuckDB with a memory limit (a million rows stay on disk, not in RAM), serves the SQL API
// with the demo users (PAT `DEMO_PAT_SECRET`), and prints one JSON line {url, rows, loadSeconds} on stdout.
// Runs until stdin closes or SIGTERM, so it never outlives the benchmark that started it.
//   emulator-child.ts '<json EmulatorChildOptions>'
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_USERS, startEmulator } from '../../emulator/index.ts';
import { createReplayEngine } from '../../emulator/import/index.ts';
import { generateScenario, loadScenario, presetOptions, type PresetOverrides, type ScenarioView } from '../../emulator/scenario/index.ts';

export interface EmulatorChildOptions {
  readonly preset: 'demo' | 'quiet' | 'large';
  readonly seed?: string;
  readonly users?: number;
  readonly days?: number;
  readonly queriesPerDay?: number;
  /** The scenario's virtual now (ISO). */
  readonly end: string;
  /** Views to load; default every view of the scenario. */
  readonly views?: readonly ScenarioView[];
  /** DuckDB memory_limit (default 256MB); data beyond it stays in the database file. */
  readonly memoryLimit?: string;
  /** Statement cost model for the warehouse report (default: measured wall time). */
  readonly statementCost?: { readonly baseMs?: number; readonly perRowMs?: number };
}

export interface EmulatorChildReady {
  readonly url: string;
  readonly rows: number;
  readonly loadSeconds: number;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as EmulatorChildOptions;
  const overrides: PresetOverrides = { end: new Date(options.end) };
  if (options.seed !== undefined) overrides.seed = options.seed;
  if (options.users !== undefined) overrides.users = options.users;
  if (options.days !== undefined) overrides.days = options.days;
  if (options.queriesPerDay !== undefined) overrides.queriesPerDay = options.queriesPerDay;
  const scenario = generateScenario(presetOptions(options.preset, overrides));
  const directory = mkdtempSync(join(tmpdir(), 'bench-emulator-'));
  const started = performance.now();
  const engine = await createReplayEngine({
    now: scenario.end,
    noLatency: true,
    engineOptions: {
      databasePath: join(directory, 'account.duckdb'),
      memoryLimit: options.memoryLimit ?? '256MB',
      ...(options.statementCost === undefined ? {} : { statementCost: options.statementCost }),
    },
  });
  const load = await loadScenario(engine, scenario, options.views === undefined ? {} : { views: [...options.views] });
  const emulator = await startEmulator({ engine, ownsEngine: true, users: DEMO_USERS });
  const ready: EmulatorChildReady = {
    url: emulator.url.origin,
    rows: load.totalRows,
    loadSeconds: (performance.now() - started) / 1000,
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  await new Promise<void>((resolve) => {
    process.stdin.on('close', resolve).on('end', resolve).resume();
    process.once('SIGTERM', resolve);
  });
  // A SIGTERM leaves stdin open (its writer is still there); it must not keep this process alive.
  process.stdin.destroy();
  await emulator.close();
  rmSync(directory, { recursive: true, force: true });
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    process.stderr.write(`emulator child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
