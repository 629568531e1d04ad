// What a plain run does: start the exporter on a validated configuration and keep it running until SIGINT or
// SIGTERM, then stop cleanly. The embedded demo (no configuration at all) goes through the same path with a
// configuration pointing at the in-process emulator.
import type { ExporterConfig } from '../config/index.ts';
import { startExporter, type ExporterLog } from '../runtime/exporter.ts';
import { PRODUCT_NAME } from '../version.ts';
import { EXIT } from './usage.ts';

export interface CliOutput {
  write(text: string): unknown;
}

export interface RunContext {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  /** Resolves when the process is asked to stop. Default: the first SIGINT or SIGTERM. */
  readonly stopRequested?: Promise<string>;
  /** Printed once the exporter is serving (the demo adds where to look). */
  readonly onStarted?: (url: URL) => void;
}

/** Runs the exporter until it is asked to stop; resolves to the process exit code. */
export type RunExporter = (config: ExporterConfig, context: RunContext) => Promise<number>;

export const runExporter: RunExporter = async (config, context) => {
  const log: ExporterLog = (level, message) => {
    context.stderr.write(`${new Date().toISOString()} ${level} ${PRODUCT_NAME}: ${message}\n`);
  };
  const exporter = await startExporter(config, { log });
  context.onStarted?.(exporter.url);
  const signal = await (context.stopRequested ?? stopSignal());
  log('info', `${signal} received: stopping`);
  await exporter.close();
  log('info', 'stopped');
  return EXIT.ok;
};

function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      resolve(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}
