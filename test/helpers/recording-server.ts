// An in-process HTTP server on 127.0.0.1 (random port) that records every request it receives and answers from a
// handler the test supplies. Tests assert what the server saw (method, path, query, headers, body), not only what
// the client returned. Replies can be gzipped, delayed, or cut off mid-body to simulate a connection reset.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string | Buffer;
  /** Gzip the body and send Content-Encoding: gzip. */
  readonly gzip?: boolean;
  /** Send the headers and this many body bytes, then destroy the socket (a reset mid-body). */
  readonly destroyAfterBytes?: number;
  /** Close the connection without any answer (the client cannot know whether the request was processed). */
  readonly reset?: boolean;
  /** Wait this long (real milliseconds) before answering. */
  readonly delayMs?: number;
}

export type Handler = (request: RecordedRequest, index: number) => Reply | Promise<Reply>;

export interface RecordingServer {
  readonly url: URL;
  readonly requests: RecordedRequest[];
  /** Replace the handler (e.g. between phases of a test). */
  setHandler(handler: Handler): void;
  close(): Promise<void>;
}

/** Status the helpers answer with when a test's script has no reply left; tests assert it never appears. */
export const UNEXPECTED_REQUEST_STATUS = 599;

export async function startRecordingServer(handler: Handler): Promise<RecordingServer> {
  let current = handler;
  const requests: RecordedRequest[] = [];

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const index = requests.push(recorded) - 1;
      Promise.resolve()
        .then(() => current(recorded, index))
        .then((reply) => send(res, reply))
        .catch((error: unknown) => {
          res.statusCode = UNEXPECTED_REQUEST_STATUS;
          res.end(String(error));
        });
    });
  });
  // Keep-alive sockets would hold close() open; the client's pool reconnects as needed.
  server.keepAliveTimeout = 1000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: new URL(`http://127.0.0.1:${port}`),
    requests,
    setHandler(next) {
      current = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function send(res: ServerResponse, reply: Reply): Promise<void> {
  if (reply.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
  if (reply.reset === true) {
    res.socket?.destroy();
    return;
  }
  let body = reply.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(reply.body);
  const headers: Record<string, string | string[]> = { 'content-type': 'application/json', ...reply.headers };
  if (reply.gzip === true) {
    body = gzipSync(body);
    headers['content-encoding'] = 'gzip';
  }
  headers['content-length'] = String(body.length);
  res.writeHead(reply.status, headers);
  if (reply.destroyAfterBytes !== undefined) {
    res.write(body.subarray(0, reply.destroyAfterBytes), () => {
      // Give the bytes a moment to leave, then cut the connection without finishing the response.
      setTimeout(() => res.socket?.destroy(), 10);
    });
    return;
  }
  res.end(body);
}

/** A handler that answers with the given replies in order, and with 599 once they run out. */
export function scripted(...replies: Array<Reply | ((request: RecordedRequest) => Reply)>): Handler {
  let next = 0;
  return (request) => {
    const reply = replies[next++];
    if (reply === undefined) return { status: UNEXPECTED_REQUEST_STATUS, body: '{"message":"no scripted reply left"}' };
    return typeof reply === 'function' ? reply(request) : reply;
  };
}

/** A JSON reply. */
export function json(status: number, value: unknown, headers?: Record<string, string>): Reply {
  return { status, body: JSON.stringify(value), ...(headers === undefined ? {} : { headers }) };
}
