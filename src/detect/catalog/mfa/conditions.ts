// SQL fragments shared by the MFA detections. The user conditions themselves come from the USERS posture snapshot
// (src/collect/sources/users.ts) so that a finding and the gauge next to it always count the same users.
import { ENABLED_USER_CONDITION, USER_HAS_MFA } from '../../../collect/sources/users.ts';

export { ENABLED_USER_CONDITION, USER_HAS_MFA };

/**
 * A human who signs in with a password and has no MFA method: TYPE PERSON or unset (NULL is how accounts created
 * before bundle 2024_06 report humans), a password, neither HAS_MFA nor Duo. SSO-only users (no password) are left out:
 * their identity provider enforces the second factor.
 */
export const HUMAN_PASSWORD_USER_WITHOUT_MFA = `COALESCE(TYPE, 'PERSON') = 'PERSON'
  AND COALESCE(HAS_PASSWORD, FALSE)
  AND NOT ${USER_HAS_MFA}`;

/**
 * Enabled users holding one of the admin roles (a JSON array binding, see roleListBinding) directly or through the role hierarchy, as
 * rows (USER_NAME, ADMIN_ROLE). Same walk as the admins snapshot (src/collect/sources/admins.ts): a role R granted to
 * role P means P's holders hold R; UNION ALL with a depth bound because Snowflake wants both in a recursive CTE.
 * Takes two positional bindings, in order: the admin roles ('["ACCOUNTADMIN","SECURITYADMIN"]'), the maximum depth.
 */
export const ADMIN_HOLDERS_CTES = `ADMIN_ROLES AS (
  SELECT DISTINCT VALUE::VARCHAR AS ROLE_NAME FROM TABLE(FLATTEN(INPUT => PARSE_JSON(?)))
),
ROLE_EDGES AS (
  SELECT NAME AS GRANTED_ROLE, GRANTEE_NAME AS HOLDER_ROLE
  FROM SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_ROLES
  WHERE GRANTED_ON = 'ROLE' AND GRANTED_TO = 'ROLE' AND DELETED_ON IS NULL
),
HOLDER_ROLES (ADMIN_ROLE, ROLE_NAME, DEPTH) AS (
  SELECT ROLE_NAME, ROLE_NAME, 0 FROM ADMIN_ROLES
  UNION ALL
  SELECT h.ADMIN_ROLE, e.HOLDER_ROLE, h.DEPTH + 1
  FROM HOLDER_ROLES h JOIN ROLE_EDGES e ON e.GRANTED_ROLE = h.ROLE_NAME
  WHERE h.DEPTH < ?
),
ADMIN_HOLDERS AS (
  SELECT DISTINCT g.GRANTEE_NAME AS USER_NAME, h.ADMIN_ROLE
  FROM HOLDER_ROLES h
  JOIN SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_USERS g ON g.ROLE = h.ROLE_NAME AND g.DELETED_ON IS NULL
)`;
