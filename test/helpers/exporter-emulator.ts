// An emulator with a key-pair user (as test/helpers/emulator-account.ts starts it) whose engine makes chosen
// statements SLOW: they wait in wall time inside the engine, as SYSTEM$WAIT does, honouring the statement's abort
// signal, before the real engine runs them. That is what a long ACCOUNT_USAGE scan looks like from the SQL API: a
// running statement with a handle that only a POST .../cancel (or its timeout) ends. Only the delay is added; parsing,
// execution, cancellation and the statement life cycle are the emulator's own.
import { generateKeyPairSync } from 'node:crypto';
import type { TestContext } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { createEmulatorEngine, createVirtualClock, defaultLatencyModel, type EmulatorEngine, type ExecuteRequest, type StatementResult } from '../../emulator/engine/index.ts';
import type { AccountConfig } from '../../src/config/types.ts';
import { EMULATED_ACCOUNT_IDENTIFIER, EMULATED_ROLE, EMULATED_USER, EMULATED_WAREHOUSE, emulatorAccountConfig } from './emulator-account.ts';
import { parseAccountIdentifier } from '../../src/snowflake/account-identifier.ts';

export interface SlowStatementRule {
  /** Case-insensitive pattern on the statement text. */
  readonly pattern: RegExp;
  /** Wall-time wait before the statement runs. */
  readonly ms: number;
}

export interface SlowEmulator {
  /** The running emulator; its `engine` is the slow wrapper, `engine` below the real one behind it. */
  readonly emulator: RunningEmulator<SlowEngine>;
  readonly engine: EmulatorEngine;
  readonly account: AccountConfig;
  /** Statements that entered a slow wait, and how each wait ended. */
  readonly slowStatements: { readonly statement: string; outcome: 'waiting' | 'ran' | 'aborted' }[];
  /** Replaces the slow rules (empty: nothing is slow). */
  setSlow(rules: readonly SlowStatementRule[]): void;
  advance(seconds: number): void;
  close(): Promise<void>;
}

type SlowEngine = Pick<EmulatorEngine, 'clock' | 'warehouseReport' | 'close' | 'execute'>;

function waitOrAbort(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export async function slowEmulatorFor(t: TestContext, options: { readonly start: Date }): Promise<SlowEmulator> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const clock = createVirtualClock(options.start);
  const engine = await createEmulatorEngine({ clock, latency: defaultLatencyModel() });
  let rules: readonly SlowStatementRule[] = [];
  const slowStatements: SlowEmulator['slowStatements'] = [];
  const slowEngine: SlowEngine = {
    clock: engine.clock,
    warehouseReport: () => engine.warehouseReport(),
    close: () => engine.close(),
    async execute(request: ExecuteRequest): Promise<StatementResult> {
      const rule = rules.find((candidate) => candidate.pattern.test(request.statement));
      if (rule !== undefined) {
        const entry: SlowEmulator['slowStatements'][number] = { statement: request.statement, outcome: 'waiting' };
        slowStatements.push(entry);
        const ran = await waitOrAbort(rule.ms, request.signal);
        entry.outcome = ran ? 'ran' : 'aborted';
        // Aborted: the engine rejects with the signal's reason, as its own SYSTEM$WAIT does.
        if (!ran) throw request.signal.reason;
      }
      return engine.execute(request);
    },
  };
  const emulator = await startEmulator({
    engine: slowEngine,
    ownsEngine: true,
    account: parseAccountIdentifier(EMULATED_ACCOUNT_IDENTIFIER).jwtAccount,
    users: [
      { name: EMULATED_USER, roles: [EMULATED_ROLE], defaultRole: EMULATED_ROLE, defaultWarehouse: EMULATED_WAREHOUSE, rsaPublicKeys: [publicKeyPem] },
    ],
  });
  t.after(() => emulator.close());
  return {
    emulator,
    engine,
    account: emulatorAccountConfig({ baseUrl: emulator.url, privateKeyPem }),
    slowStatements,
    setSlow: (next) => {
      rules = [...next];
    },
    advance: (seconds) => clock.advance(seconds * 1000),
    close: () => emulator.close(),
  };
}
