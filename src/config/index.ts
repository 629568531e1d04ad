// Public surface of the configuration module.
export { ConfigError, formatProblem, formatProblems, type ConfigErrorCode, type ConfigProblem } from './errors.ts';
export { loadConfig, loadConfigFromText, type LoadConfigOptions, type LoadedConfig } from './load.ts';
export { CONFIG_PATH_ENV, ENV_PREFIX, envVarFor } from './env-overrides.ts';
export { formatDuration, parseDurationSeconds } from './duration.ts';
export {
  AUTH_METHODS,
  LOG_LEVELS,
  MIN_INTERVAL_SECONDS,
  SEVERITIES,
  type AuthMethod,
  type ListenAddress,
  type LogLevel,
  type Severity,
} from './schema.ts';
export {
  DEFAULTS,
  type AccountConfig,
  type AuthConfig,
  type CustomDetectionConfig,
  type ExporterConfig,
  type KeyPairAuthConfig,
  type OAuthAuthConfig,
  type PatAuthConfig,
  type ServerConfig,
} from './types.ts';
