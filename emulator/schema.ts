// The SNOWFLAKE.ACCOUNT_USAGE views (and SNOWFLAKE.TRUST_CENTER.FINDINGS) the emulator holds, with the documented
// columns and Snowflake types (shared/docs/reference/detection-sources.md section 6 and the Snowflake reference pages
// it cites). The engine creates DuckDB tables from this; the scenario generator and the JSON Lines importer write rows
// keyed by these upper-case column names. Only columns the exporter or a detection could use are listed; a column a
// query names that is missing here fails with Snowflake's "invalid identifier" error, never a silent NULL.

/** Snowflake column types as they appear in the views, mapped to DuckDB storage by the engine. */
export type ViewColumnType =
  | 'NUMBER' // NUMBER(38,0)
  | 'FLOAT'
  | 'TEXT'
  | 'BOOLEAN'
  | 'TIMESTAMP_LTZ'
  | 'TIMESTAMP_NTZ'
  | 'DATE'
  | 'VARIANT'
  | 'OBJECT'
  | 'ARRAY';

export interface ViewColumn {
  readonly name: string;
  readonly type: ViewColumnType;
}

export interface ViewDefinition {
  /** Schema inside the SNOWFLAKE database. */
  readonly schema: 'ACCOUNT_USAGE' | 'TRUST_CENTER';
  readonly name: string;
  readonly columns: readonly ViewColumn[];
  /**
   * Column whose value decides when a row becomes visible: a row shows in the view only once
   * virtual now >= that column + latency. Null for views that are not time-ordered.
   */
  readonly eventTimeColumn: string | null;
  /** Documented maximum ingestion latency in seconds (the default of the emulator's latency model). */
  readonly latencySeconds: number;
}

const c = (name: string, type: ViewColumnType): ViewColumn => ({ name, type });
const MIN = 60;
const HOUR = 3600;

