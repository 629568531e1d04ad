// The stable id every OTLP record carries (`snowflake.record.id`). A restart or a crash between "the collector
// acknowledged" and "the state store committed" re-sends records; downstream deduplicates on this id, so it must be
// the same for the same event in every process, and different for different events. It depends only on the account
// label, the record kind and the event's own id (QUERY_ID, EVENT_ID, the deterministic share/grant id, or the
// finding id), which the delivery pipeline already uses as its dedupe key.
import { createHash } from 'node:crypto';

export const RECORD_KINDS = ['query', 'login', 'share', 'grant', 'finding'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** Hex characters kept of the SHA-256: 128 bits, far beyond any collision risk, short enough to index. */
const RECORD_ID_HEX_LENGTH = 32;

/**
 * SHA-256 over the JSON array [account, kind, id], hex, first 32 characters. JSON keeps the parts apart: no
 * character inside an id can make two different triples hash alike.
 */
export function recordId(account: string, kind: RecordKind, id: string): string {
  return createHash('sha256').update(JSON.stringify([account, kind, id])).digest('hex').slice(0, RECORD_ID_HEX_LENGTH);
}
