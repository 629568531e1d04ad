// Builds OpenTelemetry SDK log records from drafts. The SDK does the record's bookkeeping (time conversion, attribute
// limits, resource and instrumentation scope) exactly as for any emitted log; a capturing processor hands each record
// back instead of batching it, because delivery (queue, acknowledgement, retries) is this exporter's own job: the
// SDK's BatchLogRecordProcessor drops on overflow and never says which records the collector acknowledged.
//
// One LoggerProvider per Snowflake account, because the account belongs on the resource, and a provider has one.
import type { Context } from '@opentelemetry/api';
import { defaultResource, detectResources, envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { LoggerProvider, type LogRecordProcessor, type ReadableLogRecord, type ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../../version.ts';
import type { LogRecordDraft } from './log-record-drafts.ts';

/** The instrumentation scope of every record. */
export const SCOPE_NAME = PRODUCT_NAME;

export interface AccountResource {
  /** The configured label (events carry it). */
  readonly name: string;
  /** The Snowflake account identifier as configured (org-account or locator form). */
  readonly identifier?: string | undefined;
}

export interface RecordFactoryOptions {
  readonly accounts: readonly AccountResource[];
  /** Resource attributes from the configuration file: they win over OTEL_RESOURCE_ATTRIBUTES and the defaults. */
  readonly resourceAttributes?: Readonly<Record<string, string>> | undefined;
  /** Environment for OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES (the SDK's detector reads process.env). */
  readonly detectEnvironment?: boolean | undefined;
}

/**
 * The resource shared by every account: SDK defaults, then this product's name and version, then what
 * OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES say, then the configuration file's attributes.
 */
export function baseResource(options: Pick<RecordFactoryOptions, 'resourceAttributes' | 'detectEnvironment'> = {}): Resource {
  let resource = defaultResource().merge(
    resourceFromAttributes({ [ATTR_SERVICE_NAME]: PRODUCT_NAME, [ATTR_SERVICE_VERSION]: PRODUCT_VERSION }),
  );
  if (options.detectEnvironment ?? true) resource = resource.merge(detectResources({ detectors: [envDetector] }));
  return resource.merge(resourceFromAttributes({ ...options.resourceAttributes }));
}

/** Hands each record back to whoever emitted it, synchronously. */
class CapturingProcessor implements LogRecordProcessor {
  captured: ReadableLogRecord | undefined;
  onEmit(record: ReadWriteLogRecord, _context?: Context): void {
    this.captured = record;
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

interface AccountLogger {
  readonly provider: LoggerProvider;
  readonly processor: CapturingProcessor;
  readonly emit: ReturnType<LoggerProvider['getLogger']>['emit'];
}

export class RecordFactoryError extends Error {
  readonly code = 'OTLP_RECORD_FACTORY';
}

export class RecordFactory {
  readonly #base: Resource;
  readonly #loggers = new Map<string, AccountLogger>();
  readonly #identifiers = new Map<string, string | undefined>();

  constructor(options: RecordFactoryOptions) {
    this.#base = baseResource(options);
    for (const account of options.accounts) this.#identifiers.set(account.name, account.identifier);
  }

  /** The SDK record for a draft; its resource names the draft's account. */
  build(draft: LogRecordDraft): ReadableLogRecord {
    const logger = this.#loggerFor(draft.account);
    logger.processor.captured = undefined;
    logger.emit({
      eventName: draft.eventName,
      timestamp: draft.timestamp,
      observedTimestamp: draft.observedTimestamp,
      severityNumber: draft.severityNumber,
      ...(draft.severityText === undefined ? {} : { severityText: draft.severityText }),
      ...(draft.body === undefined ? {} : { body: draft.body }),
      attributes: draft.attributes,
    });
    const record = logger.processor.captured;
    if (record === undefined) throw new RecordFactoryError(`the logs SDK emitted no record for ${draft.eventName}`);
    return record;
  }

  async shutdown(): Promise<void> {
    await Promise.allSettled([...this.#loggers.values()].map((logger) => logger.provider.shutdown()));
  }

  #loggerFor(account: string): AccountLogger {
    let logger = this.#loggers.get(account);
    if (logger === undefined) {
      const identifier = this.#identifiers.get(account);
      // Last, so no environment variable or file attribute can make a record name the wrong account.
      const resource = this.#base.merge(
        resourceFromAttributes({
          'snowflake.account.name': account,
          ...(identifier === undefined ? {} : { 'snowflake.account.identifier': identifier }),
        }),
      );
      const processor = new CapturingProcessor();
      const provider = new LoggerProvider({ resource, processors: [processor] });
      const sdkLogger = provider.getLogger(SCOPE_NAME, PRODUCT_VERSION);
      logger = { provider, processor, emit: sdkLogger.emit.bind(sdkLogger) };
      this.#loggers.set(account, logger);
    }
    return logger;
  }
}
