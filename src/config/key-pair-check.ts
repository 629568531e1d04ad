// Key-pair accounts: the private key is read the way the exporter will sign with it (src/snowflake/auth/private-key.ts),
// while the configuration is validated, so that a public key, a file that is not PEM, an EC key (Snowflake key-pair
// authentication signs RS256 and needs RSA: https://docs.snowflake.com/en/user-guide/key-pair-auth), a key shorter
// than 2048 bits, or an encrypted key with a missing or wrong passphrase fails --check-config and a SIGHUP reload
// instead of the start. The messages name where the key came from, never a byte of it.
import { AuthError } from '../snowflake/auth/errors.ts';
import { loadRsaPrivateKey } from '../snowflake/auth/private-key.ts';
import type { Secret } from '../util/secret.ts';
import type { PathSegment } from './schema-walk.ts';

interface Problem {
  readonly path: readonly PathSegment[];
  readonly message: string;
}

export interface KeyPairToCheck {
  /** Path of the account's auth block, e.g. ['accounts', 0, 'auth']. */
  readonly authPath: readonly PathSegment[];
  readonly privateKey: Secret;
  readonly passphrase: Secret | undefined;
}

/** Problems go under `privateKey`, or under `passphrase` when the key is encrypted and the passphrase missing or wrong. */
export function checkKeyPair(key: KeyPairToCheck, problems: Problem[], warnings: Problem[]): void {
  let encrypted: boolean;
  try {
    ({ encrypted } = loadRsaPrivateKey(key.privateKey, key.passphrase));
  } catch (error) {
    if (error instanceof AuthError) {
      const field = error.code === 'AUTH_PRIVATE_KEY_PASSPHRASE' ? 'passphrase' : 'privateKey';
      problems.push({ path: [...key.authPath, field], message: sentence(error.message) });
    } else {
      // Not expected (the reader turns OpenSSL's failures into AuthErrors); the error's text could quote the key.
      problems.push({ path: [...key.authPath, 'privateKey'], message: `the private key from ${key.privateKey.source} could not be read` });
    }
    return;
  }
  if (key.passphrase !== undefined && !encrypted) {
    warnings.push({
      path: [...key.authPath, 'passphrase'],
      message: `is set, but the private key from ${key.privateKey.source} is not encrypted: the passphrase is not used`,
    });
  }
}

/** AuthError messages are sentences ("The private key from ... ."); problems read as clauses after a path. */
function sentence(message: string): string {
  return message.replace(/^The /, 'the ').replace(/\.$/, '');
}
