// Deterministic ids for events that have no id of their own in Snowflake (share and grant changes). The same row
// read again (overlap, restart) gives the same id, so the delivery pipeline's dedupe drops it.
import { createHash } from 'node:crypto';

/** `<prefix>:` + 32 hex characters of SHA-256 over the parts, each length-prefixed so no two part lists collide. */
export function deterministicId(prefix: string, parts: readonly (string | number | Date | null)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    const text = part === null ? '\u0000null' : part instanceof Date ? part.toISOString() : String(part);
    hash.update(`${text.length}:${text};`);
  }
  return `${prefix}:${hash.digest('hex').slice(0, 32)}`;
}
