// Process entry: binds the command line to this process. Everything testable lives in src/cli/.
import { runCli } from './cli/run-cli.ts';
import { runExporter } from './cli/run-exporter.ts';
import { EXIT } from './cli/usage.ts';
import { PRODUCT_NAME } from './version.ts';

try {
  process.exitCode = await runCli({
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    run: runExporter,
  });
} catch (error) {
  // Only the message: a stack or a cause chain could carry request details. Known errors never reach here with secrets.
  console.error(`${PRODUCT_NAME}: unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = EXIT.failure;
}
