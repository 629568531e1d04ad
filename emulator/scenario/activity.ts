// Normal account activity, generated lazily: every (persona, UTC day) has its own random stream, so the logins,
// sessions and queries of any slice can be rebuilt alone and a million queries never sit in memory at once.
//
// Normal activity is designed never to match a detection: humans with a password always pass a second factor, SSO
// humans use SAML, services use key pairs; failed logins are single typos from the user's own address; daily result
// volume stays within +-15% of the persona's usual level; no unloads, stages, grants, shares, policies or user changes.
import { CLIENTS, OFFICE_IPS, ROLE_TABLES, TABLES, tableByName, type TableSpec } from './catalog.ts';
import type { Persona } from './directory.ts';
import { checkNormalGroup, normalLoginEventId, normalQuerySerial, normalSessionId, queryId } from './ids.ts';
import { Prng } from './prng.ts';
import { accessRow, loginRow, queryRow, sessionRow, tableObject } from './rows.ts';
import type { Row } from './types.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface ActivityContext {
  seed: string;
  start: Date;
  end: Date;
  personas: readonly Persona[];
  queriesPerDay: number;
}

export interface SessionPlan {
  k: number;
  loginTime: Date;
  loginEventId: number;
  sessionId: number;
  clientKey: Persona['clients'][number];
  ip: string;
  queryCount: number;
  byteBudget: number;
  /** A single mistyped password just before this login (humans with a password only). */
  typoEventId: number | null;
}

export interface DayPlan {
  persona: Persona;
  day: number;
  sessions: SessionPlan[];
}

/** UTC midnight of the window's first day; activity days are UTC calendar days. */
export function firstDayStart(ctx: ActivityContext): number {
  const start = ctx.start.getTime();
  return start - (start % DAY_MS);
}

export function dayCount(ctx: ActivityContext): number {
  return Math.ceil((ctx.end.getTime() - firstDayStart(ctx)) / DAY_MS);
}

const isService = (p: Persona): boolean => p.kind === 'service' || p.kind === 'legacy_service';

/** Fraction of days a persona is active on average (to keep the account near queriesPerDay). */
const expectedActiveFactor = (p: Persona): number => (isService(p) ? 1 : 5 / 7);

function totalWeight(ctx: ActivityContext): number {
  let total = 0;
  for (const p of ctx.personas) if (p.active) total += p.weight;
  return total || 1;
}

const weightCache = new WeakMap<ActivityContext, number>();
const firstActiveCache = new WeakMap<ActivityContext, Map<number, number>>();

