// The emulator's SQL engine: one in-memory DuckDB holding SNOWFLAKE.ACCOUNT_USAGE / TRUST_CENTER, a statement
// pipeline (classify -> translate -> bind -> compile -> warehouse -> execute -> materialise), the virtual clock and
// the warehouse cost model. Each statement runs on its own DuckDB connection so that its session state (visibility
// cut-offs, time zone) cannot leak into a concurrent statement.

import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBInstance } from '@duckdb/node-api';
import { VIEWS } from '../schema.ts';
import { RESULTS_SCHEMA, catalogDdl, cutoffVariable, qualifiedStoreTable, type CatalogOptions } from './catalog.ts';
import { bindValues, nullBindingTypes } from './bindings.ts';
import type { VirtualClock } from './clock.ts';
import { createVirtualClock } from './clock.ts';
import { classify, likeToRegExp, wait } from './commands.ts';
import type { Command } from './commands.ts';
import { columnEncoding, encodeEpochMicros, rowTypeField, textField, timestampLtzField } from './encode.ts';
import { mapDuckDbError, noActiveWarehouse, schemaNotAuthorized, statementCanceled } from './errors.ts';
import { appendRows, resolveView } from './insert.ts';
import type { LatencyModel } from './latency.ts';
import { defaultLatencyModel, latencyKey } from './latency.ts';
import { AccountParameters } from './parameters.ts';
import { InlineResult, MaterializedResult } from './result.ts';
import { resultColumnNames, selectItems } from './translate/names.ts';
import { tokenize } from './translate/tokenizer.ts';
import { translateQuery } from './translate/translate.ts';
import type { TranslateContext } from './translate/translate.ts';
import type { ExecuteRequest, SqlEngine, StatementResult } from './types.ts';
import { SnowflakeStatementError } from './types.ts';
import type { StatementLogEntry, WarehouseConfig, WarehouseReport } from './warehouse.ts';
import { WarehouseModel } from './warehouse.ts';

export interface EngineOptions {
  clock?: VirtualClock;
  latency?: LatencyModel;
  /** Warehouses that exist (names are identifiers: case-insensitive). Default: COMPUTE_WH, X-Small, AUTO_SUSPEND 60. */
  warehouses?: Record<string, WarehouseConfig>;
  /** Roles without IMPORTED PRIVILEGES on SNOWFLAKE: ACCOUNT_USAGE/TRUST_CENTER fail for them with 002003. Default none. */
  rolesWithoutAccountUsage?: readonly string[];
  /** Account identity for CURRENT_ACCOUNT(), CURRENT_REGION() and SHOW SHARES' owner_account. */
  account?: { organization?: string; name?: string; region?: string };
  /** Value of CURRENT_VERSION(). */
  version?: string;
  /**
   * Virtual duration of a statement for the warehouse model. Default: the measured wall time. With a cost model the
   * duration is baseMs + perRowMs x result rows, which makes benchmarks independent of the machine.
   */
  statementCost?: { baseMs?: number; perRowMs?: number };
  /** DuckDB worker threads (default: DuckDB's choice). */
  threads?: number;
  /**
   * Where DuckDB keeps the data. Default: in memory, which is fastest for tests and the demo. A file path lets DuckDB
   * evict pages to disk, so with `memoryLimit` a million-row data set is served in bounded memory.
   */
  databasePath?: string;
  /** DuckDB's memory_limit (e.g. '512MB'); with a databasePath, data beyond it stays on disk. */
  memoryLimit?: string;
  /** Behaviour-change bundles the account has not enabled: the view columns they add are absent (catalog.ts). */
  disabledBundles?: CatalogOptions['disabledBundles'];
}

export interface EmulatorEngine extends SqlEngine {
  readonly clock: VirtualClock;
  /** Loads rows into a view ('QUERY_HISTORY', 'TRUST_CENTER.FINDINGS'...), keyed by the upper-case column names. */
  insertRows(view: string, rows: Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>): Promise<number>;
  warehouseReport(): WarehouseReport;
  /** Sets an account parameter shown by SHOW PARAMETERS IN ACCOUNT. */
  setParameter(name: string, value: string): void;
}

const IDENTIFIER_SAFE = /^[A-Za-z0-9_/+\-:]+$/;

function timestampLiteral(date: Date): string {
  return `CAST('${date.toISOString()}' AS TIMESTAMPTZ)`;
}

class Engine implements EmulatorEngine {
  readonly clock: VirtualClock;
  private readonly instance: DuckDBInstance;
  private readonly latency: LatencyModel;
  private readonly warehouses: WarehouseModel;
  private readonly parameters = new AccountParameters();
  private readonly deniedRoles: ReadonlySet<string>;
  private readonly options: EngineOptions;
  private insertQueue: Promise<unknown> = Promise.resolve();
  private resultCounter = 0;
  private closed = false;

