// `npm start` on a fresh machine: no configuration, so the exporter runs against the embedded Snowflake emulator
// with the demo scenario, through exactly the same code path as a real account.
import { ConfigError } from '../config/index.ts';
import { startEmbeddedDemo } from '../demo/embedded-demo.ts';
import { PRODUCT_NAME } from '../version.ts';
import { runExporter, type RunContext } from './run-exporter.ts';
import { EXIT } from './usage.ts';

export type RunDemo = (env: Readonly<Record<string, string | undefined>>, context: RunContext) => Promise<number>;

export const runDemo: RunDemo = async (env, context) => {
  context.stderr.write(
    `${PRODUCT_NAME}: no configuration given: starting the embedded demo (a Snowflake emulator in this process, with\n` +
      '  generated activity and labelled insider-risk incidents). To watch a real account, run with --config FILE\n' +
      '  (see examples/config.example.yaml and README.md).\n',
  );
  let demo;
  try {
    demo = await startEmbeddedDemo({ env });
  } catch (error) {
    // An invalid SNOWFLAKE_RISK_EXPORTER_* override is a configuration error like any other: listed, exit 2.
    if (!(error instanceof ConfigError)) throw error;
    context.stderr.write(`${PRODUCT_NAME}: the embedded demo cannot start: ${error.message}\n`);
    return EXIT.usageOrConfig;
  }
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
