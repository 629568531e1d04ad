// Child process for the read-only test: opens the store at argv[2] and tries a write, printing what happened as one
// JSON line. It runs as its own process so the parent can start it as an unprivileged user when tests run as root
// (root ignores file modes, so a chmod alone would prove nothing).
import { openStateStore, StateStoreError } from '../../src/state/index.ts';

const path = process.argv[2] ?? '';
const outcome: Record<string, unknown> = {};
function kindOf(error: unknown): string {
  return error instanceof StateStoreError ? error.kind : `untyped:${String(error)}`;
}
try {
  const store = openStateStore({ path, busyTimeoutMs: 100 });
  outcome.opened = true;
  try {
    outcome.watermark = store.getPosition('acct', 'query_history')?.watermark.toISOString() ?? null;
  } catch (error) {
    outcome.readError = kindOf(error);
  }
  try {
    store.commit('acct', 'query_history', ['q-new'], new Date('2030-01-01T00:00:00Z'));
    outcome.committed = true;
  } catch (error) {
    outcome.commitError = kindOf(error);
  }
  store.close();
} catch (error) {
  outcome.openError = kindOf(error);
  outcome.openMessage = error instanceof Error ? error.message : String(error);
}
process.stdout.write(`${JSON.stringify(outcome)}\n`);
