// Child process of the kill -9 acceptance test: the real exporter (startExporter, configuration loaded from a YAML
// file like any deployment) with a FileSink beside the metrics sink, running collection cycles back to back.
//   exporter-child.ts <config.yaml> <sink file> loop       cycles until killed, or until SIGTERM (then a clean close, exit 0)
//   exporter-child.ts <config.yaml> <sink file> once <n>   n cycles, then a clean close and exit 0
// An empty <sink file> means no FileSink (the configured OTLP sink is then the only downstream).
// Prints "listening <url>" and "ready" once started and "cycle <outcome> <delivered>" after each cycle; errors go to
// stderr.
import { loadConfig } from '../../src/config/index.ts';
import { startExporter } from '../../src/runtime/exporter.ts';
import { FileSink } from './exporter-file-sink.ts';

async function main(): Promise<void> {
  const [configPath = '', sinkPath = '', mode = 'loop', count = '1'] = process.argv.slice(2);
  const { config } = loadConfig({ path: configPath, env: process.env });
  const account = config.accounts[0]?.name ?? '';
  let stopping = false;
  process.once('SIGTERM', () => {
    stopping = true;
    // A child stuck somewhere still goes: a watchdog's SIGTERM must end it.
    setTimeout(() => process.exit(143), 30_000).unref();
  });
  const exporter = await startExporter(config, {
    sinks: sinkPath === '' ? [] : [new FileSink(sinkPath)],
    schedule: false,
    log: (level, message) => process.stderr.write(`${level} ${message}\n`),
  });
  process.stdout.write(`listening ${exporter.url.href}\nready\n`);
  const cycles = mode === 'once' ? Number(count) : Number.POSITIVE_INFINITY;
  for (let i = 0; i < cycles && !stopping; i++) {
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
