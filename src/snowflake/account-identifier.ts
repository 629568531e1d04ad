// Snowflake account identifiers and the explicit endpoint override.
//
// The identifier is the one config value that decides which host receives our bearer tokens, so it is parsed by a
// closed grammar rather than pasted into a URL: every accepted input yields a host under `.snowflakecomputing.com`,
// and anything that does not fit the grammar (slashes, ports, userinfo, extra labels, unicode...) is refused. Pointing
// the client anywhere else takes the separate `endpoint` override, which is validated on its own terms.
//
// Accepted forms (case-insensitive; the host is lower case):
//   orgname-account_name                      preferred; account names may contain `_`
//   orgname-account_name.privatelink          private connectivity host of the same account
//   locator                                   legacy, e.g. xy12345 (AWS us-west-2)
//   locator.region[.cloud]                    legacy, e.g. xy12345.us-east-2.aws, xy12345.east-us-2.azure
//   locator.region.privatelink                legacy private connectivity
//   locator-suffix.global                     legacy global (replication / client redirect) URL
// Each may also be written as the full host with the `.snowflakecomputing.com` suffix, which is stripped exactly once.
//
// Facts: https://docs.snowflake.com/en/user-guide/admin-account-identifier and
// https://docs.snowflake.com/en/developer-guide/sql-api/authenticating (the JWT's account part).

export type AccountIdentifierKind = 'org-account' | 'locator';

export interface AccountIdentifier {
  /** The identifier as written in the configuration. */
  readonly raw: string;
  readonly kind: AccountIdentifierKind;
  /** `<identifier>.snowflakecomputing.com`, lower case, `_` kept as written. */
  readonly host: string;
  /** The account part of key-pair JWT claims (`iss`, `sub`): upper case, region and cloud dropped. */
  readonly jwtAccount: string;
  /** `https://<host>`, without a trailing slash. */
  readonly baseUrl: string;
}

export type AccountIdentifierErrorCode = 'ERR_ACCOUNT_IDENTIFIER' | 'ERR_ENDPOINT';

export class AccountIdentifierError extends Error {
  readonly code: AccountIdentifierErrorCode;

  constructor(code: AccountIdentifierErrorCode, message: string) {
    super(message);
    this.name = 'AccountIdentifierError';
    this.code = code;
  }
}

export const SNOWFLAKE_HOST_SUFFIX = '.snowflakecomputing.com';

// Organization names are letters and digits; account names start with a letter and may contain `_`.
const ORG_ACCOUNT = /^([a-z][a-z0-9]*)-([a-z][a-z0-9_]*)$/;
// Account locators are short letter+digit codes such as xy12345 or abc12345 (always with a digit).
const LOCATOR = /^[a-z][a-z0-9]*$/;
// Region ids always have at least one hyphen (us-east-2, east-us-2, europe-west4, us-gov-west-1).
const REGION = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/;
const CLOUDS = new Set(['aws', 'azure', 'gcp']);
const GLOBAL = /^([a-z][a-z0-9]*)-([a-z0-9]+)$/;
// The longest DNS label is 63 characters; a Snowflake identifier label is far shorter, but this bounds the input.
const MAX_LABEL = 63;
const MAX_LENGTH = 255;

