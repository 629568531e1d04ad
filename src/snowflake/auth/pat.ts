// Programmatic access tokens: a long-lived secret created in Snowflake (ALTER USER ... ADD PAT) and given to the
// exporter by reference. The exporter cannot renew it; rotation is an operator's job, so a 401 changes nothing here.
import type { Secret } from '../../util/secret.ts';
import { AuthError } from './errors.ts';
import type { BearerToken, TokenSource } from './token-source.ts';

export interface ProgrammaticAccessTokenSourceOptions {
  token: Secret;
}

export class ProgrammaticAccessTokenSource implements TokenSource {
  readonly method = 'pat' as const;
  readonly #bearer: BearerToken;

  constructor(options: ProgrammaticAccessTokenSourceOptions) {
    const token = options.token.reveal().trim();
    if (token === '') {
      throw new AuthError('AUTH_INVALID_OPTIONS', `The programmatic access token from ${options.token.source} is empty.`);
    }
    this.#bearer = { token, type: 'PROGRAMMATIC_ACCESS_TOKEN' };
  }

  getToken(signal?: AbortSignal): Promise<BearerToken> {
    // A throw inside the executor becomes a rejection, as callers of an async method expect.
    return new Promise((resolve) => {
      signal?.throwIfAborted();
      resolve(this.#bearer);
    });
  }

  /** A PAT cannot be renewed by the exporter; the SQL API client reports the 401 and the operator rotates the PAT. */
  invalidate(_rejected: BearerToken): void {}
}
