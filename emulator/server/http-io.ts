// Byte-level request and response handling on node:http: bounded body reads, and writes that can be cut short on
// purpose (fault injection needs answers that stop mid-body or never start).
import type { IncomingMessage, ServerResponse } from 'node:http';

export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`request body exceeds ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** Reads the whole body, refusing more than `limit` bytes (the rest is drained, not buffered). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 'NaN');
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new BodyTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (!failed) reject(error);
    });
  });
}

export interface WriteOptions {
  /** Send the headers and half of the body, then destroy the socket. */
  truncate?: boolean;
  extraHeaders?: Record<string, string>;
}

export function writeResponse(
  res: ServerResponse,
  wire: { status: number; headers: Record<string, string>; body: string | Buffer },
  options: WriteOptions = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const body = typeof wire.body === 'string' ? Buffer.from(wire.body, 'utf8') : wire.body;
  res.statusCode = wire.status;
  for (const [name, value] of Object.entries({ ...wire.headers, ...options.extraHeaders })) res.setHeader(name, value);
  res.setHeader('Content-Length', String(body.length));
  if (options.truncate === true && body.length > 1) {
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => {
      res.socket?.destroy();
    });
    return;
  }
  res.end(body);
}

/** Kills the connection without answering: the client sees a reset or an empty reply. */
export function dropConnection(req: IncomingMessage, res: ServerResponse): void {
  res.socket?.destroy();
  req.socket.destroy();
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0) {
      resolve();
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

export function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding'];
  if (header === undefined) return false;
  return header.split(',').some((part) => {
    const [name = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    return (name === 'gzip' || name === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}
