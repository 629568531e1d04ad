// Each incident family stands alone: generated on its own it labels only its own detections, with evidence that
// exists, and the smallest account that can hold its cast is accepted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evidenceIdOf, generateScenario, INCIDENT_KINDS, type IncidentKind } from '../../../emulator/scenario/index.ts';
import { FIXED_END, materialise } from './helpers.ts';

/** Users each family needs: the 6 baseline users, its cast, and 7 bystanders for the password spray. */
const MINIMUM_USERS: Record<IncidentKind, number> = {
  mfa_posture: 10, service_password_login: 7, stage_chain: 8, external_unload: 7, volume_spike: 7, guardrail_disabled: 6,
  policy_removed: 7, share_exposure: 7, reader_account: 6, listing: 7, suspicious_login: 8, privileged_grant: 7,
  brute_force: 15, dormant_login: 8, new_client: 7, security_policy: 7, identity_change: 10, grant_to_public: 7, trust_center: 6,
};

for (const kind of INCIDENT_KINDS) {
  test(`family ${kind} alone`, () => {
    const users = MINIMUM_USERS[kind];
    assert.throws(() => generateScenario({ seed: kind, users: users - 1, days: 4, queriesPerDay: 150, end: FIXED_END, accountName: 'SOLO', incidents: [kind] }), /users must be at least/);
    const scenario = generateScenario({ seed: kind, users, days: 4, queriesPerDay: 150, end: FIXED_END, accountName: 'SOLO', incidents: [kind] });
    const data = materialise(scenario);
    const kinds = new Set(scenario.groundTruth.incidents.map((i) => i.kind));
    assert.ok([...kinds].every((k) => k === kind), `foreign labels: ${[...kinds].join(', ')}`);
    if (kind !== 'trust_center') assert.ok(scenario.groundTruth.incidents.length > 0, 'no incident labelled');
    for (const entry of [...scenario.groundTruth.incidents, ...scenario.groundTruth.nearMisses]) {
      const ids = new Set(data[entry.evidenceView].map((r) => evidenceIdOf(entry.evidenceView, r)));
      for (const id of entry.evidenceIds) assert.ok(ids.has(id), `${entry.detectionId}: ${id} missing from ${entry.evidenceView}`);
    }
  });
}
