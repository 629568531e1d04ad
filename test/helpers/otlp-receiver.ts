// An in-process OTLP/HTTP logs receiver for tests: a node:http server on a loopback port that decodes each
// POST /v1/logs with the official OTLP definitions (the protobufjs code generated from opentelemetry-proto that
// @opentelemetry/otlp-transformer shipped up to 0.214, installed as the devDependency `otlp-proto-decoder`), for
// protobuf and JSON bodies alike, and answers as a collector would. A test decides each answer (status, Retry-After,
// a delay, holding it until released, or calling back before answering) and judges what arrived: records with their
// attributes, resource, event name and times, by request.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';

interface ProtoType {
  decode(bytes: Uint8Array): unknown;
  fromObject(object: unknown): unknown;
  toObject(message: unknown, options: Record<string, unknown>): unknown;
  encode(message: unknown): { finish(): Uint8Array };
  create(properties?: unknown): unknown;
}

interface GeneratedRoot {
  opentelemetry: { proto: { collector: { logs: { v1: { ExportLogsServiceRequest: ProtoType; ExportLogsServiceResponse: ProtoType } } } } };
}

const requireCjs = createRequire(import.meta.url);
const root = requireCjs('otlp-proto-decoder/build/src/generated/root.js') as GeneratedRoot;
const { ExportLogsServiceRequest, ExportLogsServiceResponse } = root.opentelemetry.proto.collector.logs.v1;

export type AttributeValue = string | number | boolean | null | AttributeValue[];

export interface ReceivedRecord {
  readonly eventName: string | undefined;
  readonly timeUnixNano: string;
  readonly observedTimeUnixNano: string;
  readonly severityNumber: number | undefined;
  readonly severityText: string | undefined;
  readonly body: AttributeValue | undefined;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly resource: Readonly<Record<string, AttributeValue>>;
  readonly scope: { readonly name: string | undefined; readonly version: string | undefined };
}

export interface ReceivedRequest {
  readonly index: number;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly records: readonly ReceivedRecord[];
  /** The status answered (undefined while held, or when the answer was never sent). */
  status: number | undefined;
}

export interface Answer {
  readonly status: number;
  readonly retryAfter?: string;
  /** Wall-time wait before answering. */
  readonly delayMs?: number;
  /** Not answered until release() (a slow collector). */
  readonly hold?: boolean;
  /** Called with the decoded request before the answer is sent; may be async (e.g. to kill the sender). */
  readonly before?: (request: ReceivedRequest) => unknown;
  /** Called once the answer is sent (e.g. to kill the sender between acknowledgement and its commit). */
  readonly after?: (request: ReceivedRequest) => unknown;
  /** Never answered: the connection is left open (for a sender that is killed meanwhile). */
  readonly never?: boolean;
}

export type AnswerPlan = (request: ReceivedRequest) => Answer;

