// The scripted part of a scenario: incident and near-miss rows written one by one by the incident modules, held in
// memory (they are few), with the ground-truth labels recorded right where the rows are made.
import { CLIENTS, type ClientKey } from './catalog.ts';
import type { Persona } from './directory.ts';
import type { DetectionId, EvidenceView, GroundTruthIncident, GroundTruthNearMiss } from './ground-truth.ts';
import { SCRIPTED_GROUP, queryId, scriptedLoginEventId, scriptedSessionId } from './ids.ts';
import { accessRow, loginRow, queryRow, sessionRow, type QueryFields } from './rows.ts';
import type { IncidentKind, Row, ScenarioView } from './types.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface LoginRef {
  eventId: number;
  time: Date;
  user: string;
  firstFactor: string;
  client: ClientKey;
  ip: string;
}

export interface SessionRef {
  sessionId: number;
  login: LoginRef;
  createdOn: Date;
  role: string;
  warehouse: string | null;
  /** Time of the next statement in this session; advanced by every query. */
  cursor: number;
}

export interface QueryRef {
  queryId: string;
  start: Date;
  end: Date;
}

export interface LoginOptions {
  ip: string;
  client: ClientKey;
  firstFactor?: string;
  secondFactor?: string | null;
  success?: boolean;
  errorCode?: number;
  errorMessage?: string;
  /** LOGIN_DETAILS text (rows.ts loginDetailsText); NULL when absent. */
  loginDetails?: string;
}

export interface QueryOptions {
  text: string;
  type: string;
  status?: 'SUCCESS' | 'FAIL';
  /** A NUMBER, as QUERY_HISTORY.ERROR_CODE is documented: 904 for the code drivers print as 000904. */
  errorCode?: number;
  errorMessage?: string;
  database?: string | null;
  schema?: string | null;
  /** Milliseconds after the previous statement of the session (default 20 s). */
  after?: number;
  elapsedMs?: number;
  bytesScanned?: number;
  rowsProduced?: number;
  bytesWrittenToResult?: number;
  rowsUnloaded?: number;
  rowsInserted?: number;
  outbound?: QueryFields['outbound'];
  access?: { direct?: unknown[]; modified?: unknown[]; ddl?: unknown };
}

export class ScriptBuilder {
  readonly start: Date;
  readonly end: Date;
  readonly rows: Map<ScenarioView, Row[]> = new Map();
  readonly incidents: GroundTruthIncident[] = [];
  readonly nearMisses: GroundTruthNearMiss[] = [];
  /** Latest successful scripted login per user (feeds USERS.LAST_SUCCESS_LOGIN). */
  readonly lastSuccess: Map<string, Date> = new Map();
  private readonly personas: ReadonlyMap<string, Persona>;
  private serial = 0;
  private readonly perKind = new Map<IncidentKind, number>();

  constructor(start: Date, end: Date, personas: ReadonlyMap<string, Persona>) {
    this.start = start;
    this.end = end;
    this.personas = personas;
  }

  persona(name: string): Persona {
    const p = this.personas.get(name);
    if (!p) throw new RangeError(`scenario persona ${name} is not in the directory`);
    return p;
  }

  hasPersona(name: string): boolean {
    return this.personas.has(name);
  }

  /** A time `hours` before the scenario end. */
  hoursBeforeEnd(hours: number): Date {
    return new Date(this.end.getTime() - hours * HOUR_MS);
  }

  /**
   * A time at `fraction` of the window (0 = start, 1 = end) at the given UTC hour of that day, moved off weekends:
   * people work on weekdays, and a lone weekend statement would distort their daily-volume baseline.
   */
  windowPoint(fraction: number, utcHour: number): Date {
    const t = this.start.getTime() + fraction * (this.end.getTime() - this.start.getTime());
    let day = t - (t % DAY_MS);
    const weekday = new Date(day).getUTCDay();
    if (weekday === 6) day -= DAY_MS;
    if (weekday === 0) day += DAY_MS;
    const at = Math.min(Math.max(day + utcHour * HOUR_MS, this.start.getTime() + HOUR_MS), this.end.getTime() - 21 * HOUR_MS);
    return new Date(at);
  }

  add(view: ScenarioView, row: Row): void {
    let list = this.rows.get(view);
    if (!list) {
      list = [];
      this.rows.set(view, list);
    }
    list.push(row);
  }

  private nextSerial(): number {
    this.serial += 1;
    return this.serial;
  }

  login(user: string | null, time: Date, options: LoginOptions): LoginRef {
    const eventId = scriptedLoginEventId(this.nextSerial());
    const success = options.success ?? true;
    const firstFactor = options.firstFactor ?? 'PASSWORD';
    this.add(
      'LOGIN_HISTORY',
      loginRow({
        eventId,
        time,
        user,
        ip: options.ip,
        client: CLIENTS[options.client],
        firstFactor,
        secondFactor: options.secondFactor ?? null,
        success,
        errorCode: options.errorCode ?? null,
        errorMessage: options.errorMessage ?? null,
        loginDetails: options.loginDetails,
      }),
    );
    if (success && user) {
      const previous = this.lastSuccess.get(user);
      if (!previous || previous < time) this.lastSuccess.set(user, time);
    }
    return { eventId, time, user: user ?? '', firstFactor, client: options.client, ip: options.ip };
  }

