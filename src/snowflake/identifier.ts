// Snowflake object names (roles, warehouses, users, databases, schemas) as Snowflake resolves them. The one place
// that turns what a person writes into the name Snowflake stores and SHOW returns; everything that sends a name
// (the SQL API body, the OAuth role scope, the key-pair JWT) or compares one goes through here.
//
// The rules (https://docs.snowflake.com/en/sql-reference/identifiers-syntax):
// - unquoted: starts with a letter (A-Z, a-z) or "_", holds only letters, digits, "_" and "$", and is stored and
//   resolved upper case (`risk_exporter` is RISK_EXPORTER);
// - double-quoted: the case is kept and any character is allowed; `""` inside stands for one `"`
//   (`"Risk ""R"""` is `Risk "R"`);
// - either way at most 255 characters.
// Why it matters: the SQL API's `role`, `warehouse`, `database` and `schema` fields are case-sensitive and must match
// the case SHOW returns (https://docs.snowflake.com/en/developer-guide/sql-api/submitting-requests), so sending
// `risk_exporter` as written fails with 390186 although the role RISK_EXPORTER is granted.

/** Snowflake's limit for any identifier, quoted or not. */
export const MAX_IDENTIFIER_LENGTH = 255;

const UNQUOTED = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const UNQUOTED_FIRST = /^[A-Za-z_]$/;
const UNQUOTED_REST = /^[A-Za-z0-9_$]$/;

export type IdentifierParse =
  | { readonly ok: true; readonly name: string; readonly quoted: boolean }
  | { readonly ok: false; readonly reason: string };

/** An identifier that is not one: `reason` says why and how to write it. */
export class IdentifierError extends Error {
  readonly reason: string;

  constructor(what: string, reason: string) {
    super(`${what} ${reason}`);
    this.name = 'IdentifierError';
    this.reason = reason;
  }
}

/** The name Snowflake stores for `text`, or why `text` is not an identifier. Never throws. */
export function parseIdentifier(text: string): IdentifierParse {
  if (text === '') return { ok: false, reason: 'is empty' };
  if (text.startsWith('"')) return parseQuoted(text);
  if (UNQUOTED.test(text)) {
    if (text.length > MAX_IDENTIFIER_LENGTH) return tooLong(text.length);
    return { ok: true, name: text.toUpperCase(), quoted: false };
  }
  const chars = [...text];
  const offending = UNQUOTED_FIRST.test(chars[0] ?? '') ? chars.find((char) => !UNQUOTED_REST.test(char)) : chars[0];
  const where = UNQUOTED_FIRST.test(chars[0] ?? '') ? 'contains' : 'starts with';
  return {
    ok: false,
    reason:
      `${where} ${describe(offending ?? '')}: an unquoted name starts with a letter or "_" and holds only letters, digits, "_" and "$" ` +
      // The text itself is not repeated: a value pasted into the wrong field may be a secret.
      '(to use a name exactly as written, put it in double quotes and double any " inside it)',
  };
}

/** The name Snowflake stores for `text`; throws IdentifierError (naming `what`) when it is not an identifier. */
export function resolveIdentifier(text: string, what = 'the name'): string {
  const parsed = parseIdentifier(text);
  if (!parsed.ok) throw new IdentifierError(what, parsed.reason);
  return parsed.name;
}

/** `text` as written resolves to the stored `name` (the form SHOW and ACCOUNT_USAGE give). */
export function identifierMatches(text: string, name: string): boolean {
  const parsed = parseIdentifier(text);
  return parsed.ok && parsed.name === name;
}

/**
 * The parts of a possibly qualified name as written in SQL (`sales.public."Orders.EU"`), each resolved to the name
 * Snowflake stores, or undefined when a part is not an identifier. A dot inside double quotes belongs to its part.
 */
export function parseQualifiedName(text: string): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i <= text.length; i++) {
    const char = text[i];
    if (char === '"') quoted = !quoted; // `""` inside quotes toggles twice: still inside.
    if (quoted || (char !== '.' && i < text.length)) continue;
    const parsed = parseIdentifier(text.slice(start, i));
    if (!parsed.ok) return undefined;
    parts.push(parsed.name);
    start = i + 1;
  }
  return quoted ? undefined : parts;
}

/**
 * An account as Snowflake lists it (SHOW SHARES `to`, ACCOUNT_USAGE.SHARES TARGET_ACCOUNTS: `ORG.ACCOUNT` or a legacy
 * locator), trimmed and upper case. Organization and account names are host-name labels (letters, digits and "_",
 * https://docs.snowflake.com/en/user-guide/admin-account-identifier), which carry no case, and Snowflake lists them
 * upper case: this is the one form in which account names are stored and compared.
 */
export function canonicalAccountName(name: string): string {
  return name.trim().toUpperCase();
}

/**
 * An account written in SQL text (`ALTER SHARE s ADD ACCOUNTS = myorg."partner"`): each part resolved as an
 * identifier, then in the account form above (a quoted part does not make an account name case-sensitive).
 */
export function resolveAccountName(text: string): string | undefined {
  const parts = parseQualifiedName(text);
  return parts === undefined ? undefined : canonicalAccountName(parts.join('.'));
}

function parseQuoted(text: string): IdentifierParse {
  if (text.length < 2 || !text.endsWith('"')) return { ok: false, reason: 'opens a double quote that is never closed' };
  const inner = text.slice(1, -1);
  // Inside, a double quote only ever comes doubled.
  if (inner.replaceAll('""', '').includes('"')) {
    return { ok: false, reason: 'has a lone double quote inside the quotes: write a double quote that is part of the name as ""' };
  }
  const name = inner.replaceAll('""', '"');
  if (name === '') return { ok: false, reason: 'is an empty quoted name ("")' };
  const length = [...name].length;
  if (length > MAX_IDENTIFIER_LENGTH) return tooLong(length);
  return { ok: true, name, quoted: true };
}

function tooLong(length: number): IdentifierParse {
  return { ok: false, reason: `is ${length} characters long; Snowflake allows at most ${MAX_IDENTIFIER_LENGTH}` };
}

function describe(char: string): string {
  if (char === ' ') return 'a space';
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `"${char}"`;
}
