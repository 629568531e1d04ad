// Identifiers shaped like the real ones: statement handles `01xxxxxx-xxxx-xxxx-0000-xxxxxxxxxxxx` (lower-case hex,
// recordings 018..099) and request ids as random UUIDs (the server mints a fresh one for every Link entry).
import { randomBytes, randomUUID } from 'node:crypto';

export function newStatementHandle(): string {
  const hex = randomBytes(13).toString('hex');
  return `01${hex.slice(0, 6)}-${hex.slice(6, 10)}-${hex.slice(10, 14)}-0000-${hex.slice(14, 26)}`;
}

export function newRequestId(): string {
  return randomUUID();
}

export const STATEMENT_HANDLE_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
