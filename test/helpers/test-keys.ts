// Real keys for configuration tests, made with node:crypto once per process (generation is the slow part): the
// configuration reads every key-pair account's private key the way the exporter signs with it, so a test of a valid
// file needs a key Snowflake would accept, and a test of a bad one the exact kind of wrong key.
import { generateKeyPairSync } from 'node:crypto';

export const TEST_KEY_PASSPHRASE = 'correct horse battery staple 42';

let cached: TestKeys | undefined;

export interface TestKeys {
  /** RSA 2048, PKCS#8 PEM (`BEGIN PRIVATE KEY`): what `openssl genrsa | openssl pkcs8 -topk8 -nocrypt` writes. */
  readonly rsa: string;
  /** The same key, encrypted PKCS#8 (`BEGIN ENCRYPTED PRIVATE KEY`) with TEST_KEY_PASSPHRASE. */
  readonly rsaEncrypted: string;
  /** The same key as PKCS#1 (`BEGIN RSA PRIVATE KEY`). */
  readonly rsaPkcs1: string;
  /** Its public half (`BEGIN PUBLIC KEY`): what goes into RSA_PUBLIC_KEY, never into the exporter. */
  readonly rsaPublic: string;
  /** An EC P-256 private key, PKCS#8: readable, but Snowflake key-pair authentication needs RSA. */
  readonly ec: string;
  /** RSA 1024: shorter than the 2048 bits Snowflake requires. */
  readonly rsaShort: string;
}

export function testKeys(): TestKeys {
  cached ??= (() => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 });
    return {
      rsa: String(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' })),
      rsaEncrypted: String(rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: TEST_KEY_PASSPHRASE })),
      rsaPkcs1: String(rsa.privateKey.export({ type: 'pkcs1', format: 'pem' })),
      rsaPublic: String(rsa.publicKey.export({ type: 'spki', format: 'pem' })),
      ec: String(ec.privateKey.export({ type: 'pkcs8', format: 'pem' })),
      rsaShort: String(short.privateKey.export({ type: 'pkcs8', format: 'pem' })),
    };
  })();
  return cached;
}

/** The base64 lines of a PEM: none of them may appear in any message. */
export function pemBodyLines(pem: string): string[] {
  return pem.split('\n').filter((line) => line.length > 0 && !line.startsWith('-----'));
}
