// Credentials are kept only as SHA-256 digests: nothing the emulator holds in memory, logs or reports can leak a
// token, password or client secret, and comparisons run in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';

export function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** A digest as a string key for maps. */
export function digestKey(secret: string): string {
  return digest(secret).toString('base64url');
}

export function matchesDigest(candidate: string, expected: Buffer): boolean {
  const actual = digest(candidate);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
