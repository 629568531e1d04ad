// Shared helpers for the engine tests: an engine on a fixed virtual clock and a one-call statement runner.

import assert from 'node:assert/strict';
import type { EmulatorEngine, EngineOptions } from '../../../emulator/engine/index.ts';
import { SnowflakeStatementError, createEmulatorEngine, createVirtualClock, defaultLatencyModel } from '../../../emulator/engine/index.ts';
import type { Binding, ExecuteRequest, RowTypeField } from '../../../emulator/engine/types.ts';

export const T0 = new Date('2026-10-09T12:00:00.000Z');

export async function testEngine(options: EngineOptions = {}): Promise<EmulatorEngine> {
  return createEmulatorEngine({
    clock: createVirtualClock(T0),
    latency: defaultLatencyModel(Object.fromEntries(['USERS', 'ROLES', 'GRANTS_TO_USERS', 'GRANTS_TO_ROLES', 'LOGIN_HISTORY', 'QUERY_HISTORY', 'SESSIONS', 'ACCESS_HISTORY', 'SHARES', 'GRANTS_TO_SHARES', 'DATA_TRANSFER_HISTORY'].map((v) => [v, 0]))),
    threads: 1,
    ...options,
  });
}

export interface RunOptions {
  bindings?: Record<string, Binding>;
  warehouse?: string | undefined;
  role?: string;
  parameters?: Record<string, string>;
  signal?: AbortSignal;
  database?: string;
  schema?: string;
}

export interface Answer {
  names: string[];
  rowType: RowTypeField[];
  rows: (string | null)[][];
}

export function request(statement: string, options: RunOptions = {}): ExecuteRequest {
  return {
    statement,
    user: 'TESTER',
    role: options.role ?? 'MONITOR',
    warehouse: 'warehouse' in options ? options.warehouse : 'COMPUTE_WH',
    ...(options.database ? { database: options.database } : {}),
    ...(options.schema ? { schema: options.schema } : {}),
    ...(options.bindings ? { bindings: options.bindings } : {}),
    parameters: options.parameters ?? {},
    signal: options.signal ?? new AbortController().signal,
  };
}

export async function run(engine: EmulatorEngine, statement: string, options: RunOptions = {}): Promise<Answer> {
  const result = await engine.execute(request(statement, options));
  try {
    const rows = await result.readRows(0, result.rowCount);
    return { names: result.rowType.map((f) => f.name), rowType: result.rowType, rows };
  } finally {
    await result.release();
  }
}

/** The rows only, for golden comparisons. */
export async function rows(engine: EmulatorEngine, statement: string, options: RunOptions = {}): Promise<(string | null)[][]> {
  return (await run(engine, statement, options)).rows;
}

/** Runs `statement` and checks it fails as a compile-time refusal: HTTP 422 with Snowflake's code, SQL state and text. */
export async function expectRefused(engine: EmulatorEngine, statement: string, code: string, sqlState: string, message: RegExp, options: RunOptions = {}): Promise<void> {
  await assert.rejects(rows(engine, statement, options), (error: unknown) => {
    assert.ok(error instanceof SnowflakeStatementError, String(error));
    assert.equal(error.code, code, error.message);
    assert.equal(error.sqlState, sqlState);
    assert.equal(error.httpStatus, 422);
    assert.match(error.message, message);
    return true;
  });
}