export const VIEWS: readonly ViewDefinition[] = [
  {
    schema: 'ACCOUNT_USAGE',
    name: 'USERS',
    eventTimeColumn: null,
    latencySeconds: 2 * HOUR,
    columns: [
      c('USER_ID', 'NUMBER'), c('NAME', 'TEXT'), c('CREATED_ON', 'TIMESTAMP_LTZ'), c('DELETED_ON', 'TIMESTAMP_LTZ'),
      c('LOGIN_NAME', 'TEXT'), c('DISPLAY_NAME', 'TEXT'), c('FIRST_NAME', 'TEXT'), c('LAST_NAME', 'TEXT'),
      c('EMAIL', 'TEXT'), c('MUST_CHANGE_PASSWORD', 'BOOLEAN'), c('HAS_PASSWORD', 'BOOLEAN'), c('COMMENT', 'TEXT'),
      c('DISABLED', 'VARIANT'), c('SNOWFLAKE_LOCK', 'VARIANT'), c('DEFAULT_WAREHOUSE', 'TEXT'),
      c('DEFAULT_NAMESPACE', 'TEXT'), c('DEFAULT_ROLE', 'TEXT'), c('EXT_AUTHN_DUO', 'VARIANT'),
      c('EXT_AUTHN_UID', 'TEXT'), c('HAS_MFA', 'BOOLEAN'), c('BYPASS_MFA_UNTIL', 'TIMESTAMP_LTZ'),
      c('LAST_SUCCESS_LOGIN', 'TIMESTAMP_LTZ'), c('EXPIRES_AT', 'TIMESTAMP_LTZ'),
      c('LOCKED_UNTIL_TIME', 'TIMESTAMP_LTZ'), c('HAS_RSA_PUBLIC_KEY', 'BOOLEAN'), c('HAS_PAT', 'BOOLEAN'),
      c('HAS_WORKLOAD_IDENTITY', 'BOOLEAN'), c('PASSWORD_LAST_SET_TIME', 'TIMESTAMP_LTZ'), c('OWNER', 'TEXT'),
      c('DEFAULT_SECONDARY_ROLE', 'TEXT'), c('TYPE', 'TEXT'), c('DATABASE_NAME', 'TEXT'), c('DATABASE_ID', 'NUMBER'),
      c('SCHEMA_NAME', 'TEXT'), c('SCHEMA_ID', 'NUMBER'),
    ],
  },
  {
    schema: 'ACCOUNT_USAGE',
    name: 'ROLES',
    eventTimeColumn: null,
    latencySeconds: 2 * HOUR,
    columns: [
      c('ROLE_ID', 'NUMBER'), c('CREATED_ON', 'TIMESTAMP_LTZ'), c('DELETED_ON', 'TIMESTAMP_LTZ'), c('NAME', 'TEXT'),
      c('COMMENT', 'TEXT'), c('OWNER', 'TEXT'), c('ROLE_TYPE', 'TEXT'), c('ROLE_DATABASE_NAME', 'TEXT'),
      c('ROLE_INSTANCE_ID', 'NUMBER'), c('OWNER_ROLE_TYPE', 'TEXT'),
    ],
  },
  {
    schema: 'ACCOUNT_USAGE',
    name: 'GRANTS_TO_USERS',
    eventTimeColumn: 'CREATED_ON',
    latencySeconds: 2 * HOUR,
    columns: [
      c('CREATED_ON', 'TIMESTAMP_LTZ'), c('DELETED_ON', 'TIMESTAMP_LTZ'), c('ROLE', 'TEXT'), c('GRANTED_TO', 'TEXT'),
      c('GRANTEE_NAME', 'TEXT'), c('GRANTED_BY', 'TEXT'),
    ],
  },
  {
    schema: 'ACCOUNT_USAGE',
    name: 'GRANTS_TO_ROLES',
    eventTimeColumn: 'CREATED_ON',
    latencySeconds: 2 * HOUR,
    columns: [
      c('CREATED_ON', 'TIMESTAMP_LTZ'), c('MODIFIED_ON', 'TIMESTAMP_LTZ'), c('PRIVILEGE', 'TEXT'),
      c('GRANTED_ON', 'TEXT'), c('NAME', 'TEXT'), c('TABLE_CATALOG', 'TEXT'), c('TABLE_SCHEMA', 'TEXT'),
      c('GRANTED_TO', 'TEXT'), c('GRANTEE_NAME', 'TEXT'), c('GRANT_OPTION', 'BOOLEAN'), c('GRANTED_BY', 'TEXT'),
      c('DELETED_ON', 'TIMESTAMP_LTZ'), c('GRANTED_BY_ROLE_TYPE', 'TEXT'), c('OBJECT_INSTANCE', 'TEXT'),
    ],
  },
  {
    schema: 'ACCOUNT_USAGE',
    name: 'LOGIN_HISTORY',
    eventTimeColumn: 'EVENT_TIMESTAMP',
    latencySeconds: 2 * HOUR,
    columns: [
      c('EVENT_ID', 'NUMBER'), c('EVENT_TIMESTAMP', 'TIMESTAMP_LTZ'), c('EVENT_TYPE', 'TEXT'), c('USER_NAME', 'TEXT'),
      c('CLIENT_IP', 'TEXT'), c('REPORTED_CLIENT_TYPE', 'TEXT'), c('REPORTED_CLIENT_VERSION', 'TEXT'),
      c('FIRST_AUTHENTICATION_FACTOR', 'TEXT'), c('SECOND_AUTHENTICATION_FACTOR', 'TEXT'),
      c('IS_SUCCESS', 'TEXT'), c('ERROR_CODE', 'NUMBER'), c('ERROR_MESSAGE', 'TEXT'), c('RELATED_EVENT_ID', 'NUMBER'),
      c('CONNECTION', 'TEXT'), c('CLIENT_PRIVATE_LINK_ID', 'TEXT'), c('FIRST_AUTHENTICATION_FACTOR_ID', 'TEXT'),
      c('SECOND_AUTHENTICATION_FACTOR_ID', 'TEXT'),
      c('LOGIN_DETAILS', 'TEXT'), // VARCHAR holding JSON text: https://docs.snowflake.com/en/release-notes/bcr-bundles/2025_07/bcr-2052
    ],
  },
  {
    schema: 'ACCOUNT_USAGE',
    name: 'QUERY_HISTORY',
    eventTimeColumn: 'END_TIME',
    latencySeconds: 45 * MIN,
    columns: [
      c('QUERY_ID', 'TEXT'), c('QUERY_TEXT', 'TEXT'), c('DATABASE_ID', 'NUMBER'), c('DATABASE_NAME', 'TEXT'),
      c('SCHEMA_ID', 'NUMBER'), c('SCHEMA_NAME', 'TEXT'), c('QUERY_TYPE', 'TEXT'), c('SESSION_ID', 'NUMBER'),
      c('USER_NAME', 'TEXT'), c('ROLE_NAME', 'TEXT'), c('ROLE_TYPE', 'TEXT'), c('WAREHOUSE_ID', 'NUMBER'),
      c('WAREHOUSE_NAME', 'TEXT'), c('WAREHOUSE_SIZE', 'TEXT'), c('WAREHOUSE_TYPE', 'TEXT'),
      c('QUERY_TAG', 'TEXT'), c('EXECUTION_STATUS', 'TEXT'), c('ERROR_CODE', 'TEXT'), c('ERROR_MESSAGE', 'TEXT'),
      c('START_TIME', 'TIMESTAMP_LTZ'), c('END_TIME', 'TIMESTAMP_LTZ'), c('TOTAL_ELAPSED_TIME', 'NUMBER'),
      c('BYTES_SCANNED', 'NUMBER'), c('ROWS_PRODUCED', 'NUMBER'), c('BYTES_WRITTEN_TO_RESULT', 'NUMBER'),
      c('ROWS_WRITTEN_TO_RESULT', 'NUMBER'), c('ROWS_UNLOADED', 'NUMBER'), c('ROWS_INSERTED', 'NUMBER'),
      c('OUTBOUND_DATA_TRANSFER_CLOUD', 'TEXT'), c('OUTBOUND_DATA_TRANSFER_REGION', 'TEXT'),
      c('OUTBOUND_DATA_TRANSFER_BYTES', 'NUMBER'), c('INBOUND_DATA_TRANSFER_BYTES', 'NUMBER'),
      c('CREDITS_USED_CLOUD_SERVICES', 'FLOAT'), c('QUERY_HASH', 'TEXT'), c('QUERY_PARAMETERIZED_HASH', 'TEXT'),
      c('IS_CLIENT_GENERATED_STATEMENT', 'BOOLEAN'), c('AUTHN_EVENT_ID', 'NUMBER'), c('CLIENT_APPLICATION_ID', 'TEXT'),
    ],
  },
  {
    schema: 'ACCOUNT_USAGE',
    name: 'SESSIONS',
    eventTimeColumn: 'CREATED_ON',
    latencySeconds: 3 * HOUR,
    columns: [
      c('SESSION_ID', 'NUMBER'), c('CREATED_ON', 'TIMESTAMP_LTZ'), c('USER_NAME', 'TEXT'),
      c('AUTHENTICATION_METHOD', 'TEXT'), c('LOGIN_EVENT_ID', 'NUMBER'), c('CLIENT_APPLICATION_ID', 'TEXT'),
      c('CLIENT_APPLICATION_VERSION', 'TEXT'), c('CLIENT_BUILD_ID', 'TEXT'), c('CLIENT_ENVIRONMENT', 'TEXT'),
      c('CLIENT_VERSION', 'TEXT'), c('CLOSED_REASON', 'TEXT'),
    ],
  },
  {
    schema: 'ACCOUNT_USAGE',
    name: 'ACCESS_HISTORY',
    eventTimeColumn: 'QUERY_START_TIME',
    latencySeconds: 3 * HOUR,
    columns: [
      c('QUERY_ID', 'TEXT'), c('QUERY_START_TIME', 'TIMESTAMP_LTZ'), c('USER_NAME', 'TEXT'),
      c('DIRECT_OBJECTS_ACCESSED', 'ARRAY'), c('BASE_OBJECTS_ACCESSED', 'ARRAY'), c('OBJECTS_MODIFIED', 'ARRAY'),
      c('OBJECT_MODIFIED_BY_DDL', 'OBJECT'), c('POLICIES_REFERENCED', 'ARRAY'), c('PARENT_QUERY_ID', 'TEXT'),
      c('ROOT_QUERY_ID', 'TEXT'),
    ],
  },
  {
    schema: 'ACCOUNT_USAGE',
    name: 'SHARES',
    eventTimeColumn: 'MODIFIED_ON',
    latencySeconds: 3 * HOUR,
    columns: [
      c('CREATED_ON', 'TIMESTAMP_LTZ'), c('MODIFIED_ON', 'TIMESTAMP_LTZ'), c('DELETED_ON', 'TIMESTAMP_LTZ'),
      c('NAME', 'TEXT'), c('OWNER', 'TEXT'), c('COMMENT', 'TEXT'), c('DATABASE_NAME', 'TEXT'),
      c('SECURE_OBJECTS_ONLY', 'BOOLEAN'), c('TARGET_ACCOUNTS', 'TEXT'), c('LISTING_GLOBAL_NAME', 'TEXT'),
    ],
  },
  {
    schema: 'ACCOUNT_USAGE',
    name: 'GRANTS_TO_SHARES',
    eventTimeColumn: 'CREATED_ON',
    latencySeconds: 3 * HOUR,
    columns: [
      c('CREATED_ON', 'TIMESTAMP_LTZ'), c('MODIFIED_ON', 'TIMESTAMP_LTZ'), c('DELETED_ON', 'TIMESTAMP_LTZ'),
      c('PRIVILEGE', 'TEXT'), c('GRANTED_ON', 'TEXT'), c('OBJECT_NAME', 'TEXT'), c('OBJECT_DATABASE', 'TEXT'),
      c('OBJECT_SCHEMA', 'TEXT'), c('SHARE_NAME', 'TEXT'), c('GRANTED_BY', 'TEXT'), c('GRANTED_BY_ROLE_TYPE', 'TEXT'),
    ],
  },
  {
    schema: 'ACCOUNT_USAGE',
    name: 'DATA_TRANSFER_HISTORY',
    eventTimeColumn: 'END_TIME',
    latencySeconds: 2 * HOUR,
    columns: [
      c('START_TIME', 'TIMESTAMP_LTZ'), c('END_TIME', 'TIMESTAMP_LTZ'), c('SOURCE_CLOUD', 'TEXT'),
      c('SOURCE_REGION', 'TEXT'), c('TARGET_CLOUD', 'TEXT'), c('TARGET_REGION', 'TEXT'),
      c('BYTES_TRANSFERRED', 'VARIANT'), c('TRANSFER_TYPE', 'TEXT'),
    ],
  },
  {
    schema: 'TRUST_CENTER',
    name: 'FINDINGS',
    eventTimeColumn: 'CREATED_ON',
    latencySeconds: 0,
    columns: [
      c('CREATED_ON', 'TIMESTAMP_LTZ'), c('UPDATED_ON', 'TIMESTAMP_LTZ'), c('EVENT_ID', 'TEXT'),
      c('SCANNER_PACKAGE_ID', 'TEXT'), c('SCANNER_PACKAGE_NAME', 'TEXT'), c('SCANNER_ID', 'TEXT'),
      c('SCANNER_NAME', 'TEXT'), c('SCANNER_SHORT_DESCRIPTION', 'TEXT'), c('SEVERITY', 'TEXT'),
      c('TOTAL_AT_RISK_COUNT', 'NUMBER'), c('AT_RISK_ENTITIES', 'ARRAY'), c('STATE', 'TEXT'),
      c('SCANNER_TYPE', 'TEXT'), c('RECOMMENDATION', 'TEXT'), c('IMPACT', 'TEXT'),
    ],
  },
];

export function findView(schema: string, name: string): ViewDefinition | undefined {
  const s = schema.toUpperCase();
  const n = name.toUpperCase();
  return VIEWS.find((view) => view.schema === s && view.name === n);
}
