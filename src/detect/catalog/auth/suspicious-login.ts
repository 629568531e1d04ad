// SF-16: sign-ins matching the UNC5537 (2024 Snowflake customer breaches) indicators: a login from a known-bad IP
// (configured IOC list), a login Snowflake itself classified as coming from a malicious IP (LOGIN_DETAILS,
// bundle 2025_07), or a session whose client reports the attacker tooling: application "rapeflake" (FROSTBITE), or
// DBeaver Ultimate on Windows Server 2022. One finding per login: its EVENT_ID is the evidence when the login row
// itself is an indicator; when only the session's client is, the SESSION_ID(s) are (the login is in attributes).
//
// LOGIN_DETAILS is VARCHAR holding JSON text, and Snowflake's documented values hold the malicious_ip_protection_info
// member as JSON text again (https://docs.snowflake.com/en/release-notes/bcr-bundles/2025_07/bcr-2052):
//   {"malicious_ip_protection_info":"{\"categories\":[...],\"result\":\"BLOCKED\",\"riskClassification\":\"HIGH\"}"}
// A `:` path on a VARCHAR does not compile in Snowflake, so the column goes through TRY_PARSE_JSON, and the member
// through TO_VARCHAR + TRY_PARSE_JSON: TO_VARCHAR keeps a string stored in a VARIANT as is and writes an object as
// JSON text (https://docs.snowflake.com/en/sql-reference/functions/to_char), so the member parses the same whether it
// was encoded once or twice, and malformed text is NULL instead of a failed statement.
//
// On an account without the bundle the column does not exist: the runner builds the statement without it (the IOC
// IP and client checks still run) and reports the part `login_details` unavailable (optionalColumns).
import type { SqlDetection } from '../../types.ts';
import { inList, listParameter } from './sql-helpers.ts';

const parameters = {
  iocIps: {
    description: 'Known-bad client IP addresses (e.g. the UNC5537 list of Snowflake community article 0108977).',
    default: [] as readonly string[],
  },
  maliciousIpRiskClassifications: {
    description:
      "riskClassification values of LOGIN_DETAILS' malicious_ip_protection_info (Snowflake's malicious-IP classification) that make a login suspicious, blocked or not.",
    default: ['HIGH'] as readonly string[],
  },
  suspiciousApplications: {
    description: 'SESSIONS CLIENT_ENVIRONMENT APPLICATION values that are attacker tooling on any OS.',
    default: ['rapeflake'] as readonly string[],
  },
  suspiciousApplicationsOnOs: {
    description: "APPLICATION@OS pairs that are suspicious only together (APPLICATION and OS of CLIENT_ENVIRONMENT).",
    default: ['DBeaver_DBeaverUltimate@Windows Server 2022'] as readonly string[],
  },
};

