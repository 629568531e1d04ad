// The public surface of authentication: token sources behind the TokenSource contract, the OAuth token store
// interface the state module implements, the authorization-code exchange for onboarding, and typed errors.
export type { BearerToken, SnowflakeTokenType, TokenSource } from './token-source.ts';
export { createTokenSource, type TokenSourceOptions } from './create-token-source.ts';
export {
  KeyPairTokenSource,
  DEFAULT_JWT_LIFETIME_SECONDS,
  DEFAULT_JWT_RENEW_BEFORE_SECONDS,
  MAX_JWT_LIFETIME_SECONDS,
  type KeyPairTokenSourceOptions,
} from './keypair.ts';
export { loadRsaPrivateKey, publicKeyFingerprint, MIN_RSA_MODULUS_BITS, type RsaKeyPair } from './private-key.ts';
export { ProgrammaticAccessTokenSource, type ProgrammaticAccessTokenSourceOptions } from './pat.ts';
export {
  OAuthTokenSource,
  DEFAULT_OAUTH_REFRESH_BEFORE_SECONDS,
  type OAuthTokenSourceListener,
  type OAuthTokenSourceOptions,
  type OAuthTokenSourceState,
} from './oauth.ts';
export {
  buildAuthorizationUrl,
  createPkcePair,
  pkceChallenge,
  roleScope,
  type AuthorizationUrlOptions,
  type PkcePair,
} from './oauth-authorization.ts';
export { InMemoryOAuthTokenStore, type OAuthTokenSet, type OAuthTokenStore } from './oauth-token-store.ts';
export {
  exchangeAuthorizationCode,
  refreshAccessToken,
  validateTokenEndpoint,
  type AuthorizationCodeExchange,
  type TokenEndpointOptions,
  type TokenEndpointRetryOptions,
} from './oauth-token-endpoint.ts';
export {
  AuthError,
  OAuthReauthorizationRequiredError,
  OAuthTokenEndpointError,
  type AuthErrorCode,
  type ReauthorizationReason,
} from './errors.ts';
