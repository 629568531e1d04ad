// Wires a real SqlApiClient to the in-process recording server, with a counting token source and a fake clock, and
// tears both down after the test.
import type { TestContext } from 'node:test';
import { SqlApiClient, type SqlApiClientOptions, type SqlApiEvent } from '../../src/snowflake/sqlapi/index.ts';
import { CountingTokenSource, FakeClock } from './fakes.ts';
import { startRecordingServer, type Handler, type RecordedRequest, type RecordingServer } from './recording-server.ts';

export interface Harness {
  readonly server: RecordingServer;
  readonly client: SqlApiClient;
  readonly tokens: CountingTokenSource;
  readonly clock: FakeClock;
  readonly events: SqlApiEvent[];
  /** `METHOD path?query` of every request the server saw, for compact assertions. */
  lines(): string[];
}

export async function harness(
  t: TestContext,
  handler: Handler,
  options: Partial<Omit<SqlApiClientOptions, 'baseUrl' | 'tokenSource'>> = {},
): Promise<Harness> {
  const server = await startRecordingServer(handler);
  const tokens = new CountingTokenSource();
  const clock = new FakeClock();
  const events: SqlApiEvent[] = [];
  const client = new SqlApiClient({
    baseUrl: server.url,
    tokenSource: tokens,
    concurrency: 4,
    defaults: { warehouse: 'RISK_WH', role: 'RISK_READER', timeoutSeconds: 60, queryTag: 'snowflake-risk-exporter' },
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    onEvent: (event) => events.push(event),
    ...options,
  });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  return {
    server,
    client,
    tokens,
    clock,
    events,
    lines: () => server.requests.map(requestLine),
  };
}

/** `POST /api/v2/statements?async=true&retry=true` with requestId left out (it is random). */
export function requestLine(request: RecordedRequest): string {
  const query = new URLSearchParams(request.query);
  query.delete('requestId');
  const text = query.toString();
  return `${request.method} ${request.path}${text === '' ? '' : `?${text}`}`;
}

export function bodyOf(request: RecordedRequest | undefined): Record<string, unknown> {
  if (request === undefined) throw new Error('no such request');
  return JSON.parse(request.body) as Record<string, unknown>;
}
