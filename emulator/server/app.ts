// The emulator's request handler on node:http: routes the three SQL API operations, the OAuth endpoints and the
// admin surface; applies faults; authenticates; logs one JSON line per request (never a token, query string or
// body). Every handler runs inside a guard, so bad input or an engine surprise becomes an answer, never a crash.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, invalidTokenResponse, type AuthContext, type TokenType } from '../auth/authenticate.ts';
import type { FaultInjector, FiredFault } from '../faults/injector.ts';
import { faultStatusResponse } from '../faults/responses.ts';
import type { AuthorizeEndpoint } from '../oauth/authorize.ts';
import { handleTokenRequest, oauthError, type TokenEndpointDeps } from '../oauth/token-endpoint.ts';
import { handleAdmin, type AdminDeps } from './admin.ts';
import { acceptsGzip, BodyTooLargeError, dropConnection, readBody, sleep, writeResponse } from './http-io.ts';
import {
  codeMessageResponse,
  INTERNAL_ERROR,
  INVALID_PAYLOAD,
  methodNotAllowedResponse,
  notFoundResponse,
  servletBadRequest,
  type WireResponse,
} from './responses.ts';
import { cancelStatement, parseSubmitBody, statementStatus, submitStatement, type SqlApiDeps } from './sql-api.ts';

export interface AppDeps {
  sqlApi: SqlApiDeps;
  auth: AuthContext;
  faults: FaultInjector;
  authorize: AuthorizeEndpoint;
  token: TokenEndpointDeps;
  admin: AdminDeps;
  maxBodyBytes: number;
  log: ((line: string) => void) | undefined;
}

type Route =
  | { name: 'submit' }
  | { name: 'status'; handle: string }
  | { name: 'cancel'; handle: string }
  | { name: 'authorize' }
  | { name: 'token' }
  | { name: 'admin' }
  | { name: 'unknown' };

const ALLOWED: Record<Route['name'], string> = {
  submit: 'POST',
  status: 'GET',
  cancel: 'POST',
  authorize: 'GET, POST',
  token: 'POST',
  admin: 'GET, POST',
  unknown: '',
};

function route(pathname: string): Route {
  if (pathname === '/api/v2/statements') return { name: 'submit' };
  const statement = /^\/api\/v2\/statements\/([^/]+)(\/cancel)?$/.exec(pathname);
  if (statement !== null) {
    const handle = decodeURIComponent(statement[1] ?? '');
    return statement[2] === undefined ? { name: 'status', handle } : { name: 'cancel', handle };
  }
  if (pathname === '/oauth/authorize') return { name: 'authorize' };
  if (pathname === '/oauth/token-request') return { name: 'token' };
  if (pathname.startsWith('/_emulator/')) return { name: 'admin' };
  return { name: 'unknown' };
}

/** Jersey reads only `application/json` (parameters allowed); REC#111 sent two types and got the servlet's 400. */
function isJsonContentType(req: IncomingMessage): boolean {
  const values = req.headersDistinct['content-type'] ?? [];
  return values.length > 0 && values.every((value) => /^application\/json\s*(;|$)/i.test(value.trim()));
}

function isFormContentType(req: IncomingMessage): boolean {
  return /^application\/x-www-form-urlencoded\s*(;|$)/i.test(req.headers['content-type'] ?? '');
}

const MAX_FORM_BYTES = 64 * 1024;

export function createRequestHandler(deps: AppDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = process.hrtime.bigint();
    const entry: Record<string, unknown> = { method: req.method };
    res.on('close', () => {
      if (deps.log === undefined) return;
      entry.status = res.headersSent ? res.statusCode : null;
      entry.durationMs = Number((process.hrtime.bigint() - started) / 1_000_000n);
      try {
        deps.log(JSON.stringify({ time: new Date().toISOString(), ...entry }));
      } catch {
        // A failing logger must not take the emulator down.
      }
    });
    handle(deps, req, res, entry).catch((error: unknown) => {
      entry.error = error instanceof Error ? error.name : 'unknown';
      writeResponse(res, codeMessageResponse(500, INTERNAL_ERROR.code, INTERNAL_ERROR.message));
    });
  };
}

