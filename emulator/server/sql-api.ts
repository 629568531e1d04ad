// The three SQL API v2 operations once routing, faults and authentication are done: submit, status (with
// partitions) and cancel. Each returns the exact answer to write; nothing here throws for bad input.
import type { Binding } from '../engine/types.ts';
import { resolveRole, type Principal } from '../auth/authenticate.ts';
import type { UserDirectory } from '../auth/users.ts';
import { newRequestId } from './ids.ts';
import { sleep } from './http-io.ts';
import {
  cancelResponse,
  codeMessageResponse,
  EMPTY_STATEMENT,
  INVALID_PAYLOAD,
  statementErrorResponse,
  statementNotFound,
  type WireResponse,
} from './responses.ts';
import { answerFor, type AnswerOptions } from './result-answers.ts';
import { sessionObjects, type SessionCatalog } from './session.ts';
import { splitStatements, unsupportedCommand } from './statement-text.ts';
import { MAX_STATEMENT_TIMEOUT_SECONDS, type StatementRecord, type StatementStore } from './statements.ts';

export interface SqlApiDeps {
  store: StatementStore;
  users: UserDirectory;
  /** The warehouses, databases and schemas a request's `warehouse`, `database` and `schema` can name. */
  catalog: SessionCatalog;
  /** How long a POST without `async=true` waits before answering 202 (the real service: 45 s). */
  syncWaitMs: number;
  gzipLaterPartitions: 'always' | 'when-accepted';
}

export interface SubmitBody {
  statement?: unknown;
  timeout?: unknown;
  database?: unknown;
  schema?: unknown;
  warehouse?: unknown;
  role?: unknown;
  bindings?: unknown;
  parameters?: unknown;
}

