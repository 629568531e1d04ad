// Static vocabulary of the synthetic account: databases and tables the queries touch, roles, client applications and
// names. Kept apart from the generator so the generator reads as behaviour, not as lists.

export interface TableSpec {
  database: string;
  schema: string;
  name: string;
  columns: readonly string[];
  /** Object ids as ACCESS_HISTORY reports them. */
  id: number;
}

const t = (database: string, schema: string, name: string, id: number, columns: string[]): TableSpec => ({
  database,
  schema,
  name,
  id,
  columns,
});

export const TABLES: readonly TableSpec[] = [
  t('SALES', 'PUBLIC', 'ORDERS', 1024, ['ORDER_ID', 'CUSTOMER_ID', 'ORDER_DATE', 'AMOUNT', 'STATUS', 'REGION']),
  t('SALES', 'PUBLIC', 'CUSTOMERS', 1025, ['CUSTOMER_ID', 'NAME', 'EMAIL', 'COUNTRY', 'SEGMENT', 'CREATED_AT']),
  t('SALES', 'PUBLIC', 'LINE_ITEMS', 1026, ['ORDER_ID', 'LINE_NO', 'SKU', 'QUANTITY', 'PRICE']),
  t('FINANCE', 'GL', 'JOURNAL_ENTRIES', 2048, ['ENTRY_ID', 'ACCOUNT_CODE', 'AMOUNT', 'POSTED_AT', 'PERIOD']),
  t('FINANCE', 'GL', 'INVOICES', 2049, ['INVOICE_ID', 'CUSTOMER_ID', 'AMOUNT', 'DUE_DATE', 'PAID']),
  t('HR', 'PUBLIC', 'EMPLOYEES', 3072, ['EMPLOYEE_ID', 'NAME', 'SSN', 'DEPARTMENT', 'HIRED_ON', 'MANAGER_ID']),
  t('HR', 'PUBLIC', 'SALARIES', 3073, ['EMPLOYEE_ID', 'BASE_SALARY', 'BONUS', 'EFFECTIVE_FROM']),
  t('MARKETING', 'WEB', 'EVENTS', 4096, ['EVENT_ID', 'SESSION_KEY', 'PAGE', 'TS', 'CAMPAIGN_ID']),
  t('MARKETING', 'WEB', 'CAMPAIGNS', 4097, ['CAMPAIGN_ID', 'NAME', 'CHANNEL', 'BUDGET']),
  t('ANALYTICS', 'MARTS', 'DAILY_REVENUE', 5120, ['DAY', 'REGION', 'REVENUE', 'ORDERS']),
  t('ANALYTICS', 'MARTS', 'CUSTOMER_CHURN', 5121, ['CUSTOMER_ID', 'CHURN_SCORE', 'SCORED_AT']),
  t('RAW', 'LANDING', 'ORDERS_RAW', 6144, ['PAYLOAD', 'FILE_NAME', 'LOADED_AT']),
];

export const DATABASE_IDS: Readonly<Record<string, number>> = {
  SALES: 11,
  FINANCE: 12,
  HR: 13,
  MARKETING: 14,
  ANALYTICS: 15,
  RAW: 16,
};

export interface WarehouseSpec {
  id: number;
  name: string;
  size: string;
}

export const WAREHOUSES: readonly WarehouseSpec[] = [
  { id: 101, name: 'ANALYST_WH', size: 'Small' },
  { id: 102, name: 'ETL_WH', size: 'Medium' },
  { id: 103, name: 'BI_WH', size: 'Small' },
  { id: 104, name: 'ADMIN_WH', size: 'X-Small' },
];

/** System roles every account has, then the custom roles of this synthetic organisation. */
export const SYSTEM_ROLES = ['ACCOUNTADMIN', 'SECURITYADMIN', 'SYSADMIN', 'USERADMIN', 'PUBLIC'] as const;
export const CUSTOM_ROLES = [
  'ANALYST',
  'BI_READER',
  'DATA_ENGINEER',
  'ETL_LOADER',
  'DBT_TRANSFORMER',
  'HR_ANALYST',
  'FINANCE_ANALYST',
  'SHARING_ADMIN',
  'PLATFORM_OPS',
  'DBA_ADMIN',
] as const;

