// Starts the HTTP app on the configured address and stops it gracefully: no new connections, idle keep-alive
// connections closed at once, requests in flight given a bounded time before their connections are cut.
import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenAddress } from '../config/types.ts';
import { createServer } from './node-http.ts';

export class HttpListenError extends Error {
  readonly code = 'HTTP_LISTEN_FAILED';
  constructor(address: ListenAddress, cause: unknown) {
    const reason = (cause as { code?: unknown } | null)?.code;
    const detail = typeof reason === 'string' ? ` (${reason})` : '';
    super(`cannot listen on ${address.host}:${address.port}${detail}`, { cause });
    this.name = 'HttpListenError';
  }
}

export interface RunningHttpServer {
  /** Base URL of the bound address (the real port when 0 was asked). */
  readonly url: string;
  /** Idempotent; resolves once every connection is closed. */
  close(): Promise<void>;
}

export interface HttpServerOptions {
  /** How long requests in flight may finish after close() before their connections are cut (default 5000 ms). */
  readonly closeTimeoutMs?: number | undefined;
}

export async function startHttpServer(
  app: RequestListener,
  listen: ListenAddress,
  options: HttpServerOptions = {},
): Promise<RunningHttpServer> {
  const server = createServer(
    {
      maxHeaderSize: 16 * 1024,
      headersTimeout: 10_000,
      requestTimeout: 30_000,
      keepAliveTimeout: 5_000,
    },
    app,
  );
  await new Promise<void>((resolve, reject) => {
    const onError = (error: unknown) => reject(new HttpListenError(listen, error));
    server.once('error', onError);
    server.listen(listen.port, listen.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const closeTimeoutMs = options.closeTimeoutMs ?? 5_000;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), closeTimeoutMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
