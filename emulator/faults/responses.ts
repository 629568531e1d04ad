// What a client sees when a status fault fires. 429 is Snowflake's own JSON (reference doc 1.10); 502/503/504 come
// from the load balancer in front of the service, so they are short plain-text gateway bodies, which also checks
// that clients cope with error bodies that are not JSON.
import { codeMessageResponse, INTERNAL_ERROR, statementErrorResponse, timeoutError, TOO_MANY_REQUESTS, type WireResponse } from '../server/responses.ts';

export function faultStatusResponse(status: 408 | 429 | 500 | 502 | 503 | 504, retryAfterSeconds: number | undefined): WireResponse {
  const retryAfter: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) };
  switch (status) {
    case 429:
      return codeMessageResponse(429, TOO_MANY_REQUESTS.code, TOO_MANY_REQUESTS.message, { 'Retry-After': String(retryAfterSeconds ?? 1) });
    case 408:
      return statementErrorResponse(408, timeoutError(1), null);
    case 500:
      return codeMessageResponse(500, INTERNAL_ERROR.code, INTERNAL_ERROR.message, retryAfter);
    case 502:
      return gateway(502, 'upstream connect error or disconnect/reset before headers. reset reason: connection termination', retryAfter);
    case 503:
      return gateway(503, 'upstream connect error or disconnect/reset before headers. reset reason: overflow', retryAfter);
    case 504:
      return gateway(504, 'upstream request timeout', retryAfter);
  }
}

function gateway(status: number, text: string, extra: Record<string, string>): WireResponse {
  return { status, headers: { 'Content-Type': 'text/plain', ...extra }, body: text };
}
