// Configuration problems are collected, never thrown one at a time: an operator fixing a config file wants the whole
// list in one go. ConfigError carries that list; each problem names the setting by its path and, where known, the
// line in the file or the environment variable the value came from.

export interface ConfigProblem {
  /** Where the setting is, e.g. `accounts[1].auth.privateKey` (empty for the file as a whole). */
  readonly path: string;
  /** What is wrong and, where possible, how to fix it. Never contains a secret value. */
  readonly message: string;
  /** 1-based line in the configuration file, when the value came from the file. */
  readonly line?: number;
  /** The environment variable that set the value, when it came from an override. */
  readonly envVar?: string;
}

export type ConfigErrorCode = 'ERR_CONFIG_INVALID' | 'ERR_CONFIG_UNREADABLE';

export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  readonly problems: readonly ConfigProblem[];
  /** The configuration file the problems refer to, if any. */
  readonly file: string | undefined;

  constructor(problems: readonly ConfigProblem[], file?: string, code: ConfigErrorCode = 'ERR_CONFIG_INVALID') {
    super(formatProblems(problems, file));
    this.name = 'ConfigError';
    this.code = code;
    this.problems = problems;
    this.file = file;
  }
}

/** One line per problem: `path (line N): message`, under a heading that counts them. */
export function formatProblems(problems: readonly ConfigProblem[], file?: string): string {
  const where = file === undefined ? 'configuration' : `configuration ${file}`;
  const heading =
    problems.length === 1 ? `${where} has 1 problem:` : `${where} has ${problems.length} problems:`;
  return [heading, ...problems.map((problem) => `  - ${formatProblem(problem)}`)].join('\n');
}

export function formatProblem(problem: ConfigProblem): string {
  const origin =
    problem.envVar !== undefined ? ` (from ${problem.envVar})` : problem.line !== undefined ? ` (line ${problem.line})` : '';
  const subject = problem.path === '' ? `(file)${origin}` : `${problem.path}${origin}`;
  return `${subject}: ${problem.message}`;
}

/** `['accounts', 1, 'auth']` -> `accounts[1].auth`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}
