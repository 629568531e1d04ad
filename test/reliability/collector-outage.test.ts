// Reliability, OTLP collector outage: the collector answers 503 for several cycles, then is gone altogether
// (connections refused) for several more, while new rows keep surfacing; then it is back. Cycles end at their deadline
// while the collector is away, /metrics keeps answering and says what is failing, and no watermark moves past an
// unacknowledged event. Judged downstream: every event the emulator holds arrives, none twice.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseExposition } from '../helpers/exporter-harness.ts';
import { assertDeliveredExactlyOnce, assertNoSecrets, rigOutputs } from '../helpers/reliability-assert.ts';
import { rigFor } from '../helpers/reliability-rig.ts';

const total = (text: string, name: string): number =>
  parseExposition(text)
    .filter((sample) => sample.name === name)
    .reduce((sum, sample) => sum + sample.value, 0);

it('collector down for several cycles (503, then refused), then back: every event downstream exactly once', async (t) => {
  const rig = await rigFor(t, { seed: 0xc011, account: { cycleDeadlineSeconds: 4 }, otlpTimeoutSeconds: 1 });
  await rig.history(200, 60);
  // A first clean cycle: the watermarks exist, and the outage starts from a committed position.
  assert.equal((await rig.cycle())?.outcome, 'ok');
  const watermark = (): number | undefined => rig.exporter.store.getPosition(rig.account.name, 'query_history')?.watermark.getTime();
  const before = watermark();

  rig.receiver.plan = () => ({ status: 503 });
  const outcomes: string[] = [];
  for (let round = 0; round < 3; round++) {
    await rig.fresh(40, 10);
    rig.advance(60);
    outcomes.push((await rig.cycle())?.outcome ?? 'overlap');
    assert.ok(total(await rig.scrape(), 'snowflake_risk_otlp_failed_records_total') > 0, '/metrics answers and counts the failures');
  }
  await rig.collectorDown();
  for (let round = 0; round < 2; round++) {
    await rig.fresh(40, 10);
    rig.advance(60);
    outcomes.push((await rig.cycle())?.outcome ?? 'overlap');
    await rig.scrape();
  }
  assert.ok(outcomes.every((outcome) => outcome !== 'ok'), `no cycle ends ok while the collector is away: ${outcomes.join(', ')}`);
  assert.equal(watermark(), before, 'the query watermark did not move past unacknowledged events');

  await rig.collectorUp();
  rig.settle();
  const after = [await rig.cycle(), await rig.cycle(), await rig.cycle()].map((report) => report?.outcome);
  assert.equal(after.at(-1), 'ok', `cycles after the outage: ${after.join(', ')}; ${rig.logs.slice(-5).join('\n')}`);
  const result = await assertDeliveredExactlyOnce(rig);
  t.diagnostic(`during the outage: ${outcomes.join(', ')}; after: ${after.join(', ')}; ${result.events} events, each once`);
  assertNoSecrets(rig.secrets, rigOutputs(rig));
});