/** Parses the POST body; anything that is not a JSON object is the documented 390142 answer. */
export function parseSubmitBody(raw: Buffer): { ok: true; body: SubmitBody } | { ok: false; response: WireResponse } {
  const invalid = { ok: false as const, response: codeMessageResponse(400, INVALID_PAYLOAD.code, INVALID_PAYLOAD.message) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return invalid;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return invalid;
  const body = parsed as SubmitBody;
  const optionalString = (value: unknown): boolean => value === undefined || value === null || typeof value === 'string';
  if (![body.database, body.schema, body.warehouse, body.role].every(optionalString)) return invalid;
  if (body.statement !== undefined && body.statement !== null && typeof body.statement !== 'string') return invalid;
  if (body.timeout !== undefined && body.timeout !== null && !(Number.isInteger(body.timeout) && (body.timeout as number) >= 0)) return invalid;
  if (body.parameters !== undefined && body.parameters !== null && !isPlainObject(body.parameters)) return invalid;
  if (body.bindings !== undefined && body.bindings !== null && !isPlainObject(body.bindings)) return invalid;
  return { ok: true, body };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export interface SubmitQuery {
  requestId: string | null;
  retry: boolean;
  async: boolean;
  acceptsGzip: boolean;
  /** `nullable=false`: SQL NULL as the text "null" instead of JSON null (POST only, as documented). */
  nullable?: boolean;
}

export async function submitStatement(deps: SqlApiDeps, principal: Principal, body: SubmitBody, query: SubmitQuery): Promise<WireResponse> {
  const statementText = typeof body.statement === 'string' ? body.statement : '';
  if (statementText.trim() === '') return statementErrorResponse(400, EMPTY_STATEMENT, null);
  const requested = stringOrUndefined(body.role);
  const role = resolveRole(principal, requested, deps.users);
  if (!role.ok) return role.response;
  const requestId = query.requestId ?? newRequestId();

  if (query.retry) {
    const previous = deps.store.byRequestId(requestId);
    // "Does not execute the statement again if it has already been executed successfully" (or is still running).
    if (previous !== undefined && previous.state !== 'failed' && previous.user === principal.user) {
      return respondAfterSubmit(deps, previous, query);
    }
  }

  const parameters = normaliseParameters(body.parameters);
  const user = deps.users.get(principal.user);
  // Case-sensitive, as the role: a name that is not exactly an object's leaves the session without it (session.ts).
  const session = sessionObjects(
    { warehouse: stringOrUndefined(body.warehouse), database: stringOrUndefined(body.database), schema: stringOrUndefined(body.schema) },
    user,
    deps.catalog,
  );
  const base = {
    user: principal.user,
    role: role.role,
    ...session,
    parameters,
    bindings: isPlainObject(body.bindings) ? (body.bindings as Record<string, Binding>) : undefined,
  };

  const statements = splitStatements(statementText);
  if (statements.length === 0) return statementErrorResponse(400, EMPTY_STATEMENT, null);
  const desired = parseCount(parameters.MULTI_STATEMENT_COUNT);
  if (desired === undefined || (desired !== 0 && desired !== statements.length)) {
    const record = deps.store.rejected(
      { requestId, statementText, base },
      {
        code: '000008',
        sqlState: '0A000',
        message: `Actual statement count ${statements.length} did not match the desired statement count ${desired ?? parameters.MULTI_STATEMENT_COUNT}.`,
        httpStatus: 422,
      },
    );
    return answerFor(record, answerOptions(deps, query, true));
  }
  const multiStatement = desired !== 1;
  for (const statement of statements) {
    const command = unsupportedCommand(statement, multiStatement);
    if (command !== null) {
      const record = deps.store.rejected(
        { requestId, statementText, base },
        { code: '391911', sqlState: '0A000', message: `Command not supported by SQL API: ${command}`, httpStatus: 422 },
      );
      return answerFor(record, answerOptions(deps, query, true));
    }
  }
  // 0 means the maximum (7 days); larger values are capped there too (and stay within setTimeout's range).
  const timeoutSeconds =
    typeof body.timeout === 'number' ? (body.timeout === 0 ? MAX_STATEMENT_TIMEOUT_SECONDS : Math.min(body.timeout, MAX_STATEMENT_TIMEOUT_SECONDS)) : undefined;
  const record = deps.store.submit({
    requestId,
    statementText,
    statements,
    multiStatement,
    base: multiStatement ? { ...base, bindings: undefined } : base,
    timeoutSeconds,
    nullsAsText: query.nullable === false,
  });
  return respondAfterSubmit(deps, record, query);
}

async function respondAfterSubmit(deps: SqlApiDeps, record: StatementRecord, query: SubmitQuery): Promise<WireResponse> {
  if (!query.async && record.state === 'running') {
    const wait = new AbortController();
    await Promise.race([record.done, sleep(deps.syncWaitMs, wait.signal)]);
    wait.abort();
  }
  return answerFor(record, answerOptions(deps, query, true));
}

function answerOptions(deps: SqlApiDeps, query: { acceptsGzip: boolean }, isSubmit: boolean, partition?: string): AnswerOptions {
  return { partition, isSubmit, acceptsGzip: query.acceptsGzip, gzipLaterPartitions: deps.gzipLaterPartitions };
}

/** Parameter names are case-insensitive in the API; values arrive as strings or numbers. */
function normaliseParameters(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isPlainObject(value)) return out;
  for (const [key, item] of Object.entries(value)) {
    if (item === null || item === undefined) continue;
    out[key.toUpperCase()] = typeof item === 'string' ? item : JSON.stringify(item);
  }
  return out;
}

/** MULTI_STATEMENT_COUNT: absent means 1; 0 means any number; anything unparsable never matches. */
function parseCount(value: string | undefined): number | undefined {
  if (value === undefined) return 1;
  return /^\s*\d+\s*$/.test(value) ? Number(value) : undefined;
}

export async function statementStatus(
  deps: SqlApiDeps,
  principal: Principal,
  handle: string,
  query: { partition: string | null; acceptsGzip: boolean },
): Promise<WireResponse> {
  const record = deps.store.get(handle);
  if (record === undefined || record.user !== principal.user) return statementErrorResponse(400, statementNotFound(handle), handle);
  return answerFor(record, answerOptions(deps, query, false, query.partition ?? undefined));
}

export function cancelStatement(deps: SqlApiDeps, principal: Principal, handle: string): WireResponse {
  const record = deps.store.get(handle);
  if (record === undefined || record.user !== principal.user) return statementErrorResponse(422, statementNotFound(handle), handle);
  deps.store.cancel(handle);
  return cancelResponse(handle);
}
