// Command-line parsing with node:util parseArgs in strict mode: an unknown flag is an error, never ignored.
import { parseArgs } from 'node:util';

export interface CliOptions {
  readonly config: string | undefined;
  readonly checkConfig: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

export type ParsedArgs = { readonly ok: true; readonly options: CliOptions } | { readonly ok: false; readonly error: string };

export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string', short: 'c' },
        'check-config': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
    if (values.config !== undefined && values.config.trim() === '') return { ok: false, error: '--config needs a file path' };
    return {
      ok: true,
      options: {
        config: values.config,
        checkConfig: values['check-config'],
        help: values.help,
        version: values.version,
      },
    };
  } catch (error) {
    // parseArgs errors name the offending flag (ERR_PARSE_ARGS_UNKNOWN_OPTION, ...); they never carry config values.
    return { ok: false, error: (error as Error).message };
  }
}
