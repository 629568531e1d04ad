// The emulator's SQL engine: one in-memory DuckDB holding SNOWFLAKE.ACCOUNT_USAGE / TRUST_CENTER, a statement
// pipeline (classify -> translate -> bind -> compile -> warehouse -> execute -> materialise), the virtual clock and
// the warehouse cost model. Each statement runs on its own DuckDB connection so that its session state (visibility
// cut-offs, time zone) cannot leak into a concurrent statement.

import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { DuckDBInstance } from '@duckdb/node-api';
import { VIEWS } from '../schema.ts';
import { RESULTS_SCHEMA, STORE_SCHEMA, catalogDdl, cutoffVariable, qualifiedStoreTable, type CatalogOptions } from './catalog.ts';
import { bindValues, nullBindingTypes } from './bindings.ts';
import type { VirtualClock } from './clock.ts';
import { createVirtualClock } from './clock.ts';
import { classify, likeToRegExp, wait } from './commands.ts';
import type { Command } from './commands.ts';
import { columnEncoding, encodeEpochMicros, rowTypeField, textField, timestampLtzField } from './encode.ts';
import { mapDuckDbError, noActiveWarehouse, statementCanceled } from './errors.ts';
import { appendRows, resolveView } from './insert.ts';
import type { LatencyModel } from './latency.ts';
import { defaultLatencyModel, latencyKey } from './latency.ts';
import { AccountParameters } from './parameters.ts';
import type { GrantsConfig } from './privileges.ts';
import { AccessControl, identifierName, openGrants, viewsRead } from './privileges.ts';
import { InlineResult, MaterializedResult } from './result.ts';
import { resultColumnNames, selectItems } from './translate/names.ts';
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
  /**
   * The account's grants (privileges.ts): role -> `SNOWFLAKE.SECURITY_VIEWER`, `USAGE ON WAREHOUSE COMPUTE_WH`,
   * `ROLE OTHER_ROLE`... They decide which views a role reads, which warehouses it uses and what SHOW SHARES lists.
   * Default `openGrants()`: PUBLIC, so every role, reads every view, uses every warehouse and sees every share.
   */
  grants?: GrantsConfig;
  /** Shares other accounts offer this one: SHOW SHARES lists them as INBOUND to roles with IMPORT SHARE. */
  inboundShares?: readonly InboundShare[];
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

export interface InboundShare {
  name: string;
  /** The provider's account, ORGANIZATION.ACCOUNT. */
  ownerAccount: string;
  databaseName?: string;
  createdOn?: Date | string;
  comment?: string;
  listingGlobalName?: string;
}

