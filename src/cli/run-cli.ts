// The command line as a function of (argv, env, output streams): main.ts only binds it to the process, so tests can
// call it directly and pass their own `run` (the real exporter is bound in main.ts).
import { fileURLToPath } from 'node:url';
import { ConfigError, CONFIG_PATH_ENV, formatProblem, loadConfig, type ExporterConfig } from '../config/index.ts';
import { PACKAGE_ROOT } from '../package-root.ts';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../version.ts';
import { parseCliArgs } from './args.ts';
import { runDemo, type RunDemo } from './run-demo.ts';
import { checkBeforeStart } from '../runtime/prestart-checks.ts';
import { runExporter, type CliOutput, type RunExporter } from './run-exporter.ts';
import { summarizeConfig } from './summary.ts';
import { EXIT, USAGE } from './usage.ts';

export interface CliContext {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  /** What a plain run (no --check-config) does with a valid configuration. */
  readonly run?: RunExporter;
  /** What a run without any configuration does (the embedded demo). */
  readonly runDemo?: RunDemo;
}

const EXAMPLE_PATH = fileURLToPath(new URL('examples/config.example.yaml', PACKAGE_ROOT));

export async function runCli(context: CliContext): Promise<number> {
  const { stdout, stderr } = context;
  const args = parseCliArgs(context.argv);
  if (!args.ok) {
    stderr.write(`${PRODUCT_NAME}: ${args.error}\n\n${USAGE}`);
    return EXIT.usageOrConfig;
  }
  const options = args.options;
  if (options.help) {
    stdout.write(USAGE);
    return EXIT.ok;
  }
  if (options.version) {
    stdout.write(`${PRODUCT_VERSION}\n`);
    return EXIT.ok;
  }

  const envPath = context.env[CONFIG_PATH_ENV];
  const configPath = options.config ?? (envPath === undefined || envPath.trim() === '' ? undefined : envPath);
  if (configPath === undefined) {
    // Nothing to watch was configured: run the embedded demo (the emulator with its demo scenario) so that a fresh
    // checkout shows what the exporter does. --check-config without a file has nothing to check.
    if (options.checkConfig) {
      stderr.write(
        `${PRODUCT_NAME}: --check-config needs a configuration: --config FILE or ${CONFIG_PATH_ENV}.\n` +
          `  Start from the commented example ${EXAMPLE_PATH} and the "Configuration" section of README.md.\n`,
      );
      return EXIT.usageOrConfig;
    }
    return reportingConfigErrors(stderr, () => (context.runDemo ?? runDemo)(context.env, { stdout, stderr }));
  }

  let loaded;
  try {
    loaded = loadConfig({ path: configPath, env: context.env, cwd: context.cwd });
    for (const warning of loaded.warnings) stderr.write(`${PRODUCT_NAME}: warning: ${formatProblem(warning)}\n`);
    if (loaded.ignoredServiceLinks.length > 0) stderr.write(`${PRODUCT_NAME}: info: ${describeIgnoredServiceLinks(loaded.ignoredServiceLinks)}\n`);
    // What validation cannot see from the file alone: the state file, the listen addresses, each account's client.
    await checkBeforeStart(loaded.config);
  } catch (error) {
    if (error instanceof ConfigError) {
      stderr.write(`${PRODUCT_NAME}: ${error.message}\n`);
      return EXIT.usageOrConfig;
    }
    throw error;
  }

  if (options.checkConfig) {
    stdout.write(`${summarizeConfig(loaded.config)}\nconfiguration valid\n`);
    return EXIT.ok;
  }
  stdout.write(`${summarizeConfig(loaded.config)}\n`);
  // SIGHUP: the same checks as --check-config, and the ports the new configuration moves to must be free.
  const reloadConfig = async (running: ExporterConfig): Promise<ExporterConfig> => {
    const next = loadConfig({ path: configPath, env: context.env, cwd: context.cwd }).config;
    await checkBeforeStart(next, { running, probePorts: true });
    return next;
  };
  const config = loaded.config;
  return reportingConfigErrors(stderr, () => (context.run ?? runExporter)(config, { stdout, stderr, reloadConfig }));
}

/** A start that fails on what a setting names (a taken port, say) ends like an invalid configuration: listed, exit 2. */
async function reportingConfigErrors(stderr: CliOutput, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    stderr.write(`${PRODUCT_NAME}: ${error.message}\n`);
    return EXIT.usageOrConfig;
  }
}

/** Names only: the values are addresses of Services, but nothing from the environment is echoed that need not be. */
function describeIgnoredServiceLinks(names: readonly string[]): string {
  return (
    `ignored ${names.length} Kubernetes service-link variable${names.length === 1 ? '' : 's'} that name no setting ` +
    `(${names.join(', ')}); kubelet adds them for Services named snowflake-risk-exporter*, and enableServiceLinks: false ` +
    'in the pod spec stops it'
  );
}
