// Every statement the exporter sends in one collection cycle, as the emulator's engine received it: the text, the
// bindings and how it ended. The statement audit holds the exporter's SQL against Snowflake's documented views with
// it, and the least-privilege tests read the cycle's outcome. Everything is real (the exporter, its SQL API client,
// key-pair JWTs, the emulator's HTTP layer and DuckDB); the only addition is a pass-through around the engine's
// execute() that writes down each request before answering it exactly as the engine does.
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { startEmulator } from '../../emulator/index.ts';
import { createEmulatorEngine, createVirtualClock, defaultLatencyModel, type EmulatorEngine, type EngineOptions, type ExecuteRequest, type StatementResult } from '../../emulator/engine/index.ts';
import { generateScenario, loadScenario, presetOptions, type Scenario } from '../../emulator/scenario/index.ts';
import type { AccountConfig, CustomDetectionConfig } from '../../src/config/types.ts';
import { BUILT_IN_DETECTIONS } from '../../src/detect/catalog/index.ts';
import type { ParameterValues } from '../../src/detect/types.ts';
import type { RunningExporter } from '../../src/runtime/exporter.ts';
import { parseAccountIdentifier } from '../../src/snowflake/account-identifier.ts';
import { EMULATED_ACCOUNT_IDENTIFIER, emulatorAccountConfig } from './emulator-account.ts';
import { exporterConfigFor, exporterFor, RecordingExporterSink, tempDirFor } from './exporter-harness.ts';

export interface CapturedStatement {
  readonly statement: string;
  readonly bindings: ExecuteRequest['bindings'];
  readonly role: string | undefined;
  /** 'ok', or the Snowflake error code the engine answered with. */
  readonly outcome: string;
}

export interface CaptureOptions {
  /** The exporter's role and warehouse (default RISK_EXPORTER on RISK_EXPORTER_WH). */
  readonly role?: string;
  readonly warehouse?: string;
  /** What the account grants the role (default: the README's least-privilege grants, given by the caller). */
  readonly grants: readonly string[];
  readonly disabledBundles?: EngineOptions['disabledBundles'];
  /** Detection parameters per id (list parameters non-empty, so their statements take their IN (...) form). */
  readonly detectionParameters?: Readonly<Record<string, ParameterValues>>;
  readonly customDetections?: readonly CustomDetectionConfig[];
  /** Detection ids to run (default: every built-in one and the custom ones). */
  readonly detections?: readonly string[];
  /** Which queries become events (the 'risky' scope pushes its filter into the QUERY_HISTORY statement). */
  readonly queryEventScope?: AccountConfig['queryEvents']['scope'];
}

export interface CapturedCycle {
  readonly scenario: Scenario;
  readonly statements: readonly CapturedStatement[];
  readonly exporter: RunningExporter;
  readonly account: AccountConfig;
  readonly engine: EmulatorEngine;
  readonly sink: RecordingExporterSink;
  readonly ran: Awaited<ReturnType<RunningExporter['scheduler']['runOnce']>>;
}

/** The scenario's fixed end: every run sees the same rows and the same ids. */
export const CAPTURE_END = new Date('2026-11-20T12:00:00Z');

/**
 * Runs one full cycle (every source, every built-in detection and the given custom ones) against the emulator loaded
 * with the demo scenario, and returns what the engine received.
 */
export async function captureCycle(t: TestContext, options: CaptureOptions): Promise<CapturedCycle> {
  const role = options.role ?? 'RISK_EXPORTER';
  const warehouse = options.warehouse ?? 'RISK_EXPORTER_WH';
  const scenario = generateScenario(presetOptions('demo', { end: CAPTURE_END }));
  const engine = await createEmulatorEngine({
    clock: createVirtualClock(scenario.end),
    latency: defaultLatencyModel(),
    warehouses: { [warehouse]: { size: 'X-Small', autoSuspendSeconds: 60 } },
    grants: { [role]: options.grants },
    ...(options.disabledBundles === undefined ? {} : { disabledBundles: options.disabledBundles }),
  });
  t.after(() => engine.close());
  await loadScenario(engine, scenario);

  const statements: CapturedStatement[] = [];
  const recording = {
    clock: engine.clock,
    warehouseReport: () => engine.warehouseReport(),
    close: async () => {},
    async execute(request: ExecuteRequest): Promise<StatementResult> {
      const entry = { statement: request.statement, bindings: request.bindings, role: request.role, outcome: 'pending' };
      statements.push(entry);
      try {
        const result = await engine.execute(request);
        entry.outcome = 'ok';
        return result;
      } catch (error) {
        entry.outcome = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'error';
        throw error;
      }
    },
  };

  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const user = 'RISK_EXPORTER_SVC';
  const emulator = await startEmulator({
    engine: recording,
    ownsEngine: false,
    account: parseAccountIdentifier(EMULATED_ACCOUNT_IDENTIFIER).jwtAccount,
    users: [{ name: user, roles: [role], defaultRole: role, defaultWarehouse: warehouse, rsaPublicKeys: [publicKey.export({ type: 'spki', format: 'pem' }).toString()] }],
  });
  t.after(() => emulator.close());

  const base = emulatorAccountConfig({
    baseUrl: emulator.url,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    name: 'audited',
    user,
    role,
    warehouse,
  });
  const customIds = (options.customDetections ?? []).map((detection) => detection.id);
  const account: AccountConfig = {
    ...base,
    // The first read covers the whole scenario, so every detection sees data.
    backfillSeconds: (scenario.end.getTime() - scenario.start.getTime()) / 1000 + 86_400,
    detections: [...(options.detections ?? new Set([...BUILT_IN_DETECTIONS.map((detection) => detection.id), ...customIds]))].sort(),
    ...(options.detectionParameters === undefined ? {} : { detectionParameters: options.detectionParameters }),
    ...(options.queryEventScope === undefined ? {} : { queryEvents: { ...base.queryEvents, scope: options.queryEventScope } }),
  };
  const config = { ...exporterConfigFor(account, join(tempDirFor(t, 'sre-audit-'), 'state.db')), customDetections: [...(options.customDetections ?? [])] };
  const sink = new RecordingExporterSink();
  const exporter = await exporterFor(t, config, [sink]);
  const ran = await exporter.scheduler.runOnce(account.name);
  return { scenario, statements, exporter, account, engine, sink, ran };
}