/**
 * Role hierarchy as (granted role, grantee role): the standard system chain, custom roles rolled up to SYSADMIN, and
 * one legacy shortcut that makes DBA_ADMIN an ACCOUNTADMIN holder (the SF-02 hierarchy case).
 */
export const ROLE_HIERARCHY: readonly (readonly [string, string])[] = [
  ['SECURITYADMIN', 'ACCOUNTADMIN'],
  ['SYSADMIN', 'ACCOUNTADMIN'],
  ['USERADMIN', 'SECURITYADMIN'],
  ['ANALYST', 'SYSADMIN'],
  ['BI_READER', 'ANALYST'],
  ['HR_ANALYST', 'SYSADMIN'],
  ['FINANCE_ANALYST', 'SYSADMIN'],
  ['DATA_ENGINEER', 'SYSADMIN'],
  ['ETL_LOADER', 'DATA_ENGINEER'],
  ['DBT_TRANSFORMER', 'DATA_ENGINEER'],
  ['SHARING_ADMIN', 'SYSADMIN'],
  ['PLATFORM_OPS', 'SYSADMIN'],
  ['ACCOUNTADMIN', 'DBA_ADMIN'],
];

/** Which tables each working role reads (and, for the loaders, writes). */
export const ROLE_TABLES: Readonly<Record<string, readonly string[]>> = {
  ANALYST: ['ORDERS', 'CUSTOMERS', 'LINE_ITEMS', 'DAILY_REVENUE', 'CUSTOMER_CHURN', 'EVENTS', 'CAMPAIGNS'],
  BI_READER: ['DAILY_REVENUE', 'CUSTOMER_CHURN', 'ORDERS'],
  DATA_ENGINEER: ['ORDERS', 'ORDERS_RAW', 'LINE_ITEMS', 'EVENTS', 'DAILY_REVENUE'],
  ETL_LOADER: ['ORDERS_RAW', 'ORDERS', 'EVENTS'],
  DBT_TRANSFORMER: ['ORDERS', 'LINE_ITEMS', 'DAILY_REVENUE', 'CUSTOMER_CHURN'],
  HR_ANALYST: ['EMPLOYEES', 'SALARIES'],
  FINANCE_ANALYST: ['JOURNAL_ENTRIES', 'INVOICES', 'DAILY_REVENUE'],
  SYSADMIN: ['ORDERS', 'DAILY_REVENUE'],
  ACCOUNTADMIN: ['ORDERS'],
  PLATFORM_OPS: ['DAILY_REVENUE'],
  SHARING_ADMIN: ['ORDERS', 'DAILY_REVENUE'],
};

export function tableByName(name: string): TableSpec {
  const table = TABLES.find((candidate) => candidate.name === name);
  if (!table) throw new RangeError(`unknown table ${name}`);
  return table;
}

/** A client as it shows in LOGIN_HISTORY (reported type/version) and SESSIONS (application id, environment). */
export interface ClientProfile {
  key: string;
  reportedClientType: string;
  reportedClientVersion: string;
  applicationId: string;
  applicationVersion: string;
  environment: Record<string, string>;
}

const client = (
  key: string,
  reportedClientType: string,
  version: string,
  application: string,
  environment: Record<string, string>,
): ClientProfile => ({
  key,
  reportedClientType,
  reportedClientVersion: version,
  applicationId: `${application} ${version}`,
  applicationVersion: version,
  environment,
});

