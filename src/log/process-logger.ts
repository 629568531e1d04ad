// The process's own log: one JSON object per line on stderr (pino), so log pipelines (Loki, Elastic, Cloud Logging)
// parse it without a grammar. Level from `log.level`. Messages are written by this code base, which never puts a
// secret in one; as a second line of defence every message passes through `scrubSecrets`, so a token that reached a
// message through an upstream error text (an HTTP body quoted in an exception, say) is masked before it is written.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/types.ts';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../version.ts';

export type ProcessLogLevel = LogLevel;

/** The logging function the runtime takes (src/runtime/exporter.ts ExporterLog accepts it). */
export interface ProcessLog {
  (level: ProcessLogLevel, message: string, fields?: Readonly<Record<string, string | number | boolean>>): void;
}

export interface ProcessLogger {
  readonly log: ProcessLog;
  /** Changes the level (configuration reload). */
  setLevel(level: ProcessLogLevel): void;
  readonly pino: Logger;
}

// What a credential looks like when it leaks into text: JWTs, bearer / basic authorization values, OAuth fields in
// query-string or JSON form, PEM private keys. Anything matched becomes [REDACTED].
const SECRET_PATTERNS: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g,
  /\b(Bearer|Basic|Snowflake Token=)\s*"?[A-Za-z0-9._~+/=-]{8,}"?/gi,
  /\b(access_token|refresh_token|client_secret|code_verifier|password|token)(["']?\s*[:=]\s*["']?)[^\s"'&,}]{4,}/gi,
];

export function scrubSecrets(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match: string, ...groups: unknown[]) => {
      const [first, second] = groups;
      if (typeof first === 'string' && typeof second === 'string' && /token|secret|verifier|password/i.test(first)) return `${first}${second}[REDACTED]`;
      if (typeof first === 'string' && /^(bearer|basic|snowflake token=)$/i.test(first)) return `${first} [REDACTED]`;
      return match.startsWith('-----BEGIN') ? '[REDACTED PRIVATE KEY]' : '[REDACTED]';
    });
  }
  return out;
}

export interface ProcessLoggerOptions {
  readonly level: ProcessLogLevel;
  /** Where lines go; default stderr, written synchronously so nothing is lost on exit. */
  readonly destination?: DestinationStream;
}

export function createProcessLogger(options: ProcessLoggerOptions): ProcessLogger {
  const logger = pino(
    {
      level: options.level,
      base: { service: PRODUCT_NAME, version: PRODUCT_VERSION },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names, not pino's numbers: what people grep for.
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ fd: 2, sync: true }),
  );
  return {
    pino: logger,
    setLevel: (level) => {
      logger.level = level;
    },
    log: (level, message, fields) => {
      const safeFields: Record<string, string | number | boolean> = {};
      for (const [key, value] of Object.entries(fields ?? {})) safeFields[key] = typeof value === 'string' ? scrubSecrets(value) : value;
      logger[level](safeFields, scrubSecrets(message));
    },
  };
}