/** Parses an account identifier; throws AccountIdentifierError (code ERR_ACCOUNT_IDENTIFIER) with the reason. */
export function parseAccountIdentifier(input: string): AccountIdentifier {
  const fail = (reason: string): never => {
    throw new AccountIdentifierError('ERR_ACCOUNT_IDENTIFIER', `not a Snowflake account identifier: ${reason}`);
  };
  if (typeof input !== 'string' || input.length === 0) fail('it is empty');
  if (input.length > MAX_LENGTH) fail(`it is longer than ${MAX_LENGTH} characters`);
  const badCharacter = /[^A-Za-z0-9_.-]/u.exec(input);
  if (badCharacter) {
    fail(
      `it contains ${describeCharacter(badCharacter[0])}; only letters, digits, "_", "-" and "." are allowed ` +
        `(write the identifier, e.g. myorg-myaccount, not a URL; use "endpoint" for any other address)`,
    );
  }
  let text = input.toLowerCase();
  if (text.endsWith(SNOWFLAKE_HOST_SUFFIX)) text = text.slice(0, -SNOWFLAKE_HOST_SUFFIX.length);
  if (text.length === 0) fail('nothing before .snowflakecomputing.com');
  const labels = text.split('.');
  if (labels.some((label) => label.length === 0)) fail('it has an empty label (leading, trailing or doubled ".")');
  if (labels.some((label) => label.length > MAX_LABEL)) fail(`a label is longer than ${MAX_LABEL} characters`);

  const [first, ...rest] = labels as [string, ...string[]];
  const host = `${text}${SNOWFLAKE_HOST_SUFFIX}`;
  const make = (kind: AccountIdentifierKind, jwtAccount: string): AccountIdentifier => ({
    raw: input,
    kind,
    host,
    jwtAccount: jwtAccount.toUpperCase(),
    baseUrl: `https://${host}`,
  });

  // The legacy global URL: Snowflake's reference normalisation keeps the part before the first "-" for the JWT.
  if (rest.length === 1 && rest[0] === 'global') {
    const global = GLOBAL.exec(first);
    if (global) return make('locator', global[1] ?? '');
    fail('expected locator-suffix before ".global" (letters and digits on both sides of the hyphen)');
  }
  if (ORG_ACCOUNT.test(first)) {
    if (rest.length === 0) return make('org-account', first);
    if (rest.length === 1 && rest[0] === 'privatelink') return make('org-account', first);
    fail(
      `"${first}" looks like orgname-account_name, but "${rest.join('.')}" after it is not allowed ` +
        `(only ".privatelink" may follow that form)`,
    );
  }
  if (first.includes('-')) {
    fail('expected orgname-account_name (organization: letters and digits; account: letters, digits and "_")');
  }
  if (!LOCATOR.test(first)) fail('an account locator starts with a letter and contains only letters and digits');
  const [region, third, ...extra] = rest;
  if (region !== undefined && third === undefined && /^[a-z][a-z0-9_]*$/.test(region)) {
    // `orgname.account_name` is how SQL and drivers write it; hosts and JWTs need the hyphen.
    fail(
      `"${first}.${region}" is neither a locator with a region nor orgname-account_name; if it is the dotted ` +
        `orgname.account_name form, write it with a hyphen: ${first}-${region}`,
    );
  }
  if (!/\d/.test(first)) {
    fail(
      `"${first}" is neither orgname-account_name nor an account locator (locators such as xy12345 contain digits)`,
    );
  }
  if (region === undefined) return make('locator', first);
  if (!REGION.test(region)) {
    fail(`"${region}" is not a Snowflake region id (such as us-east-2, east-us-2 or europe-west4)`);
  }
  if (third === undefined) return make('locator', first);
  if (extra.length === 0 && (CLOUDS.has(third) || third === 'privatelink')) return make('locator', first);
  if (extra.length === 1 && CLOUDS.has(third) && extra[0] === 'privatelink') return make('locator', first);
  return fail(
    `unexpected "${[third, ...extra].join('.')}" after the region; expected at most a cloud (aws, azure, gcp) ` +
      `and/or "privatelink"`,
  );
}

function describeCharacter(character: string): string {
  if (character === ' ') return 'a space';
  const codePoint = character.codePointAt(0) ?? 0;
  if (codePoint < 0x20 || codePoint > 0x7e) return `the character U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  return `"${character}"`;
}

export interface EndpointOverride {
  /** Scheme, host and port, without a trailing slash: what SQL API paths are appended to. */
  readonly baseUrl: string;
  /** Host name (and port if not the scheme's default), as in a Host header. */
  readonly host: string;
  /** True when the host is a loopback address (the only case where http: is allowed). */
  readonly loopback: boolean;
}

/**
 * Validates an explicit `endpoint` URL (emulator, private link, proxy). Throws AccountIdentifierError (code
 * ERR_ENDPOINT). The URL itself is never echoed in the message: it might carry credentials.
 */
export function parseEndpointOverride(input: string): EndpointOverride {
  const fail = (reason: string): never => {
    throw new AccountIdentifierError('ERR_ENDPOINT', `invalid endpoint: ${reason}`);
  };
  if (typeof input !== 'string' || input.length === 0) fail('it is empty');
  if (/\s/.test(input) || hasControlCharacter(input)) fail('it contains whitespace or control characters');
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return fail('not an absolute URL (expected e.g. https://host:port)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('the scheme must be https (or http for loopback)');
  if (url.username !== '' || url.password !== '' || input.includes('@')) {
    fail('credentials in the URL are not allowed; configure authentication under "auth"');
  }
  if (input.includes('?')) fail('a query string is not allowed');
  if (input.includes('#')) fail('a fragment is not allowed');
  if (url.pathname !== '/' && url.pathname !== '') fail('a path is not allowed; give only scheme, host and port');
  const loopback = isLoopbackHostname(url.hostname);
  if (url.protocol === 'http:' && !loopback) {
    fail('http is only allowed for loopback hosts (localhost, 127.0.0.0/8, [::1]); use https');
  }
  return { baseUrl: url.origin, host: url.host, loopback };
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Loopback as the URL parser normalises it: `localhost`, 127.0.0.0/8 and `[::1]`. */
export function isLoopbackHostname(hostname: string): boolean {
  const name = hostname.toLowerCase();
  if (name === 'localhost' || name === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}
