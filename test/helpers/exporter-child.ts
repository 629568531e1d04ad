// Child process of the kill -9 acceptance test: the real exporter (startExporter, configuration loaded from a YAML
// file like any deployment) with a FileSink beside the metrics sink, running collection cycles back to back.
//   exporter-child.ts <config.yaml> <sink file> loop       cycles until killed
//   exporter-child.ts <config.yaml> <sink file> once <n>   n cycles, then a clean close and exit 0
// Prints "ready" once started and "cycle <outcome> <delivered>" after each cycle; errors go to stderr.
import { loadConfig } from '../../src/config/index.ts';
import { startExporter } from '../../src/runtime/exporter.ts';
import { FileSink } from './exporter-file-sink.ts';

async function main(): Promise<void> {
  const [configPath = '', sinkPath = '', mode = 'loop', count = '1'] = process.argv.slice(2);
  const { config } = loadConfig({ path: configPath, env: process.env });
  const account = config.accounts[0]?.name ?? '';
  const exporter = await startExporter(config, {
    sinks: [new FileSink(sinkPath)],
    schedule: false,
    log: (level, message) => process.stderr.write(`${level} ${message}\n`),
  });
  process.stdout.write('ready\n');
  const cycles = mode === 'once' ? Number(count) : Number.POSITIVE_INFINITY;
  for (let i = 0; i < cycles; i++) {
    const result = await exporter.scheduler.runOnce(account);
    if (!result.ran) continue;
    const delivered = result.report.sources.reduce((sum, source) => sum + source.delivered, 0);
    process.stdout.write(`cycle ${result.report.outcome} ${delivered}\n`);
  }
  await exporter.close();
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    process.stderr.write(`exporter child failed: ${error instanceof Error ? (error.stack ?? error.message) : 'unknown error'}\n`);
    process.exit(1);
  });
}
