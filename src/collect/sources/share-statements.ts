// Recognises share-related DDL in query text: the QUERY_HISTORY side of the share stream, which also sees failed
// attempts and who ran them (the SHARES views see neither). The SQL pre-filter (shares.ts) is deliberately broad;
// this classifier decides, on the text with comments removed and literals replaced (query-text.ts), so that a
// leading comment, a line break or a "to share" inside a string literal cannot change the answer.
import type { ShareAction } from '../events.ts';
import { redactLiterals } from '../query-text.ts';
import { canonicalAccountName, parseQualifiedName, resolveAccountName } from '../../snowflake/identifier.ts';

export interface ShareStatement {
  readonly action: ShareAction;
  readonly shareName: string | null;
  readonly consumerAccounts: readonly string[];
  readonly privilege: string | null;
  readonly grantedOn: string | null;
  /** Granted object, reader account or listing name. */
  readonly objectName: string | null;
}

// An identifier, possibly qualified: unquoted (letters, digits, _ and $) or "quoted" ("" escapes a quote). Recognition
// is wider than Snowflake's rules (any letter): a statement Snowflake refused is still a failed attempt worth an event.
const PART = String.raw`(?:"(?:[^"]|"")+"|[\p{L}_][\p{L}\p{N}_$]*)`;
const NAME = String.raw`(${PART}(?:\.${PART})*)`;

const CREATE_SHARE = new RegExp(String.raw`^CREATE (?:OR REPLACE )?(?:SECURE )?SHARE (?:IF NOT EXISTS )?${NAME}`, 'iu');
const DROP_SHARE = new RegExp(String.raw`^DROP SHARE (?:IF EXISTS )?${NAME}`, 'iu');
const ALTER_SHARE_ACCOUNTS = new RegExp(String.raw`^ALTER SHARE (?:IF EXISTS )?${NAME} (ADD|SET|REMOVE) ACCOUNTS? ?= ?(.*)$`, 'iu');
const GRANT_TO_SHARE = new RegExp(String.raw`^GRANT (.+?) ON (.+) TO SHARE ${NAME}`, 'iu');
const GRANT_OTHER_TO_SHARE = new RegExp(String.raw`^GRANT .+ TO SHARE ${NAME}`, 'iu');
const REVOKE_FROM_SHARE = new RegExp(String.raw`^REVOKE (.+?) ON (.+) FROM SHARE ${NAME}`, 'iu');
const REVOKE_OTHER_FROM_SHARE = new RegExp(String.raw`^REVOKE .+ FROM SHARE ${NAME}`, 'iu');
const CREATE_MANAGED_ACCOUNT = new RegExp(String.raw`^CREATE (?:OR REPLACE )?MANAGED ACCOUNT (?:IF NOT EXISTS )?${NAME}`, 'iu');
const LISTING = new RegExp(String.raw`^(?:CREATE|ALTER) (?:OR REPLACE )?(?:EXTERNAL |ORGANIZATION )?LISTING (?:IF (?:NOT )?EXISTS )?${NAME}`, 'iu');
const ACCOUNT = new RegExp(`^${NAME}$`, 'u');

/**
 * The name Snowflake stores for a name written in the statement, by Snowflake's identifier rules (the one resolver,
 * src/snowflake/identifier.ts: unquoted parts upper case, quoted parts exactly as written). A name that breaks the
 * rules (Snowflake refused that statement) is kept as written.
 */
export function canonicalName(name: string): string {
  return parseQualifiedName(name)?.join('.') ?? name;
}

/** Comments out, literals as `?`, runs of whitespace as one space except inside a quoted name (`"Q3  sales"`). */
export function normaliseStatement(text: string): string {
  return redactLiterals(text)
    .split(/("(?:[^"]|"")*")/)
    .map((piece, index) => (index % 2 === 1 ? piece : piece.replace(/\s+/g, ' ')))
    .join('')
    .trim();
}

/** Account names of an `ACCOUNTS = a, b` list; anything that is not a plain name (e.g. SHARE_RESTRICTIONS) ends it. */
function accountsOf(list: string): string[] {
  const accounts: string[] = [];
  for (const part of list.split(',')) {
    const candidate = part.trim().split(' ')[0] ?? '';
    if (!ACCOUNT.test(candidate)) break;
    accounts.push(resolveAccountName(candidate) ?? canonicalAccountName(candidate));
    if (part.trim().includes(' ')) break;
  }
  return accounts;
}

const OBJECT = new RegExp(String.raw`^(?:(.+?) )?${NAME}$`, 'u');

/** "TABLE SALES.PUBLIC.CUSTOMERS" -> grantedOn TABLE, object SALES.PUBLIC.CUSTOMERS (a quoted name may hold spaces). */
function splitObject(target: string): { grantedOn: string | null; objectName: string | null } {
  const m = OBJECT.exec(target.trim());
  if (m === null) return { grantedOn: null, objectName: null };
  return { grantedOn: m[1]?.toUpperCase() ?? null, objectName: canonicalName(m[2]!) };
}

const base = { shareName: null, consumerAccounts: [], privilege: null, grantedOn: null, objectName: null } as const;

export function classifyShareStatement(text: string): ShareStatement | null {
  const sql = normaliseStatement(text);
  let m: RegExpExecArray | null;
  if ((m = CREATE_SHARE.exec(sql)) !== null) return { ...base, action: 'created', shareName: canonicalName(m[1]!) };
  if ((m = DROP_SHARE.exec(sql)) !== null) return { ...base, action: 'dropped', shareName: canonicalName(m[1]!) };
  if ((m = ALTER_SHARE_ACCOUNTS.exec(sql)) !== null) {
    const verb = m[2]!.toUpperCase();
    // SET ACCOUNTS replaces the list: every named account is (possibly newly) exposed.
    return { ...base, action: verb === 'REMOVE' ? 'accounts_removed' : 'accounts_added', shareName: canonicalName(m[1]!), consumerAccounts: accountsOf(m[3]!) };
  }
  if ((m = GRANT_TO_SHARE.exec(sql)) !== null) return { ...base, action: 'object_granted', shareName: canonicalName(m[3]!), privilege: m[1]!.toUpperCase(), ...splitObject(m[2]!) };
  if ((m = GRANT_OTHER_TO_SHARE.exec(sql)) !== null) return { ...base, action: 'object_granted', shareName: canonicalName(m[1]!) };
  if ((m = REVOKE_FROM_SHARE.exec(sql)) !== null) return { ...base, action: 'object_revoked', shareName: canonicalName(m[3]!), privilege: m[1]!.toUpperCase(), ...splitObject(m[2]!) };
  if ((m = REVOKE_OTHER_FROM_SHARE.exec(sql)) !== null) return { ...base, action: 'object_revoked', shareName: canonicalName(m[1]!) };
  if ((m = CREATE_MANAGED_ACCOUNT.exec(sql)) !== null) return { ...base, action: 'reader_account_created', objectName: canonicalName(m[1]!) };
  if ((m = LISTING.exec(sql)) !== null) return { ...base, action: 'listing_changed', objectName: canonicalName(m[1]!) };
  return null;
}
