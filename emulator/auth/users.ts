// The account's users as the emulator knows them: granted roles, default role, RSA public keys for key-pair JWTs,
// programmatic access tokens and a password for the OAuth sign-in page. Names are upper case, as Snowflake stores
// unquoted identifiers; secrets are digested on registration.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { digest, digestKey } from './digest.ts';

export interface PatConfig {
  name: string;
  /** The token secret the client sends as `Bearer <secret>`. */
  secret: string;
  /** Expiry, ms since the epoch or a Date; default 15 days after registration (the documented default). */
  expiresAt?: number | Date;
  /** ROLE_RESTRICTION: the only role the token may use. */
  roleRestriction?: string;
}

export interface UserConfig {
  name: string;
  /** Password for the OAuth consent page's sign-in form (demo users). */
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
  name: string;
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
    const name = config.name.toUpperCase();
    const roles = new Set(['PUBLIC', ...(config.roles ?? [])]);
    const defaultRole = config.defaultRole ?? config.roles?.[0] ?? 'PUBLIC';
    roles.add(defaultRole);
    const user: RegisteredUser = {
      name,
      roles,
      defaultRole,
      defaultWarehouse: config.defaultWarehouse,
      defaultDatabase: config.defaultDatabase,
      defaultSchema: config.defaultSchema,
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
      this.#pats.set(digestKey(pat.secret), { name: pat.name, expiresAt, roleRestriction: pat.roleRestriction, user: name });
    }
    return user;
  }

  get(name: string): RegisteredUser | undefined {
    return this.#users.get(name.toUpperCase());
  }

  list(): RegisteredUser[] {
    return [...this.#users.values()];
  }

  /** The PAT a secret belongs to, whether or not it is still valid. */
  findPat(secret: string): (RegisteredPat & { user: string }) | undefined {
    return this.#pats.get(digestKey(secret));
  }
}
