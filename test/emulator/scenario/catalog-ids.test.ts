// The ground truth names detections by the exporter's ids. The emulator may not import src/, so its copy of the ids
// is checked here against the text of src/detect/catalog-ids.ts (tests may look across the boundary).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { GROUND_TRUTH_DETECTION_IDS } from '../../../emulator/scenario/index.ts';
import { demoScenario } from './helpers.ts';

const catalogText = await readFile(new URL('../../../src/detect/catalog-ids.ts', import.meta.url), 'utf8');
const listBody = /BUILT_IN_DETECTION_IDS\s*=\s*\[([\s\S]*?)\]\s*as const/.exec(catalogText)?.[1] ?? '';
const exporterIds = new Set([...listBody.matchAll(/'([a-z][a-z0-9]*\.[a-z][a-z0-9_]*)'/g)].map((m) => m[1]));

test('src/detect/catalog-ids.ts could be read and parsed', () => {
  assert.ok(exporterIds.size >= 20, `only ${exporterIds.size} ids parsed`);
});

test('every detection id the ground truth may use exists in the exporter catalog', () => {
  for (const id of GROUND_TRUTH_DETECTION_IDS) assert.ok(exporterIds.has(id), `${id} is not in src/detect/catalog-ids.ts`);
});

test('every id emitted by the demo scenario (incidents and near-misses) exists in the exporter catalog', () => {
  const scenario = demoScenario();
  for (const entry of [...scenario.groundTruth.incidents, ...scenario.groundTruth.nearMisses]) {
    assert.ok(exporterIds.has(entry.detectionId), `${entry.detectionId} is not in src/detect/catalog-ids.ts`);
  }
});
