// The reliability suite's two judgements. Exactly once: the Snowflake events acknowledged downstream (the OTLP
// receiver), deduplicated, equal the events the emulator holds, and none was acknowledged twice (or, where a crash
// allows a repeat, only the ones the test names). No secret: none of the rig's secrets appears in any text the
// exporter produced.
import assert from 'node:assert/strict';
import type { Rig } from './reliability-rig.ts';

export interface ExactlyOnceReport {
  readonly events: number;
  readonly repeats: readonly string[];
}

/**
 * Asserts that the distinct event ids acknowledged downstream equal the emulator's, and that ids acknowledged more
 * than once are all in `allowedRepeats` (default: none). Returns the figures for a diagnostic line.
 */
export async function assertDeliveredExactlyOnce(rig: Rig, allowedRepeats: ReadonlySet<string> = new Set()): Promise<ExactlyOnceReport> {
  const expected = await rig.emulatorEventIds();
  assert.ok(expected.length > 0, 'the emulator holds events');
  const counts = rig.deliveredCounts();
  const delivered = [...counts.keys()].sort();
  const missing = expected.filter((id) => !counts.has(id));
  const foreign = delivered.filter((id) => !expected.includes(id));
  assert.deepEqual({ missing: missing.slice(0, 20), foreign: foreign.slice(0, 20) }, { missing: [], foreign: [] }, 'nothing lost, nothing foreign');
  assert.equal(delivered.length, expected.length);
  const repeats = [...counts].filter(([, count]) => count > 1).map(([id]) => id).sort();
  const unexplained = repeats.filter((id) => !allowedRepeats.has(id));
  assert.deepEqual(unexplained, [], 'nothing acknowledged twice');
  return { events: expected.length, repeats };
}

/** Asserts that no secret (or a 16+ character line of one) appears in any of the named texts. */
export function assertNoSecrets(secrets: readonly string[], texts: Readonly<Record<string, string>>): void {
  assert.ok(secrets.length > 0, 'the check knows at least one secret');
  for (const [where, text] of Object.entries(texts)) {
    for (const secret of secrets) {
      if (secret.length < 8) continue;
      assert.ok(!text.includes(secret), `a secret (${secret.length} characters) appears in ${where}`);
    }
  }
}

/** Everything a rig's exporter produced, by where it went. */
export function rigOutputs(rig: Rig): Record<string, string> {
  return {
    log: rig.logs.join('\n'),
    metrics: rig.scrapes.join('\n'),
    'OTLP records': JSON.stringify(rig.received()),
  };
}
