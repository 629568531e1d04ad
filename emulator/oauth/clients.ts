// OAuth clients registered with the emulator, mirroring a `CREATE SECURITY INTEGRATION ... TYPE = OAUTH
// OAUTH_CLIENT = CUSTOM` (https://docs.snowflake.com/en/sql-reference/sql/create-security-integration-oauth-snowflake):
// redirect URI (and whether it may be plain http), PKCE enforcement, refresh-token issue, validity and single-use
// rotation, and the blocked roles list. Client secrets are kept as digests only.
import { digest, matchesDigest } from '../auth/digest.ts';
import { storedName } from '../auth/identifiers.ts';

export interface OAuthClientConfig {
  clientId: string;
  /** OAUTH_CLIENT_SECRET and OAUTH_CLIENT_SECRET_2: either is accepted. */
  clientSecrets: string[];
  redirectUri: string;
  /**
   * OAUTH_ALLOW_NON_TLS_REDIRECT_URI (default FALSE, as in Snowflake): only with it may `redirectUri` be an `http:`
   * URI. Snowflake's page: "If TRUE, allows setting OAUTH_REDIRECT_URI to a URI not protected by TLS", so without it
   * the integration cannot be created with one, and registering such a client fails here (OAuthClientConfigError).
   */
  allowNonTlsRedirectUri?: boolean;
  /** Shown on the consent page. */
  name?: string;
  enforcePkce?: boolean;
  issueRefreshTokens?: boolean;
  /** OAUTH_REFRESH_TOKEN_VALIDITY in seconds (real range 86400..7776000; any positive value allowed here for tests). */
  refreshTokenValiditySeconds?: number;
  singleUseRefreshTokens?: boolean;
  /** BLOCKED_ROLES_LIST, written as SQL identifiers; the privileged roles are added to it (see PRIVILEGED_ROLES). */
  blockedRoles?: string[];
}

export interface ClientRegistryOptions {
  /**
   * The account parameter OAUTH_ADD_PRIVILEGED_ROLES_TO_BLOCKED_LIST (default TRUE): while it is TRUE, every Snowflake
   * OAuth integration refuses the privileged roles whatever its BLOCKED_ROLES_LIST says
   * (https://docs.snowflake.com/en/user-guide/oauth-custom: "cannot be removed";
   * https://docs.snowflake.com/en/sql-reference/sql/create-security-integration-oauth-snowflake for the parameter).
   */
  addPrivilegedRolesToBlockedList?: boolean;
}

export interface RegisteredClient {
  clientId: string;
  name: string;
  redirectUri: string;
  enforcePkce: boolean;
  issueRefreshTokens: boolean;
  refreshTokenValiditySeconds: number;
  singleUseRefreshTokens: boolean;
  /** Stored role names, compared exactly with the session role asked for. */
  blockedRoles: Set<string>;
  secretDigests: Buffer[];
}

/**
 * A client the account could not have: Snowflake refuses the CREATE SECURITY INTEGRATION (the statement's error text
 * is not documented, so none is imitated; the message names the setting to change).
 */
export class OAuthClientConfigError extends Error {
  override readonly name = 'OAuthClientConfigError';
}

/** The roles Snowflake OAuth refuses by default (https://docs.snowflake.com/en/user-guide/oauth-custom). */
export const PRIVILEGED_ROLES = ['ACCOUNTADMIN', 'SECURITYADMIN', 'ORGADMIN', 'GLOBALORGADMIN'];
export const DEFAULT_REFRESH_TOKEN_VALIDITY_SECONDS = 7_776_000;

export class ClientRegistry {
  readonly #clients = new Map<string, RegisteredClient>();
  readonly #addPrivilegedRoles: boolean;

  constructor(configs: readonly OAuthClientConfig[], options: ClientRegistryOptions = {}) {
    this.#addPrivilegedRoles = options.addPrivilegedRolesToBlockedList ?? true;
    for (const config of configs) this.register(config);
  }

  /** Adds or replaces a client, as `CREATE OR REPLACE SECURITY INTEGRATION` does on a running account. */
  register(config: OAuthClientConfig): void {
    checkRedirectUri(config);
    this.#clients.set(config.clientId, {
      clientId: config.clientId,
      name: config.name ?? config.clientId,
      redirectUri: config.redirectUri,
      enforcePkce: config.enforcePkce ?? false,
      issueRefreshTokens: config.issueRefreshTokens ?? true,
      refreshTokenValiditySeconds: config.refreshTokenValiditySeconds ?? DEFAULT_REFRESH_TOKEN_VALIDITY_SECONDS,
      singleUseRefreshTokens: config.singleUseRefreshTokens ?? false,
      blockedRoles: new Set([...(config.blockedRoles ?? []).map(storedName), ...(this.#addPrivilegedRoles ? PRIVILEGED_ROLES : [])]),
      secretDigests: config.clientSecrets.map(digest),
    });
  }

  get(clientId: string): RegisteredClient | undefined {
    return this.#clients.get(clientId);
  }

  /** The client if the id is known and the secret matches one of its secrets. */
  authenticate(clientId: string, secret: string): RegisteredClient | undefined {
    const client = this.#clients.get(clientId);
    if (client === undefined) return undefined;
    return client.secretDigests.some((expected) => matchesDigest(secret, expected)) ? client : undefined;
  }
}

/** An `http:` OAUTH_REDIRECT_URI needs OAUTH_ALLOW_NON_TLS_REDIRECT_URI = TRUE. */
function checkRedirectUri(config: OAuthClientConfig): void {
  if (/^http:/i.test(config.redirectUri) && config.allowNonTlsRedirectUri !== true) {
    throw new OAuthClientConfigError(
      `OAuth client ${config.clientId}: OAUTH_REDIRECT_URI ${config.redirectUri} is not protected by TLS; Snowflake accepts it only with ` +
        'OAUTH_ALLOW_NON_TLS_REDIRECT_URI = TRUE (allowNonTlsRedirectUri) ' +
        '(https://docs.snowflake.com/en/sql-reference/sql/create-security-integration-oauth-snowflake).',
    );
  }
}
