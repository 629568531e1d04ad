// The OTLP sink's effective settings: the configuration file first, then the standard OTEL_EXPORTER_OTLP_*
// variables, then the specification's defaults. Endpoint and protocol are resolved here (the sink needs the URL to
// recognise its own requests and to say where it sends); headers, timeout and compression left out of the file are
// read by the OTLP exporter itself from the same variables, with the same precedence (file over variables).
import type { OtlpConfig, OtlpProtocol } from '../../config/types.ts';

export const OTLP_PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];
export const DEFAULT_OTLP_PROTOCOL: OtlpProtocol = 'http/protobuf';
/** The specification's default collector address for OTLP/HTTP. */
export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';
export const LOGS_PATH = 'v1/logs';

export class OtlpSettingsError extends Error {
  readonly code = 'OTLP_SETTINGS';
  constructor(message: string) {
    super(message);
    this.name = 'OtlpSettingsError';
  }
}

export interface ResolvedEndpoint {
  /** Where records are POSTed. */
  readonly url: URL;
  readonly protocol: OtlpProtocol;
  /** Where each came from, for the start-up log line. */
  readonly urlSource: string;
  readonly protocolSource: string;
}

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The logs URL and protocol. A configured `endpoint` and OTEL_EXPORTER_OTLP_ENDPOINT are base addresses that get
 * `/v1/logs` appended (unless the configured one already ends with it); OTEL_EXPORTER_OTLP_LOGS_ENDPOINT is used as
 * written, as the specification says.
 */
export function resolveEndpoint(config: Pick<OtlpConfig, 'endpoint' | 'protocol'>, env: Environment): ResolvedEndpoint {
  const { url, urlSource } = resolveUrl(config.endpoint, env);
  const { protocol, protocolSource } = resolveProtocol(config.protocol, env);
  return { url, protocol, urlSource, protocolSource };
}

function resolveUrl(configured: string | undefined, env: Environment): { url: URL; urlSource: string } {
  if (configured !== undefined) {
    const url = parseHttpUrl(configured, 'otlp.endpoint');
    return { url: url.pathname.replace(/\/+$/, '').endsWith(`/${LOGS_PATH}`) ? url : withLogsPath(url), urlSource: 'otlp.endpoint' };
  }
  const signal = nonEmpty(env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT);
  if (signal !== undefined) {
    return { url: parseHttpUrl(signal, 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT'), urlSource: 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT' };
  }
  const generic = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (generic !== undefined) {
    return { url: withLogsPath(parseHttpUrl(generic, 'OTEL_EXPORTER_OTLP_ENDPOINT')), urlSource: 'OTEL_EXPORTER_OTLP_ENDPOINT' };
  }
  return { url: withLogsPath(new URL(DEFAULT_OTLP_ENDPOINT)), urlSource: 'default' };
}

function resolveProtocol(configured: OtlpProtocol | undefined, env: Environment): { protocol: OtlpProtocol; protocolSource: string } {
  if (configured !== undefined) return { protocol: configured, protocolSource: 'otlp.protocol' };
  for (const name of ['OTEL_EXPORTER_OTLP_LOGS_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const value = nonEmpty(env[name]);
    if (value === undefined) continue;
    if (!(OTLP_PROTOCOLS as readonly string[]).includes(value)) {
      // grpc is a valid OTLP protocol, but not one this exporter speaks: refuse rather than send to the wrong port.
      throw new OtlpSettingsError(`${name}=${value} is not supported; use ${OTLP_PROTOCOLS.join(' or ')}`);
    }
    return { protocol: value as OtlpProtocol, protocolSource: name };
  }
  return { protocol: DEFAULT_OTLP_PROTOCOL, protocolSource: 'default' };
}

function parseHttpUrl(text: string, where: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OtlpSettingsError(`${where} is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OtlpSettingsError(`${where} must be an http or https URL`);
  // Credentials belong in headers (secret references), never in a URL that ends up in logs.
  if (url.username !== '' || url.password !== '') throw new OtlpSettingsError(`${where} must not contain credentials; use headers`);
  return url;
}

function withLogsPath(base: URL): URL {
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${LOGS_PATH}`;
  return url;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
