// The table of Snowflake's DOCUMENTED views the emulator holds: every SNOWFLAKE.ACCOUNT_USAGE view the exporter reads
// or the JSON Lines import accepts, each with its full documented column list in the documented order, the documented
// Snowflake type of each column, the documented latency and the page that says so. The engine creates DuckDB tables
// from this (engine/catalog.ts) and enforces the types; the scenario generator and the JSON Lines importer write rows
// keyed by these upper-case column names. A column a query names that is missing here fails with Snowflake's "invalid
// identifier" error, never a silent NULL, so an exporter statement that names an undocumented column fails here
// before it fails on a real account. How to add a view and where each fact comes from: emulator/engine/README.md.
//
// Left out on purpose: columns that exist only in the READER_ACCOUNT_USAGE copy of a view (READER_ACCOUNT_NAME,
// READER_ACCOUNT_DELETED_ON) and undocumented views (SNOWFLAKE.TRUST_CENTER.FINDINGS, read by some public tools, is
// not on the TRUST_CENTER schema page https://docs.snowflake.com/en/sql-reference/trust_center, which lists only
// EXTENSIONS; the documented findings view is ACCOUNT_USAGE.TRUST_CENTER_FINDINGS).

/**
 * Snowflake column types as the view pages name them, mapped to DuckDB storage by the engine. TEXT is the pages'
 * VARCHAR (and SESSIONS' "String"); NUMBER is NUMBER(38,0) (the pages give no precision or scale).
 */
export type ViewColumnType =
  | 'NUMBER' // NUMBER(38,0)
  | 'FLOAT'
  | 'TEXT' // VARCHAR
  | 'BOOLEAN'
  | 'TIMESTAMP_LTZ'
  | 'TIMESTAMP_NTZ'
  | 'DATE'
  | 'VARIANT'
  | 'OBJECT'
  | 'ARRAY';

export const VIEW_COLUMN_TYPES: readonly ViewColumnType[] = [
  'NUMBER', 'FLOAT', 'TEXT', 'BOOLEAN', 'TIMESTAMP_LTZ', 'TIMESTAMP_NTZ', 'DATE', 'VARIANT', 'OBJECT', 'ARRAY',
];

/**
 * Behaviour-change bundles that add columns to the views listed here (each such column's `note` links the bundle's
 * page). An account gets a bundle's columns once the bundle is enabled or generally available; the engine option
 * `disabledBundles` leaves them out of the views.
 */
export const BEHAVIOUR_CHANGE_BUNDLES = ['2024_02', '2024_06', '2025_01', '2025_04', '2025_06', '2025_07'] as const;

export type BehaviourChangeBundle = (typeof BEHAVIOUR_CHANGE_BUNDLES)[number];

export interface ViewColumn {
  readonly name: string;
  readonly type: ViewColumnType;
  /**
   * Why an account may not have the column yet (the behaviour-change bundle that adds it, with its release-note
   * URL), or what its documented type holds. Absent when the column is simply on the view page.
   */
  readonly note?: string;
  /** The behaviour-change bundle that adds the column (its page is linked in `note`); absent for other columns. */
  readonly bundle?: BehaviourChangeBundle;
}

/**
 * Schemas of the SNOWFLAKE database the table may hold views of. Every view listed today is in ACCOUNT_USAGE; the
 * documented TRUST_CENTER schema has views too (EXTENSIONS), none of which the exporter reads.
 */
export type ViewSchema = 'ACCOUNT_USAGE' | 'TRUST_CENTER';

export interface ViewDefinition {
  /** Schema inside the SNOWFLAKE database. */
  readonly schema: ViewSchema;
  readonly name: string;
  /** The view's reference page on docs.snowflake.com: columns, types, order and latency come from it. */
  readonly docs: string;
  readonly columns: readonly ViewColumn[];
  /**
   * Column whose value decides when a row becomes visible: a row shows in the view only once
   * virtual now >= that column + latency. Null for views that are not time-ordered.
   */
  readonly eventTimeColumn: string | null;
  /** Documented maximum ingestion latency in seconds (the default of the emulator's latency model). */
  readonly latencySeconds: number;
  /** Edition or other condition the view needs, when not every account has it. */
  readonly requires?: string;
}

