// Temporary directories for state store tests: real files on the real file system, removed after the test.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** A fresh directory under the OS temp dir, deleted (permissions restored first) when the test ends. */
export function tempStateDir(t: TestContext, prefix = 'sre-state-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