  /** A successful login as the persona normally authenticates, from its home address and primary client. */
  usualLogin(name: string, time: Date, overrides: Partial<LoginOptions> = {}): LoginRef {
    const p = this.persona(name);
    const firstFactor =
      p.kind === 'service' || p.kind === 'legacy_service' ? 'RSA_KEYPAIR' : p.kind === 'person_sso' ? 'SAML2_ASSERTION' : 'PASSWORD';
    return this.login(name, time, {
      ip: p.homeIp,
      client: p.clients[0] ?? 'snowsight',
      firstFactor,
      secondFactor: p.kind === 'person_mfa' ? p.secondFactor : null,
      ...overrides,
    });
  }

  session(login: LoginRef, role?: string): SessionRef {
    const sessionId = scriptedSessionId(this.nextSerial());
    const createdOn = new Date(login.time.getTime() + 1000);
    const p = this.persona(login.user);
    this.add('SESSIONS', sessionRow(sessionId, createdOn, login.user, login.eventId, login.firstFactor, CLIENTS[login.client]));
    return {
      sessionId,
      login,
      createdOn,
      role: role ?? p.defaultRole,
      warehouse: p.defaultWarehouse,
      cursor: createdOn.getTime() + 4000,
    };
  }

  /** Login + session in one step, for the common case. */
  usualSession(name: string, time: Date, role?: string, overrides: Partial<LoginOptions> = {}): SessionRef {
    return this.session(this.usualLogin(name, time, overrides), role);
  }

  query(session: SessionRef, options: QueryOptions): QueryRef {
    const startMs = session.cursor + (options.after ?? 20_000);
    const start = new Date(startMs);
    const elapsed = options.elapsedMs ?? 900;
    const id = queryId(start, SCRIPTED_GROUP, this.nextSerial());
    const status = options.status ?? 'SUCCESS';
    this.add(
      'QUERY_HISTORY',
      queryRow({
        queryId: id,
        text: options.text,
        type: options.type,
        sessionId: session.sessionId,
        authnEventId: session.login.eventId,
        user: session.login.user,
        role: session.role,
        warehouse: session.warehouse,
        database: options.database ?? null,
        schema: options.schema ?? null,
        start,
        elapsedMs: elapsed,
        status,
        errorCode: options.errorCode ?? null,
        errorMessage: options.errorMessage ?? null,
        bytesScanned: options.bytesScanned ?? 0,
        rowsProduced: options.rowsProduced ?? (status === 'SUCCESS' ? 1 : 0),
        bytesWrittenToResult: options.bytesWrittenToResult ?? (status === 'SUCCESS' ? 96 : 0),
        rowsWrittenToResult: options.rowsProduced ?? (status === 'SUCCESS' ? 1 : 0),
        rowsUnloaded: options.rowsUnloaded ?? 0,
        rowsInserted: options.rowsInserted ?? 0,
        outbound: options.outbound ?? null,
      }),
    );
    if (options.access && status === 'SUCCESS') this.add('ACCESS_HISTORY', accessRow(id, start, session.login.user, options.access));
    session.cursor = startMs + elapsed;
    return { queryId: id, start, end: new Date(startMs + elapsed) };
  }

  incident(entry: {
    kind: IncidentKind;
    detectionId: DetectionId;
    type?: 'event' | 'posture';
    user: string | null;
    object?: string;
    time: Date;
    evidenceView: EvidenceView;
    evidenceIds: (string | number)[];
    description: string;
    attributes?: Record<string, string | number | boolean>;
  }): void {
    const n = (this.perKind.get(entry.kind) ?? 0) + 1;
    this.perKind.set(entry.kind, n);
    const incident: GroundTruthIncident = {
      id: `${entry.kind}-${n}`,
      kind: entry.kind,
      detectionId: entry.detectionId,
      type: entry.type ?? 'event',
      user: entry.user,
      time: entry.time.toISOString(),
      evidenceView: entry.evidenceView,
      evidenceIds: entry.evidenceIds.map(String),
      description: entry.description,
    };
    if (entry.object !== undefined) incident.object = entry.object;
    if (entry.attributes !== undefined) incident.attributes = entry.attributes;
    this.incidents.push(incident);
  }

  nearMiss(entry: {
    detectionId: DetectionId;
    user: string | null;
    object?: string;
    evidenceView: EvidenceView;
    evidenceIds: (string | number)[];
    why_not: string;
  }): void {
    const miss: GroundTruthNearMiss = {
      detectionId: entry.detectionId,
      user: entry.user,
      evidenceView: entry.evidenceView,
      evidenceIds: entry.evidenceIds.map(String),
      why_not: entry.why_not,
    };
    if (entry.object !== undefined) miss.object = entry.object;
    this.nearMisses.push(miss);
  }
}
