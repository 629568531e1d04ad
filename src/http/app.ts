// The exporter's HTTP surface: /metrics (serialises the last results, never touches Snowflake: the app holds no
// Snowflake client at all), /healthz, /readyz, the landing page and its JSON twin. Routes match exact paths, so a
// configured metrics path is taken literally; other features (OAuth) mount their routes through `routes`.
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { LANDING_STYLE_HASH, renderLandingPage } from './landing-page.ts';
import { STATUS_CODES } from './node-http.ts';
import type { StatusProvider } from './status.ts';

/** What /metrics serialises: a prom-client Registry or the exporter's metrics object satisfies it. */
export interface MetricsEndpoint {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface HttpAppOptions {
  readonly metrics: MetricsEndpoint;
  readonly status: StatusProvider;
  /** Default '/metrics'. */
  readonly metricsPath?: string | undefined;
  /** Mounts more routes (e.g. OAuth) before the 404 answer. */
  readonly routes?: readonly ((app: Express) => void)[] | undefined;
  /** Told about unexpected errors (500 answers) so they can be logged; the client only sees a generic message. */
  readonly onError?: ((error: unknown) => void) | undefined;
}

export class HttpAppConfigError extends Error {
  readonly code = 'HTTP_APP_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'HttpAppConfigError';
  }
}

/** We never read request bodies; anything larger than this is refused before any handler runs. */
export const MAX_REQUEST_BODY_BYTES = 1024;
const ALLOWED_METHODS = 'GET, HEAD';

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${LANDING_STYLE_HASH}`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

type Handler = (request: Request, response: Response) => void | Promise<void>;

function text(response: Response, status: number, body: string): void {
  response.status(status).type('text/plain; charset=utf-8').send(body.endsWith('\n') ? body : `${body}\n`);
}

function securityHeaders(_request: Request, response: Response, next: NextFunction): void {
  response.set({
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  });
  next();
}

function boundedRequest(request: Request, response: Response, next: NextFunction): void {
  const length = Number(request.headers['content-length'] ?? 0);
  const chunked = request.headers['transfer-encoding'] !== undefined;
  if (chunked || !Number.isFinite(length) || length > MAX_REQUEST_BODY_BYTES) {
    // The body is not read: close the connection rather than drain an unbounded stream.
    response.set('Connection', 'close');
    text(response, 413, STATUS_CODES[413] ?? 'Payload Too Large');
    return;
  }
  next();
}

export function createHttpApp(options: HttpAppOptions): Express {
  const metricsPath = options.metricsPath ?? '/metrics';
  const { metrics, status } = options;
  const onError = options.onError ?? (() => {});

  const routes = new Map<string, Handler>([
    [
      '/',
      (_request, response) => {
        response.type('text/html; charset=utf-8').send(renderLandingPage(status.snapshot(), { metricsPath }));
      },
    ],
    ['/api/status', (_request, response) => void response.json(status.snapshot())],
    ['/healthz', (_request, response) => text(response, 200, 'ok')],
    [
      '/readyz',
      (_request, response) => {
        const readiness = status.readiness();
        if (readiness.ready) text(response, 200, 'ready');
        else text(response, 503, `not ready: ${readiness.reasons.join('; ')}`);
      },
    ],
  ]);
  if (!metricsPath.startsWith('/') || routes.has(metricsPath)) {
    const reserved = [...routes.keys()].join(', ');
    throw new HttpAppConfigError(`metrics path ${JSON.stringify(metricsPath)} must start with "/" and not be one of ${reserved}`);
  }
  routes.set(metricsPath, async (_request, response) => {
    const body = await metrics.metrics();
    response.set('Content-Type', metrics.contentType).send(body);
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(securityHeaders, boundedRequest);
  app.use(async (request: Request, response: Response, next: NextFunction) => {
    const handler = routes.get(request.path);
    if (!handler) {
      next();
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.set('Allow', ALLOWED_METHODS);
      text(response, 405, STATUS_CODES[405] ?? 'Method Not Allowed');
      return;
    }
    await handler(request, response);
  });
  for (const mount of options.routes ?? []) mount(app);
  app.use((_request: Request, response: Response) => text(response, 404, STATUS_CODES[404] ?? 'Not Found'));
  // Error answers carry the status text only: no message, no stack, nothing from inside.
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    const failure = error as { status?: unknown; statusCode?: unknown } | null;
    const declared = failure?.status ?? failure?.statusCode;
    const status = typeof declared === 'number' && declared >= 400 && declared < 500 ? declared : 500;
    if (status === 500) onError(error);
    if (response.headersSent) {
      response.destroy();
      return;
    }
    text(response, status, STATUS_CODES[status] ?? 'Error');
  });
  return app;
}
