// Builders for the event rows (LOGIN_HISTORY, SESSIONS, QUERY_HISTORY, ACCESS_HISTORY) shared by the normal activity
// generator and the scripted incidents, so both produce exactly the same column set and conventions.
import { DATABASE_IDS, WAREHOUSES, type ClientProfile, type TableSpec } from './catalog.ts';
import type { Row } from './types.ts';

/** 32 hex characters from text (a stand-in for QUERY_HASH; stable for the same text). */
export function textHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  let c = 0x1b873593;
  let d = 0xcc9e2d51;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
    c = Math.imul(c ^ code, 0x27d4eb2d);
    d = Math.imul(d ^ code, 0x165667b1);
  }
  return [a, b, c, d].map((x) => (x >>> 0).toString(16).padStart(8, '0')).join('');
}

export interface LoginFields {
  eventId: number;
  time: Date;
  user: string | null;
  ip: string;
  client: ClientProfile;
  firstFactor: string;
  secondFactor: string | null;
  success: boolean;
  errorCode?: number | null;
  errorMessage?: string | null;
  /** LOGIN_DETAILS as Snowflake stores it: VARCHAR JSON text (see loginDetailsText), or NULL. */
  loginDetails?: string | null;
}

/** Snowflake's malicious-IP classification of a login: the malicious_ip_protection_info member of LOGIN_DETAILS. */
export interface MaliciousIpProtectionInfo {
  categories: string[];
  /** BLOCKED (the login did not get in) or OPTED_OUT (the account or user opted out of blocking). */
  result: string;
  riskClassification: string;
}

/**
 * LOGIN_HISTORY.LOGIN_DETAILS as Snowflake stores it: a VARCHAR of JSON text. In both documented examples the
 * malicious_ip_protection_info member is itself JSON text (`documented`, double-encoded); `single` writes it as an
 * object, which a reader should accept too.
 * https://docs.snowflake.com/en/release-notes/bcr-bundles/2025_07/bcr-2052
 */
export function loginDetailsText(info: MaliciousIpProtectionInfo, encoding: 'documented' | 'single' = 'documented'): string {
  const member = { categories: info.categories, result: info.result, riskClassification: info.riskClassification };
  return JSON.stringify({ malicious_ip_protection_info: encoding === 'documented' ? JSON.stringify(member) : member });
}

export function loginRow(f: LoginFields): Row {
  return {
    EVENT_ID: f.eventId,
    EVENT_TIMESTAMP: f.time.toISOString(),
    EVENT_TYPE: 'LOGIN',
    USER_NAME: f.user,
    CLIENT_IP: f.ip,
    REPORTED_CLIENT_TYPE: f.client.reportedClientType,
    REPORTED_CLIENT_VERSION: f.client.reportedClientVersion,
    FIRST_AUTHENTICATION_FACTOR: f.firstFactor,
    SECOND_AUTHENTICATION_FACTOR: f.secondFactor,
    IS_SUCCESS: f.success ? 'YES' : 'NO',
    ERROR_CODE: f.success ? null : (f.errorCode ?? 390100),
    ERROR_MESSAGE: f.success ? null : (f.errorMessage ?? 'INCORRECT_USERNAME_PASSWORD'),
    RELATED_EVENT_ID: 0,
    CONNECTION: null,
    CLIENT_PRIVATE_LINK_ID: null,
    FIRST_AUTHENTICATION_FACTOR_ID: null,
    SECOND_AUTHENTICATION_FACTOR_ID: null,
    LOGIN_DETAILS: f.loginDetails ?? null,
  };
}

export function authenticationMethod(firstFactor: string): string {
  switch (firstFactor) {
    case 'RSA_KEYPAIR':
      return 'RSA_KEYPAIR';
    case 'SAML2_ASSERTION':
      return 'SAML2_ASSERTION';
    case 'OAUTH_ACCESS_TOKEN':
      return 'OAUTH_ACCESS_TOKEN';
    default:
      return 'Password';
  }
}

export function sessionRow(sessionId: number, createdOn: Date, user: string, loginEventId: number, firstFactor: string, client: ClientProfile): Row {
  return {
    SESSION_ID: sessionId,
    CREATED_ON: createdOn.toISOString(),
    USER_NAME: user,
    AUTHENTICATION_METHOD: authenticationMethod(firstFactor),
    LOGIN_EVENT_ID: loginEventId,
    CLIENT_APPLICATION_ID: client.applicationId,
    CLIENT_APPLICATION_VERSION: client.applicationVersion,
    CLIENT_BUILD_ID: null,
    // TEXT in the view: the JSON document as a string, read with PARSE_JSON(client_environment):APPLICATION.
    CLIENT_ENVIRONMENT: JSON.stringify(client.environment),
    CLIENT_VERSION: client.applicationVersion,
    CLOSED_REASON: null,
  };
}

