// Generated content must be current: a catalog change without `npm run generate` fails here, naming the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GENERATED_BLOCKS, GENERATED_FILES, expectedFile, expectedText, replaceBlock } from '../../scripts/generated-files.ts';

for (const generated of GENERATED_BLOCKS) {
  test(`${generated.path} block '${generated.block}' is current (run npm run generate)`, async () => {
    const { current, expected } = await expectedText(generated);
    assert.equal(current, expected, `${generated.path} is stale: run npm run generate`);
  });
}

for (const generated of GENERATED_FILES) {
  test(`${generated.path} is current (run npm run generate)`, async () => {
    const { current, expected } = await expectedFile(generated);
    assert.notEqual(current, undefined, `${generated.path} is missing: run npm run generate`);
    assert.equal(current, expected, `${generated.path} is stale: run npm run generate`);
  });
}

test('replaceBlock swaps only the content between the markers and refuses missing markers', () => {
  const text = 'a\n<!-- BEGIN GENERATED: x (npm run generate) -->\nold\n<!-- END GENERATED: x -->\nb\n';
  assert.equal(replaceBlock(text, 'x', 'new'), 'a\n<!-- BEGIN GENERATED: x (npm run generate) -->\nnew\n<!-- END GENERATED: x -->\nb\n');
  assert.throws(() => replaceBlock('no markers', 'x', 'new'), /markers of generated block 'x' not found/);
});
