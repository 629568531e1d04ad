// Authentication of every SQL API request: `Authorization: Bearer <token>` with the token type from
// `X-Snowflake-Authorization-Token-Type`, or inferred from the token when the header is absent (the real server
// does so: recordings, reference doc section 1.3). Failures answer with Snowflake's codes; nothing about the token
// itself is echoed, logged or kept.
import type { IncomingHttpHeaders } from 'node:http';
import type { OAuthTokenStore } from '../oauth/token-store.ts';
import { codeMessageResponse, roleNotGrantedMessage, type WireResponse } from '../server/responses.ts';
import { verifyKeypairJwt } from './keypair-jwt.ts';
import type { UserDirectory } from './users.ts';

export type TokenType = 'KEYPAIR_JWT' | 'OAUTH' | 'PROGRAMMATIC_ACCESS_TOKEN';

export interface Principal {
  user: string;
  tokenType: TokenType;
  /** A role the credential is bound to: the OAuth token's session role, or the PAT's ROLE_RESTRICTION. */
  boundRole: string | undefined;
}

export type AuthOutcome = { ok: true; principal: Principal } | { ok: false; response: WireResponse; tokenType?: TokenType };

export interface AuthContext {
  account: string;
  users: UserDirectory;
  tokens: OAuthTokenStore;
  /** Wall-clock ms: tokens are minted and judged in real time (documented decision, see emulator README). */
  now: () => number;
}

/** 401 per token type, as when the token is bad or expired (078 for JWTs; reference doc 1.10 for OAuth). */
export function invalidTokenResponse(tokenType: TokenType): WireResponse {
  switch (tokenType) {
    case 'KEYPAIR_JWT':
      return codeMessageResponse(401, '390144', 'JWT token is invalid. null');
    case 'OAUTH':
      // The real text ends with the token's last characters; the emulator leaves them out so no token bit is echoed.
      return codeMessageResponse(401, '390303', 'Invalid OAuth access token. ...');
    case 'PROGRAMMATIC_ACCESS_TOKEN':
      // Not recorded; a code in the same 39xxxx authentication family, chosen and documented.
      return codeMessageResponse(401, '394400', 'Programmatic access token is invalid.');
  }
}

function missingTokenResponse(detail: string): WireResponse {
  return codeMessageResponse(400, '390146', detail);
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export async function authenticate(headers: IncomingHttpHeaders, context: AuthContext): Promise<AuthOutcome> {
  const authorization = headerValue(headers, 'authorization');
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (match === null) return { ok: false, response: missingTokenResponse('Authorization header with a Bearer token is required.') };
  const token = match[1] ?? '';
  const declared = headerValue(headers, 'x-snowflake-authorization-token-type')?.trim().toUpperCase();
  let tokenType: TokenType;
  if (declared === undefined || declared === '') {
    tokenType = inferTokenType(token, context);
  } else if (declared === 'KEYPAIR_JWT' || declared === 'OAUTH' || declared === 'PROGRAMMATIC_ACCESS_TOKEN') {
    tokenType = declared;
  } else {
    return { ok: false, response: missingTokenResponse('Unsupported X-Snowflake-Authorization-Token-Type.') };
  }
  const now = context.now();
  switch (tokenType) {
    case 'KEYPAIR_JWT': {
      const check = await verifyKeypairJwt(token, context.account, context.users, now);
      if (!check.ok) return { ok: false, response: invalidTokenResponse(tokenType), tokenType };
      return { ok: true, principal: { user: check.user, tokenType, boundRole: undefined } };
    }
    case 'OAUTH': {
      const record = context.tokens.validAccess(token);
      if (record === undefined || context.users.get(record.user) === undefined) {
        return { ok: false, response: invalidTokenResponse(tokenType), tokenType };
      }
      return { ok: true, principal: { user: record.user, tokenType, boundRole: record.role } };
    }
    case 'PROGRAMMATIC_ACCESS_TOKEN': {
      const pat = context.users.findPat(token);
      if (pat === undefined || pat.expiresAt <= now || context.users.get(pat.user) === undefined) {
        return { ok: false, response: invalidTokenResponse(tokenType), tokenType };
      }
      return { ok: true, principal: { user: pat.user, tokenType, boundRole: pat.roleRestriction } };
    }
  }
}

function inferTokenType(token: string, context: AuthContext): TokenType {
  if (token.startsWith('ver:')) return 'OAUTH';
  if (context.users.findPat(token) !== undefined) return 'PROGRAMMATIC_ACCESS_TOKEN';
  if (JWT_SHAPE.test(token)) return 'KEYPAIR_JWT';
  return 'OAUTH';
}

export type RoleOutcome = { ok: true; role: string } | { ok: false; response: WireResponse };

/** The session role: the body's `role` if granted and allowed by the credential, else the bound or default role. */
export function resolveRole(principal: Principal, requested: string | undefined, users: UserDirectory): RoleOutcome {
  const user = users.get(principal.user);
  const refuse = (role: string): RoleOutcome => ({ ok: false, response: codeMessageResponse(400, '390186', roleNotGrantedMessage(role)) });
  if (user === undefined) return refuse(requested ?? 'PUBLIC');
  if (principal.boundRole !== undefined) {
    if (requested !== undefined && requested !== principal.boundRole) return refuse(requested);
    return { ok: true, role: principal.boundRole };
  }
  if (requested === undefined) return { ok: true, role: user.defaultRole };
  return user.roles.has(requested) ? { ok: true, role: requested } : refuse(requested);
}
