// RecentIds keeps exactly the last `capacity` distinct keys, in insertion order, across many wrap-arounds of its ring.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecentIds } from '../../../src/export/metrics/recent-ids.ts';
import { seeded } from '../../helpers/seeded-random.ts';

test('holds exactly the last `capacity` distinct keys across many evictions, repeats not counted', () => {
  const random = seeded(0x1d5);
  const capacity = 50;
  const ids = new RecentIds(capacity);
  const model: string[] = [];
  for (let i = 0; i < 5000; i++) {
    // Some keys come again while still held (no effect), some after they were evicted (held anew).
    const key = `k${Math.floor(random() * 400)}`;
    ids.add(key);
    if (!model.includes(key)) {
      model.push(key);
      if (model.length > capacity) model.shift();
    }
    if (i % 97 === 0) {
      assert.equal(ids.size, model.length);
      for (let k = 0; k < 400; k++) assert.equal(ids.has(`k${k}`), model.includes(`k${k}`), `step ${i}, key k${k}`);
    }
  }
});

test('add says whether the key is new; tiny capacities evict correctly through the table', () => {
  for (const capacity of [1, 2, 3, 7]) {
    const random = seeded(capacity);
    const ids = new RecentIds(capacity);
    const model: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const key = `key-${Math.floor(random() * (capacity * 3))}`;
      const isNew = !model.includes(key);
      assert.equal(ids.add(key), isNew, `capacity ${capacity}, step ${i}, ${key}`);
      if (isNew) {
        model.push(key);
        if (model.length > capacity) model.shift();
      }
      for (let k = 0; k < capacity * 3; k++) assert.equal(ids.has(`key-${k}`), model.includes(`key-${k}`));
    }
  }
});
