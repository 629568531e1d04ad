// Small stand-ins for time and tokens. The token source implements the real TokenSource contract (the client's
// boundary with auth), counting calls so tests can assert renewal; the clock lets retry and poll waits run instantly
// while tests still check how long the client chose to wait.
import type { BearerToken, SnowflakeTokenType, TokenSource } from '../../src/snowflake/auth/token-source.ts';

export class CountingTokenSource implements TokenSource {
  readonly method = 'keypair' as const;
  readonly type: SnowflakeTokenType;
  readonly invalidated: string[] = [];
  getTokenCalls = 0;
  #generation = 1;

  constructor(type: SnowflakeTokenType = 'KEYPAIR_JWT') {
    this.type = type;
  }

  /** The token value currently handed out (`test-token-<generation>`). */
  get current(): string {
    return `test-token-${this.#generation}`;
  }

  getToken(): Promise<BearerToken> {
    this.getTokenCalls++;
    return Promise.resolve({ token: this.current, type: this.type });
  }

  invalidate(rejected: BearerToken): void {
    this.invalidated.push(rejected.token);
    if (rejected.token === this.current) this.#generation++;
  }
}

/** A clock that only moves when the client sleeps (or the test calls advance). */
export class FakeClock {
  nowMs: number;
  readonly sleeps: number[] = [];
  /** Called after each sleep has advanced the clock, e.g. to abort at a chosen moment. */
  onSleep: ((ms: number) => void) | undefined;

  constructor(startMs = Date.UTC(2026, 9, 9, 0, 0, 0)) {
    this.nowMs = startMs;
  }

  readonly now = (): number => this.nowMs;

  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    signal?.throwIfAborted();
    this.sleeps.push(ms);
    this.nowMs += ms;
    this.onSleep?.(ms);
    return Promise.resolve();
  };

  advance(ms: number): void {
    this.nowMs += ms;
  }
}
