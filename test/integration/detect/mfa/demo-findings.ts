// Runs every MFA and exfiltration detection against the demo scenario loaded into the emulator, the way the
// exporter would: SQL detections through runSqlDetection (executed for real in DuckDB), event detections on the
// QueryEvents the real QUERY_HISTORY stream source produces (default query-text policy), posture detections on the
// snapshot the real SHOW PARAMETERS source publishes. Shared by the MFA, exfiltration and ground-truth tests.
import type { QueryEvent } from '../../../../src/collect/events.ts';
import { ParametersPostureSource, QueryHistorySource } from '../../../../src/collect/sources/index.ts';
import { MFA_EXFIL_DETECTIONS } from '../../../../src/detect/catalog/mfa-exfil.ts';
import { runSqlDetection } from '../../../../src/detect/run-sql-detection.ts';
import type { Detection, FindingDraft } from '../../../../src/detect/types.ts';
import { generateScenario, loadScenario, presetOptions, type Scenario } from '../../../../emulator/scenario/index.ts';
import { startKeyPairEmulator, type KeyPairEmulator } from '../../../helpers/emulator-account.ts';
import { InMemoryCollectionState, RecordingSourceContext } from '../../../helpers/emulator-source-context.ts';

/** A fixed end keeps the scenario (and so every expectation) identical from run to run. */
export const DEMO_END = new Date('2026-11-25T18:00:00Z');
const DAY_MS = 86_400_000;

export interface DemoFindings {
  readonly scenario: Scenario;
  readonly emulator: KeyPairEmulator;
  readonly queryEvents: readonly QueryEvent[];
  /** Findings per detection id (both rules of exfil.guardrail_disabled under the one id, tagged by kind). */
  readonly findings: ReadonlyMap<string, readonly (FindingDraft & { readonly kind: Detection['kind'] })[]>;
}

/** The caller closes `emulator` when done (it is closed here if the run fails). */
export async function runDemoDetections(detections: readonly Detection[] = MFA_EXFIL_DETECTIONS): Promise<DemoFindings> {
  const emulator = await startKeyPairEmulator({ start: DEMO_END });
  try {
    return await detectOnDemo(emulator, detections);
  } catch (error) {
    await emulator.close();
    throw error;
  }
}

async function detectOnDemo(emulator: KeyPairEmulator, detections: readonly Detection[]): Promise<DemoFindings> {
  const scenario = generateScenario(presetOptions('demo', { end: DEMO_END }));
  await loadScenario(emulator.engine, scenario);
  const now = emulator.now();
  const window = { from: new Date(new Date(scenario.groundTruth.window.start).getTime() - DAY_MS), to: now };

  const state = new InMemoryCollectionState();
  const context = new RecordingSourceContext({ account: emulator.account, client: emulator.client, snowflakeNow: now, state });
  await new QueryHistorySource({ backfillSeconds: (now.getTime() - window.from.getTime()) / 1000 }).run(context);
  await new ParametersPostureSource().run(context);
  const queryEvents = state.eventsOf('query');
  const parameters = state.posture('parameters');
  if (parameters === undefined) throw new Error('the parameters snapshot was not published');

  const findings = new Map<string, (FindingDraft & { kind: Detection['kind'] })[]>();
  const add = (id: string, kind: Detection['kind'], drafts: Iterable<FindingDraft>): void => {
    const list = findings.get(id) ?? [];
    for (const draft of drafts) list.push({ ...draft, kind });
    findings.set(id, list);
  };
  for (const detection of detections) {
    if (detection.kind === 'sql') {
      const drafts: FindingDraft[] = [];
      for await (const draft of runSqlDetection({ client: emulator.client, detection, window, parameters: {} })) drafts.push(draft);
      add(detection.id, 'sql', drafts);
    } else if (detection.kind === 'event') {
      if (detection.eventKind !== 'query') throw new Error(`${detection.id}: only query events are expected in this family`);
      const rule = detection;
      add(detection.id, 'event', queryEvents.flatMap((event) => {
        const draft = rule.match(event, {});
        return draft === null ? [] : [draft];
      }));
    } else {
      add(detection.id, 'posture', detection.evaluate(parameters, {}));
    }
  }
  return { scenario, emulator, queryEvents, findings };
}

/** Sorted, stringified evidence ids: ground truth ids may be numbers (LOGIN_HISTORY EVENT_ID). */
export function evidenceKey(ids: readonly (string | number)[]): string {
  return ids.map(String).sort().join('|');
}