export class OtlpReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** Decides each answer; default 200. */
  plan: AnswerPlan = () => ({ status: 200 });
  /** Most requests held at once so far (a slow collector). */
  maxHeld = 0;
  readonly #server: Server;
  #held: (() => void)[] = [];
  readonly #open = new Set<ServerResponse>();

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Starts on a free loopback port (or the given one, e.g. to come up where a sender already points). */
  static async start(port = 0): Promise<OtlpReceiver> {
    const holder: { receiver?: OtlpReceiver } = {};
    const server = createServer((request, response) => {
      void holder.receiver?.handle(request, response);
    });
    const receiver = new OtlpReceiver(server);
    holder.receiver = receiver;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return receiver;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Base URL, as OTEL_EXPORTER_OTLP_ENDPOINT or `otlp.endpoint` would name it. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Records of the requests answered 2xx (what a collector would have kept), in arrival order. */
  acknowledged(): ReceivedRecord[] {
    return this.requests.filter((request) => request.status !== undefined && request.status < 300).flatMap((request) => request.records);
  }

  /** Every record received, whatever the answer. */
  received(): ReceivedRecord[] {
    return this.requests.flatMap((request) => request.records);
  }

  get held(): number {
    return this.#held.length;
  }

  /** Answers every held request. */
  release(): void {
    const held = this.#held;
    this.#held = [];
    for (const answer of held) answer();
  }

  async close(): Promise<void> {
    this.release();
    for (const response of this.#open) response.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.#open.add(response);
    response.on('close', () => this.#open.delete(response));
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks);
    if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    const contentType = String(request.headers['content-type'] ?? '');
    if (request.method !== 'POST' || request.url !== '/v1/logs') {
      response.writeHead(404).end();
      return;
    }
    let records: ReceivedRecord[];
    try {
      records = decodeLogsRequest(body, contentType);
    } catch (error) {
      response.writeHead(400, { 'content-type': 'text/plain' }).end(`undecodable: ${(error as Error).message}`);
      return;
    }
    const received: ReceivedRequest = { index: this.requests.length, contentType, headers: request.headers, records, status: undefined };
    this.requests.push(received);
    const answer = this.plan(received);
    if (answer.never === true) {
      await answer.before?.(received);
      return;
    }
    if (answer.hold === true) {
      await new Promise<void>((resolve) => {
        this.#held.push(resolve);
        this.maxHeld = Math.max(this.maxHeld, this.#held.length);
      });
    }
    if (answer.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    await answer.before?.(received);
    if (response.destroyed) return;
    received.status = answer.status;
    if (answer.after !== undefined) response.once('finish', () => void answer.after?.(received));
    const headers: Record<string, string> = {};
    if (answer.retryAfter !== undefined) headers['retry-after'] = answer.retryAfter;
    if (answer.status < 300) {
      if (contentType.includes('json')) response.writeHead(answer.status, { ...headers, 'content-type': 'application/json' }).end('{}');
      else {
        const bytes = ExportLogsServiceResponse.encode(ExportLogsServiceResponse.create({})).finish();
        response.writeHead(answer.status, { ...headers, 'content-type': 'application/x-protobuf' }).end(Buffer.from(bytes));
      }
    } else {
      response.writeHead(answer.status, headers).end();
    }
  }
}

interface DecodedAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: DecodedAnyValue[] };
  kvlistValue?: { values?: DecodedKeyValue[] };
  bytesValue?: string;
}
interface DecodedKeyValue {
  key: string;
  value?: DecodedAnyValue;
}
interface DecodedRequest {
  resourceLogs?: {
    resource?: { attributes?: DecodedKeyValue[] };
    scopeLogs?: {
      scope?: { name?: string; version?: string };
      logRecords?: {
        timeUnixNano?: string;
        observedTimeUnixNano?: string;
        severityNumber?: number;
        severityText?: string;
        body?: DecodedAnyValue;
        attributes?: DecodedKeyValue[];
        eventName?: string;
      }[];
    }[];
  }[];
}

/** Decodes an ExportLogsServiceRequest (protobuf, or OTLP/JSON) into plain records. */
export function decodeLogsRequest(body: Uint8Array, contentType: string): ReceivedRecord[] {
  const message = contentType.includes('json')
    ? ExportLogsServiceRequest.fromObject(JSON.parse(Buffer.from(body).toString('utf8')))
    : ExportLogsServiceRequest.decode(body);
  const decoded = ExportLogsServiceRequest.toObject(message, { longs: String, enums: Number, bytes: String, arrays: true }) as DecodedRequest;
  const records: ReceivedRecord[] = [];
  for (const resourceLogs of decoded.resourceLogs ?? []) {
    const resource = attributesOf(resourceLogs.resource?.attributes);
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      for (const record of scopeLogs.logRecords ?? []) {
        records.push({
          eventName: record.eventName === '' ? undefined : record.eventName,
          timeUnixNano: record.timeUnixNano ?? '0',
          observedTimeUnixNano: record.observedTimeUnixNano ?? '0',
          severityNumber: record.severityNumber,
          severityText: record.severityText === '' ? undefined : record.severityText,
          body: record.body === undefined ? undefined : valueOf(record.body),
          attributes: attributesOf(record.attributes),
          resource,
          scope: { name: scopeLogs.scope?.name, version: scopeLogs.scope?.version },
        });
      }
    }
  }
  return records;
}

function attributesOf(list: DecodedKeyValue[] | undefined): Record<string, AttributeValue> {
  const result: Record<string, AttributeValue> = {};
  for (const entry of list ?? []) result[entry.key] = entry.value === undefined ? null : valueOf(entry.value);
  return result;
}

function valueOf(value: DecodedAnyValue): AttributeValue {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(valueOf);
  if (value.bytesValue !== undefined) return value.bytesValue;
  return null;
}

/** Nanoseconds since the epoch (as OTLP carries them) to a Date, to the millisecond. */
export function dateOfNanos(nanos: string): Date {
  return new Date(Number(BigInt(nanos) / 1_000_000n));
}
