// Logs when a part of a source (source-parts.ts) becomes unavailable and when it is back, once per change rather
// than at every cycle: the metric snowflake_risk_source_part_unavailable holds the state, the log tells the operator
// when it changed and why. Bounded: one entry per (account, source, part) the sources report.
import type { SourceOutcome } from '../collect/observer.ts';

export type PartLog = (level: 'info' | 'warn', message: string) => void;

export class PartAvailabilityLog {
  readonly #log: PartLog;
  /** Key: account, source, part. Value: the reason it is unavailable, or undefined while available. */
  readonly #state = new Map<string, string | undefined>();

  constructor(log: PartLog) {
    this.#log = log;
  }

  sourceSucceeded(outcome: SourceOutcome): void {
    for (const part of outcome.parts ?? []) {
      const key = `${outcome.account}\u0000${outcome.source}\u0000${part.part}`;
      const known = this.#state.has(key);
      const previous = this.#state.get(key);
      const reason = part.available ? undefined : (part.reason ?? 'unavailable');
      this.#state.set(key, reason);
      if (reason !== undefined && (previous === undefined || previous !== reason)) {
        this.#log('warn', `account ${outcome.account}: ${outcome.source}: ${part.part} is unavailable (${reason}); the rest of ${outcome.source} still runs`);
      } else if (reason === undefined && known && previous !== undefined) {
        this.#log('info', `account ${outcome.account}: ${outcome.source}: ${part.part} is available again`);
      }
    }
  }
}