  constructor(instance: DuckDBInstance, options: EngineOptions) {
    this.instance = instance;
    this.options = options;
    this.clock = options.clock ?? createVirtualClock();
    this.latency = options.latency ?? defaultLatencyModel();
    this.warehouses = new WarehouseModel(options.warehouses ?? { COMPUTE_WH: { size: 'X-Small', autoSuspendSeconds: 60 } });
    this.deniedRoles = new Set((options.rolesWithoutAccountUsage ?? []).map((r) => r.toUpperCase()));
  }

  async insertRows(view: string, rows: Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>): Promise<number> {
    const definition = resolveView(view);
    // One appender at a time: loads from several callers are queued rather than interleaved.
    const run = this.insertQueue.then(async () => {
      const connection = await this.instance.connect();
      try {
        return await appendRows(connection, definition, rows);
      } finally {
        connection.closeSync();
      }
    });
    this.insertQueue = run.catch(() => undefined);
    return await run;
  }

  warehouseReport(): WarehouseReport {
    return this.warehouses.report(this.clock.now());
  }

  setParameter(name: string, value: string): void {
    this.parameters.set(name, value);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.insertQueue;
    this.instance.closeSync();
  }

  async execute(request: ExecuteRequest): Promise<StatementResult> {
    if (this.closed) throw new SnowflakeStatementError({ code: '390100', sqlState: '08001', message: 'The emulator engine is closed.', httpStatus: 500 });
    const startVirtual = this.clock.now();
    const startWall = performance.now();
    const entry: StatementLogEntry = {
      text: request.statement.length > 200 ? `${request.statement.slice(0, 197)}...` : request.statement,
      user: request.user,
      role: request.role ?? '',
      warehouse: request.warehouse ?? null,
      queryTag: request.parameters.QUERY_TAG ?? null,
      rows: 0,
      resumed: false,
      usedWarehouse: false,
      startTime: startVirtual.toISOString(),
      endTime: startVirtual.toISOString(),
      errorCode: null,
    };
    try {
      if (request.signal.aborted) throw this.abortError(request.signal);
      const command = classify(request.statement);
      const result = await this.run(command, request, entry, startVirtual, startWall);
      entry.rows = result.rowCount;
      return result;
    } catch (error) {
      const mapped = request.signal.aborted ? this.abortError(request.signal) : mapDuckDbError(error, request.statement);
      entry.errorCode = mapped.code;
      throw mapped;
    } finally {
      if (!entry.usedWarehouse) entry.endTime = new Date(startVirtual.getTime() + Math.round(performance.now() - startWall)).toISOString();
      this.warehouses.record(entry);
    }
  }

  private abortError(signal: AbortSignal): SnowflakeStatementError {
    return signal.reason instanceof SnowflakeStatementError ? signal.reason : statementCanceled();
  }

  private async run(command: Command, request: ExecuteRequest, entry: StatementLogEntry, startVirtual: Date, startWall: number): Promise<StatementResult> {
    switch (command.kind) {
      case 'wait':
        await wait(command.milliseconds, request.signal);
        return new InlineResult([textField(command.columnName)], [[`waited ${command.amount} ${command.unit}`]]);
      case 'show-parameters': {
        const pattern = command.like === null ? null : likeToRegExp(command.like);
        const rows = this.parameters.rows().filter((row) => pattern === null || pattern.test(row[0]!));
        return new InlineResult(['key', 'value', 'default', 'level', 'description', 'type'].map(textField), rows);
      }
      case 'show-shares':
        return this.showShares(command.like);
      case 'query':
        return this.query(request, entry, startVirtual, startWall);
    }
  }

  private translateContext(request: ExecuteRequest, now: Date): TranslateContext {
    return {
      now,
      user: request.user,
      role: request.role ?? 'PUBLIC',
      warehouse: request.warehouse ? request.warehouse.toUpperCase() : null,
      database: request.database ? request.database.toUpperCase() : null,
      schema: request.schema ? request.schema.toUpperCase() : null,
      account: (this.options.account?.name ?? 'EMULATOR').toUpperCase(),
      region: this.options.account?.region ?? 'AWS_US_WEST_2',
      version: this.options.version ?? '9.38.3',
      nullBindingTypes: nullBindingTypes(request.bindings),
    };
  }

