// Fan-out for the engine's reports: the engine reports once, and the metrics and the landing page's status board
// both see it. One listener's exception never reaches the engine nor stops the others.
import type { CollectionObserver } from '../../collect/observer.ts';
import type { PostureSnapshot } from '../../collect/posture.ts';

/** Receives the latest successful posture snapshots (SourceContext.publishPosture forwards here). */
export interface PostureListener {
  publishPosture(snapshot: PostureSnapshot): void;
}

export type CollectionReporter = CollectionObserver & PostureListener;

type Listener = CollectionObserver & Partial<PostureListener>;

export function combineObservers(
  listeners: readonly Listener[],
  onError: (error: unknown) => void = () => {},
): CollectionReporter {
  const each = (call: (listener: Listener) => void): void => {
    for (const listener of listeners) {
      try {
        call(listener);
      } catch (error) {
        try {
          onError(error);
        } catch {
          // The error reporter failing must not reach the engine either.
        }
      }
    }
  };
  return {
    sourceSucceeded: (outcome) => each((l) => l.sourceSucceeded(outcome)),
    sourceFailed: (account, source, kind, at, failure) => each((l) => l.sourceFailed(account, source, kind, at, failure)),
    sourceSkipped: (account, source, reason, detail) => each((l) => l.sourceSkipped(account, source, reason, detail)),
    cycleFinished: (account, outcome, duration, failure) => each((l) => l.cycleFinished(account, outcome, duration, failure)),
    cost: (cost) => each((l) => l.cost(cost)),
    budgetState: (account, today, budget, exhausted) => each((l) => l.budgetState(account, today, budget, exhausted)),
    accountUp: (account, up) => each((l) => l.accountUp(account, up)),
    sqlApiEvent: (account, event) => each((l) => l.sqlApiEvent(account, event)),
    operationFailed: (account, operation, failure) => each((l) => l.operationFailed?.(account, operation, failure)),
    publishPosture: (snapshot) => each((l) => l.publishPosture?.(snapshot)),
  };
}
