// Public surface of the configuration module.
export { ConfigError, formatProblem, formatProblems, type ConfigErrorCode, type ConfigProblem } from './errors.ts';
export { loadConfig, loadConfigFromText, type LoadConfigOptions, type LoadedConfig } from './load.ts';
export { CONFIG_PATH_ENV, ENV_PREFIX, envVarFor } from './env-overrides.ts';
export { formatDuration, parseDurationSeconds } from './duration.ts';
export {
  AUTH_METHODS,
  LOG_LEVELS,
  MIN_INTERVAL_SECONDS,
  QUERY_EVENT_SCOPES,
  QUERY_TEXT_POLICIES,
  SEVERITIES,
  WAREHOUSE_CREDITS_PER_HOUR,
  WAREHOUSE_SIZES,
  type AuthMethod,
  type ListenAddress,
  type LogLevel,
  type QueryEventScope,
  type QueryTextPolicy,
  type Severity,
  type WarehouseSize,
} from './schema.ts';
export {
  DEFAULTS,
  defaultCollectionSettings,
  type AccountConfig,
  type AuthConfig,
  type CollectionSettings,
  type CreditBudgetConfig,
  type PostureConfig,
  type QueryEventsConfig,
  type WarehouseCostConfig,
  type CustomDetectionConfig,
  type ExporterConfig,
  type KeyPairAuthConfig,
  type OAuthAuthConfig,
  type PatAuthConfig,
  type ServerConfig,
} from './types.ts';
