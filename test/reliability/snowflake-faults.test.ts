// Reliability, Snowflake faults: 429 and 503 storms, answers slower than the cycle's deadline (timeouts), and
// connections dropped or cut in the middle of a result partition, injected by the emulator's seeded fault rules over
// several cycles while new rows keep surfacing. Then the faults stop, and clean cycles catch up. Judged downstream (the
// OTLP receiver): every event the emulator holds arrives, none twice. The faults must really have fired, and the
// exporter must have said so (retries and failed sources in its metrics), with no secret in what it wrote.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseExposition } from '../helpers/exporter-harness.ts';
import { assertDeliveredExactlyOnce, assertNoSecrets, rigOutputs } from '../helpers/reliability-assert.ts';
import { rigFor } from '../helpers/reliability-rig.ts';
import { scaled } from '../helpers/reliability-scale.ts';

const ROUNDS = scaled('RELIABILITY_FAULT_ROUNDS', 5, 12);

describe('Snowflake faults across cycles', () => {
  it('429/503 storms, timeouts and connections cut mid-partition: every event downstream exactly once', async (t) => {
    const rig = await rigFor(t, {
      seed: 0x5f_0429,
      // Small partitions, so each read spans several of them and "mid-partition" faults have partitions to cut.
      emulatorOptions: { partitionRows: 40 },
      // A short cycle deadline turns a slow answer into a timeout the exporter must recover from.
      account: { cycleDeadlineSeconds: 8 },
    });
    await rig.history(300, 90);
    rig.e.emulator.admin.setFaults({
      seed: 0x5f,
      rules: [
        // The first matching rule wins. Each kind of fault first fires for sure (count-limited rules): the seeded
        // draws of the storms below land on whichever requests come in which order, which the machine's speed moves,
        // and a run once passed without a single truncated partition.
        { id: 'slow', endpoint: 'status', action: { kind: 'delay', ms: 12_000 }, count: 2, minPartition: 1 },
        { id: 'dropped', endpoint: 'status', action: { kind: 'drop' }, count: 1, minPartition: 1 },
        { id: 'truncated', endpoint: 'status', action: { kind: 'truncate' }, count: 1, minPartition: 1 },
        { id: 'unavailable', endpoint: 'status', action: { kind: 'status', status: 503, retryAfterSeconds: 0 }, count: 1 },
        { id: 'throttle', endpoint: 'submit', action: { kind: 'status', status: 429, retryAfterSeconds: 0 }, count: 1 },
        // Then the storms.
        { id: 'dropped-storm', endpoint: 'status', action: { kind: 'drop' }, probability: 0.15, minPartition: 1 },
        { id: 'truncated-storm', endpoint: 'status', action: { kind: 'truncate' }, probability: 0.15, minPartition: 1 },
        { id: 'unavailable-storm', endpoint: 'status', action: { kind: 'status', status: 503, retryAfterSeconds: 0 }, probability: 0.1 },
        { id: 'throttle-storm', endpoint: 'submit', action: { kind: 'status', status: 429, retryAfterSeconds: 0 }, probability: 0.2 },
      ],
    });

    const outcomes: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await rig.fresh(50, 15);
      const report = await rig.cycle();
      outcomes.push(report?.outcome ?? 'overlap');
      rig.advance(30);
    }
    const fired = rig.e.emulator.admin.report().faultsFired;
    const during = await rig.scrape();

    // The faults end; the clock passes every latency; clean cycles catch up.
    rig.e.emulator.admin.setFaults({ rules: [] });
    rig.settle();
    const clean = [await rig.cycle(), await rig.cycle()];
    assert.deepEqual(clean.map((report) => report?.outcome), ['ok', 'ok'], rig.logs.slice(-10).join('\n'));

    const result = await assertDeliveredExactlyOnce(rig);
    for (const id of ['throttle', 'unavailable', 'dropped', 'truncated', 'slow']) {
      assert.ok(Object.keys(fired).some((key) => key.startsWith(`${id}:`)), `fault ${id} fired (${JSON.stringify(fired)})`);
    }
    const retries = parseExposition(during)
      .filter((sample) => sample.name === 'snowflake_risk_sql_api_retries_total')
      .reduce((sum, sample) => sum + sample.value, 0);
    t.diagnostic(`outcomes ${outcomes.join(', ')}; ${retries} retries; faults fired ${JSON.stringify(fired)}; ${result.events} events, each once`);
    assert.ok(outcomes.some((outcome) => outcome !== 'ok'), 'at least one faulty cycle did not end ok');
    assert.ok(retries > 0, 'the exporter reports its retries');
    await rig.scrape();
    assertNoSecrets(rig.secrets, rigOutputs(rig));
  });
});