export const authSuspiciousLogin: SqlDetection = {
  kind: 'sql',
  schedule: 'sessions',
  id: 'auth.suspicious_login',
  catalog: 'SF-16',
  title: 'Login from a known-bad IP or with UNC5537 client tooling',
  severity: 'critical',
  family: 'auth',
  views: ['LOGIN_HISTORY', 'SESSIONS'],
  requires: 'bundle 2025_07 for LOGIN_DETAILS (without it the IOC IP and client checks still run; the classification check is reported unavailable)',
  optionalColumns: [{ part: 'login_details', view: 'LOGIN_HISTORY', column: 'LOGIN_DETAILS', providedBy: 'behaviour change bundle 2025_07' }],
  parameters,
  metrics: ['snowflake_risk_findings_total'],
  runbook: 'auth-suspicious_login',
  description:
    'Flags logins (successful, failed or blocked) from a configured IOC IP or classified as malicious by Snowflake ' +
    '(LOGIN_DETAILS malicious_ip_protection_info: the finding says whether Snowflake blocked the login, which then did ' +
    'not get in, and the risk categories), and sessions whose CLIENT_ENVIRONMENT names the client applications seen ' +
    'in the UNC5537 campaign (rapeflake / FROSTBITE, DBeaver Ultimate on Windows Server 2022). These are the ' +
    'indicators Snowflake and Mandiant published in June 2024.',
  statement(window, values, missing) {
    const withDetails = missing?.has('login_details') !== true;
    // The member as a VARIANT object (NULL when absent or malformed); a NULL VARIANT when the column does not exist.
    const protection = withDetails
      ? 'TRY_PARSE_JSON(TO_VARCHAR(TRY_PARSE_JSON(l.LOGIN_DETAILS):malicious_ip_protection_info))'
      : 'TO_VARIANT(NULL)';
    const ioc = inList('l.CLIENT_IP', listParameter(values, parameters, 'iocIps'));
    const risk = inList('l.RISK_CLASSIFICATION', listParameter(values, parameters, 'maliciousIpRiskClassifications').map((v) => v.toUpperCase()));
    const apps = inList('s.APPLICATION', listParameter(values, parameters, 'suspiciousApplications'));
    const pairs = inList("s.APPLICATION || '@' || s.OS", listParameter(values, parameters, 'suspiciousApplicationsOnOs'));
    const sql = `WITH LOGINS AS (
  SELECT l.EVENT_ID, l.EVENT_TIMESTAMP, l.USER_NAME, l.CLIENT_IP, l.IS_SUCCESS,
         ${protection} AS PROTECTION
  FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY l
  WHERE l.EVENT_TIMESTAMP >= ? AND l.EVENT_TIMESTAMP < ?
),
PROTECTED AS (
  SELECT l.EVENT_ID, l.EVENT_TIMESTAMP, l.USER_NAME, l.CLIENT_IP, l.IS_SUCCESS,
         UPPER(l.PROTECTION:riskClassification::STRING) AS RISK_CLASSIFICATION,
         UPPER(l.PROTECTION:result::STRING) AS PROTECTION_RESULT,
         LEFT(ARRAY_TO_STRING(l.PROTECTION:categories, ','), 100) AS RISK_CATEGORIES
  FROM LOGINS l
),
CLASSIFIED AS (
  SELECT l.*, COALESCE(${ioc.sql}, FALSE) AS IOC_IP, COALESCE(${risk.sql}, FALSE) AS MALICIOUS_IP
  FROM PROTECTED l
),
FLAGGED_LOGINS AS (
  SELECT * FROM CLASSIFIED WHERE (IOC_IP OR MALICIOUS_IP)
),
SESSION_CLIENTS AS (
  SELECT SESSION_ID, CREATED_ON, USER_NAME, LOGIN_EVENT_ID,
         TRY_PARSE_JSON(CLIENT_ENVIRONMENT):APPLICATION::STRING AS APPLICATION,
         TRY_PARSE_JSON(CLIENT_ENVIRONMENT):OS::STRING AS OS
  FROM SNOWFLAKE.ACCOUNT_USAGE.SESSIONS
  WHERE CREATED_ON >= ? AND CREATED_ON < ?
),
FLAGGED_SESSIONS AS (
  SELECT s.* FROM SESSION_CLIENTS s
  WHERE (COALESCE(${apps.sql}, FALSE) OR COALESCE(${pairs.sql}, FALSE))
)
SELECT l.USER_NAME,
       l.EVENT_TIMESTAMP AS EVENT_TIME,
       ARRAY_CONSTRUCT(TO_VARCHAR(l.EVENT_ID)) AS EVIDENCE_IDS,
       'Login from ' || l.CLIENT_IP
         || IFF(l.IOC_IP, ' (IOC IP list)', '')
         || IFF(l.MALICIOUS_IP, ' (classified ' || l.RISK_CLASSIFICATION || ' risk by Snowflake' || IFF(COALESCE(l.RISK_CATEGORIES, '') = '', '', ': ' || l.RISK_CATEGORIES) || ')', '')
         || IFF(MAX(s.APPLICATION) IS NULL, '', ' with client application ' || MAX(s.APPLICATION) || ' on ' || COALESCE(MAX(s.OS), 'unknown OS'))
         || CASE
              WHEN l.PROTECTION_RESULT = 'BLOCKED' THEN ', blocked by Snowflake''s malicious IP protection: the login did not get in.'
              WHEN l.IS_SUCCESS = 'YES' THEN ', successful' || IFF(l.PROTECTION_RESULT IS NULL, '', ' (not blocked: protection result ' || l.PROTECTION_RESULT || ')') || '.'
              ELSE ', failed.'
            END AS REASON,
       OBJECT_CONSTRUCT('reason', RTRIM(IFF(l.IOC_IP, 'ioc_ip,', '') || IFF(l.MALICIOUS_IP, 'malicious_ip,', '') || IFF(MAX(s.APPLICATION) IS NULL, '', 'client_application'), ','),
                        'clientIp', l.CLIENT_IP, 'success', l.IS_SUCCESS = 'YES',
                        'maliciousIpResult', l.PROTECTION_RESULT, 'blocked', l.PROTECTION_RESULT = 'BLOCKED',
                        'riskClassification', l.RISK_CLASSIFICATION, 'riskCategories', NULLIF(l.RISK_CATEGORIES, ''),
                        'sessionId', TO_VARCHAR(MIN(s.SESSION_ID)), 'application', MAX(s.APPLICATION)) AS ATTRIBUTES
FROM FLAGGED_LOGINS l
LEFT JOIN FLAGGED_SESSIONS s ON s.LOGIN_EVENT_ID = l.EVENT_ID
GROUP BY l.EVENT_ID, l.EVENT_TIMESTAMP, l.USER_NAME, l.CLIENT_IP, l.IS_SUCCESS, l.IOC_IP, l.MALICIOUS_IP,
         l.PROTECTION_RESULT, l.RISK_CLASSIFICATION, l.RISK_CATEGORIES
UNION ALL
SELECT s.USER_NAME,
       MIN(s.CREATED_ON) AS EVENT_TIME,
       ARRAY_AGG(TO_VARCHAR(s.SESSION_ID)) AS EVIDENCE_IDS,
       'Session with client application ' || MAX(s.APPLICATION) || ' on ' || COALESCE(MAX(s.OS), 'unknown OS') || ' (UNC5537 client indicator).' AS REASON,
       OBJECT_CONSTRUCT('reason', 'client_application', 'application', MAX(s.APPLICATION), 'os', MAX(s.OS),
                        'loginEventId', TO_VARCHAR(s.LOGIN_EVENT_ID)) AS ATTRIBUTES
FROM FLAGGED_SESSIONS s
WHERE s.LOGIN_EVENT_ID IS NULL OR s.LOGIN_EVENT_ID NOT IN (SELECT EVENT_ID FROM FLAGGED_LOGINS)
GROUP BY s.USER_NAME, s.LOGIN_EVENT_ID
ORDER BY EVENT_TIME`;
    return {
      sql,
      bindings: [window.from, window.to, ...ioc.bindings, ...risk.bindings, window.from, window.to, ...apps.bindings, ...pairs.bindings],
    };
  },
};
