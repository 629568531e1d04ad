// The query-text policy decides what leaves the exporter in events, not what the in-process rules can judge. A
// guardrail switched off with a quoted literal (`= 'FALSE'`, redacted to `= ?` in the event) and a policy removal
// inside a statement whose text is not exported at all (`text: none`) must still raise their findings, while the
// delivered events carry only the policy's text. Real QUERY_HISTORY rows in the emulator, the real query source and
// detection runner.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryHistorySource } from '../../../../src/collect/sources/index.ts';
import type { QueryTextPolicy } from '../../../../src/collect/query-text.ts';
import { DetectionRegistry } from '../../../../src/detect/registry.ts';
import { DetectingSource } from '../../../../src/detect/runner/index.ts';
import { keyPairEmulatorFor } from '../../../helpers/emulator-account.ts';
import { InMemoryCollectionState, RecordingSourceContext } from '../../../helpers/emulator-source-context.ts';

const START = new Date('2026-11-20T12:00:00Z');
const GUARDRAIL_OFF = "ALTER ACCOUNT SET PREVENT_UNLOAD_TO_INLINE_URL = 'FALSE' /* change 4711 */";
const POLICY_REMOVED = "ALTER TABLE HR.PUBLIC.SALARIES MODIFY COLUMN SSN UNSET MASKING POLICY -- ticket 'SEC-12'";

function row(id: string, text: string, type: string): Record<string, unknown> {
  const end = new Date(START.getTime() - 2 * 3600_000);
  return {
    QUERY_ID: id,
    QUERY_TEXT: text,
    QUERY_TYPE: type,
    USER_NAME: 'MALLORY',
    ROLE_NAME: 'ACCOUNTADMIN',
    EXECUTION_STATUS: 'SUCCESS',
    QUERY_TAG: '',
    START_TIME: new Date(end.getTime() - 1000).toISOString(),
    END_TIME: end.toISOString(),
  };
}

describe('query event rules under every query-text policy', () => {
  const policies: readonly QueryTextPolicy[] = [{ mode: 'redact', maxLength: 4096 }, { mode: 'none' }, { mode: 'truncate', maxLength: 16 }, { mode: 'full' }];
  for (const policy of policies) {
    it(`text: ${policy.mode} — the rules judge the statement, the events carry only what the policy keeps`, async (t) => {
      const e = await keyPairEmulatorFor(t, { start: START });
      await e.engine.insertRows('QUERY_HISTORY', [row('q-guardrail', GUARDRAIL_OFF, 'ALTER_ACCOUNT'), row('q-policy', POLICY_REMOVED, 'ALTER_TABLE_MODIFY_COLUMN')]);
      const registry = new DetectionRegistry();
      const detections = registry.forAccount({ name: e.account.name, detections: ['exfil.guardrail_disabled', 'exfil.protection_policy_removed'] });
      const state = new InMemoryCollectionState();
      const context = new RecordingSourceContext({ account: e.account, client: e.client, snowflakeNow: e.now(), state });
      await new DetectingSource(new QueryHistorySource({ textPolicy: policy }), detections).run(context);

      const found = state.findings.map((finding) => `${finding.detectionId} ${finding.evidenceIds.join(',')}`).sort();
      assert.deepEqual(found, ['exfil.guardrail_disabled q-guardrail', 'exfil.protection_policy_removed q-policy']);

      const events = state.eventsOf('query');
      assert.equal(events.length, 2);
      const delivered = JSON.stringify({ events: state.deliveries.map((delivery) => delivery.events), findings: state.findings });
      if (policy.mode !== 'full') {
        // Neither the literals nor (under none) the statements leave in events or findings.
        assert.ok(!delivered.includes("'FALSE'") && !delivered.includes('SEC-12') && !delivered.includes('4711'), delivered);
      }
      if (policy.mode === 'none') assert.ok(events.every((event) => event.queryText === null));
      if (policy.mode === 'redact') assert.ok(events.some((event) => event.queryText?.includes('PREVENT_UNLOAD_TO_INLINE_URL = ?') === true), JSON.stringify(events.map((event) => event.queryText)));
    });
  }
});
