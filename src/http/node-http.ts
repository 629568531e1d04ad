// Node.js's http module, fetched with process.getBuiltinModule instead of an ES import. An ES import of node:http
// (even of one name) builds the module's whole namespace, which reads its lazy WebSocket, MessageEvent and CloseEvent
// exports; that loads Node's own bundled copy of undici, none of which this process uses (its HTTP client is the
// undici package). Measured in a bare process: 13 MB of RSS and 2.3 MB of V8 heap. The OpenTelemetry exporter's
// transport imports node:http the same way when it first sends, so with OTLP on the copy is loaded then anyway; with
// OTLP off it never is. test/unit/http/node-http.test.ts checks the HTTP app and server keep it unloaded.
const http = process.getBuiltinModule('node:http');

export const { createServer, STATUS_CODES } = http;
