// The command line as a function of (argv, env, output streams): main.ts only binds it to the process, so tests can
// call it directly and later issues can pass the real exporter as `run`.
import { fileURLToPath } from 'node:url';
import { ConfigError, CONFIG_PATH_ENV, formatProblem, loadConfig } from '../config/index.ts';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../version.ts';
import { parseCliArgs } from './args.ts';
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
}

const EXAMPLE_PATH = fileURLToPath(new URL('../../examples/config.example.yaml', import.meta.url));

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
    stderr.write(
      `${PRODUCT_NAME}: no configuration given, so there is nothing to watch.\n` +
        `  Give a configuration file with --config FILE or the ${CONFIG_PATH_ENV} environment variable.\n` +
        `  Start from the commented example ${EXAMPLE_PATH}\n` +
        '  (all three authentication methods) and the "Configuration" section of README.md.\n' +
        `  Check a file without connecting anywhere: ${PRODUCT_NAME} --check-config --config FILE\n` +
        '  (This version has no built-in demo yet: it does not start without a configuration.)\n',
    );
    return EXIT.usageOrConfig;
  }

  let loaded;
  try {
    loaded = loadConfig({ path: configPath, env: context.env, cwd: context.cwd });
  } catch (error) {
    if (error instanceof ConfigError) {
      stderr.write(`${PRODUCT_NAME}: ${error.message}\n`);
      return EXIT.usageOrConfig;
    }
    throw error;
  }
  for (const warning of loaded.warnings) stderr.write(`${PRODUCT_NAME}: warning: ${formatProblem(warning)}\n`);

  if (options.checkConfig) {
    stdout.write(`${summarizeConfig(loaded.config)}\nconfiguration valid\n`);
    return EXIT.ok;
  }
  stdout.write(`${summarizeConfig(loaded.config)}\n`);
  return (context.run ?? runExporter)(loaded.config, { stdout, stderr });
}
