// What a plain run does: start the exporter on a validated configuration and keep it running until SIGINT or
// SIGTERM, then stop cleanly within a bound. SIGHUP reloads the configuration: a valid new one replaces the running
// exporter (state lives in the state file, so watermarks, dedupe ids, budgets and tokens carry over); an invalid
// one is reported and the running exporter keeps going unchanged. The embedded demo (no configuration at all) goes
// through the same path with a configuration pointing at the in-process emulator.
import { ConfigError, type ExporterConfig } from '../config/index.ts';
import { oneLine } from '../collect/failure-detail.ts';
import { createProcessLogger, type ProcessLogger } from '../log/process-logger.ts';
import { startExporter, type RunningExporter } from '../runtime/exporter.ts';
import { StateStoreError } from '../state/index.ts';
import { EXIT } from './usage.ts';

export interface CliOutput {
  write(text: string): unknown;
}

export type ProcessSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

export interface RunContext {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  /** The signals the run reacts to, in order. Default: the process's SIGINT, SIGTERM and SIGHUP. */
  readonly signals?: AsyncIterable<ProcessSignal>;
  /**
   * Loads and validates the configuration again and checks it can start beside the running one (SIGHUP); throws
   * ConfigError, listing every problem, when it cannot replace `running`.
   */
  readonly reloadConfig?: (running: ExporterConfig) => ExporterConfig | Promise<ExporterConfig>;
  /** Printed once the exporter is serving (the demo adds where to look). */
  readonly onStarted?: (url: URL) => void;
  /** The process log; default JSON lines on stderr at the configuration's level. */
  readonly logger?: ProcessLogger;
  /** Upper bound for a graceful stop before the run gives up waiting (default 30 s, inside Kubernetes' 30 s grace). */
  readonly shutdownTimeoutMs?: number;
}

/** Runs the exporter until it is asked to stop; resolves to the process exit code. */
export type RunExporter = (config: ExporterConfig, context: RunContext) => Promise<number>;

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;

export const runExporter: RunExporter = async (initial, context) => {
  const logger = context.logger ?? createProcessLogger({ level: initial.log.level });
  const { log } = logger;
  let running: Running;
  try {
    running = { exporter: await startExporter(initial, { log }), config: initial };
  } catch (error) {
    // What a setting names and only the start can find (a port another process holds) is a configuration problem:
    // the caller reports it with its path and exits 2.
    if (error instanceof ConfigError) throw error;
    // A state file the exporter must not use (in use by another exporter, damaged, not writable, from a newer
    // version) is the operator's to fix, like an invalid configuration: say which file and how, and exit 2.
    if (error instanceof StateStoreError && error.operation === 'open') {
      log('error', error.message, { code: error.code });
      return EXIT.usageOrConfig;
    }
    // Anything else goes to the log as one JSON line with its code, like every other failure, and the process exits 1.
    const code = (error as { code?: unknown } | null)?.code;
    const detail = error instanceof Error ? `${error.name}: ${oneLine(error.message)}` : 'unknown error';
    log('error', `could not start: ${detail}`, typeof code === 'string' ? { code } : {});
    return EXIT.failure;
  }
  context.onStarted?.(running.exporter.url);

  for await (const signal of context.signals ?? processSignals()) {
    if (signal !== 'SIGHUP') {
      log('info', `${signal} received: stopping`, { signal });
      break;
    }
    running = await reload(running, context, logger);
  }
  const stopped = await closeWithin(running.exporter, context.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
  if (!stopped) {
    log('error', 'graceful stop did not finish in time: exiting; unacknowledged batches are read again at the next start');
    return EXIT.failure;
  }
  log('info', 'stopped');
  return EXIT.ok;
};

interface Running {
  readonly exporter: RunningExporter;
  readonly config: ExporterConfig;
}

/** SIGHUP: validate the new configuration first; only a valid one replaces the running exporter. */
async function reload(running: Running, context: RunContext, logger: ProcessLogger): Promise<Running> {
  const { log } = logger;
  if (context.reloadConfig === undefined) {
    log('warn', 'SIGHUP received, but this run has no configuration file to reload (embedded demo): ignored');
    return running;
  }
  let next: ExporterConfig;
  try {
    next = await context.reloadConfig(running.config);
  } catch (error) {
    const detail = error instanceof ConfigError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
    log('error', `SIGHUP: the new configuration is invalid, keeping the running one: ${detail}`);
    return running;
  }
  log('info', 'SIGHUP: configuration valid, restarting the exporter on it (state is kept)');
  // The old exporter must release the state file and the listen address before the new one takes them.
  await running.exporter.close();
  try {
    const exporter = await startExporter(next, { log });
    logger.setLevel(next.log.level);
    log('info', `reloaded: serving ${exporter.url.href}`);
    return { exporter, config: next };
  } catch (error) {
    // The new configuration passed validation but cannot start (say, its address is taken): go back to the old one.
    log('error', `SIGHUP: the new configuration could not start (${error instanceof Error ? error.message : 'unknown error'}); restarting on the previous one`);
    return { exporter: await startExporter(running.config, { log }), config: running.config };
  }
}

async function closeWithin(exporter: RunningExporter, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([exporter.close().then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The process's stop and reload signals as a stream; listeners are removed when the consumer stops reading. */
async function* processSignals(): AsyncGenerator<ProcessSignal> {
  const queue: ProcessSignal[] = [];
  let wake: (() => void) | undefined;
  const handler = (signal: NodeJS.Signals): void => {
    queue.push(signal as ProcessSignal);
    wake?.();
  };
  const names: ProcessSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const name of names) process.on(name, handler);
  try {
    for (;;) {
      const next = queue.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    for (const name of names) process.off(name, handler);
  }
}
