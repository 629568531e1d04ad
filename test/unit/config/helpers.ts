// Shared helpers for configuration tests: each test writes its own files into a fresh temporary directory and passes
// an explicit environment, so nothing depends on process.env or on the order tests run in.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inspect } from 'node:util';
import { after } from 'node:test';
import { ConfigError, loadConfig, type ConfigProblem, type LoadedConfig } from '../../../src/config/index.ts';

const directories: string[] = [];
after(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

export function tempDir(): string {
  const directory = mkdtempSync(join(tmpdir(), 'sre-config-'));
  directories.push(directory);
  return directory;
}

export interface Scenario {
  /** Files relative to the temporary directory, with optional mode (default 0600). */
  readonly files?: Record<string, string | { content: string; mode: number }>;
  readonly env?: Record<string, string>;
}

/** Writes config.yaml (and any files) into a fresh directory and loads it. */
export function loadYaml(yaml: string, scenario: Scenario = {}): LoadedConfig & { dir: string } {
  const dir = writeScenario(yaml, scenario);
  return { ...loadConfig({ path: join(dir, 'config.yaml'), env: scenario.env ?? {}, cwd: dir }), dir };
}

export function writeScenario(yaml: string, scenario: Scenario = {}): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.yaml'), yaml);
  for (const [name, spec] of Object.entries(scenario.files ?? {})) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    const { content, mode } = typeof spec === 'string' ? { content: spec, mode: 0o600 } : spec;
    writeFileSync(path, content);
    chmodSync(path, mode);
  }
  return dir;
}

/** Loads and expects a ConfigError; returns it for assertions. */
export function loadYamlFails(yaml: string, scenario: Scenario = {}): ConfigError {
  try {
    loadYaml(yaml, scenario);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the configuration to be rejected');
}

/** The single problem at `path`; fails when there is none or more than one. */
export function problemAt(error: ConfigError, path: string): ConfigProblem {
  const matches = error.problems.filter((problem) => problem.path === path);
  assert.equal(matches.length, 1, `expected one problem at ${path}, got:\n${error.message}`);
  return matches[0] as ConfigProblem;
}

/** Every way a value could leak out of an error or a config object. */
export function allRenderings(value: unknown): string {
  return [
    value instanceof Error ? value.message : '',
    value instanceof Error ? String(value.stack) : '',
    JSON.stringify(value),
    inspect(value, { depth: Infinity, showHidden: true, getters: true }),
    value instanceof ConfigError ? JSON.stringify(value.problems) : '',
  ].join('\n');
}

/** A valid account block to build variations from. */
export const PAT_ACCOUNT = `
  - name: prod
    account: myorg-prod
    role: R
    warehouse: W
    auth: { method: pat, token: "env:TEST_PAT" }`;

export const PAT_ENV = { TEST_PAT: 'pat-value-0123456789' };
