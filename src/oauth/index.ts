// Public surface of OAuth onboarding: the consent routes, per-account connection state and the OAuth metrics.
export { OAuthOnboarding, createOnboardingApp, DEFAULT_ONBOARDING, type OAuthOnboardingOptions } from './onboarding.ts';
export { OAuthConnection, type OAuthConnectionStatus } from './oauth-connection.ts';
export { OAuthMetrics, OAUTH_METRIC_NAMES, type OAuthMetricsSource, type RefreshOutcome } from './oauth-metrics.ts';
export { PendingAuthorizations, DEFAULT_SIGN_IN_TTL_MS, type PendingAuthorization, type StateLookup } from './pending-authorizations.ts';
export { CALLBACK_PATH, START_PATH, stateCookieName, mountOnboardingRoutes, type OnboardingRoutesContext } from './routes.ts';
