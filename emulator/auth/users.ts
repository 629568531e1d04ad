// The account's users as the emulator knows them: granted roles, default role, RSA public keys for key-pair JWTs,
// programmatic access tokens and a password for the OAuth sign-in page. The configuration writes names as SQL does
// and they are stored as Snowflake stores identifiers (identifiers.ts: `risk_exporter` is RISK_EXPORTER, `"Mixed"`
// is Mixed); secrets are digested on registration.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { digest, digestKey } from './digest.ts';
import { storedName } from './identifiers.ts';

export interface PatConfig {
  name: string;
  /** The token secret the client sends as `Bearer <secret>`. */
  secret: string;
  /** Expiry, ms since the epoch or a Date; default 15 days after registration (the documented default). */
  expiresAt?: number | Date;
  /** ROLE_RESTRICTION: the only role the token may use. */
  roleRestriction?: string;
}

/**
 * The user's TYPE (https://docs.snowflake.com/en/user-guide/admin-user-management#types-of-users): PERSON (or NULL)
 * is a human; a SERVICE user cannot sign in with a password or SAML SSO, so it can never answer Snowflake's OAuth
 * sign-in page; LEGACY_SERVICE may still use a password.
 */
export type UserType = 'PERSON' | 'SERVICE' | 'LEGACY_SERVICE';

export interface UserConfig {
  /** Identifiers are written as in SQL (unquoted names are stored upper case). */
  name: string;
  /** PERSON when left out, as Snowflake treats a NULL TYPE. */
  type?: UserType;
  /** Password for the OAuth consent page's sign-in form (demo users); a SERVICE user cannot sign in with it. */
  password?: string;
  /** Granted roles (PUBLIC is always granted). */
  roles?: string[];
  defaultRole?: string;
  defaultWarehouse?: string;
  defaultDatabase?: string;
  defaultSchema?: string;
  /** RSA_PUBLIC_KEY / RSA_PUBLIC_KEY_2 as PEM (SubjectPublicKeyInfo). */
  rsaPublicKeys?: string[];
  pats?: PatConfig[];
}

export interface RegisteredKey {
  /** `SHA256:` + base64 of the SHA-256 of the DER SubjectPublicKeyInfo, as DESC USER shows RSA_PUBLIC_KEY_FP. */
  fingerprint: string;
  key: KeyObject;
}

export interface RegisteredPat {
  name: string;
  expiresAt: number;
  roleRestriction: string | undefined;
}

export interface RegisteredUser {
  /** Stored names from here on: compared exactly with what requests carry. */
  name: string;
  type: UserType;
  roles: Set<string>;
  defaultRole: string;
  defaultWarehouse: string | undefined;
  defaultDatabase: string | undefined;
  defaultSchema: string | undefined;
  passwordDigest: Buffer | undefined;
  keys: RegisteredKey[];
}

const PAT_DEFAULT_DAYS = 15;

export function publicKeyFingerprint(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64')}`;
}

export class UserDirectory {
  readonly #users = new Map<string, RegisteredUser>();
  readonly #pats = new Map<string, RegisteredPat & { user: string }>();

  constructor(users: readonly UserConfig[], now: number = Date.now()) {
    for (const config of users) this.add(config, now);
  }

  add(config: UserConfig, now: number = Date.now()): RegisteredUser {
    const name = storedName(config.name);
    const type = config.type ?? 'PERSON';
    const granted = (config.roles ?? []).map(storedName);
    const roles = new Set(['PUBLIC', ...granted]);
    const defaultRole = config.defaultRole === undefined ? (granted[0] ?? 'PUBLIC') : storedName(config.defaultRole);
    roles.add(defaultRole);
    const optionalName = (identifier: string | undefined): string | undefined => (identifier === undefined ? undefined : storedName(identifier));
    const user: RegisteredUser = {
      name,
      type,
      roles,
      defaultRole,
      defaultWarehouse: optionalName(config.defaultWarehouse),
      defaultDatabase: optionalName(config.defaultDatabase),
      defaultSchema: optionalName(config.defaultSchema),
      passwordDigest: config.password === undefined ? undefined : digest(config.password),
      keys: (config.rsaPublicKeys ?? []).map((pem) => {
        const key = createPublicKey(pem);
        return { key, fingerprint: publicKeyFingerprint(key) };
      }),
    };
    this.#users.set(name, user);
    for (const pat of config.pats ?? []) {
      const expiresAt =
        pat.expiresAt === undefined ? now + PAT_DEFAULT_DAYS * 86_400_000 : typeof pat.expiresAt === 'number' ? pat.expiresAt : pat.expiresAt.getTime();
      const roleRestriction = pat.roleRestriction === undefined ? undefined : storedName(pat.roleRestriction);
      this.#pats.set(digestKey(pat.secret), { name: pat.name, expiresAt, roleRestriction, user: name });
    }
    return user;
  }

  /**
   * The user a name refers to: its stored name, or the same name in upper case, because the names that arrive here
   * are upper case by rule (the key-pair JWT's user) or typed by a person at sign-in, where Snowflake matches the
   * login name without regard to case.
   */
  get(name: string): RegisteredUser | undefined {
    return this.#users.get(name) ?? this.#users.get(name.toUpperCase());
  }

  list(): RegisteredUser[] {
    return [...this.#users.values()];
  }

  /** The PAT a secret belongs to, whether or not it is still valid. */
  findPat(secret: string): (RegisteredPat & { user: string }) | undefined {
    return this.#pats.get(digestKey(secret));
  }
}