export interface EmulatorEngine extends SqlEngine {
  readonly clock: VirtualClock;
  /** Loads rows into a view ('QUERY_HISTORY', 'ACCOUNT_USAGE.TRUST_CENTER_FINDINGS'...), keyed by the upper-case column names. */
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
  private readonly access: AccessControl;
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
    this.access = new AccessControl(options.grants ?? openGrants(this.warehouses.names()), this.warehouses.names());
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
        return this.showShares(command.like, this.roleOf(request));
      case 'query':
        return this.query(request, entry, startVirtual, startWall);
    }
  }

  private roleOf(request: ExecuteRequest): string {
    return request.role ?? 'PUBLIC';
  }

  /** The session's current warehouse: the requested one if it exists and the role may use it, else none. */
  private currentWarehouse(request: ExecuteRequest): string | undefined {
    const warehouse = this.warehouses.resolve(request.warehouse);
    return warehouse !== undefined && this.access.canUseWarehouse(this.roleOf(request), warehouse) ? warehouse : undefined;
  }

  private translateContext(request: ExecuteRequest, now: Date): TranslateContext {
    return {
      now,
      user: request.user,
      role: this.roleOf(request),
      warehouse: this.currentWarehouse(request) ?? null,
      database: request.database ? request.database.toUpperCase() : null,
      schema: request.schema ? request.schema.toUpperCase() : null,
      account: (this.options.account?.name ?? 'EMULATOR').toUpperCase(),
      region: this.options.account?.region ?? 'AWS_US_WEST_2',
      version: this.options.version ?? '9.38.3',
      nullBindingTypes: nullBindingTypes(request.bindings),
    };
  }

  /**
   * The tables DuckDB's binder resolves for the statement (views expanded to their storage tables), or none when it
   * cannot bind it: then compiling the statement fails too, with the error Snowflake would give.
   */
  private tablesRead(connection: DuckDBConnection, sql: string): readonly string[] | undefined {
    try {
      return connection.getTableNames(sql, true);
    } catch {
      return undefined;
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
    // The session's database and schema resolve partly qualified names: with database SNOWFLAKE, ACCOUNT_USAGE.USERS
    // means SNOWFLAKE.ACCOUNT_USAGE.USERS, and with schema ACCOUNT_USAGE too, USERS does.
    const database = request.database === undefined ? undefined : identifierName(request.database);
    const schema = request.schema === undefined ? undefined : identifierName(request.schema);
    if (database === 'SNOWFLAKE') {
      const inSchema = schema !== undefined && VIEWS.some((v) => v.schema === schema) ? schema : 'main';
      statements.push(`SET search_path = 'SNOWFLAKE.${inSchema},memory.main'`);
    }
    await connection.run(statements.join('; '));
  }

  private async query(request: ExecuteRequest, entry: StatementLogEntry, startVirtual: Date, startWall: number): Promise<StatementResult> {
    const translation = translateQuery(request.statement, this.translateContext(request, startVirtual));
    const bound = bindValues(translation.paramKeys, request.bindings);
    const table = `SNOWFLAKE.${RESULTS_SCHEMA}.R_${++this.resultCounter}`;
    const connection = await this.instance.connect();
    let created = false;
    let warehouse: string | undefined;
    // Interrupts the setup statements below if the abort lands while one runs; one that lands between them (or
    // while connecting, before this listener exists) is caught by runAbortable's check before the statement runs.
    const onAbort = (): void => connection.interrupt();
    request.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await this.sessionSetup(connection, request, startVirtual);
      // getTableNames cannot parse placeholders ($1): probe a copy of the translation with NULL in their place.
      const probeSql =
        translation.paramKeys.length === 0
          ? translation.sql
          : translateQuery(request.statement, { ...this.translateContext(request, startVirtual), placeholdersAsNull: true }).sql;
      // Privileges, then compile (missing objects and columns), all before any warehouse is involved, as in Snowflake.
      const session = { database: request.database === undefined ? null : identifierName(request.database), schema: request.schema === undefined ? null : identifierName(request.schema) };
      const checkReads = (names: readonly string[]): void => this.access.checkReads(this.roleOf(request), viewsRead(names, STORE_SCHEMA, session));
      let tables = this.tablesRead(connection, probeSql);
      checkReads(tables ?? []);
      const prepared = await connection.prepare(`CREATE TABLE ${table} AS SELECT row_number() OVER () AS __RN, * FROM (${translation.sql}) AS __Q`);
      if (tables === undefined) {
        // The statement compiled although the probe did not bind: ask again, and let a failure surface.
        const names = connection.getTableNames(probeSql, true);
        checkReads(names);
        tables = names;
      }
      const needsWarehouse = tables.length > 0;
      if (needsWarehouse) {
        warehouse = this.currentWarehouse(request);
        if (!warehouse) throw noActiveWarehouse();
        entry.usedWarehouse = true;
        entry.warehouse = warehouse;
        entry.resumed = this.warehouses.begin(warehouse, startVirtual).resumed;
      }
      if (bound.length > 0) prepared.bind(bound.map((b) => b.value), bound.map((b) => b.type));
      created = true;
      await runAbortable(connection, prepared, request.signal, () => this.abortError(request.signal));
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

  /**
   * SHOW SHARES: real time (no latency), latest version of each outbound share, dropped shares left out, and only the
   * shares the role may see (privileges.ts); inbound shares come from `inboundShares`. Columns: the SHOW SHARES page
   * (https://docs.snowflake.com/en/sql-reference/sql/show-shares) and INFORMATION_SCHEMA.SHARES, its real-time twin
   * (https://docs.snowflake.com/en/sql-reference/info-schema/shares). `to` shows at most three accounts.
   */
  private async showShares(like: string | null, role: string): Promise<StatementResult> {
    const visibility = this.access.shareVisibility(role);
    const pattern = like === null ? null : likeToRegExp(like);
    const organization = (this.options.account?.organization ?? 'EMULATOR_ORG').toUpperCase();
    const account = (this.options.account?.name ?? 'EMULATOR').toUpperCase();
    const nowMicros = BigInt(this.clock.now().getTime()) * 1000n;
    const micros = (value: unknown): bigint | null => (value instanceof Date ? BigInt(value.getTime()) * 1000n : null);
    const text = (value: unknown): string => (typeof value === 'string' ? value : '');
    const rows: { kind: 'INBOUND' | 'OUTBOUND'; name: string; row: (string | null)[] }[] = [];
    if (visibility.inbound) {
      for (const share of this.options.inboundShares ?? []) {
        const created = share.createdOn === undefined ? null : micros(new Date(share.createdOn));
        if (created !== null && created > nowMicros) continue;
        rows.push({
          kind: 'INBOUND',
          name: share.name,
          row: [created === null ? null : encodeEpochMicros(created), 'INBOUND', share.ownerAccount, share.name, share.databaseName ?? '', '', '', share.comment ?? '', share.listingGlobalName ?? '', ''],
        });
      }
    }
    if (visibility.allOutbound || visibility.owners.size > 0) {
      const sharesView = VIEWS.find((v) => v.schema === 'ACCOUNT_USAGE' && v.name === 'SHARES')!;
      const now = timestampLiteral(this.clock.now());
      const connection = await this.instance.connect();
      try {
        const reader = await connection.runAndReadAll(
          `SELECT CREATED_ON, NAME, DATABASE_NAME, TARGET_ACCOUNTS, OWNER, COMMENT, LISTING_GLOBAL_NAME, SECURE_OBJECTS_ONLY, DELETED_ON FROM ${qualifiedStoreTable(sharesView)} ` +
            `WHERE COALESCE(MODIFIED_ON, CREATED_ON) IS NULL OR COALESCE(MODIFIED_ON, CREATED_ON) <= ${now} ` +
            `QUALIFY row_number() OVER (PARTITION BY NAME ORDER BY COALESCE(MODIFIED_ON, CREATED_ON) DESC NULLS LAST) = 1 ORDER BY NAME`,
        );
        for (const row of reader.getRowObjectsJS()) {
          const deleted = micros(row.DELETED_ON);
          if (deleted !== null && deleted <= nowMicros) continue;
          if (!visibility.allOutbound && !visibility.owners.has(identifierName(text(row.OWNER)))) continue;
          const created = micros(row.CREATED_ON);
          rows.push({
            kind: 'OUTBOUND',
            name: text(row.NAME),
            row: [
              created === null ? null : encodeEpochMicros(created),
              'OUTBOUND',
              `${organization}.${account}`,
              text(row.NAME),
              text(row.DATABASE_NAME),
              firstAccounts(text(row.TARGET_ACCOUNTS), 3),
              text(row.OWNER),
              text(row.COMMENT),
              text(row.LISTING_GLOBAL_NAME),
              row.SECURE_OBJECTS_ONLY === false ? 'false' : 'true',
            ],
          });
        }
      } finally {
        connection.closeSync();
      }
    }
    const listed = rows
      .filter((entry) => pattern === null || pattern.test(entry.name))
      .sort((a, b) => (a.kind === b.kind ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.kind === 'INBOUND' ? -1 : 1))
      .map((entry) => entry.row);
    const rowType = [timestampLtzField('created_on'), ...['kind', 'owner_account', 'name', 'database_name', 'to', 'owner', 'comment', 'listing_global_name', 'secure_objects_only'].map(textField)];
    return new InlineResult(rowType, listed);
  }
}

/** How often an aborted statement's connection is interrupted again until DuckDB stops it. */
const INTERRUPT_RETRY_MS = 5;

/**
 * Runs the statement so that an abort at any moment stops it. DuckDB's `interrupt()` stops only a query that is
 * already executing: one sent before `run()`, or just after it while the query is still being handed to DuckDB's
 * thread, is lost, and the statement would then run unbounded. So an abort before the run fails here, and an abort
 * during it interrupts the connection again every few milliseconds until the run settles.
 */
async function runAbortable(connection: DuckDBConnection, prepared: DuckDBPreparedStatement, signal: AbortSignal, abortError: () => Error): Promise<void> {
  if (signal.aborted) throw abortError();
  let timer: ReturnType<typeof setInterval> | undefined;
  const interrupt = (): void => {
    connection.interrupt();
    timer ??= setInterval(() => connection.interrupt(), INTERRUPT_RETRY_MS);
  };
  signal.addEventListener('abort', interrupt, { once: true });
  try {
    await prepared.run();
  } finally {
    signal.removeEventListener('abort', interrupt);
    clearInterval(timer);
  }
}

/** The first `limit` accounts of a comma-separated list, as SHOW SHARES shows `to` (all of them when there are fewer). */
function firstAccounts(list: string, limit: number): string {
  const accounts = list.split(',').map((account) => account.trim()).filter((account) => account !== '');
  return accounts.length <= limit ? list : accounts.slice(0, limit).join(', ');
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
