// Loading: read the file, parse YAML (keeping line numbers), apply environment overrides, validate, and either
// return the resolved configuration or throw one ConfigError listing every problem with its path and origin.
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { applyEnvOverrides, type AppliedOverride } from './env-overrides.ts';
import { ConfigError, formatPath, type ConfigProblem } from './errors.ts';
import { createConfigSchema } from './schema.ts';
import type { PathSegment } from './schema-walk.ts';
import type { ExporterConfig } from './types.ts';
import { validateConfigDocument, type PathProblem } from './validate.ts';

/** A configuration file is a page of YAML; anything this large is the wrong file. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_ALIAS_COUNT = 100;

export interface LoadConfigOptions {
  /** Path of the YAML file (relative paths start at `cwd`). */
  readonly path: string;
  /** Environment for overrides and `env:` references; pass process.env in production, a literal in tests. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Working directory for the file path and built-in relative defaults. Defaults to process.cwd(). */
  readonly cwd?: string;
}

export interface LoadedConfig {
  readonly config: ExporterConfig;
  /** Things worth fixing that do not stop the exporter (e.g. a group-readable key file). */
  readonly warnings: readonly ConfigProblem[];
  /**
   * Kubernetes service-link variables (SNOWFLAKE_RISK_EXPORTER_SERVICE_HOST, ..._PORT_9975_TCP, ...) that were skipped
   * instead of refused as unknown overrides. Names only: their values are never repeated.
   */
  readonly ignoredServiceLinks: readonly string[];
}

/** Loads and validates; throws ConfigError (every problem at once) when anything is wrong. */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const sourcePath = resolve(cwd, options.path);
  let text: string;
  try {
    const stats = statSync(sourcePath);
    if (!stats.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOTFILE' });
    if (stats.size > MAX_CONFIG_BYTES) {
      throw new ConfigError([{ path: '', message: `the file is larger than ${MAX_CONFIG_BYTES} bytes` }], sourcePath);
    }
    text = readFileSync(sourcePath, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const message = `cannot read the configuration file: ${describeReadError(error)}`;
    throw new ConfigError([{ path: '', message }], sourcePath, 'ERR_CONFIG_UNREADABLE');
  }
  return loadConfigFromText(text, { sourcePath, env: options.env, cwd });
}

export interface LoadFromTextOptions {
  /** Absolute path the text came from: relative paths inside start at its directory. */
  readonly sourcePath: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export function loadConfigFromText(text: string, options: LoadFromTextOptions): LoadedConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    // Only yaml's one-line reason and our own line/column: its pretty form quotes the source line, which might hold a
    // secret written inline by mistake.
    const problems = document.errors.map((error): ConfigProblem => {
      const position = lineCounter.linePos(error.pos[0]);
      return { path: '', line: position.line, message: `YAML syntax error at column ${position.col}: ${firstLine(error.message)}` };
    });
    throw new ConfigError(problems, options.sourcePath);
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new ConfigError([{ path: '', message: `YAML could not be read: ${firstLine((error as Error).message)}` }], options.sourcePath);
  }
  if (data === null || data === undefined) data = {};

  const overrides = applyEnvOverrides(data, options.env, createConfigSchema({ customDetectionIds: new Set() }));
  const result = validateConfigDocument(overrides.document, {
    env: options.env,
    baseDir: dirname(options.sourcePath),
    cwd: options.cwd,
    sourcePath: options.sourcePath,
  });
  const locate = (problem: PathProblem): ConfigProblem => annotate(problem, document, lineCounter, overrides.applied);
  const problems: ConfigProblem[] = [
    ...overrides.problems.map((problem) => ({ path: formatPath(problem.path), envVar: problem.envVar, message: problem.message })),
    // In file order, so the list reads top to bottom next to the file.
    ...result.problems.map(locate).sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
  ];
  if (problems.length > 0 || result.config === undefined) {
    throw new ConfigError(problems.length > 0 ? problems : [{ path: '', message: 'invalid configuration' }], options.sourcePath);
  }
  return { config: result.config, warnings: result.warnings.map(locate), ignoredServiceLinks: overrides.ignoredServiceLinks };
}

function annotate(problem: PathProblem, document: Document, lineCounter: LineCounter, applied: readonly AppliedOverride[]): ConfigProblem {
  const path = formatPath(problem.path);
  // The most specific override that covers this path set the value, whatever the file says.
  let override: AppliedOverride | undefined;
  for (const candidate of applied) {
    if (isPrefix(candidate.path, problem.path) && (override === undefined || candidate.path.length > override.path.length)) {
      override = candidate;
    }
  }
  if (override !== undefined) return { path, envVar: override.envVar, message: problem.message };
  const line = lineOf(document, lineCounter, problem.path);
  return line === undefined ? { path, message: problem.message } : { path, line, message: problem.message };
}

function isPrefix(prefix: readonly PathSegment[], path: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => segment === path[index]);
}

/** Line of the deepest node on `path` that exists in the file (the parent's line for a missing key). */
function lineOf(document: Document, lineCounter: LineCounter, path: readonly PathSegment[]): number | undefined {
  let node: unknown = document.contents;
  let line: number | undefined;
  const lineAt = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;
  const startOf = (value: unknown): number | undefined =>
    (value as { range?: [number, number, number] } | null)?.range?.[0];
  line = lineAt(startOf(node));
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === segment);
      if (pair === undefined) return line;
      line = lineAt(startOf(pair.key)) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (item === undefined) return line;
      line = lineAt(startOf(item)) ?? line;
      node = item;
    } else {
      return line;
    }
  }
  return line;
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTFILE' || code === 'EISDIR') return 'not a regular file';
  return code ?? 'unknown error';
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').trim();
}