  /** Fails with Snowflake's 002003 if the role may not read a SNOWFLAKE schema the statement names. */
  private checkPrivileges(request: ExecuteRequest): void {
    const role = (request.role ?? 'PUBLIC').toUpperCase();
    if (!this.deniedRoles.has(role)) return;
    const words = new Set(tokenize(request.statement).filter((t) => t.kind === 'ident' || t.kind === 'qident').map((t) => t.value.toUpperCase()));
    const sessionSchema = request.schema?.toUpperCase();
    for (const schema of new Set(VIEWS.map((v) => v.schema))) {
      const named = words.has(schema);
      const viaSession = request.database?.toUpperCase() === 'SNOWFLAKE' && sessionSchema === schema && VIEWS.some((v) => v.schema === schema && words.has(v.name));
      if (named || viaSession) throw schemaNotAuthorized(`SNOWFLAKE.${schema}`);
    }
  }

  private async sessionSetup(connection: DuckDBConnection, request: ExecuteRequest, now: Date): Promise<void> {
    const statements = [`SET TimeZone = 'UTC'`, `SET default_null_order = 'nulls_last_on_asc_first_on_desc'`];
    const timezone = request.parameters.TIMEZONE;
    if (timezone && IDENTIFIER_SAFE.test(timezone)) statements.push(`SET TimeZone = '${timezone}'`);
    for (const view of VIEWS) {
      const cutoff = new Date(now.getTime() - this.latency.latencySeconds(latencyKey(view)) * 1000);
      statements.push(`SET VARIABLE ${cutoffVariable(view)} = ${timestampLiteral(cutoff)}`);
    }
    const database = request.database?.toUpperCase();
    const schema = request.schema?.toUpperCase();
    if (database === 'SNOWFLAKE' && schema && VIEWS.some((v) => v.schema === schema)) statements.push(`SET search_path = 'SNOWFLAKE.${schema},memory.main'`);
    await connection.run(statements.join('; '));
  }

  private async query(request: ExecuteRequest, entry: StatementLogEntry, startVirtual: Date, startWall: number): Promise<StatementResult> {
    const translation = translateQuery(request.statement, this.translateContext(request, startVirtual));
    const bound = bindValues(translation.paramKeys, request.bindings);
    this.checkPrivileges(request);
    const table = `SNOWFLAKE.${RESULTS_SCHEMA}.R_${++this.resultCounter}`;
    const connection = await this.instance.connect();
    let created = false;
    let warehouse: string | undefined;
    const onAbort = (): void => connection.interrupt();
    request.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await this.sessionSetup(connection, request, startVirtual);
      // Compile first (missing objects and columns fail before any warehouse is involved, as in Snowflake).
      const prepared = await connection.prepare(`CREATE TABLE ${table} AS SELECT row_number() OVER () AS __RN, * FROM (${translation.sql}) AS __Q`);
      // getTableNames cannot parse placeholders ($1): probe a copy of the translation with NULL in their place.
      const probeSql =
        translation.paramKeys.length === 0
          ? translation.sql
          : translateQuery(request.statement, { ...this.translateContext(request, startVirtual), placeholdersAsNull: true }).sql;
      const needsWarehouse = connection.getTableNames(probeSql, true).length > 0;
      if (needsWarehouse) {
        warehouse = this.warehouses.resolve(request.warehouse);
        if (!warehouse) throw noActiveWarehouse();
        entry.usedWarehouse = true;
        entry.warehouse = warehouse;
        entry.resumed = this.warehouses.begin(warehouse, startVirtual).resumed;
      }
      if (bound.length > 0) prepared.bind(bound.map((b) => b.value), bound.map((b) => b.type));
      created = true;
      await prepared.run();
      prepared.destroySync();
      if (request.signal.aborted) throw this.abortError(request.signal);
      const counted = await connection.runAndReadAll(`SELECT count(*) FROM ${table}`);
      const rowCount = Number(counted.getRows()[0]?.[0] ?? 0);
      const shape = await connection.runAndReadAll(`SELECT * EXCLUDE (__RN) FROM ${table} LIMIT 0`);
      const { names, literalDigits, structured } = resultColumnNames(selectItems(request.statement), shape.columnNames());
      const encodings = shape.columnTypes().map((type, i) => columnEncoding(type, names[i]!, literalDigits[i], structured[i]));
      const rowType = encodings.map((encoding, i) => rowTypeField(names[i]!, encoding));
      if (warehouse) this.finishOnWarehouse(warehouse, entry, startVirtual, startWall, rowCount);
      warehouse = undefined;
      return new MaterializedResult({ instance: this.instance, table, rowType, rowCount, encoders: encodings.map((e) => e.encode) });
    } catch (error) {
      if (warehouse) this.finishOnWarehouse(warehouse, entry, startVirtual, startWall, 0);
      if (created) await connection.run(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
      throw error;
    } finally {
      request.signal.removeEventListener('abort', onAbort);
      connection.closeSync();
    }
  }

