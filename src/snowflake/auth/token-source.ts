// The contract between authentication and the SQL API client: the client asks for a bearer token before each
// request and reports a 401 so the source can renew; it never knows how the token was made.

/** Values of the X-Snowflake-Authorization-Token-Type header. */
export type SnowflakeTokenType = 'KEYPAIR_JWT' | 'OAUTH' | 'PROGRAMMATIC_ACCESS_TOKEN';

export interface BearerToken {
  /** The bearer value. Never log it. */
  readonly token: string;
  readonly type: SnowflakeTokenType;
}

export interface TokenSource {
  /** Which authentication method this source implements, for metrics and messages. */
  readonly method: 'keypair' | 'pat' | 'oauth';
  /** A token valid for at least the next few seconds; renews first when the cached one is about to expire. */
  getToken(signal?: AbortSignal): Promise<BearerToken>;
  /**
   * Called when Snowflake answered 401 to a request made with `rejected`. The next getToken() must not return the
   * same token if a new one can be made (key-pair: new JWT; OAuth: refresh). Sources that cannot renew (PAT) keep it.
   */
  invalidate(rejected: BearerToken): void;
}
