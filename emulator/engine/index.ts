// Public surface of the emulator's SQL engine (used by emulator/server/ and emulator/scenario/).

export type { VirtualClock } from './clock.ts';
export { createVirtualClock } from './clock.ts';
export type { LatencyModel } from './latency.ts';
export { defaultLatencyModel } from './latency.ts';
export type { EmulatorEngine, EngineOptions, InboundShare } from './engine.ts';
export { createEmulatorEngine } from './engine.ts';
export type { BehaviourChangeBundle, CatalogOptions } from './catalog.ts';
export { BEHAVIOUR_CHANGE_COLUMNS } from './catalog.ts';
export type { StatementLogEntry, WarehouseConfig, WarehouseReport, WarehouseSize, WarehouseUsage } from './warehouse.ts';
export { CREDITS_PER_HOUR, MINIMUM_BILLED_SECONDS } from './warehouse.ts';
export { EmulatorInputError } from './insert.ts';
export { ACCOUNT_PARAMETERS } from './parameters.ts';
export type { GrantsConfig, SnowflakeDatabaseRole, TrustCenterApplicationRole } from './privileges.ts';
export {
  ACCOUNT_USAGE_VIEW_ROLES,
  GrantConfigError,
  IMPORTED_PRIVILEGES_GRANT,
  SNOWFLAKE_DATABASE_ROLES,
  SNOWFLAKE_DATABASE_ROLES_URL,
  TRUST_CENTER_APPLICATION_ROLES,
  grantsThatRead,
  openGrants,
  parseGrantFlag,
  withGrants,
} from './privileges.ts';
export { splitStatements } from './translate/tokenizer.ts';
export type { Binding, ExecuteRequest, RowTypeField, SnowflakeWireType, SqlEngine, StatementResult } from './types.ts';
export { SnowflakeStatementError } from './types.ts';
