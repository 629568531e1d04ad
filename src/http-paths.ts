// The exporter's fixed HTTP paths, in one place for everything that serves or checks them: the HTTP app (src/http),
// the OAuth consent routes (src/oauth) and the configuration check that keeps `server.metricsPath` off them (a
// metrics path equal to one of these would shadow it, or make the HTTP app refuse to start).
export const LANDING_PATH = '/';
export const STATUS_API_PATH = '/api/status';
export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';
export const OAUTH_START_PATH = '/oauth/start';
export const OAUTH_CALLBACK_PATH = '/oauth/callback';

/** Paths `server.metricsPath` may not take: the OAuth routes too, whether they ride on the main listener or not. */
export const RESERVED_HTTP_PATHS: readonly string[] = [
  LANDING_PATH,
  STATUS_API_PATH,
  HEALTH_PATH,
  READY_PATH,
  OAUTH_START_PATH,
  OAUTH_CALLBACK_PATH,
];
