// `npm run generate`: rewrites every generated block and file listed in scripts/generated-files.ts and says which changed.
import { mkdir, writeFile } from 'node:fs/promises';
import { GENERATED_BLOCKS, GENERATED_FILES, REPOSITORY_ROOT, expectedFile, expectedText } from './generated-files.ts';

for (const generated of GENERATED_BLOCKS) {
  const { current, expected } = await expectedText(generated);
  if (current === expected) {
    console.log(`unchanged ${generated.path} (${generated.block})`);
  } else {
    await writeFile(new URL(generated.path, REPOSITORY_ROOT), expected);
    console.log(`rewrote   ${generated.path} (${generated.block})`);
  }
}

for (const generated of GENERATED_FILES) {
  const { current, expected } = await expectedFile(generated);
  if (current === expected) {
    console.log(`unchanged ${generated.path}`);
  } else {
    const target = new URL(generated.path, REPOSITORY_ROOT);
    await mkdir(new URL('./', target), { recursive: true });
    await writeFile(target, expected);
    console.log(`${current === undefined ? 'wrote    ' : 'rewrote  '} ${generated.path}`);
  }
}
