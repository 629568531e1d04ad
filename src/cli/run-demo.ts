// `npm start` on a fresh machine: no configuration, so the exporter runs against the embedded Snowflake emulator
// with the demo scenario, through exactly the same code path as a real account.
import { startEmbeddedDemo } from '../demo/embedded-demo.ts';
import { PRODUCT_NAME } from '../version.ts';
import { runExporter, type RunContext } from './run-exporter.ts';

export type RunDemo = (env: Readonly<Record<string, string | undefined>>, context: RunContext) => Promise<number>;

export const runDemo: RunDemo = async (env, context) => {
  context.stderr.write(
    `${PRODUCT_NAME}: no configuration given: starting the embedded demo (a Snowflake emulator in this process, with\n` +
      '  generated activity and labelled insider-risk incidents). To watch a real account, run with --config FILE\n' +
      '  (see examples/config.example.yaml and README.md).\n',
  );
  const demo = await startEmbeddedDemo({ env });
  try {
    return await runExporter(demo.config, {
      ...context,
      onStarted: (url) => {
        context.stdout.write(
          `demo running: emulator ${demo.emulatorUrl.href} (${demo.incidents} incidents in the scenario)\n` +
            `  landing page ${url.href}\n` +
            `  metrics      ${new URL(demo.config.server.metricsPath, url).href}\n` +
            '  stop with Ctrl-C\n',
        );
        context.onStarted?.(url);
      },
    });
  } finally {
    await demo.close();
  }
};
