// Real Prometheus and Alertmanager (Debian packages "prometheus" and "prometheus-alertmanager") for the end-to-end
// test: each runs as a child process on a free loopback port with a generated configuration and a temporary storage
// directory, and is stopped (by its own pid) when the test ends. A webhook receiver records what Alertmanager sends.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

export async function freePort(): Promise<number> {
  const server = createNetServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

export interface RunningProcess {
  readonly url: URL;
  /** Everything the process printed, for failure messages. */
  output(): string;
}

/** Starts `command` and waits until GET /-/ready answers 200; stops it by pid when the test ends. */
export async function startServer(t: TestContext, command: string, args: readonly string[], port: number): Promise<RunningProcess> {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = once(child, 'exit');
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
  const spawnError = once(child, 'error').then(([error]) => {
    throw new Error(`${command} could not start (is its Debian package installed?): ${String(error)}`);
  });
  const url = new URL(`http://127.0.0.1:${port}/`);
  const ready = (async () => {
    for (let attempt = 0; attempt < 300; attempt++) {
      if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}:\n${output}`);
      try {
        const response = await fetch(new URL('-/ready', url), { signal: AbortSignal.timeout(1_000) });
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      await sleep(100);
    }
    throw new Error(`${command} did not become ready:\n${output}`);
  })();
  await Promise.race([ready, spawnError]);
  return { url, output: () => output };
}

export interface WebhookReceiver {
  readonly url: URL;
  /** Alertmanager webhook payloads received, by request path. */
  readonly received: Map<string, { alerts: { status: string; labels: Record<string, string> }[] }[]>;
}

/** An HTTP server that records Alertmanager's webhook notifications. */
export async function startWebhookReceiver(t: TestContext): Promise<WebhookReceiver> {
  const received: WebhookReceiver['received'] = new Map();
  const server = createHttpServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const list = received.get(request.url ?? '') ?? [];
      try {
        list.push(JSON.parse(body) as { alerts: { status: string; labels: Record<string, string> }[] });
      } catch {
        // A malformed payload is recorded as nothing; the test then misses the notification it expects.
      }
      received.set(request.url ?? '', list);
      response.writeHead(200).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}/`), received };
}

/** Polls `check` until it returns a value (not undefined) or the attempts run out; the last error explains why. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, attempts = 240, delayMs = 250): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(delayMs);
  }
  const reason = last instanceof Error ? last.message : last === undefined ? '' : JSON.stringify(last);
  throw new Error(`gave up waiting for ${what}${reason === '' ? '' : `: ${reason}`}`);
}

export interface PromVectorSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

/** An instant query through Prometheus's HTTP API; throws on a query error (e.g. a parse error). */
export async function promQuery(prometheus: URL, expr: string): Promise<PromVectorSample[]> {
  const response = await fetch(new URL(`api/v1/query?query=${encodeURIComponent(expr)}`, prometheus), { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: unknown } };
  if (body.status !== 'success') throw new Error(`query failed: ${body.error ?? response.status}: ${expr}`);
  const result = body.data?.result;
  if (body.data?.resultType === 'scalar') return [{ metric: {}, value: result as [number, string] }];
  return result as PromVectorSample[];
}

/**
 * Stands in for an OpenTelemetry Collector: accepts every OTLP/HTTP export with 200 and an empty (valid) protobuf
 * answer, and counts requests. What the records hold is the OTLP tests' business; here they only need to leave.
 */
export async function startOtlpCollectorStub(t: TestContext): Promise<{ readonly url: URL; requests(): number }> {
  let requests = 0;
  const server = createHttpServer((request, response) => {
    request.resume();
    request.on('end', () => {
      requests++;
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}/`), requests: () => requests };
}
