// Many accounts on one emulator, for the reliability suite and the benchmarks: one key-pair emulator (as
// test/helpers/emulator-account.ts starts it) loaded with the demo scenario's activity, and N AccountConfigs that
// sign in as its user under different account names. Each account reads the same rows, so every account delivers the
// same event ids under its own name: the expected set downstream is (account x emulator rows).
import type { TestContext } from 'node:test';
import { generateScenario, loadScenario, presetOptions, type PresetOverrides } from '../../emulator/scenario/index.ts';
import type { AccountConfig, ExporterConfig, OtlpConfig } from '../../src/config/types.ts';
import { BUILT_IN_DETECTION_IDS } from '../../src/detect/catalog-ids.ts';
import { startKeyPairEmulator, type KeyPairEmulator, type KeyPairEmulatorOptions } from './emulator-account.ts';
import { exporterConfigFor } from './exporter-harness.ts';

export interface FleetOptions extends KeyPairEmulatorOptions {
  /** How many accounts (named acct00, acct01, ...). */
  readonly accounts: number;
  /** The demo preset's size; its activity ends at `scenarioEnd` (default: the emulator's start). */
  readonly scenario?: Pick<PresetOverrides, 'users' | 'days' | 'queriesPerDay' | 'seed'>;
  readonly scenarioEnd?: Date;
  /** Set the emulator's clock to the scenario's end (default true); false keeps it at `start` (rows surface later). */
  readonly clockAtScenarioEnd?: boolean;
  /** Detections enabled on every account: 'all' (the default configuration) or none. Default 'all'. */
  readonly detections?: 'all' | 'none';
  /** Settings applied to every account over the emulator's defaults. */
  readonly accountOverrides?: Partial<AccountConfig>;
}

export interface Fleet {
  readonly emulator: KeyPairEmulator;
  readonly accounts: readonly AccountConfig[];
  /** The loader's configuration for all accounts with the state at `statePath` (and OTLP when given). */
  config(statePath: string, otlp?: OtlpConfig): ExporterConfig;
  close(): Promise<void>;
}

export function fleetAccountName(index: number): string {
  return `acct${String(index).padStart(2, '0')}`;
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const e = await startKeyPairEmulator(options);
  try {
    if (options.scenario !== undefined) {
      const end = options.scenarioEnd ?? e.now();
      const scenario = generateScenario(presetOptions('demo', { ...options.scenario, end }));
      await loadScenario(e.engine, scenario, { setClock: options.clockAtScenarioEnd ?? true });
    }
  } catch (error) {
    await e.close();
    throw error;
  }
  const detections = options.detections === 'none' ? [] : [...BUILT_IN_DETECTION_IDS];
  const accounts = Array.from({ length: options.accounts }, (_, i) => ({
    ...e.account,
    name: fleetAccountName(i),
    detections,
    jitterSeconds: 0,
    ...options.accountOverrides,
  }));
  return {
    emulator: e,
    accounts,
    config(statePath, otlp) {
      const base = exporterConfigFor(accounts[0] ?? e.account, statePath);
      return { ...base, accounts, ...(otlp === undefined ? {} : { otlp }) };
    },
    close: () => e.close(),
  };
}

/** startFleet, closed when the test ends. */
export async function fleetFor(t: TestContext, options: FleetOptions): Promise<Fleet> {
  const fleet = await startFleet(options);
  t.after(() => fleet.close());
  return fleet;
}
