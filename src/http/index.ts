// Public surface of the HTTP layer.
export {
  createHttpApp,
  HttpAppConfigError,
  MAX_REQUEST_BODY_BYTES,
  type HttpAppOptions,
  type MetricsEndpoint,
} from './app.ts';
export { escapeHtml } from './html.ts';
export { renderLandingPage } from './landing-page.ts';
export { startHttpServer, HttpListenError, type HttpServerOptions, type RunningHttpServer } from './server.ts';
export { StatusBoard, summarisePosture, type ReadinessCondition, type StatusBoardOptions } from './status-board.ts';
export type * from './status.ts';