export const CLIENTS = {
  snowsight: client('snowsight', 'SNOWFLAKE_UI', '9.33.1', 'Snowflake UI', {
    APPLICATION: 'Snowsight',
    OS: 'Mac OS X',
    OS_VERSION: '14.6',
    BROWSER: 'Chrome 131',
  }),
  snowsqlMac: client('snowsqlMac', 'PYTHON_DRIVER', '3.12.3', 'PythonConnector', {
    APPLICATION: 'SnowSQL',
    OS: 'Darwin',
    OS_VERSION: 'macOS-14.6-arm64-arm-64bit',
    PYTHON_VERSION: '3.11.9',
  }),
  jupyter: client('jupyter', 'PYTHON_DRIVER', '3.12.3', 'PythonConnector', {
    APPLICATION: 'jupyter_notebook',
    OS: 'Linux',
    OS_VERSION: 'Linux-6.8.0-x86_64-with-glibc2.39',
    PYTHON_VERSION: '3.12.4',
  }),
  dbeaverCommunity: client('dbeaverCommunity', 'JDBC_DRIVER', '3.19.0', 'JDBC', {
    APPLICATION: 'DBeaver_DBeaverCommunity',
    OS: 'Windows 11',
    OS_VERSION: '10.0',
    JAVA_VERSION: '17.0.12',
  }),
  airflow: client('airflow', 'PYTHON_DRIVER', '3.12.3', 'PythonConnector', {
    APPLICATION: 'airflow',
    OS: 'Linux',
    OS_VERSION: 'Linux-5.15.0-1066-aws-x86_64-with-glibc2.36',
    PYTHON_VERSION: '3.11.9',
  }),
  dbt: client('dbt', 'PYTHON_DRIVER', '3.12.3', 'PythonConnector', {
    APPLICATION: 'dbt',
    OS: 'Linux',
    OS_VERSION: 'Linux-5.15.0-1066-aws-x86_64-with-glibc2.36',
    PYTHON_VERSION: '3.11.9',
  }),
  tableau: client('tableau', 'ODBC_DRIVER', '3.4.1', 'ODBC', {
    APPLICATION: 'TableauServer',
    OS: 'Linux',
    OS_VERSION: 'Ubuntu 22.04',
  }),
  terraform: client('terraform', 'GO_DRIVER', '1.11.2', 'Go', {
    APPLICATION: 'terraform-provider-snowflake',
    OS: 'linux',
    OS_VERSION: 'amd64',
  }),
  // Incident-only clients: UNC5537's FROSTBITE utility and the DBeaver edition/OS pair from the IOC guidance.
  rapeflake: client('rapeflake', 'JDBC_DRIVER', '3.13.30', 'JDBC', {
    APPLICATION: 'rapeflake',
    OS: 'Windows Server 2022',
    OS_VERSION: '10.0',
    JAVA_VERSION: '11.0.20',
  }),
  dbeaverUltimateWinServer: client('dbeaverUltimateWinServer', 'JDBC_DRIVER', '3.14.4', 'JDBC', {
    APPLICATION: 'DBeaver_DBeaverUltimate',
    OS: 'Windows Server 2022',
    OS_VERSION: '10.0',
    JAVA_VERSION: '17.0.8',
  }),
  datagrip: client('datagrip', 'JDBC_DRIVER', '3.19.0', 'JDBC', {
    APPLICATION: 'DataGrip',
    OS: 'Mac OS X',
    OS_VERSION: '14.6',
    JAVA_VERSION: '21.0.4',
  }),
} as const satisfies Record<string, ClientProfile>;

export type ClientKey = keyof typeof CLIENTS;

export const FIRST_NAMES = [
  'Alice', 'Bruno', 'Chloe', 'Deepa', 'Emil', 'Fatima', 'Gus', 'Hana', 'Ivan', 'Jia', 'Kofi', 'Lena', 'Marco',
  'Nadia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tara', 'Umar', 'Vera', 'Wei', 'Ximena', 'Yusuf', 'Zoe',
] as const;

export const LAST_NAMES = [
  'Adams', 'Baker', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ito', 'Jensen', 'Kowalski',
  'Larsen', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Quispe', 'Rossi', 'Schmidt', 'Tanaka', 'Umarov', 'Varga',
  'Weber', 'Xu', 'Yilmaz', 'Zhang',
] as const;

/**
 * Published UNC5537 indicator IPs (Snowflake community article 0108977 / Mandiant, reproduced in Sentry's MAY30 query).
 * Normal activity never uses them: it draws from documentation and carrier-grade NAT ranges only.
 */
export const IOC_IPS = ['104.223.91.28', '102.165.16.161'] as const;

/** Address plans for normal activity: office egress, home/VPN addresses, the cloud NAT of service users. */
export const OFFICE_IPS = ['198.51.100.10', '198.51.100.11', '198.51.100.12'] as const;
/** Attacker-controlled addresses of the brute-force, spray and blocked-login stories (TEST-NET-3, never used by normal activity). */
export const ATTACKER_IPS = { bruteForce: '203.0.113.77', spray: '203.0.113.45', torExit: '203.0.113.93' } as const;

/** Consumer accounts of the long-standing, approved shares. */
export const APPROVED_CONSUMER_ACCOUNTS = ['SUPPLIERCO.REPORTING', 'AUDITFIRM.PROD'] as const;