/** Whether a persona works on a day: services every day, people on weekdays. */
export function isActiveDay(ctx: ActivityContext, persona: Persona, day: number): boolean {
  if (!persona.active) return false;
  if (isService(persona)) return true;
  // People start on the first full working day: a first day cut by the window start would show only some of their
  // usual clients, and the others would look "new" the next day.
  if (day === 0 && ctx.start.getTime() - firstDayStart(ctx) > 6 * HOUR_MS) return false;
  const weekday = new Date(firstDayStart(ctx) + day * DAY_MS).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

function firstActiveDay(ctx: ActivityContext, persona: Persona): number {
  let cache = firstActiveCache.get(ctx);
  if (!cache) {
    cache = new Map();
    firstActiveCache.set(ctx, cache);
  }
  let first = cache.get(persona.index);
  if (first === undefined) {
    first = -1;
    for (let day = 0; day < dayCount(ctx); day++) {
      if (isActiveDay(ctx, persona, day)) {
        first = day;
        break;
      }
    }
    cache.set(persona.index, first);
  }
  return first;
}

const GOLDEN = 0.6180339887498949;

/**
 * The day's result volume relative to the persona's usual level, within [0.85, 1.15]. Drawn from a golden-ratio
 * sequence rather than independently: any few consecutive days are spread over the whole range, so a short baseline
 * never has an accidentally tiny standard deviation, and no normal day reaches a z-score of 3 against earlier days.
 */
export function dailyVolumeFactor(ctx: ActivityContext, persona: Persona, day: number): number {
  const phase = new Prng(ctx.seed, 'volume-phase', persona.index).next();
  return 0.85 + 0.3 * ((phase + day * GOLDEN) % 1);
}

/** The sessions a persona opens on a day (cheap: no query is built). */
export function planDay(ctx: ActivityContext, persona: Persona, day: number): DayPlan {
  if (!persona.active) return { persona, day, sessions: [] };
  checkNormalGroup(persona.index);
  if (!isActiveDay(ctx, persona, day)) return { persona, day, sessions: [] };
  const prng = new Prng(ctx.seed, 'plan', persona.index, day);
  const dayStart = firstDayStart(ctx) + day * DAY_MS;
  // On the first active day every usual client is used, so a client's first appearance is never mid-window ("new").
  const firstDay = day === firstActiveDay(ctx, persona);

  let weights = weightCache.get(ctx);
  if (weights === undefined) {
    weights = totalWeight(ctx);
    weightCache.set(ctx, weights);
  }
  const perDay = (ctx.queriesPerDay * persona.weight) / weights / expectedActiveFactor(persona);
  const queryCount = perDay === 0 ? 0 : Math.max(1, Math.round(perDay * prng.uniform(0.85, 1.15)));
  const targetBytes = persona.dailyResultBytes * dailyVolumeFactor(ctx, persona, day);

  // Session start times (ms after the day start) and clients.
  const starts: { offset: number; clientKey: Persona['clients'][number] }[] = [];
  const primary = persona.clients[0] ?? 'snowsight';
  if (isService(persona)) {
    const runs = persona.workload === 'loader' ? 24 : persona.workload === 'bi' ? 12 : persona.workload === 'transformer' ? 6 : 1;
    const minute = persona.index % 50;
    for (let r = 0; r < runs; r++) {
      starts.push({ offset: (r * 24 * HOUR_MS) / runs + minute * 60_000 + prng.int(0, 59) * 1000, clientKey: primary });
    }
  } else {
    starts.push({ offset: prng.int(6 * 60, 11 * 60) * 60_000 + prng.int(0, 59) * 1000, clientKey: primary });
    for (const secondary of persona.clients.slice(1)) {
      if (prng.chance(0.5) || firstDay) starts.push({ offset: prng.int(11 * 60, 15 * 60) * 60_000 + prng.int(0, 59) * 1000, clientKey: secondary });
    }
    if (prng.chance(0.3)) starts.push({ offset: prng.int(13 * 60, 15 * 60) * 60_000 + prng.int(0, 59) * 1000, clientKey: primary });
    starts.sort((a, b) => a.offset - b.offset);
  }

  const typoToday = persona.kind === 'person_mfa' && persona.typos && prng.chance(0.04);
  const sessions: SessionPlan[] = [];
  const perSession = Math.floor(queryCount / starts.length);
  let remainder = queryCount - perSession * starts.length;
  const startMs = ctx.start.getTime();
  const endMs = ctx.end.getTime();
  starts.forEach((s, k) => {
    const n = perSession + (remainder > 0 ? 1 : 0);
    if (remainder > 0) remainder--;
    const loginTime = new Date(dayStart + s.offset);
    const atOffice = !isService(persona) && prng.chance(0.6);
    const typo = typoToday && k === 0;
    // Logins outside the window are not part of the data; the day's other sessions still are.
    if (loginTime.getTime() < startMs + 60_000 || loginTime.getTime() > endMs - 120_000) return;
    sessions.push({
      k,
      loginTime,
      loginEventId: normalLoginEventId(persona.index, day, 2 * k),
      sessionId: normalSessionId(persona.index, day, k),
      clientKey: s.clientKey,
      ip: typo || !atOffice ? persona.homeIp : (OFFICE_IPS[persona.index % OFFICE_IPS.length] as string),
      queryCount: n,
      byteBudget: queryCount === 0 ? 0 : (targetBytes * n) / queryCount,
      typoEventId: typo ? normalLoginEventId(persona.index, day, 2 * k + 1) : null,
    });
  });
  return { persona, day, sessions };
}

function firstFactorOf(p: Persona): string {
  if (p.kind === 'service' || p.kind === 'legacy_service') return 'RSA_KEYPAIR';
  if (p.kind === 'person_sso') return 'SAML2_ASSERTION';
  return 'PASSWORD';
}

export function loginRowsOf(plan: DayPlan): Row[] {
  const p = plan.persona;
  const rows: Row[] = [];
  for (const s of plan.sessions) {
    const client = CLIENTS[s.clientKey];
    if (s.typoEventId !== null) {
      rows.push(
        loginRow({
          eventId: s.typoEventId,
          time: new Date(s.loginTime.getTime() - 40_000),
          user: p.name,
          ip: s.ip,
          client,
          firstFactor: 'PASSWORD',
          secondFactor: null,
          success: false,
        }),
      );
    }
    rows.push(
      loginRow({
        eventId: s.loginEventId,
        time: s.loginTime,
        user: p.name,
        ip: s.ip,
        client,
        firstFactor: firstFactorOf(p),
        secondFactor: p.kind === 'person_mfa' ? p.secondFactor : null,
        success: true,
      }),
    );
  }
  return rows;
}

export function sessionRowsOf(plan: DayPlan): Row[] {
  const p = plan.persona;
  return plan.sessions.map((s) =>
    sessionRow(s.sessionId, new Date(s.loginTime.getTime() + 1000), p.name, s.loginEventId, firstFactorOf(p), CLIENTS[s.clientKey]),
  );
}

type QueryKind =
  | 'select'
  | 'select_fail'
  | 'show'
  | 'describe'
  | 'use'
  | 'alter_session'
  | 'insert'
  | 'merge'
  | 'ctas'
  | 'copy'
  | 'usage_select';

const MIX: Record<Persona['workload'], readonly (readonly [QueryKind, number])[]> = {
  analyst: [['select', 70], ['show', 8], ['describe', 4], ['use', 5], ['select_fail', 3], ['ctas', 3], ['alter_session', 2]],
  engineer: [['select', 45], ['insert', 10], ['merge', 8], ['ctas', 8], ['show', 10], ['describe', 5], ['copy', 4], ['select_fail', 3], ['use', 5]],
  admin: [['show', 40], ['usage_select', 35], ['describe', 10], ['use', 10], ['alter_session', 5]],
  loader: [['copy', 35], ['merge', 20], ['insert', 15], ['select', 20], ['alter_session', 5], ['use', 5]],
  transformer: [['ctas', 20], ['merge', 25], ['insert', 10], ['select', 35], ['alter_session', 5], ['use', 5]],
  bi: [['select', 90], ['show', 5], ['alter_session', 5]],
  infra: [['show', 70], ['describe', 20], ['usage_select', 10]],
};

/**
 * Share of a session's result-byte budget each statement kind takes (SELECTs draw theirs at random). Every statement's
 * BYTES_WRITTEN_TO_RESULT comes out of the day's budget, so a user's daily volume stays within +-15% of its usual level.
 */
const RESULT_WEIGHT: Partial<Record<QueryKind, number>> = {
  show: 0.02,
  describe: 0.01,
  use: 0.0005,
  alter_session: 0.0005,
  insert: 0.001,
  merge: 0.001,
  ctas: 0.001,
  copy: 0.002,
  usage_select: 0.4,
};

const SHOW_TEXTS = ['SHOW WAREHOUSES', 'SHOW DATABASES', 'SHOW SCHEMAS IN DATABASE SALES', 'SHOW TABLES IN SCHEMA SALES.PUBLIC', 'SHOW ROLES', 'SHOW USERS'];
const USAGE_VIEWS = ['WAREHOUSE_METERING_HISTORY', 'METERING_DAILY_HISTORY', 'STORAGE_USAGE', 'DATABASE_STORAGE_USAGE_HISTORY'];

function tablesFor(p: Persona): readonly TableSpec[] {
  const names = ROLE_TABLES[p.roles[0] ?? ''] ?? ROLE_TABLES.ANALYST ?? [];
  return names.map((name) => tableByName(name));
}

export interface QueryWithAccess {
  query: Row;
  access: Row | null;
}

/** The queries of one planned session, in time order, each with its ACCESS_HISTORY row when it has one. */
export function* sessionQueries(ctx: ActivityContext, plan: DayPlan, s: SessionPlan): Generator<QueryWithAccess> {
  const p = plan.persona;
  const prng = new Prng(ctx.seed, 'q', p.index, plan.day, s.k);
  const tables = tablesFor(p);
  const mix = MIX[p.workload];
  const kinds: QueryKind[] = [];
  const selectWeights: number[] = [];
  let weightSum = 0;
  for (let i = 0; i < s.queryCount; i++) {
    const kind = prng.weighted(mix);
    kinds.push(kind);
    const w = kind === 'select' ? prng.uniform(0.2, 1.8) : (RESULT_WEIGHT[kind] ?? 0);
    selectWeights.push(w);
    weightSum += w;
  }
  const client = CLIENTS[s.clientKey];
  const service = isService(p);
  const span = service ? 20 * 60_000 : prng.uniform(1.5, 5) * HOUR_MS;
  const gapMean = span / Math.max(1, s.queryCount);
  const endMs = ctx.end.getTime();
  let cursor = s.loginTime.getTime() + 5_000;
  const group = p.index;
  const role = p.roles[0] ?? 'PUBLIC';
  for (let i = 0; i < s.queryCount; i++) {
    cursor += Math.max(200, Math.round(-Math.log(1 - prng.next()) * gapMean));
    const kind = kinds[i] as QueryKind;
    const table = prng.pick(tables.length > 0 ? tables : TABLES);
    const fqn = `${table.database}.${table.schema}.${table.name}`;
    const columns = table.columns.slice(0, prng.int(2, table.columns.length));
    let text: string;
    let type: string;
    let templateKey: string;
    let elapsed = prng.int(40, 900);
    let bytesScanned = 0;
    let rows = 0;
    // This statement's part of the session's result-byte budget.
    const share = Math.round((s.byteBudget * (selectWeights[i] ?? 0)) / (weightSum || 1));
    const bytesOut = share;
    let rowsInserted = 0;
    let status: 'SUCCESS' | 'FAIL' = 'SUCCESS';
    let errorCode: number | null = null;
    let errorMessage: string | null = null;
    let database: string | null = table.database;
    let schema: string | null = table.schema;
    let clientGenerated = false;
    let access: { direct?: unknown[]; modified?: unknown[] } | null = null;
    switch (kind) {
      case 'select': {
        const limit = prng.pick([100, 500, 1000, 10000]);
        text = `SELECT ${columns.join(', ')}\nFROM ${fqn}\nWHERE ${columns[0] ?? 'ID'} IS NOT NULL\nLIMIT ${limit}`;
        templateKey = `select:${fqn}:${columns.length}`;
        type = 'SELECT';
        rows = Math.max(1, Math.round(share / 180));
        bytesScanned = share * prng.int(3, 40);
        elapsed = prng.int(150, 9000);
        access = { direct: [tableObject(table, columns)] };
        break;
      }
      case 'select_fail':
        text = `SELECT ${columns.join(', ')}, TOTAL_AMT FROM ${fqn}`;
        templateKey = `select_fail:${fqn}`;
        type = 'SELECT';
        status = 'FAIL';
        errorCode = 904;
        errorMessage = "SQL compilation error: error line 1 at position 8\ninvalid identifier 'TOTAL_AMT'";
        elapsed = prng.int(20, 120);
        break;
      case 'show':
        text = prng.pick(SHOW_TEXTS);
        templateKey = text;
        type = 'SHOW';
        rows = Math.max(1, Math.round(share / 220));
        database = null;
        schema = null;
        clientGenerated = client.reportedClientType === 'SNOWFLAKE_UI' && prng.chance(0.5);
        break;
      case 'describe':
        text = `DESCRIBE TABLE ${fqn}`;
        templateKey = 'describe';
        type = 'DESCRIBE';
        rows = table.columns.length;
        break;
      case 'use':
        text = `USE WAREHOUSE ${p.defaultWarehouse}`;
        templateKey = text;
        type = 'USE';
        database = null;
        schema = null;
        elapsed = prng.int(10, 60);
        break;
      case 'alter_session':
        text = "ALTER SESSION SET TIMEZONE = 'UTC'";
        templateKey = text;
        type = 'ALTER_SESSION';
        database = null;
        schema = null;
        elapsed = prng.int(10, 60);
        break;
      case 'insert':
        rowsInserted = prng.int(10, 50_000);
        text = `INSERT INTO ${fqn} (${columns.join(', ')})\nSELECT ${columns.join(', ')} FROM ${fqn}_STAGING`;
        templateKey = `insert:${fqn}`;
        type = 'INSERT';
        rows = 1;
        bytesScanned = rowsInserted * 200;
        elapsed = prng.int(500, 30_000);
        access = { direct: [tableObject(table, columns)], modified: [tableObject(table, columns)] };
        break;
      case 'merge':
        rowsInserted = prng.int(0, 20_000);
        text = `MERGE INTO ${fqn} t\nUSING ${fqn}_STAGING s ON t.${table.columns[0] ?? 'ID'} = s.${table.columns[0] ?? 'ID'}\nWHEN MATCHED THEN UPDATE SET t.${table.columns[1] ?? 'V'} = s.${table.columns[1] ?? 'V'}\nWHEN NOT MATCHED THEN INSERT (${columns.join(', ')}) VALUES (${columns.map((c) => `s.${c}`).join(', ')})`;
        templateKey = `merge:${fqn}`;
        type = 'MERGE';
        rows = 1;
        bytesScanned = (rowsInserted + 1000) * 250;
        elapsed = prng.int(1000, 60_000);
        access = { direct: [tableObject(table, columns)], modified: [tableObject(table, columns)] };
        break;
      case 'ctas': {
        const target = `ANALYTICS.SCRATCH.${table.name}_${p.name}_${prng.int(1, 9)}`;
        text = `CREATE OR REPLACE TABLE ${target} AS\nSELECT ${columns.join(', ')} FROM ${fqn}`;
        templateKey = `ctas:${fqn}`;
        type = 'CREATE_TABLE_AS_SELECT';
        rowsInserted = prng.int(100, 200_000);
        rows = 1;
        bytesScanned = rowsInserted * 200;
        elapsed = prng.int(800, 40_000);
        access = { direct: [tableObject(table, columns)] };
        break;
      }
      case 'copy': {
        const raw = tableByName('ORDERS_RAW');
        text = `COPY INTO RAW.LANDING.ORDERS_RAW\nFROM @RAW.LANDING.ORDERS_STAGE/${plan.day}/\nFILE_FORMAT = (TYPE = JSON)`;
        templateKey = 'copy:orders_raw';
        type = 'COPY';
        database = 'RAW';
        schema = 'LANDING';
        rowsInserted = prng.int(1000, 90_000);
        rows = prng.int(1, 12);
        bytesScanned = rowsInserted * 500;
        elapsed = prng.int(2000, 90_000);
        access = { modified: [tableObject(raw, raw.columns)] };
        break;
      }
      case 'usage_select': {
        const view = prng.pick(USAGE_VIEWS);
        text = `SELECT *\nFROM SNOWFLAKE.ACCOUNT_USAGE.${view}\nWHERE START_TIME >= DATEADD(day, -7, CURRENT_TIMESTAMP())`;
        templateKey = `usage:${view}`;
        type = 'SELECT';
        database = 'SNOWFLAKE';
        schema = 'ACCOUNT_USAGE';
        rows = Math.max(1, Math.round(share / 150));
        bytesScanned = share * 10;
        elapsed = prng.int(300, 5000);
        break;
      }
    }
    const start = new Date(cursor);
    if (cursor + elapsed > endMs) return;
    const id = queryId(start, group, normalQuerySerial(plan.day, s.k, i));
    const query = queryRow({
      queryId: id,
      text,
      type,
      sessionId: s.sessionId,
      authnEventId: s.loginEventId,
      user: p.name,
      role,
      warehouse: type === 'USE' || type === 'ALTER_SESSION' || type === 'SHOW' || type === 'DESCRIBE' ? null : p.defaultWarehouse,
      database,
      schema,
      start,
      elapsedMs: elapsed,
      status,
      errorCode,
      errorMessage,
      bytesScanned,
      rowsProduced: rows,
      bytesWrittenToResult: status === 'SUCCESS' ? bytesOut : 0,
      rowsWrittenToResult: status === 'SUCCESS' ? rows : 0,
      rowsInserted,
      clientGenerated,
      templateKey,
    });
    cursor += elapsed;
    yield { query, access: access && status === 'SUCCESS' ? accessRow(id, start, p.name, access) : null };
  }
}

/** Every day plan of the window, persona by persona within a day (stable order). */
export function* dayPlans(ctx: ActivityContext): Generator<DayPlan> {
  const days = dayCount(ctx);
  for (let day = 0; day < days; day++) {
    for (const persona of ctx.personas) {
      if (!persona.active) continue;
      const plan = planDay(ctx, persona, day);
      if (plan.sessions.length > 0) yield plan;
    }
  }
}

export function* normalLoginRows(ctx: ActivityContext): Generator<Row> {
  for (const plan of dayPlans(ctx)) yield* loginRowsOf(plan);
}

export function* normalSessionRows(ctx: ActivityContext): Generator<Row> {
  for (const plan of dayPlans(ctx)) yield* sessionRowsOf(plan);
}

export function* normalQueryRows(ctx: ActivityContext): Generator<Row> {
  for (const plan of dayPlans(ctx)) {
    for (const s of plan.sessions) {
      for (const q of sessionQueries(ctx, plan, s)) yield q.query;
    }
  }
}

export function* normalAccessRows(ctx: ActivityContext): Generator<Row> {
  for (const plan of dayPlans(ctx)) {
    for (const s of plan.sessions) {
      for (const q of sessionQueries(ctx, plan, s)) if (q.access) yield q.access;
    }
  }
}

/** Latest successful normal login of a persona (for USERS.LAST_SUCCESS_LOGIN), scanning days backwards. */
export function lastNormalLogin(ctx: ActivityContext, persona: Persona): Date | null {
  if (!persona.active) return null;
  for (let day = dayCount(ctx) - 1; day >= 0; day--) {
    const plan = planDay(ctx, persona, day);
    const last = plan.sessions[plan.sessions.length - 1];
    if (last) return last.loginTime;
  }
  return null;
}
