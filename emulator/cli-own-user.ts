// The emulator CLI's options for trying the exporter on one's own data: the account identifier the emulated account
// answers to, and the exporter's own user (name, role, warehouse, and a key-pair public key or a programmatic access
// token), registered beside the demo user. Kept apart from cli.ts so other option groups merge without conflicts.
//
// The account identifier must be one the exporter accepts as written (README "Account identifiers"): its key-pair JWTs
// carry the identifier's upper-case form (orgname-account_name, or a legacy locator with its region and cloud
// dropped), and the emulator expects exactly that. A PAT secret never travels on the command line: it is read from a file or an environment
// variable, and the printed configuration refers to the same place.
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { UserConfig } from './auth/users.ts';

/** The default identifier: an org-account form, the same as the exporter's embedded demo uses. */
export const DEFAULT_ACCOUNT_IDENTIFIER = 'demo-emulator';
const DEFAULT_ROLE = 'RISK_EXPORTER';
/** The engine's default warehouse. */
const DEFAULT_WAREHOUSE = 'COMPUTE_WH';
/** A registered PAT lasts a year: long enough for any replay (Snowflake's maximum DAYS_TO_EXPIRY is 365). */
const PAT_DAYS = 365;

export const OWN_USER_PARSE_OPTIONS = {
  account: { type: 'string' },
  user: { type: 'string' },
  role: { type: 'string' },
  warehouse: { type: 'string' },
  'public-key': { type: 'string' },
  'pat-file': { type: 'string' },
  'pat-env': { type: 'string' },
} as const;

export const OWN_USER_HELP = `Account and your own user (to run the exporter on a replay of your data):
  --account ID             account identifier the emulated account answers to, as the exporter's "account"
                           setting writes it: orgname-account_name, or a locator such as xy12345 or
                           xy12345.us-east-2.aws (default ${DEFAULT_ACCOUNT_IDENTIFIER})
  --user NAME              register this user (e.g. your exporter's service user) beside the demo user
  --role ROLE              its role (default ${DEFAULT_ROLE}); it reads the SNOWFLAKE views
  --warehouse NAME         its default warehouse, created X-Small with AUTO_SUSPEND 60 (default ${DEFAULT_WAREHOUSE})
  --public-key FILE        its RSA public key, PEM (rsa_key.pub), for key-pair authentication
  --pat-file FILE          a programmatic access token for it, the secret read from FILE
  --pat-env NAME           the same, the secret read from environment variable NAME
`;

export interface OwnUserValues {
  account?: string | undefined;
  user?: string | undefined;
  role?: string | undefined;
  warehouse?: string | undefined;
  'public-key'?: string | undefined;
  'pat-file'?: string | undefined;
  'pat-env'?: string | undefined;
}

