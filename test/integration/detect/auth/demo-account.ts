// Test support for the share/auth/priv/posture detections: an emulated account loaded with the demo scenario (the
// whole generator, incidents and near-misses included), a way to run a SQL detection over the scenario's window,
// and the real share stream's events for the event detections. Everything runs for real: JWT sign-in, SQL API,
// DuckDB; the approved consumer accounts and IOC IPs come from the scenario's ground truth, passed as parameters.
import type { TestContext } from 'node:test';
import { generateScenario, loadScenario, presetOptions, type Scenario } from '../../../../emulator/scenario/index.ts';
import type { ShareEvent } from '../../../../src/collect/events.ts';
import { SharesSource } from '../../../../src/collect/sources/index.ts';
import { runSqlDetection } from '../../../../src/detect/run-sql-detection.ts';
import type { FindingDraft, ParameterValues, SqlDetection } from '../../../../src/detect/types.ts';
import { keyPairEmulatorFor, type KeyPairEmulator } from '../../../helpers/emulator-account.ts';
import { InMemoryCollectionState, RecordingSourceContext } from '../../../helpers/emulator-source-context.ts';

export const DEMO_END = new Date('2026-11-25T06:00:00Z');

export interface DemoAccount {
  readonly e: KeyPairEmulator;
  readonly scenario: Scenario;
  /** From the scenario's window start to the clock (end), i.e. everything the scenario generated in its window. */
  readonly window: { readonly from: Date; readonly to: Date };
}

export async function demoAccount(t: TestContext, seed = 'share-auth-priv', preset: 'demo' | 'quiet' = 'demo'): Promise<DemoAccount> {
  const scenario = generateScenario(presetOptions(preset, { seed, end: DEMO_END }));
  const e = await keyPairEmulatorFor(t, { start: DEMO_END });
  await loadScenario(e.engine, scenario);
  return { e, scenario, window: { from: new Date(scenario.groundTruth.window.start), to: e.now() } };
}

/** The parameters the demo account is configured with (its approved consumers and IOC list). */
export function demoParameters(scenario: Scenario): ParameterValues {
  return { approvedConsumerAccounts: scenario.groundTruth.approvedConsumerAccounts, iocIps: scenario.groundTruth.iocIps };
}

export async function runSql(account: { readonly e: KeyPairEmulator }, detection: SqlDetection, window: { readonly from: Date; readonly to: Date }, parameters: ParameterValues = {}): Promise<FindingDraft[]> {
  const drafts: FindingDraft[] = [];
  for await (const draft of runSqlDetection({ client: account.e.client, detection, window, parameters })) drafts.push(draft);
  return drafts;
}

/** The share stream's events, read by the real SharesSource with a first-run backfill covering `sinceMs`. */
export async function shareEvents(e: KeyPairEmulator, backfillSeconds: number): Promise<ShareEvent[]> {
  const state = new InMemoryCollectionState();
  const context = new RecordingSourceContext({ account: e.account, client: e.client, snowflakeNow: e.now(), state });
  await new SharesSource({ backfillSeconds }).run(context);
  return state.eventsOf('share');
}

/** The ground-truth incidents / near-misses of one detection. */
export function incidentsOf(scenario: Scenario, detectionId: string): Scenario['groundTruth']['incidents'] {
  return scenario.groundTruth.incidents.filter((incident) => incident.detectionId === detectionId);
}

export function nearMissesOf(scenario: Scenario, detectionId: string): Scenario['groundTruth']['nearMisses'] {
  return scenario.groundTruth.nearMisses.filter((miss) => miss.detectionId === detectionId);
}

/** user + sorted evidence ids: the identity a finding and an incident are compared on. */
export function keyOf(user: string | null, evidenceIds: readonly (string | number)[]): string {
  return `${user ?? '-'} ${evidenceIds.map(String).sort().join(',')}`;
}