async function handle(deps: AppDeps, req: IncomingMessage, res: ServerResponse, entry: Record<string, unknown>): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://emulator.invalid');
  } catch {
    writeResponse(res, notFoundResponse());
    return;
  }
  let target: Route;
  try {
    target = route(url.pathname);
  } catch {
    target = { name: 'unknown' };
  }
  entry.route = target.name;
  entry.path = target.name === 'unknown' ? '(other)' : url.pathname;
  deps.admin.requestCounts.set(target.name, (deps.admin.requestCounts.get(target.name) ?? 0) + 1);
  const method = req.method ?? 'GET';
  if (target.name === 'unknown') {
    req.resume();
    writeResponse(res, notFoundResponse());
    return;
  }
  if (!ALLOWED[target.name].split(', ').includes(method)) {
    req.resume();
    writeResponse(res, methodNotAllowedResponse(ALLOWED[target.name]));
    return;
  }
  switch (target.name) {
    case 'submit':
      return submit(deps, req, res, url, entry);
    case 'status':
    case 'cancel':
      return statementOperation(deps, req, res, url, target, entry);
    case 'authorize':
      return authorize(deps, req, res, url, entry);
    case 'token':
      return token(deps, req, res, entry);
    case 'admin': {
      const body = await readLimited(req, res, MAX_FORM_BYTES);
      if (body !== undefined) writeResponse(res, handleAdmin(deps.admin, method, url.pathname, body));
      return;
    }
  }
}

