// `npm run generate`: rewrites every generated block listed in scripts/generated-files.ts and says which changed.
import { writeFile } from 'node:fs/promises';
import { GENERATED_BLOCKS, REPOSITORY_ROOT, expectedText } from './generated-files.ts';

for (const generated of GENERATED_BLOCKS) {
  const { current, expected } = await expectedText(generated);
  if (current === expected) {
    console.log(`unchanged ${generated.path} (${generated.block})`);
  } else {
    await writeFile(new URL(generated.path, REPOSITORY_ROOT), expected);
    console.log(`rewrote   ${generated.path} (${generated.block})`);
  }
}
