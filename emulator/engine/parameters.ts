// Account parameters for SHOW PARAMETERS IN ACCOUNT: the security-relevant ones the exporter's posture checks read,
// with Snowflake's defaults and descriptions. setParameter() changes a value and marks its level ACCOUNT.

export interface AccountParameter {
  readonly key: string;
  readonly defaultValue: string;
  readonly type: 'BOOLEAN' | 'STRING' | 'NUMBER';
  readonly description: string;
}

export const ACCOUNT_PARAMETERS: readonly AccountParameter[] = [
  { key: 'ALLOW_ID_TOKEN', defaultValue: 'false', type: 'BOOLEAN', description: 'Allow the use of ID tokens for authentication.' },
  { key: 'CLIENT_ENCRYPTION_KEY_SIZE', defaultValue: '128', type: 'NUMBER', description: 'Client-side encryption key size in bits.' },
  { key: 'ENABLE_IDENTIFIER_FIRST_LOGIN', defaultValue: 'true', type: 'BOOLEAN', description: 'Enable the identifier-first login flow.' },
  { key: 'ENABLE_UNREDACTED_QUERY_SYNTAX_ERROR', defaultValue: 'false', type: 'BOOLEAN', description: 'Show the text of queries that failed with a syntax error in query history.' },
  { key: 'MIN_DATA_RETENTION_TIME_IN_DAYS', defaultValue: '0', type: 'NUMBER', description: 'Minimum number of days Snowflake retains historical data for Time Travel.' },
  { key: 'NETWORK_POLICY', defaultValue: '', type: 'STRING', description: 'Network policy applied to the account.' },
  { key: 'PERIODIC_DATA_REKEYING', defaultValue: 'false', type: 'BOOLEAN', description: 'Re-encrypt data older than one year with new keys.' },
  { key: 'PREVENT_LOAD_FROM_INLINE_URL', defaultValue: 'false', type: 'BOOLEAN', description: 'Prevent loading data from a URL given inline in COPY INTO <table>.' },
  { key: 'PREVENT_UNLOAD_TO_INLINE_URL', defaultValue: 'false', type: 'BOOLEAN', description: 'Prevent unloading data to a URL given inline in COPY INTO <location>.' },
  { key: 'PREVENT_UNLOAD_TO_INTERNAL_STAGES', defaultValue: 'false', type: 'BOOLEAN', description: 'Prevent unloading data to internal stages.' },
  { key: 'REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_CREATION', defaultValue: 'false', type: 'BOOLEAN', description: 'Require a storage integration to create an external stage.' },
  { key: 'REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_OPERATION', defaultValue: 'false', type: 'BOOLEAN', description: 'Require a storage integration to load from or unload to an external stage.' },
  { key: 'SAML_IDENTITY_PROVIDER', defaultValue: '', type: 'STRING', description: 'SAML identity provider settings (deprecated in favour of security integrations).' },
  { key: 'SSO_LOGIN_PAGE', defaultValue: 'false', type: 'BOOLEAN', description: 'Enable the SSO login page.' },
  { key: 'STATEMENT_TIMEOUT_IN_SECONDS', defaultValue: '172800', type: 'NUMBER', description: 'Timeout in seconds for statements.' },
  { key: 'TIMEZONE', defaultValue: 'America/Los_Angeles', type: 'STRING', description: 'Time zone of the session.' },
];

export class AccountParameters {
  private readonly values = new Map<string, string>();

  set(name: string, value: string): void {
    const key = name.toUpperCase();
    if (!ACCOUNT_PARAMETERS.some((p) => p.key === key)) throw new RangeError(`unknown account parameter ${name}`);
    this.values.set(key, value);
  }

  /** Rows of SHOW PARAMETERS: key, value, default, level, description, type. */
  rows(): string[][] {
    return ACCOUNT_PARAMETERS.map((p) => {
      const set = this.values.get(p.key);
      return [p.key, set ?? p.defaultValue, p.defaultValue, set === undefined ? '' : 'ACCOUNT', p.description, p.type];
    });
  }
}