/** Reads the body or answers 413 (Snowflake-shaped) when it is over the limit; undefined means "answered". */
async function readLimited(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer | undefined> {
  try {
    return await readBody(req, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      writeResponse(res, codeMessageResponse(413, INVALID_PAYLOAD.code, INVALID_PAYLOAD.message), { extraHeaders: { Connection: 'close' } });
      return undefined;
    }
    throw error;
  }
}

function declaredTokenType(req: IncomingMessage): TokenType {
  const declared = req.headers['x-snowflake-authorization-token-type'];
  const value = (Array.isArray(declared) ? declared[0] : declared)?.toUpperCase();
  if (value === 'OAUTH' || value === 'PROGRAMMATIC_ACCESS_TOKEN') return value;
  if (value === 'KEYPAIR_JWT') return value;
  const auth = req.headers.authorization ?? '';
  return /^Bearer\s+ver:/i.test(auth) ? 'OAUTH' : 'KEYPAIR_JWT';
}

/**
 * Applies a fired fault. Returns 'answered' when the fault replaced the answer, or the write options for the real
 * answer (a delay has then already passed; a truncation cuts the body).
 */
async function applyFault(
  fault: FiredFault | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  entry: Record<string, unknown>,
  expiredAnswer: () => WireResponse,
): Promise<'answered' | { truncate: boolean }> {
  if (fault === undefined) return { truncate: false };
  entry.fault = fault.id ?? fault.action.kind;
  switch (fault.action.kind) {
    case 'status':
      writeResponse(res, faultStatusResponse(fault.action.status, fault.action.retryAfterSeconds));
      return 'answered';
    case 'expired-token':
      writeResponse(res, expiredAnswer());
      return 'answered';
    case 'drop':
      dropConnection(req, res);
      return 'answered';
    case 'delay':
      await sleep(fault.action.ms);
      return { truncate: false };
    case 'truncate':
      return { truncate: true };
  }
}

async function submit(deps: AppDeps, req: IncomingMessage, res: ServerResponse, url: URL, entry: Record<string, unknown>): Promise<void> {
  if (!isJsonContentType(req)) {
    req.resume();
    writeResponse(res, servletBadRequest(url.pathname));
    return;
  }
  const raw = await readLimited(req, res, deps.maxBodyBytes);
  if (raw === undefined) return;
  const parsed = parseSubmitBody(raw);
  const statement = parsed.ok && typeof parsed.body.statement === 'string' ? parsed.body.statement : undefined;
  const fault = deps.faults.decide('submit', { statement });
  const plan = await applyFault(fault, req, res, entry, () => invalidTokenResponse(declaredTokenType(req)));
  if (plan === 'answered') return;
  const auth = await authenticate(req.headers, deps.auth);
  if (!auth.ok) {
    writeResponse(res, auth.response);
    return;
  }
  entry.user = auth.principal.user;
  if (!parsed.ok) {
    writeResponse(res, parsed.response);
    return;
  }
  const response = await submitStatement(deps.sqlApi, auth.principal, parsed.body, {
    requestId: nonEmpty(url.searchParams.get('requestId')),
    retry: url.searchParams.get('retry') === 'true',
    async: url.searchParams.get('async') === 'true',
    acceptsGzip: acceptsGzip(req),
    nullable: url.searchParams.get('nullable') !== 'false',
  });
  writeResponse(res, response, plan);
}

function nonEmpty(value: string | null): string | null {
  return value === null || value === '' ? null : value.slice(0, 200);
}

async function statementOperation(
  deps: AppDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  target: { name: 'status' | 'cancel'; handle: string },
  entry: Record<string, unknown>,
): Promise<void> {
  const body = await readLimited(req, res, deps.maxBodyBytes);
  if (body === undefined) return;
  const partitionRaw = url.searchParams.get('partition');
  const partition = partitionRaw !== null && /^\d+$/.test(partitionRaw) ? Number(partitionRaw) : undefined;
  const fault = deps.faults.decide(target.name, { statement: deps.sqlApi.store.get(target.handle)?.statement, partition });
  const plan = await applyFault(fault, req, res, entry, () => invalidTokenResponse(declaredTokenType(req)));
  if (plan === 'answered') return;
  const auth = await authenticate(req.headers, deps.auth);
  if (!auth.ok) {
    writeResponse(res, auth.response);
    return;
  }
  entry.user = auth.principal.user;
  const response =
    target.name === 'status'
      ? await statementStatus(deps.sqlApi, auth.principal, target.handle, { partition: partitionRaw, acceptsGzip: acceptsGzip(req) })
      : cancelStatement(deps.sqlApi, auth.principal, target.handle);
  writeResponse(res, response, plan);
}

async function authorize(deps: AppDeps, req: IncomingMessage, res: ServerResponse, url: URL, entry: Record<string, unknown>): Promise<void> {
  const body = await readLimited(req, res, MAX_FORM_BYTES);
  if (body === undefined) return;
  const plan = await applyFault(deps.faults.decide('authorize'), req, res, entry, () => oauthError('invalid_grant', 'The token has expired.'));
  if (plan === 'answered') return;
  if (req.method === 'GET') {
    writeResponse(res, deps.authorize.handleGet(url.searchParams), plan);
    return;
  }
  const form = isFormContentType(req) ? new URLSearchParams(body.toString('utf8')) : new URLSearchParams();
  writeResponse(res, deps.authorize.handlePost(form, req.headers.cookie), plan);
}

async function token(deps: AppDeps, req: IncomingMessage, res: ServerResponse, entry: Record<string, unknown>): Promise<void> {
  const body = await readLimited(req, res, MAX_FORM_BYTES);
  if (body === undefined) return;
  const plan = await applyFault(deps.faults.decide('token'), req, res, entry, () =>
    oauthError('invalid_grant', 'The refresh token has expired. Authorize the application again.'),
  );
  if (plan === 'answered') return;
  if (!isFormContentType(req)) {
    writeResponse(res, oauthError('invalid_request', 'The body must be application/x-www-form-urlencoded.'), plan);
    return;
  }
  const response = handleTokenRequest(deps.token, req.headers.authorization, new URLSearchParams(body.toString('utf8')));
  entry.grantType = response.status === 200 ? 'ok' : 'error';
  writeResponse(res, response, plan);
}