const c = (name: string, type: ViewColumnType, note?: string): ViewColumn => (note === undefined ? { name, type } : { name, type, note });
/** A column a behaviour-change bundle adds; the note links the bundle's page. */
const added = (bundle: BehaviourChangeBundle, name: string, type: ViewColumnType, note: string): ViewColumn => ({ name, type, note, bundle });
const MIN = 60;
const HOUR = 3600;
const DOCS = 'https://docs.snowflake.com/en/sql-reference/account-usage';
const BCR = 'https://docs.snowflake.com/en/release-notes/bcr-bundles';

const BUNDLE_2024_02_QUERY_HISTORY = `Added by behaviour-change bundle 2024_02 (${BCR}/2024_02/bcr-1497-1524-1540).`;
const BUNDLE_2024_06_USERS = `Added by behaviour-change bundle 2024_06 (${BCR}/2024_06/bcr-1690); absent before it is enabled.`;
const BUNDLE_2025_06_USERS = `Added by behaviour-change bundle 2025_06 (${BCR}/2025_06/bcr-2102), between DEFAULT_SECONDARY_ROLE and TYPE.`;
const BUNDLE_2025_06_QUERY_HISTORY = `Added by behaviour-change bundle 2025_06 (${BCR}/2025_06/bcr-1980-2050).`;
const NO_BUNDLE_PAGE = 'On the current view page; no behaviour-change bundle page was found for it, so older accounts may lack it.';