  private finishOnWarehouse(warehouse: string, entry: StatementLogEntry, startVirtual: Date, startWall: number, rows: number): void {
    const cost = this.options.statementCost;
    if (cost) {
      // Modelled durations: the virtual clock stands still while a burst is submitted, so the warehouse's slots
      // decide when each statement really runs (queueing behind the others).
      const { start, end } = this.warehouses.place(warehouse, startVirtual, (cost.baseMs ?? 0) + (cost.perRowMs ?? 0) * rows);
      this.warehouses.end(warehouse, end);
      entry.startTime = start.toISOString();
      entry.endTime = end.toISOString();
      return;
    }
    const end = new Date(startVirtual.getTime() + Math.round(performance.now() - startWall));
    this.warehouses.end(warehouse, end);
    entry.endTime = end.toISOString();
  }

  /** SHOW SHARES: real time (no latency), latest version of each share, dropped shares left out. */
  private async showShares(like: string | null): Promise<StatementResult> {
    const now = timestampLiteral(this.clock.now());
    const sharesView = VIEWS.find((v) => v.schema === 'ACCOUNT_USAGE' && v.name === 'SHARES')!;
    const connection = await this.instance.connect();
    try {
      const reader = await connection.runAndReadAll(
        `SELECT CREATED_ON, NAME, DATABASE_NAME, TARGET_ACCOUNTS, OWNER, COMMENT, LISTING_GLOBAL_NAME, SECURE_OBJECTS_ONLY, DELETED_ON FROM ${qualifiedStoreTable(sharesView)} ` +
          `WHERE COALESCE(MODIFIED_ON, CREATED_ON) IS NULL OR COALESCE(MODIFIED_ON, CREATED_ON) <= ${now} ` +
          `QUALIFY row_number() OVER (PARTITION BY NAME ORDER BY COALESCE(MODIFIED_ON, CREATED_ON) DESC NULLS LAST) = 1 ORDER BY NAME`,
      );
      const organization = (this.options.account?.organization ?? 'EMULATOR_ORG').toUpperCase();
      const account = (this.options.account?.name ?? 'EMULATOR').toUpperCase();
      const nowMicros = BigInt(this.clock.now().getTime()) * 1000n;
      const pattern = like === null ? null : likeToRegExp(like);
      const rows: (string | null)[][] = [];
      for (const row of reader.getRowObjectsJS()) {
        const deleted = row.DELETED_ON instanceof Date ? BigInt(row.DELETED_ON.getTime()) * 1000n : null;
        if (deleted !== null && deleted <= nowMicros) continue;
        const name = typeof row.NAME === 'string' ? row.NAME : '';
        if (pattern && !pattern.test(name)) continue;
        const created = row.CREATED_ON instanceof Date ? encodeEpochMicros(BigInt(row.CREATED_ON.getTime()) * 1000n) : null;
        const text = (v: unknown): string => (typeof v === 'string' ? v : '');
        rows.push([
          created,
          'OUTBOUND',
          `${organization}.${account}`,
          name,
          text(row.DATABASE_NAME),
          text(row.TARGET_ACCOUNTS),
          text(row.OWNER),
          text(row.COMMENT),
          text(row.LISTING_GLOBAL_NAME),
          row.SECURE_OBJECTS_ONLY === false ? 'false' : 'true',
        ]);
      }
      const rowType = [timestampLtzField('created_on'), ...['kind', 'owner_account', 'name', 'database_name', 'to', 'owner', 'comment', 'listing_global_name', 'secure_objects_only'].map(textField)];
      return new InlineResult(rowType, rows);
    } finally {
      connection.closeSync();
    }
  }
}

export async function createEmulatorEngine(options: EngineOptions = {}): Promise<EmulatorEngine> {
  const config: Record<string, string> = {};
  if (options.threads !== undefined) config.threads = String(options.threads);
  if (options.memoryLimit !== undefined) config.memory_limit = options.memoryLimit;
  const instance = await DuckDBInstance.create(options.databasePath ?? ':memory:', config);
  const connection = await instance.connect();
  try {
    await connection.run(`SET GLOBAL TimeZone = 'UTC'`);
    await connection.run(`SET GLOBAL default_null_order = 'nulls_last_on_asc_first_on_desc'`);
    for (const statement of catalogDdl({ disabledBundles: options.disabledBundles })) await connection.run(statement);
  } finally {
    connection.closeSync();
  }
  return new Engine(instance, options);
}
