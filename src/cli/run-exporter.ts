// The seam where the long-running exporter plugs in. This version validates configuration only, so a plain run
// says so and exits 3 instead of pretending to collect; the scheduler and HTTP server replace this function.
import type { ExporterConfig } from '../config/index.ts';
import { EXIT } from './usage.ts';

export interface CliOutput {
  write(text: string): unknown;
}

export interface RunContext {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
}

/** Runs the exporter until it is asked to stop; resolves to the process exit code. */
export type RunExporter = (config: ExporterConfig, context: RunContext) => Promise<number>;

export const runExporter: RunExporter = (_config, context) => {
  context.stderr.write(
    'configuration valid; the collection engine is not part of this version, so nothing is collected. ' +
      'Use --check-config to validate a configuration (exit 0).\n',
  );
  return Promise.resolve(EXIT.notImplemented);
};