export interface OwnUserSetup {
  /** The identifier as given (printed as the exporter's `account`). */
  readonly accountIdentifier: string;
  /** What key-pair JWTs name: the identifier in upper case, without a locator's region and cloud. */
  readonly jwtAccount: string;
  /** Warehouses the engine must have besides its default. */
  readonly extraWarehouses: readonly string[];
  /** The user to register, when --user was given. */
  readonly user: UserConfig | undefined;
  /** The `auth:` line of the printed configuration (a comment when the private half is not known here). */
  readonly authLine: string | undefined;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const ORG_ACCOUNT = /^[A-Za-z][A-Za-z0-9]*-[A-Za-z][A-Za-z0-9_]*$/;
/** A legacy locator (letters and digits, with a digit), optionally with its region and cloud. */
const LOCATOR = /^([A-Za-z][A-Za-z0-9]*)(\.[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)+(\.(aws|azure|gcp))?)?$/i;

/** The account part of key-pair JWTs for an identifier (README "Account identifiers"): region and cloud dropped. */
function jwtAccountOf(identifier: string): string | undefined {
  if (ORG_ACCOUNT.test(identifier)) return identifier.toUpperCase();
  const locator = LOCATOR.exec(identifier)?.[1];
  return locator !== undefined && /\d/.test(locator) ? locator.toUpperCase() : undefined;
}

function readSecretFile(path: string, what: string, problems: string[]): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    problems.push(`${what}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
}

/** Validates the options and reads the key or token; every problem is listed, secrets are never echoed. */
export function parseOwnUser(values: OwnUserValues, env: Readonly<Record<string, string | undefined>>, cwd: string): { setup?: OwnUserSetup; problems: string[] } {
  const problems: string[] = [];
  const account = values.account ?? DEFAULT_ACCOUNT_IDENTIFIER;
  const jwtAccount = jwtAccountOf(account);
  if (jwtAccount === undefined) {
    problems.push(`--account must be orgname-account_name (e.g. myorg-prod_account) or an account locator such as xy12345 or xy12345.us-east-2.aws (got "${account}")`);
  }
  for (const name of ['user', 'role', 'warehouse'] as const) {
    const value = values[name];
    if (value !== undefined && !IDENTIFIER.test(value)) problems.push(`--${name} must be an unquoted identifier: letters, digits, _ and $ (got "${value}")`);
  }
  const warehouse = (values.warehouse ?? DEFAULT_WAREHOUSE).toUpperCase();
  const credentials = [values['public-key'], values['pat-file'], values['pat-env']].filter((v) => v !== undefined);
  if (values.user === undefined) {
    const orphans = (['role', 'public-key', 'pat-file', 'pat-env'] as const).filter((name) => values[name] !== undefined);
    if (orphans.length > 0) problems.push(`${orphans.map((o) => `--${o}`).join(', ')} need${orphans.length === 1 ? 's' : ''} --user`);
  } else if (credentials.length === 0) {
    problems.push('--user needs a way to sign in: --public-key FILE, --pat-file FILE or --pat-env NAME');
  }
  if (values['pat-file'] !== undefined && values['pat-env'] !== undefined) problems.push('--pat-file and --pat-env: give the token one way');

  let user: UserConfig | undefined;
  let authLine: string | undefined;
  if (values.user !== undefined && credentials.length > 0) {
    const role = (values.role ?? DEFAULT_ROLE).toUpperCase();
    const config: UserConfig = { name: values.user.toUpperCase(), roles: [role], defaultRole: role, defaultWarehouse: warehouse };
    const publicKeyFile = values['public-key'];
    if (publicKeyFile !== undefined) {
      const pem = readSecretFile(resolve(cwd, publicKeyFile), '--public-key', problems);
      if (pem !== undefined) {
        if (/PRIVATE KEY/.test(pem)) problems.push(`--public-key: ${publicKeyFile} holds a private key; give the public half (openssl rsa -in rsa_key.p8 -pubout -out rsa_key.pub)`);
        else {
          try {
            const key = createPublicKey(pem);
            if (key.asymmetricKeyType !== 'rsa') problems.push(`--public-key: ${publicKeyFile} is a ${key.asymmetricKeyType ?? 'non-RSA'} key; Snowflake key-pair authentication uses RSA`);
            else config.rsaPublicKeys = [pem];
          } catch {
            problems.push(`--public-key: ${publicKeyFile} is not a PEM public key (-----BEGIN PUBLIC KEY-----)`);
          }
        }
      }
      authLine = `# auth: { method: keypair, privateKey: file:<the private key of ${resolve(cwd, publicKeyFile)}> }`;
    }
    let secret: string | undefined;
    let reference: string | undefined;
    if (values['pat-file'] !== undefined) {
      const path = resolve(cwd, values['pat-file']);
      // One trailing newline is dropped, as the exporter's file: references do.
      secret = readSecretFile(path, '--pat-file', problems)?.replace(/\r?\n$/, '');
      reference = `file:${path}`;
    } else if (values['pat-env'] !== undefined) {
      const name = values['pat-env'];
      secret = env[name];
      if (secret === undefined) problems.push(`--pat-env: environment variable ${name} is not set`);
      reference = `env:${name}`;
    }
    if (reference !== undefined) {
      if (secret === '') problems.push(`the programmatic access token in ${reference} is empty`);
      else if (secret !== undefined) {
        config.pats = [{ name: 'REPLAY_PAT', secret, roleRestriction: role, expiresAt: Date.now() + PAT_DAYS * 86_400_000 }];
        authLine = `auth: { method: pat, token: ${reference} }`;
      }
    }
    user = config;
  }
  if (problems.length > 0 || jwtAccount === undefined) return { problems };
  return {
    problems,
    setup: {
      accountIdentifier: account,
      jwtAccount,
      extraWarehouses: warehouse === DEFAULT_WAREHOUSE ? [] : [warehouse],
      user,
      authLine,
    },
  };
}

/**
 * The `accounts:` entry that points the exporter at this emulator, printed by the CLI. Every line but a commented
 * auth line is valid configuration as printed.
 */
export function exporterConfigLines(setup: OwnUserSetup, url: string, demo: { user: string; role: string; warehouse: string }): string[] {
  const user = setup.user;
  return [
    'accounts:',
    '  - name: replay',
    `    account: ${setup.accountIdentifier}`,
    `    endpoint: ${url}`,
    `    user: ${user?.name ?? demo.user}`,
    `    role: ${user?.defaultRole ?? demo.role}`,
    `    warehouse: ${user?.defaultWarehouse ?? demo.warehouse}`,
    `    ${setup.authLine ?? '# auth: { method: pat, token: env:<a variable holding the demo programmatic access token above> }'}`,
  ];
}
