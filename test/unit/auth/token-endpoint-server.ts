// A stand-in for Snowflake's /oauth/token-request on 127.0.0.1 (the real endpoint cannot be reached from tests). It
// records every request exactly as received and answers from a handler each test supplies.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  form: URLSearchParams;
}

export interface Reply {
  status: number;
  /** An object is sent as JSON; a string as is. */
  body: unknown;
  headers?: Record<string, string>;
  /** Holds the answer back, so concurrent callers overlap with one request in flight. */
  delayMs?: number;
}

export type Handler = (request: RecordedRequest, index: number) => Reply;

export class FakeTokenEndpoint {
  readonly requests: RecordedRequest[] = [];
  handler: Handler = () => ({ status: 500, body: 'no handler' });
  readonly #server: Server;
  #url: URL | null = null;

  private constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const recorded: RecordedRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body,
          form: new URLSearchParams(body),
        };
        this.requests.push(recorded);
        const reply = this.handler(recorded, this.requests.length - 1);
        const send = (): void => {
          const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
          res.writeHead(reply.status, {
            'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json',
            ...reply.headers,
          });
          res.end(text);
        };
        if (reply.delayMs) setTimeout(send, reply.delayMs);
        else send();
      });
    });
  }

  static async start(): Promise<FakeTokenEndpoint> {
    const endpoint = new FakeTokenEndpoint();
    await new Promise<void>((resolve) => endpoint.#server.listen(0, '127.0.0.1', resolve));
    const { port } = endpoint.#server.address() as AddressInfo;
    endpoint.#url = new URL(`http://127.0.0.1:${port}/oauth/token-request`);
    return endpoint;
  }

  get url(): URL {
    if (!this.#url) throw new Error('not started');
    return this.#url;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Snowflake's success shape, as documented. */
export function tokenAnswer(fields: Record<string, unknown>, delayMs?: number): Reply {
  return { status: 200, body: { token_type: 'Bearer', expires_in: 600, ...fields }, ...(delayMs ? { delayMs } : {}) };
}

/** Snowflake's error shape (not RFC 6749's). */
export function snowflakeError(status: number, error: string, message: string): Reply {
  return { status, body: { data: null, message, code: null, success: false, error } };
}
