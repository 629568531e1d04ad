// The emulator-only admin surface under `/_emulator/` (not part of Snowflake's API): a report of statements,
// requests and faults fired (plus the engine's warehouse report), the virtual clock, fault rules at run time, and
// revoking or expiring OAuth tokens. Bodies are validated with zod; bad input is a 400 with the problems listed.
import { z } from 'zod';
import { faultConfigSchema } from '../faults/rules.ts';
import type { FaultInjector } from '../faults/injector.ts';
import type { OAuthTokenStore } from '../oauth/token-store.ts';
import { clockMillis, type EngineWithExtras } from './engine-port.ts';
import type { WireResponse } from './responses.ts';
import type { StatementStore } from './statements.ts';

export interface AdminDeps {
  engine: EngineWithExtras;
  store: StatementStore;
  faults: FaultInjector;
  tokens: OAuthTokenStore;
  requestCounts: Map<string, number>;
}

const clockBody = z
  .object({
    /** ISO 8601 text or ms since the epoch. */
    set: z.union([z.string(), z.number()]).optional(),
    advanceSeconds: z.number().optional(),
  })
  .strict();

const tokenBody = z
  .object({
    action: z.enum(['revoke', 'expire']).default('revoke'),
    kind: z.enum(['access', 'refresh', 'all']).default('all'),
    user: z.string().optional(),
    clientId: z.string().optional(),
  })
  .strict();

function json(status: number, body: unknown): WireResponse {
  return { status, headers: { 'Content-Type': 'application/json' }, body: `${JSON.stringify(body, null, 2)}\n` };
}

function badRequest(error: z.ZodError | string): WireResponse {
  const problems = typeof error === 'string' ? [error] : error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
  return json(400, { error: 'invalid admin request', problems });
}

export interface AdminReport {
  statements: StatementStore['counters'] & { retained: number };
  requests: Record<string, number>;
  faultsFired: Record<string, number>;
  tokens: { access: number; refresh: number };
  warehouses: unknown;
  clock: string | null;
}

export function adminReport(deps: AdminDeps): AdminReport {
  return {
    statements: { ...deps.store.counters, retained: deps.store.size },
    requests: Object.fromEntries(deps.requestCounts),
    faultsFired: Object.fromEntries(deps.faults.fired),
    tokens: deps.tokens.counts(),
    warehouses: deps.engine.warehouseReport?.() ?? null,
    clock: deps.engine.clock === undefined ? null : new Date(clockMillis(deps.engine.clock.now())).toISOString(),
  };
}

export function handleAdmin(deps: AdminDeps, method: string, path: string, body: Buffer): WireResponse {
  let parsed: unknown = {};
  if (method === 'POST' && body.length > 0) {
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return badRequest('body is not JSON');
    }
  }
  const route = `${method} ${path}`;
  switch (route) {
    case 'GET /_emulator/report':
      return json(200, adminReport(deps));
    case 'GET /_emulator/faults':
      return json(200, { rules: deps.faults.rules });
    case 'POST /_emulator/faults': {
      const config = faultConfigSchema.safeParse(parsed);
      if (!config.success) return badRequest(config.error);
      try {
        deps.faults.replace(config.data);
      } catch (error) {
        return badRequest(error instanceof Error ? error.message : 'invalid fault rules');
      }
      return json(200, { rules: deps.faults.rules });
    }
    case 'POST /_emulator/clock': {
      const request = clockBody.safeParse(parsed);
      if (!request.success) return badRequest(request.error);
      const clock = deps.engine.clock;
      if (clock === undefined) return badRequest('the engine has no virtual clock');
      if (request.data.set !== undefined) {
        const when = new Date(request.data.set);
        if (Number.isNaN(when.getTime())) return badRequest('set: not a date');
        clock.set(when);
      }
      if (request.data.advanceSeconds !== undefined) clock.advance(request.data.advanceSeconds * 1000);
      return json(200, { now: new Date(clockMillis(clock.now())).toISOString() });
    }
    case 'POST /_emulator/tokens/revoke': {
      const request = tokenBody.safeParse(parsed);
      if (!request.success) return badRequest(request.error);
      const { action, ...filter } = request.data;
      const count = action === 'revoke' ? deps.tokens.revoke(filter) : deps.tokens.expire(filter);
      return json(200, { action, count });
    }
    default:
      return json(404, { error: `no admin route ${route}` });
  }
}