export interface QueryFields {
  queryId: string;
  text: string;
  type: string;
  sessionId: number;
  authnEventId: number;
  user: string;
  role: string;
  warehouse: string | null;
  database?: string | null;
  schema?: string | null;
  start: Date;
  elapsedMs: number;
  status?: 'SUCCESS' | 'FAIL';
  /** Snowflake's error code, a NUMBER as QUERY_HISTORY.ERROR_CODE is documented (904, not '000904'). */
  errorCode?: number | null;
  errorMessage?: string | null;
  bytesScanned?: number;
  rowsProduced?: number;
  bytesWrittenToResult?: number;
  rowsWrittenToResult?: number;
  rowsUnloaded?: number;
  rowsInserted?: number;
  outbound?: { cloud: string; region: string; bytes: number } | null;
  clientGenerated?: boolean;
  templateKey?: string;
}

export function queryRow(f: QueryFields): Row {
  const warehouse = f.warehouse ? WAREHOUSES.find((w) => w.name === f.warehouse) : undefined;
  const end = new Date(f.start.getTime() + f.elapsedMs);
  const database = f.database ?? null;
  return {
    QUERY_ID: f.queryId,
    QUERY_TEXT: f.text,
    DATABASE_ID: database ? (DATABASE_IDS[database] ?? null) : null,
    DATABASE_NAME: database,
    SCHEMA_ID: database && f.schema ? (DATABASE_IDS[database] ?? 0) * 100 + 1 : null,
    SCHEMA_NAME: f.schema ?? null,
    QUERY_TYPE: f.type,
    SESSION_ID: f.sessionId,
    USER_NAME: f.user,
    ROLE_NAME: f.role,
    ROLE_TYPE: 'ROLE',
    WAREHOUSE_ID: warehouse?.id ?? null,
    WAREHOUSE_NAME: warehouse?.name ?? null,
    WAREHOUSE_SIZE: warehouse?.size ?? null,
    WAREHOUSE_TYPE: warehouse ? 'STANDARD' : null,
    QUERY_TAG: '',
    EXECUTION_STATUS: f.status ?? 'SUCCESS',
    ERROR_CODE: f.errorCode ?? null,
    ERROR_MESSAGE: f.errorMessage ?? null,
    START_TIME: f.start.toISOString(),
    END_TIME: end.toISOString(),
    TOTAL_ELAPSED_TIME: f.elapsedMs,
    BYTES_SCANNED: f.bytesScanned ?? 0,
    ROWS_PRODUCED: f.rowsProduced ?? 0,
    BYTES_WRITTEN_TO_RESULT: f.bytesWrittenToResult ?? 0,
    ROWS_WRITTEN_TO_RESULT: f.rowsWrittenToResult ?? 0,
    ROWS_UNLOADED: f.rowsUnloaded ?? 0,
    ROWS_INSERTED: f.rowsInserted ?? 0,
    OUTBOUND_DATA_TRANSFER_CLOUD: f.outbound?.cloud ?? null,
    OUTBOUND_DATA_TRANSFER_REGION: f.outbound?.region ?? null,
    OUTBOUND_DATA_TRANSFER_BYTES: f.outbound?.bytes ?? 0,
    INBOUND_DATA_TRANSFER_BYTES: 0,
    CREDITS_USED_CLOUD_SERVICES: Math.round(f.elapsedMs * 0.0000003 * 1e6) / 1e6,
    QUERY_HASH: textHash(f.text),
    QUERY_PARAMETERIZED_HASH: textHash(f.templateKey ?? f.text),
    IS_CLIENT_GENERATED_STATEMENT: f.clientGenerated ?? false,
    AUTHN_EVENT_ID: f.authnEventId,
  };
}

/** The ACCESS_HISTORY object entry for a table, with the columns the query touched. */
export function tableObject(table: TableSpec, columns: readonly string[]): Record<string, unknown> {
  return {
    objectDomain: 'Table',
    objectName: `${table.database}.${table.schema}.${table.name}`,
    objectId: table.id,
    columns: columns.map((columnName) => ({
      columnName,
      columnId: table.id * 100 + Math.max(0, table.columns.indexOf(columnName)),
    })),
  };
}

export function accessRow(
  queryId: string,
  start: Date,
  user: string,
  access: {
    direct?: unknown[];
    base?: unknown[];
    modified?: unknown[];
    ddl?: unknown;
  },
): Row {
  return {
    QUERY_ID: queryId,
    QUERY_START_TIME: start.toISOString(),
    USER_NAME: user,
    DIRECT_OBJECTS_ACCESSED: access.direct ?? [],
    BASE_OBJECTS_ACCESSED: access.base ?? access.direct ?? [],
    OBJECTS_MODIFIED: access.modified ?? [],
    OBJECT_MODIFIED_BY_DDL: access.ddl ?? null,
    POLICIES_REFERENCED: [],
    PARENT_QUERY_ID: null,
    ROOT_QUERY_ID: null,
  };
}
