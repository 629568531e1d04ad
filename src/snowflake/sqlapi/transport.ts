// One HTTP exchange over an undici dispatcher, returning status, headers and the whole (decompressed) body. undici's
// `request` does not undo Content-Encoding, so gzip bodies are inflated here as a stream, and the decompressed size is
// bounded so a hostile or broken answer cannot exhaust memory.
import type { IncomingHttpHeaders } from 'node:http';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createInflate } from 'node:zlib';
import type { Dispatcher } from 'undici';
import { ResponseFormatError, ResponseTooLargeError } from './errors.ts';

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  /** Path including the query string. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface TransportLimits {
  readonly maxResponseBytes: number;
  /** Time to wait for response headers, and for each body chunk. */
  readonly requestTimeoutMs: number;
}

function headerText(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value.join(',') : (value ?? '')).trim().toLowerCase();
}

export async function exchange(
  dispatcher: Dispatcher,
  origin: string,
  request: HttpRequest,
  limits: TransportLimits,
): Promise<HttpAnswer> {
  const response = await dispatcher.request({
    origin,
    path: request.path,
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: request.signal,
    headersTimeout: limits.requestTimeoutMs,
    bodyTimeout: limits.requestTimeoutMs,
  });

  const encoding = headerText(response.headers['content-encoding']);
  let inflater: Transform | undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') inflater = createGunzip();
  else if (encoding === 'deflate') inflater = createInflate();
  else if (encoding !== '' && encoding !== 'identity') {
    await response.body.dump().catch(() => undefined); // release the connection; the body is of no use
    throw new ResponseFormatError(`unsupported Content-Encoding ${JSON.stringify(encoding.slice(0, 20))}`, {
      httpStatus: response.statusCode,
    });
  }

  const chunks: Buffer[] = [];
  let size = 0;
  async function collect(source: AsyncIterable<Buffer | string>): Promise<void> {
    for await (const piece of source) {
      const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
      size += chunk.length;
      if (size > limits.maxResponseBytes) throw new ResponseTooLargeError(limits.maxResponseBytes, { httpStatus: response.statusCode });
      chunks.push(chunk);
    }
  }
  if (inflater === undefined) await pipeline(response.body, collect);
  else await pipeline(response.body, inflater, collect);

  return { status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks, size) };
}
