// Precision and recall of the share/auth/priv/posture detections on the demo scenario: every detection's findings
// against the ground-truth incidents of its id, matched on user and evidence ids. SQL detections run in the
// emulator over the scenario's window; share event detections run on the real share stream's events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SHARE_AUTH_PRIV_DETECTIONS } from '../../../src/detect/catalog/share-auth-priv.ts';
import type { FindingDraft } from '../../../src/detect/types.ts';
import { demoAccount, demoParameters, incidentsOf, keyOf, runSql, shareEvents } from './auth/demo-account.ts';

describe('share/auth/priv/posture detections on the demo scenario', () => {
  for (const seed of ['share-auth-priv', 'second-seed']) it(`reach precision 1.0 and recall 1.0 per detection (seed ${seed})`, async (t) => {
    const demo = await demoAccount(t, seed);
    const parameters = demoParameters(demo.scenario);
    const backfill = Math.ceil((demo.window.to.getTime() - demo.window.from.getTime()) / 1000);
    const events = await shareEvents(demo.e, backfill);
    const rows: string[] = [];
    const failures: string[] = [];
    for (const detection of SHARE_AUTH_PRIV_DETECTIONS) {
      let drafts: FindingDraft[];
      if (detection.kind === 'sql') drafts = await runSql(demo, detection, demo.window, parameters);
      else if (detection.kind === 'event' && detection.eventKind === 'share') {
        drafts = events.map((event) => detection.match(event, parameters)).filter((draft): draft is FindingDraft => draft !== null);
      } else throw new Error(`no runner in this test for ${detection.id}`);
      const expected = new Set(incidentsOf(demo.scenario, detection.id).map((incident) => keyOf(incident.user, incident.evidenceIds)));
      const found = new Set(drafts.map((draft) => keyOf(draft.user, draft.evidenceIds)));
      const truePositives = [...found].filter((key) => expected.has(key)).length;
      const precision = found.size === 0 ? (expected.size === 0 ? 1 : 0) : truePositives / found.size;
      const recall = expected.size === 0 ? 1 : truePositives / expected.size;
      rows.push(`${detection.id.padEnd(32)} findings=${String(found.size).padStart(2)} incidents=${String(expected.size).padStart(2)} precision=${precision.toFixed(2)} recall=${recall.toFixed(2)}`);
      if (precision !== 1 || recall !== 1 || expected.size === 0) {
        failures.push(`${detection.id}: expected ${JSON.stringify([...expected])}, found ${JSON.stringify([...found])}`);
      }
    }
    console.log(`seed ${seed}\n${rows.join('\n')}`);
    assert.deepEqual(failures, []);
  });

  it('find nothing on the quiet control account (same activity, no incidents)', async (t) => {
    const quiet = await demoAccount(t, 'share-auth-priv', 'quiet');
    const parameters = demoParameters(quiet.scenario);
    const backfill = Math.ceil((quiet.window.to.getTime() - quiet.window.from.getTime()) / 1000);
    const events = await shareEvents(quiet.e, backfill);
    const found: string[] = [];
    for (const detection of SHARE_AUTH_PRIV_DETECTIONS) {
      const drafts = detection.kind === 'sql'
        ? await runSql(quiet, detection, quiet.window, parameters)
        : detection.kind === 'event' && detection.eventKind === 'share'
          ? events.map((event) => detection.match(event, parameters)).filter((draft) => draft !== null)
          : [];
      for (const draft of drafts) found.push(`${detection.id}: ${draft.reason}`);
    }
    assert.deepEqual(found, []);
  });
});
