// Whether the state store can do its job right now, so the exporter never reports healthy while its store is broken.
// The store reports every operation's outcome here; the exporter listens and turns a change into /readyz, the
// snowflake_risk_up gauges and a log line.
//
// What counts:
// - failures that say the file cannot be read or written (full, readonly, io, locked) make the store unhealthy until
//   the failing operation succeeds again. A failed commit is tracked per (account, stream), because the delivery
//   pipeline retries exactly that commit every cycle: a small write elsewhere succeeding on a nearly full disk proves
//   nothing about the batch that did not fit. Any other failed operation (the cycle history, a key/value row, an
//   expiry, a token row) is also cleared by the next successful commit, since it may not run again for hours.
// - a damaged file (corrupt) and a file that is no longer the one opened (deleted) are not retried at all: every
//   operation is refused until the file is back (deleted: the same file at the path again) or the exporter restarts.
// - bugs (internal), use after close and schema refusals are not a state of the file and do not count.
import type { StateStoreError, StateStoreErrorKind } from './errors.ts';

export type StateStoreHealth =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** The failure that best explains the state: a refusal of the file first, else the latest failure. */
      readonly error: StateStoreError;
      /** When the store stopped being healthy. */
      readonly since: Date;
    };

export type StateStoreHealthListener = (health: StateStoreHealth) => void;

const RETRIED_KINDS: ReadonlySet<StateStoreErrorKind> = new Set(['full', 'readonly', 'io', 'locked']);
/** Kinds after which the store touches the file no more. */
export const REFUSING_KINDS: ReadonlySet<StateStoreErrorKind> = new Set(['corrupt', 'deleted']);

/** The key of a commit's target: its own success is what clears its failure. */
export function commitKey(account: string, stream: string): string {
  return JSON.stringify(['commit', account, stream]);
}

export class StoreHealthTracker {
  readonly #now: () => Date;
  readonly #listeners: StateStoreHealthListener[] = [];
  /** Failing operations (commit targets by commitKey, others by operation name), latest failure last. */
  readonly #failing = new Map<string, StateStoreError>();
  #refusal: StateStoreError | undefined;
  #since: Date | undefined;

  constructor(now: () => Date) {
    this.#now = now;
  }

  get current(): StateStoreHealth {
    const error = this.#error();
    return error === undefined ? { ok: true } : { ok: false, error, since: this.#since ?? this.#now() };
  }

  #error(): StateStoreError | undefined {
    return this.#refusal ?? [...this.#failing.values()].at(-1);
  }

  /** The refusal in force (corrupt or deleted), if any: the store then refuses every operation with it. */
  get refusal(): StateStoreError | undefined {
    return this.#refusal;
  }

  onChange(listener: StateStoreHealthListener): void {
    this.#listeners.push(listener);
  }

  succeeded(key: string, isCommit: boolean): void {
    this.#update(() => {
      this.#failing.delete(key);
      if (isCommit) for (const failed of [...this.#failing.keys()]) if (!failed.startsWith('["commit"')) this.#failing.delete(failed);
    });
  }

  failed(key: string, error: StateStoreError): void {
    if (REFUSING_KINDS.has(error.kind)) this.refuse(error);
    else if (RETRIED_KINDS.has(error.kind)) {
      this.#update(() => {
        this.#failing.delete(key); // re-inserted last: the latest failure is the one reported
        this.#failing.set(key, error);
      });
    }
  }

  /** From now on every operation is refused with `error` (corrupt or deleted), until `clearRefusal`. */
  refuse(error: StateStoreError): void {
    if (this.#refusal?.kind === error.kind) return;
    this.#update(() => {
      this.#refusal = error;
    });
  }

  /** The file is back (the same one at the path again): operations are allowed, and tried, again. */
  clearRefusal(kind: StateStoreErrorKind): void {
    if (this.#refusal?.kind !== kind) return;
    this.#update(() => {
      this.#refusal = undefined;
    });
  }

  #update(change: () => void): void {
    const before = this.current;
    change();
    if (this.#error() === undefined) this.#since = undefined;
    else if (before.ok) this.#since = this.#now();
    const after = this.current;
    const changed = before.ok !== after.ok || (!before.ok && !after.ok && before.error.kind !== after.error.kind);
    if (!changed) return;
    for (const listener of this.#listeners) {
      try {
        listener(after);
      } catch {
        // A listener's failure must never turn into a store failure.
      }
    }
  }
}

/** What an operator should do about a store failure of this kind, naming the file. */
export function operatorAdvice(kind: StateStoreErrorKind, path: string): string {
  switch (kind) {
    case 'full':
      return `the volume holding ${path} is full: free space or grow it; nothing is lost meanwhile (no watermark moves), and collection catches up once writes succeed`;
    case 'readonly':
      return `${path} or its directory cannot be written by this process: make them writable for the exporter's user, or remount the volume read-write`;
    case 'io':
      return `the operating system refused a read or write of ${path} (a failing or full disk, a read-only remount, a file size limit): nothing is lost meanwhile, and collection catches up once writes succeed`;
    case 'locked':
      return `another process holds the lock on ${path}: only one exporter may use a state file`;
    case 'corrupt':
      return damagedFileAdvice(path);
    case 'deleted':
      return (
        `${path} was deleted or replaced while the exporter ran: it commits nothing until the same file is back at that path ` +
        `or it is restarted. A restart uses the file found at the path (a restored backup) or creates an empty one; ${EMPTY_FILE_COST}`
      );
    default:
      return `see the exporter's log for ${path}`;
  }
}

/** What starting over with an empty state file costs, for the messages that suggest it. */
export const EMPTY_FILE_COST =
  'an empty state file makes every account read its backfill window again (records already delivered in that window ' +
  'are sent again, under the same record ids, so downstream can drop them) and every OAuth account must be connected ' +
  'again at /oauth/start';

export function damagedFileAdvice(path: string): string {
  return (
    `restore ${path} from a backup, or delete it (and ${path}-wal beside it) to start with an empty one; ` +
    `${EMPTY_FILE_COST}. Then restart the exporter`
  );
}
