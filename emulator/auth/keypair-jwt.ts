// Key-pair JWT checks as the SQL API applies them (reference doc section 4.1): RS256 signed by a public key
// registered for the user, iss `ACCOUNT.USER.SHA256:<fingerprint>`, sub `ACCOUNT.USER`, and a lifetime of at most one
// hour. Tokens are judged against wall time, not the virtual clock: the client mints them from its real clock.
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import type { UserDirectory } from './users.ts';

const MAX_LIFETIME_SECONDS = 3600;
const CLOCK_SKEW_SECONDS = 60;

export type JwtCheck = { ok: true; user: string } | { ok: false; reason: string };

/** `iat`/`exp` may be sent in milliseconds (the docs allow either); normalise to seconds. */
function toSeconds(value: number): number {
  return value > 100_000_000_000 ? Math.floor(value / 1000) : value;
}

export async function verifyKeypairJwt(token: string, account: string, users: UserDirectory, nowMs: number): Promise<JwtCheck> {
  let claims: ReturnType<typeof decodeJwt>;
  try {
    if (decodeProtectedHeader(token).alg !== 'RS256') return { ok: false, reason: 'alg is not RS256' };
    claims = decodeJwt(token);
  } catch {
    return { ok: false, reason: 'not a JWT' };
  }
  const match = typeof claims.iss === 'string' ? /^([^.]+)\.(.+)\.(SHA256:.+)$/.exec(claims.iss) : null;
  if (match === null) return { ok: false, reason: 'iss is not ACCOUNT.USER.SHA256:<fp>' };
  const [, issAccount = '', issUser = '', fingerprint = ''] = match;
  if (issAccount !== account) return { ok: false, reason: 'iss names another account' };
  const user = users.get(issUser);
  if (user === undefined || issUser !== user.name) return { ok: false, reason: 'unknown user' };
  const key = user.keys.find((candidate) => candidate.fingerprint === fingerprint);
  if (key === undefined) return { ok: false, reason: 'no registered key has this fingerprint' };
  try {
    await jwtVerify(token, key.key, { algorithms: ['RS256'], currentDate: new Date(nowMs), clockTolerance: CLOCK_SKEW_SECONDS });
  } catch {
    return { ok: false, reason: 'signature or time claims invalid' };
  }
  if (claims.sub !== `${account}.${user.name}`) return { ok: false, reason: 'sub does not match' };
  if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number') return { ok: false, reason: 'iat and exp are required' };
  const iat = toSeconds(claims.iat);
  const exp = toSeconds(claims.exp);
  const now = Math.floor(nowMs / 1000);
  if (exp - iat > MAX_LIFETIME_SECONDS) return { ok: false, reason: 'lifetime exceeds one hour' };
  if (exp <= now - CLOCK_SKEW_SECONDS) return { ok: false, reason: 'expired' };
  if (iat > now + CLOCK_SKEW_SECONDS) return { ok: false, reason: 'issued in the future' };
  return { ok: true, user: user.name };
}
