// Reading the RSA private key a Snowflake user signs JWTs with, and the public-key fingerprint Snowflake stores as
// RSA_PUBLIC_KEY_FP. Node's crypto does the parsing and decryption (PKCS#8 plain or encrypted, PKCS#1); this module
// only decides what is acceptable and turns OpenSSL's terse failures into messages an operator can act on.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { Secret } from '../../util/secret.ts';
import { AuthError } from './errors.ts';

/** Snowflake accepts RSA keys of at least 2048 bits for key-pair authentication. */
export const MIN_RSA_MODULUS_BITS = 2048;

export interface RsaKeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly modulusBits: number;
  /** Whether the PEM was encrypted (a passphrase given for a plain key is not used). */
  readonly encrypted: boolean;
}

/**
 * Parses a PEM private key (PKCS#8 `PRIVATE KEY`, encrypted PKCS#8 `ENCRYPTED PRIVATE KEY`, or PKCS#1
 * `RSA PRIVATE KEY`) and derives its public key. Throws AuthError with a code from the AUTH_PRIVATE_KEY_* family.
 */
export function loadRsaPrivateKey(privateKeyPem: Secret, passphrase?: Secret): RsaKeyPair {
  const pem = normalisePem(privateKeyPem.reveal());
  const where = `private key from ${privateKeyPem.source}`;

  if (!pem.includes('-----BEGIN')) {
    throw new AuthError('AUTH_PRIVATE_KEY_INVALID', `The ${where} is not PEM text (no "-----BEGIN" line).`);
  }
  if (/-----BEGIN (RSA )?PUBLIC KEY-----/.test(pem) || pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new AuthError(
      'AUTH_PRIVATE_KEY_INVALID',
      `The ${where} holds a public key or certificate; key-pair authentication needs the private key.`,
    );
  }
  const encrypted = pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /Proc-Type:\s*4,ENCRYPTED/.test(pem);
  if (encrypted && (passphrase === undefined || passphrase.reveal() === '')) {
    throw new AuthError(
      'AUTH_PRIVATE_KEY_PASSPHRASE',
      `The ${where} is encrypted and no passphrase was given.`,
    );
  }

  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({
      key: pem,
      format: 'pem',
      ...(encrypted && passphrase ? { passphrase: passphrase.reveal() } : {}),
    });
  } catch (error) {
    // OpenSSL's messages name routines, never key bytes; only its code is kept, and no `cause` object, so that
    // nothing derived from the key or passphrase can travel with the error.
    const opensslCode = errorCode(error);
    // A wrong passphrase usually fails the padding check (ERR_OSSL_BAD_DECRYPT), but about one time in 256 the
    // garbage decrypts with valid padding and fails later, while parsing the key. For an encrypted key both mean the
    // same thing to the operator.
    if (encrypted) {
      throw new AuthError(
        'AUTH_PRIVATE_KEY_PASSPHRASE',
        `The ${where} could not be decrypted: the passphrase${passphrase ? ` from ${passphrase.source}` : ''} is wrong` +
          (opensslCode === 'ERR_OSSL_BAD_DECRYPT' ? '.' : ', or the encrypted key is damaged.'),
      );
    }
    throw new AuthError(
      'AUTH_PRIVATE_KEY_INVALID',
      `The ${where} could not be read as a PEM private key${opensslCode ? ` (${opensslCode})` : ''}.`,
    );
  }

  const keyType = privateKey.asymmetricKeyType;
  if (keyType !== 'rsa') {
    throw new AuthError(
      'AUTH_PRIVATE_KEY_UNSUPPORTED',
      `The ${where} is a ${keyType ?? 'unknown'} key; Snowflake key-pair authentication (RS256) needs an RSA key.`,
    );
  }
  const modulusBits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (modulusBits < MIN_RSA_MODULUS_BITS) {
    throw new AuthError(
      'AUTH_PRIVATE_KEY_UNSUPPORTED',
      `The ${where} is a ${modulusBits}-bit RSA key; Snowflake needs at least ${MIN_RSA_MODULUS_BITS} bits.`,
    );
  }
  return { privateKey, publicKey: createPublicKey(privateKey), modulusBits, encrypted };
}

/**
 * Snowflake's fingerprint of a public key as shown in DESC USER (RSA_PUBLIC_KEY_FP) and used in the JWT issuer:
 * `SHA256:` + standard base64 of the SHA-256 of the DER-encoded SubjectPublicKeyInfo. Accepts a public or private
 * KeyObject (a private key's public half is used).
 */
export function publicKeyFingerprint(key: KeyObject): string {
  const publicKey = key.type === 'public' ? key : createPublicKey(key);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64')}`;
}

/**
 * Keys passed through environment variables often arrive on one line with literal `\n` sequences, or with CRLF line
 * ends; both are repaired here so the operator does not have to.
 */
function normalisePem(text: string): string {
  let pem = text.trim();
  if (!pem.includes('\n') && pem.includes('\\n')) pem = pem.replaceAll('\\n', '\n');
  return pem.replaceAll('\r\n', '\n');
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}
