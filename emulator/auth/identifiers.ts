// How the emulated account stores the names of its users, roles, warehouses, databases and schemas: as Snowflake
// does (https://docs.snowflake.com/en/sql-reference/identifiers-syntax). An unquoted identifier is stored upper case
// (`risk_exporter` is RISK_EXPORTER); a double-quoted one exactly as written inside the quotes, with `""` standing
// for one `"`. The emulator's own configuration (users, roles, OAuth blocked roles) is written like SQL, so
// `roles: ['risk_exporter']` grants RISK_EXPORTER, as `GRANT ROLE risk_exporter TO USER ...` would.
//
// Requests, on the other hand, carry stored names: the SQL API's `role`, `warehouse`, `database` and `schema` and the
// OAuth `session:role:` scope are compared with these exactly, case included.
// (The emulator never imports the exporter, so this is its own copy of the rule.)

const UNQUOTED = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const MAX_LENGTH = 255;

/** The stored name for an identifier written as in SQL; throws on text that is not an identifier. */
export function storedName(identifier: string): string {
  if (UNQUOTED.test(identifier) && identifier.length <= MAX_LENGTH) return identifier.toUpperCase();
  if (identifier.length >= 2 && identifier.startsWith('"') && identifier.endsWith('"')) {
    const inner = identifier.slice(1, -1);
    const name = inner.replaceAll('""', '"');
    if (!inner.replaceAll('""', '').includes('"') && name !== '' && [...name].length <= MAX_LENGTH) return name;
  }
  throw new RangeError(
    `${JSON.stringify(identifier)} is not a Snowflake identifier: unquoted, it starts with a letter or "_" and holds only letters, ` +
      'digits, "_" and "$"; anything else goes in double quotes',
  );
}
