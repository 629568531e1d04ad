// The statement text a detection may read, which is not always the text an event carries. The query-text policy
// (`queryEvents.text`, `redact` by default) decides what leaves the exporter in events; it must not decide what the
// in-process detections can see, or `SET PREVENT_UNLOAD_TO_INLINE_URL = 'FALSE'` (a literal, so redacted to `= ?`)
// would hide the very change SF-10 looks for. So the query source remembers each event's original text here, keyed
// by the event object in a WeakMap: it is never a property of the event, so no sink, serializer or log can reach it,
// and it is freed with the batch. A copy of the event has no entry and falls back to its policy text (fails safe).
import type { QueryEvent } from './events.ts';

const originalText = new WeakMap<QueryEvent, string>();

/** Called by the query source when the policy changed the text: the detections get the original. */
export function rememberOriginalQueryText(event: QueryEvent, text: string | null): void {
  if (text !== null && text !== event.queryText) originalText.set(event, text);
}

/**
 * The event as a detection should see it: with the original statement text when the source kept it. Only for rules
 * that run in process; a finding's reason must still never quote the text (src/detect/types.ts FindingDraft).
 */
export function withOriginalQueryText(event: QueryEvent): QueryEvent {
  const text = originalText.get(event);
  return text === undefined ? event : { ...event, queryText: text };
}