export const VIEWS: readonly ViewDefinition[] = [
  {
    schema: 'ACCOUNT_USAGE',
    name: 'USERS',
    docs: `${DOCS}/users`,
    eventTimeColumn: null,
    latencySeconds: 2 * HOUR,
    columns: [
      c('USER_ID', 'NUMBER'), c('NAME', 'TEXT'), c('CREATED_ON', 'TIMESTAMP_LTZ'), c('DELETED_ON', 'TIMESTAMP_LTZ'),
      c('LOGIN_NAME', 'TEXT'), c('DISPLAY_NAME', 'TEXT'), c('FIRST_NAME', 'TEXT'), c('LAST_NAME', 'TEXT'),
      c('EMAIL', 'TEXT'), c('MUST_CHANGE_PASSWORD', 'BOOLEAN'), c('HAS_PASSWORD', 'BOOLEAN'), c('COMMENT', 'TEXT'),
      c('DISABLED', 'VARIANT'), c('SNOWFLAKE_LOCK', 'VARIANT'), c('DEFAULT_WAREHOUSE', 'TEXT'),
      c('DEFAULT_NAMESPACE', 'TEXT'), c('DEFAULT_ROLE', 'TEXT'),
      c('EXT_AUTHN_DUO', 'BOOLEAN', 'BOOLEAN on the current page; earlier revisions of the page said VARIANT, so read it through TO_VARCHAR + TRY_TO_BOOLEAN.'),
      c('EXT_AUTHN_UID', 'TEXT'),
      added('2024_06', 'HAS_MFA', 'BOOLEAN', `${BUNDLE_2024_06_USERS} Bundle 2025_06 (${BCR}/2025_06/bcr-2102) makes it TRUE for any MFA method (TOTP, passkeys).`),
      c('BYPASS_MFA_UNTIL', 'TIMESTAMP_LTZ'), c('LAST_SUCCESS_LOGIN', 'TIMESTAMP_LTZ'), c('EXPIRES_AT', 'TIMESTAMP_LTZ'),
      c('LOCKED_UNTIL_TIME', 'TIMESTAMP_LTZ'), c('HAS_RSA_PUBLIC_KEY', 'BOOLEAN'), c('PASSWORD_LAST_SET_TIME', 'TIMESTAMP_LTZ'),
      c('OWNER', 'TEXT'), c('DEFAULT_SECONDARY_ROLE', 'TEXT'),
      added('2025_06', 'HAS_PAT', 'BOOLEAN', BUNDLE_2025_06_USERS), added('2025_06', 'HAS_WORKLOAD_IDENTITY', 'BOOLEAN', BUNDLE_2025_06_USERS),
      added('2024_06', 'TYPE', 'TEXT', `${BUNDLE_2024_06_USERS} PERSON, SERVICE, LEGACY_SERVICE, SNOWFLAKE_SERVICE or NULL.`),
      c('DATABASE_NAME', 'TEXT'), c('DATABASE_ID', 'NUMBER'), c('SCHEMA_NAME', 'TEXT'), c('SCHEMA_ID', 'NUMBER'),
      c('IS_FROM_ORGANIZATION_USER', 'BOOLEAN', NO_BUNDLE_PAGE),
    ],
  },
  {
    schema: 'ACCOUNT_USAGE',
    name: 'ROLES',
    docs: `${DOCS}/roles`,
    eventTimeColumn: null,
    latencySeconds: 2 * HOUR,
    columns: [
      c('ROLE_ID', 'NUMBER'), c('CREATED_ON', 'TIMESTAMP_LTZ'), c('DELETED_ON', 'TIMESTAMP_LTZ'), c('NAME', 'TEXT'),
      c('COMMENT', 'TEXT'), c('OWNER', 'TEXT'), c('ROLE_TYPE', 'TEXT'), c('ROLE_DATABASE_NAME', 'TEXT'),
      c('ROLE_INSTANCE_ID', 'NUMBER'), c('OWNER_ROLE_TYPE', 'TEXT'),
      c('IS_FROM_ORGANIZATION_USER_GROUP', 'BOOLEAN', NO_BUNDLE_PAGE),
    ],
  },
  {
    schema: 'ACCOUNT_USAGE',
    name: 'GRANTS_TO_USERS',
    docs: `${DOCS}/grants_to_users`,
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
    docs: `${DOCS}/grants_to_roles`,
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
    docs: `${DOCS}/login_history`,
    eventTimeColumn: 'EVENT_TIMESTAMP',
    latencySeconds: 2 * HOUR,
    columns: [
      c('EVENT_ID', 'NUMBER'), c('EVENT_TIMESTAMP', 'TIMESTAMP_LTZ'), c('EVENT_TYPE', 'TEXT'), c('USER_NAME', 'TEXT'),
      c('CLIENT_IP', 'TEXT'), c('REPORTED_CLIENT_TYPE', 'TEXT'), c('REPORTED_CLIENT_VERSION', 'TEXT'),
      c('FIRST_AUTHENTICATION_FACTOR', 'TEXT'), c('SECOND_AUTHENTICATION_FACTOR', 'TEXT'),
      c('IS_SUCCESS', 'TEXT', "'YES' or 'NO'."), c('ERROR_CODE', 'NUMBER'), c('ERROR_MESSAGE', 'TEXT'),
      c('RELATED_EVENT_ID', 'NUMBER'), c('CONNECTION', 'TEXT'),
      added('2025_01', 'CLIENT_PRIVATE_LINK_ID', 'TEXT', `Added by behaviour-change bundle 2025_01 (${BCR}/2025_01/bcr-1847).`),
      added('2025_04', 'FIRST_AUTHENTICATION_FACTOR_ID', 'TEXT', `Added by behaviour-change bundle 2025_04 (${BCR}/2025_04/bcr-1966).`),
      added('2025_04', 'SECOND_AUTHENTICATION_FACTOR_ID', 'TEXT', `Added by behaviour-change bundle 2025_04 (${BCR}/2025_04/bcr-1966).`),
      added('2025_07', 'LOGIN_DETAILS', 'TEXT', `VARCHAR holding JSON text (whose malicious_ip_protection_info value is itself JSON text), added by behaviour-change bundle 2025_07 (${BCR}/2025_07/bcr-2052).`),
      c('AUTHORIZING_INTEGRATION_NAME', 'TEXT', NO_BUNDLE_PAGE),
    ],
  },
  {
    schema: 'ACCOUNT_USAGE',
    name: 'QUERY_HISTORY',
    docs: `${DOCS}/query_history`,
    eventTimeColumn: 'END_TIME',
    latencySeconds: 45 * MIN,
    columns: [
      c('QUERY_ID', 'TEXT'), c('QUERY_TEXT', 'TEXT'), c('DATABASE_ID', 'NUMBER'), c('DATABASE_NAME', 'TEXT'),
      c('SCHEMA_ID', 'NUMBER'), c('SCHEMA_NAME', 'TEXT'), c('QUERY_TYPE', 'TEXT'), c('SESSION_ID', 'NUMBER'),
      added('2025_06', 'AUTHN_EVENT_ID', 'NUMBER', `${BUNDLE_2025_06_QUERY_HISTORY} Joins LOGIN_HISTORY.EVENT_ID.`),
      c('USER_NAME', 'TEXT'), c('ROLE_NAME', 'TEXT'), c('WAREHOUSE_ID', 'NUMBER'), c('WAREHOUSE_NAME', 'TEXT'),
      c('WAREHOUSE_SIZE', 'TEXT'), c('WAREHOUSE_TYPE', 'TEXT'), c('CLUSTER_NUMBER', 'NUMBER'), c('QUERY_TAG', 'TEXT'),
      c('EXECUTION_STATUS', 'TEXT', "'SUCCESS', 'FAIL' or 'INCIDENT' (the page writes them in lower case)."),
      c('ERROR_CODE', 'NUMBER'), c('ERROR_MESSAGE', 'TEXT'),
      c('START_TIME', 'TIMESTAMP_LTZ'), c('END_TIME', 'TIMESTAMP_LTZ'), c('TOTAL_ELAPSED_TIME', 'NUMBER'),
      c('BYTES_SCANNED', 'NUMBER'), c('PERCENTAGE_SCANNED_FROM_CACHE', 'FLOAT'), c('BYTES_WRITTEN', 'NUMBER'),
      c('BYTES_WRITTEN_TO_RESULT', 'NUMBER'), c('BYTES_READ_FROM_RESULT', 'NUMBER'),
      c('ROWS_PRODUCED', 'NUMBER', 'To be deprecated; the page recommends ROWS_INSERTED, ROWS_UPDATED, ROWS_WRITTEN_TO_RESULT or ROWS_DELETED.'),
      added('2024_02', 'ROWS_INSERTED', 'NUMBER', BUNDLE_2024_02_QUERY_HISTORY), c('ROWS_UPDATED', 'NUMBER'), c('ROWS_DELETED', 'NUMBER'),
      c('ROWS_UNLOADED', 'NUMBER'), c('BYTES_DELETED', 'NUMBER'), c('PARTITIONS_SCANNED', 'NUMBER'),
      c('PARTITIONS_TOTAL', 'NUMBER'), c('BYTES_SPILLED_TO_LOCAL_STORAGE', 'NUMBER'),
      c('BYTES_SPILLED_TO_REMOTE_STORAGE', 'NUMBER'), c('BYTES_SENT_OVER_THE_NETWORK', 'NUMBER'),
      c('COMPILATION_TIME', 'NUMBER'), c('EXECUTION_TIME', 'NUMBER'), c('QUEUED_PROVISIONING_TIME', 'NUMBER'),
      c('QUEUED_REPAIR_TIME', 'NUMBER'), c('QUEUED_OVERLOAD_TIME', 'NUMBER'), c('TRANSACTION_BLOCKED_TIME', 'NUMBER'),
      c('OUTBOUND_DATA_TRANSFER_CLOUD', 'TEXT'), c('OUTBOUND_DATA_TRANSFER_REGION', 'TEXT'),
      c('OUTBOUND_DATA_TRANSFER_BYTES', 'NUMBER'), c('INBOUND_DATA_TRANSFER_CLOUD', 'TEXT'),
      c('INBOUND_DATA_TRANSFER_REGION', 'TEXT'), c('INBOUND_DATA_TRANSFER_BYTES', 'NUMBER'),
      c('LIST_EXTERNAL_FILES_TIME', 'NUMBER'),
      c('CREDITS_USED_CLOUD_SERVICES', 'NUMBER', 'NUMBER on the page, with fractional credits; the emulator keeps NUMBER(38,0), so its values are whole.'),
      c('RELEASE_VERSION', 'TEXT'), c('EXTERNAL_FUNCTION_TOTAL_INVOCATIONS', 'NUMBER'),
      c('EXTERNAL_FUNCTION_TOTAL_SENT_ROWS', 'NUMBER'), c('EXTERNAL_FUNCTION_TOTAL_RECEIVED_ROWS', 'NUMBER'),
      c('EXTERNAL_FUNCTION_TOTAL_SENT_BYTES', 'NUMBER'), c('EXTERNAL_FUNCTION_TOTAL_RECEIVED_BYTES', 'NUMBER'),
      c('QUERY_LOAD_PERCENT', 'NUMBER'), c('IS_CLIENT_GENERATED_STATEMENT', 'BOOLEAN'),
      c('QUERY_ACCELERATION_BYTES_SCANNED', 'NUMBER'), c('QUERY_ACCELERATION_PARTITIONS_SCANNED', 'NUMBER'),
      c('QUERY_ACCELERATION_UPPER_LIMIT_SCALE_FACTOR', 'NUMBER'), c('TRANSACTION_ID', 'NUMBER'),
      c('CHILD_QUERIES_WAIT_TIME', 'NUMBER'), c('ROLE_TYPE', 'TEXT'), c('QUERY_HASH', 'TEXT'),
      c('QUERY_HASH_VERSION', 'NUMBER'), c('QUERY_PARAMETERIZED_HASH', 'TEXT'), c('QUERY_PARAMETERIZED_HASH_VERSION', 'NUMBER'),
      added('2024_02', 'SECONDARY_ROLE_STATS', 'TEXT', `${BUNDLE_2024_02_QUERY_HISTORY} JSON text, not VARIANT.`),
      added('2024_02', 'ROWS_WRITTEN_TO_RESULT', 'NUMBER', BUNDLE_2024_02_QUERY_HISTORY),
      added('2024_02', 'QUERY_RETRY_TIME', 'NUMBER', BUNDLE_2024_02_QUERY_HISTORY), added('2024_02', 'QUERY_RETRY_CAUSE', 'TEXT', BUNDLE_2024_02_QUERY_HISTORY),
      added('2024_02', 'FAULT_HANDLING_TIME', 'NUMBER', BUNDLE_2024_02_QUERY_HISTORY), c('USER_TYPE', 'TEXT'),
      c('USER_DATABASE_NAME', 'TEXT'), c('USER_DATABASE_ID', 'TEXT', 'VARCHAR on the page, although USERS.DATABASE_ID is NUMBER.'),
      c('USER_SCHEMA_NAME', 'TEXT'), c('USER_SCHEMA_ID', 'TEXT', 'VARCHAR on the page, although USERS.SCHEMA_ID is NUMBER.'),
      added('2025_06', 'BIND_VALUES', 'ARRAY', `${BUNDLE_2025_06_QUERY_HISTORY} ARRAY on the view page, VARIANT holding an OBJECT on the bundle page; NULL when ALLOW_BIND_VALUES_ACCESS is FALSE.`),
      c('AGENT_TYPE', 'TEXT', NO_BUNDLE_PAGE),
    ],
  },
  {
    schema: 'ACCOUNT_USAGE',
    name: 'SESSIONS',
    docs: `${DOCS}/sessions`,
    eventTimeColumn: 'CREATED_ON',
    latencySeconds: 3 * HOUR,
    columns: [
      c('SESSION_ID', 'NUMBER'), c('CREATED_ON', 'TIMESTAMP_LTZ'), c('USER_NAME', 'TEXT'),
      c('AUTHENTICATION_METHOD', 'TEXT'), c('LOGIN_EVENT_ID', 'NUMBER', 'Joins LOGIN_HISTORY.EVENT_ID.'),
      c('CLIENT_APPLICATION_VERSION', 'TEXT'), c('CLIENT_APPLICATION_ID', 'TEXT'),
      c('CLIENT_ENVIRONMENT', 'TEXT', 'JSON text ("String" on the page): read it with PARSE_JSON, not a : path.'),
      c('CLIENT_BUILD_ID', 'TEXT'), c('CLIENT_VERSION', 'TEXT'),
      c('ACCESS_TIME', 'TIMESTAMP_LTZ', NO_BUNDLE_PAGE), c('IS_OPEN', 'BOOLEAN', NO_BUNDLE_PAGE),
      c('CLOSED_REASON', 'TEXT'),
    ],
  },
  {
    schema: 'ACCOUNT_USAGE',
    name: 'ACCESS_HISTORY',
    docs: `${DOCS}/access_history`,
    eventTimeColumn: 'QUERY_START_TIME',
    latencySeconds: 3 * HOUR,
    requires: 'Enterprise Edition or higher',
    columns: [
      c('QUERY_ID', 'TEXT'), c('QUERY_START_TIME', 'TIMESTAMP_LTZ'), c('USER_NAME', 'TEXT'),
      c('DIRECT_OBJECTS_ACCESSED', 'ARRAY'), c('BASE_OBJECTS_ACCESSED', 'ARRAY'), c('OBJECTS_MODIFIED', 'ARRAY'),
      c('OBJECT_MODIFIED_BY_DDL', 'OBJECT'), c('POLICIES_REFERENCED', 'ARRAY'), c('PARENT_QUERY_ID', 'TEXT'),
      c('ROOT_QUERY_ID', 'TEXT'), c('EVENT_SOURCE', 'TEXT', NO_BUNDLE_PAGE), c('ADDITIONAL_PROPERTIES', 'VARIANT', NO_BUNDLE_PAGE),
      c('INVOKER_IDENTITY', 'VARIANT', `The page says behaviour-change bundle 2026_07 (${BCR}/2026_07_bundle) removes it.`),
      c('AGENTS_INFO', 'ARRAY', NO_BUNDLE_PAGE),
    ],
  },
  {
    schema: 'ACCOUNT_USAGE',
    name: 'SHARES',
    docs: `${DOCS}/shares`,
    eventTimeColumn: 'MODIFIED_ON',
    latencySeconds: 3 * HOUR,
    columns: [
      c('CREATED_ON', 'TIMESTAMP_LTZ'), c('MODIFIED_ON', 'TIMESTAMP_LTZ'), c('DELETED_ON', 'TIMESTAMP_LTZ'),
      c('NAME', 'TEXT'), c('OWNER', 'TEXT'), c('COMMENT', 'TEXT'), c('DATABASE_NAME', 'TEXT'),
      c('SECURE_OBJECTS_ONLY', 'BOOLEAN'), c('TARGET_ACCOUNTS', 'TEXT', 'Comma-separated list of consumer accounts.'),
      c('LISTING_GLOBAL_NAME', 'TEXT'),
    ],
  },
  {
    schema: 'ACCOUNT_USAGE',
    name: 'GRANTS_TO_SHARES',
    docs: `${DOCS}/grants_to_shares`,
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
    docs: `${DOCS}/data_transfer_history`,
    eventTimeColumn: 'END_TIME',
    latencySeconds: 2 * HOUR,
    columns: [
      c('START_TIME', 'TIMESTAMP_LTZ'), c('END_TIME', 'TIMESTAMP_LTZ'), c('SOURCE_CLOUD', 'TEXT'),
      c('SOURCE_REGION', 'TEXT'), c('TARGET_CLOUD', 'TEXT'), c('TARGET_REGION', 'TEXT'),
      c('BYTES_TRANSFERRED', 'VARIANT', 'A number held in a VARIANT: read it with TO_VARCHAR + TRY_TO_NUMBER or a cast.'),
      c('TRANSFER_TYPE', 'TEXT'),
    ],
  },
  {
    // One row per Trust Center finding (violation or detection). The page does not say whether an update rewrites the
    // row or adds one; the emulator keeps every version (each visible from its UPDATED_ON + latency), and the exporter
    // reads the latest UPDATED_ON per finding, which is right either way.
    schema: 'ACCOUNT_USAGE',
    name: 'TRUST_CENTER_FINDINGS',
    docs: `${DOCS}/trust_center_findings`,
    eventTimeColumn: 'UPDATED_ON',
    latencySeconds: 1 * HOUR,
    requires: 'Trust Center (not available to reader accounts: https://docs.snowflake.com/en/user-guide/trust-center/overview)',
    columns: [
      c('ID', 'NUMBER', 'Identifier of the account that had the finding, not of the finding.'),
      c('PROVIDER_ID', 'TEXT'), c('SCANNER_PACKAGE_ID', 'TEXT'), c('SCANNER_ID', 'TEXT'),
      c('SEVERITY', 'TEXT', 'LOW, MEDIUM, HIGH or CRITICAL.'),
      c('STATE', 'TEXT', "OPEN, RESOLVED or RESOLVED MANUALLY (with a space)."),
      c('CREATED_ON', 'TIMESTAMP_LTZ', 'When the finding was first created (not when the scanner last ran).'),
      c('UPDATED_ON', 'TIMESTAMP_LTZ', 'When the finding was last updated.'),
    ],
  },
];

export function findView(schema: string, name: string): ViewDefinition | undefined {
  const s = schema.toUpperCase();
  const n = name.toUpperCase();
  return VIEWS.find((view) => view.schema === s && view.name === n);
}
