// The state section's secrets: the key OAuth tokens are sealed with and the keys of earlier rotations. Read like
// every other secret (env: / file: references), then checked for shape (32 bytes as base64 or hex) so a truncated
// key fails at start instead of at the first consent. Also the cross-field warnings of OAuth onboarding.
import { decodeEncryptionKey } from '../state/token-cipher.ts';
import { ENCRYPTION_KEY_HINT } from '../state/encrypted-oauth-token-store.ts';
import type { Secret } from '../util/secret.ts';
import type { PathSegment } from './schema-walk.ts';
import { parseSecretReference, resolveSecretReference, type SecretResolutionContext } from './secret-reference.ts';

interface Problem {
  readonly path: readonly PathSegment[];
  readonly message: string;
}

export interface ResolvedStateSecrets {
  readonly encryptionKey: Secret | undefined;
  readonly previousEncryptionKeys: readonly Secret[];
}

export function resolveStateSecrets(
  document: unknown,
  context: SecretResolutionContext,
  problems: Problem[],
  warnings: Problem[],
  secretTexts: string[],
): ResolvedStateSecrets {
  const state = field(document, 'state');
  const resolveKey = (raw: unknown, path: readonly PathSegment[]): Secret | undefined => {
    if (typeof raw !== 'string') return undefined;
    const reference = parseSecretReference(raw);
    if ('error' in reference) {
      // The schema reports it; the value may be the key itself, so no message may repeat it.
      secretTexts.push(raw);
      return undefined;
    }
    const resolution = resolveSecretReference(reference, context);
    if (!resolution.ok) {
      problems.push({ path, message: resolution.error });
      return undefined;
    }
    secretTexts.push(resolution.secret.reveal());
    if (resolution.warning !== undefined) warnings.push({ path, message: resolution.warning });
    const decoded = decodeEncryptionKey(resolution.secret.reveal());
    if ('error' in decoded) {
      problems.push({ path, message: `${decoded.error} (read from ${resolution.secret.source})` });
      return undefined;
    }
    decoded.fill(0);
    return resolution.secret;
  };
  const encryptionKey = resolveKey(field(state, 'encryptionKey'), ['state', 'encryptionKey']);
  const previous = field(state, 'previousEncryptionKeys');
  const previousEncryptionKeys = Array.isArray(previous)
    ? previous
        .map((raw, index) => resolveKey(raw, ['state', 'previousEncryptionKeys', index]))
        .filter((secret): secret is Secret => secret !== undefined)
    : [];
  return { encryptionKey, previousEncryptionKeys };
}

/**
 * Things that let the exporter start but leave OAuth onboarding unable to work: OAuth accounts without a token key,
 * and redirect URIs on another origin than the onboarding public URL (the state cookie set by /oauth/start would
 * never come back to the callback).
 */
export function onboardingWarnings(document: unknown): Problem[] {
  const warnings: Problem[] = [];
  const accounts: unknown = field(document, 'accounts');
  if (!Array.isArray(accounts)) return warnings;
  const oauth = (accounts as unknown[])
    .map((account, index) => ({ account, index }))
    .filter(({ account }) => field(field(account, 'auth'), 'method') === 'oauth');
  if (oauth.length === 0) return warnings;
  if (field(field(document, 'state'), 'encryptionKey') === undefined) {
    const names = oauth.map(({ account, index }) => {
      const name = field(account, 'name');
      return typeof name === 'string' ? name : `accounts[${index}]`;
    });
    warnings.push({
      path: ['state', 'encryptionKey'],
      message: `is not set, but ${names.join(', ')} use${names.length === 1 ? 's' : ''} OAuth: the exporter refuses to store OAuth tokens without it, so ${names.length === 1 ? 'that account stays' : 'those accounts stay'} disconnected; ${ENCRYPTION_KEY_HINT}`,
    });
  }
  const publicUrl = field(field(field(document, 'server'), 'onboarding'), 'publicUrl');
  const publicOrigin = typeof publicUrl === 'string' && URL.canParse(publicUrl) ? new URL(publicUrl).origin : undefined;
  if (publicOrigin !== undefined) {
    for (const { account, index } of oauth) {
      const redirectUri = field(field(account, 'auth'), 'redirectUri');
      if (typeof redirectUri !== 'string' || !URL.canParse(redirectUri)) continue;
      const origin = new URL(redirectUri).origin;
      if (origin !== publicOrigin) {
        warnings.push({
          path: ['accounts', index, 'auth', 'redirectUri'],
          message: `is on ${origin} but server.onboarding.publicUrl is on ${publicOrigin}: the browser sends the sign-in cookie only to the origin that set it, so start the flow at ${origin}/oauth/start or align the two`,
        });
      }
    }
  }
  return warnings;
}

function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined;
  return (value as Record<string, unknown>)[key];
}
