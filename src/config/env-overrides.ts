// Environment overrides: SNOWFLAKE_RISK_EXPORTER_<PATH>=<YAML value>, with `__` between path segments. A segment
// matches a key by its upper-case or UPPER_SNAKE spelling (`SERVER__METRICS_PATH` and `SERVER__METRICSPATH` both set
// server.metricsPath) and list entries by index (`ACCOUNTS__0__ROLE`). Values are parsed as YAML, so `8`, `true`
// and `[a, b]` have their YAML types and a whole account can be given as a flow mapping.
//
// Paths are resolved against the schema, not the file, so a misspelt variable is an error rather than a setting that
// silently does nothing. SNOWFLAKE_RISK_EXPORTER_CONFIG (the file's path) is the one reserved name, and the variables
// Kubernetes injects for a Service named snowflake-risk-exporter(-...) are recognised and skipped (service-links.ts).
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { formatPath } from './errors.ts';
import { childSchema, objectKeys, type PathSegment } from './schema-walk.ts';
import { isServiceLinkVariable } from './service-links.ts';
import { closestMatch } from './suggest.ts';

export type { PathSegment };

export const ENV_PREFIX = 'SNOWFLAKE_RISK_EXPORTER_';
export const CONFIG_PATH_ENV = `${ENV_PREFIX}CONFIG`;
/** SVCNAME of the shipped Service (`snowflake-risk-exporter`) and of any Service named `snowflake-risk-exporter-...`. */
const SERVICE_LINK_PREFIX = ENV_PREFIX.slice(0, -1);
const RESERVED = new Set([CONFIG_PATH_ENV]);

export interface AppliedOverride {
  readonly envVar: string;
  readonly path: readonly PathSegment[];
}

export interface OverrideProblem {
  readonly envVar: string;
  readonly path: readonly PathSegment[];
  readonly message: string;
}

export interface OverrideResult {
  readonly document: unknown;
  readonly applied: readonly AppliedOverride[];
  readonly problems: readonly OverrideProblem[];
  /** Kubernetes service-link variables that name no setting and were skipped (names only: say so, never the values). */
  readonly ignoredServiceLinks: readonly string[];
}

/** Returns a copy of `document` with every override applied; the input is not modified. */
export function applyEnvOverrides(
  document: unknown,
  env: Readonly<Record<string, string | undefined>>,
  schema: z.ZodType,
): OverrideResult {
  const names = Object.keys(env)
    .filter((name) => name.startsWith(ENV_PREFIX) && !RESERVED.has(name))
    .sort();
  if (names.length === 0) return { document, applied: [], problems: [], ignoredServiceLinks: [] };
  let root: unknown = document === null || document === undefined ? {} : structuredClone(document);
  const applied: AppliedOverride[] = [];
  const problems: OverrideProblem[] = [];
  const ignoredServiceLinks: string[] = [];

  for (const envVar of names) {
    const raw = env[envVar] ?? '';
    const resolved = resolvePath(envVar.slice(ENV_PREFIX.length), schema);
    if ('error' in resolved) {
      // Only a name that is no setting can be a service link: a real setting is always an override.
      if (isServiceLinkVariable(envVar, raw, SERVICE_LINK_PREFIX)) {
        ignoredServiceLinks.push(envVar);
        continue;
      }
      problems.push({ envVar, path: resolved.path, message: resolved.error });
      continue;
    }
    const parsed = parseDocument(raw, { prettyErrors: false });
    if (parsed.errors.length > 0) {
      // The value is not repeated: it may be a secret put in the wrong place.
      problems.push({ envVar, path: resolved.path, message: 'the value is not valid YAML (quote it if it is text)' });
      continue;
    }
    const value: unknown = parsed.toJS();
    const outcome = setAt(root, resolved.path, value);
    if ('error' in outcome) {
      problems.push({ envVar, path: resolved.path, message: outcome.error });
      continue;
    }
    root = outcome.root;
    applied.push({ envVar, path: resolved.path });
  }
  return { document: root, applied, problems, ignoredServiceLinks };
}

type Resolution = { readonly path: PathSegment[] } | { readonly path: PathSegment[]; readonly error: string };

function resolvePath(spec: string, schema: z.ZodType): Resolution {
  const segments = spec.split('__');
  const path: PathSegment[] = [];
  let current: z.ZodType = schema;
  for (const segment of segments) {
    if (segment === '') return { path, error: 'empty path segment (use "__" only between names)' };
    const step = childSchema(current, segment, (key, s) => toEnvSpelling(key) === s || key.toUpperCase() === s);
    if (step === undefined) {
      const keys = objectKeys(current);
      const match = closestMatch(segment, keys.map(toEnvSpelling));
      const hint = match === undefined ? '' : ` (did you mean ${envVarFor(path)}${path.length === 0 ? '' : '__'}${match}?)`;
      const where = path.length === 0 ? 'at the top level' : `under ${formatDotted(path)}`;
      const detail = /^\d+$/.test(segment) ? `${segment} is not a list index ${where}` : `no setting ${segment} ${where}`;
      return {
        path,
        error:
          `${detail}${hint}; variables named ${ENV_PREFIX}* override settings ` +
          '(name secrets referenced with env: differently)',
      };
    }
    path.push(step.key);
    current = step.schema;
  }
  return { path };
}

/** `metricsPath` -> `METRICS_PATH`; `query_history` -> `QUERY_HISTORY`. */
export function toEnvSpelling(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** The variable that sets `path`, e.g. ['server', 'listen'] -> SNOWFLAKE_RISK_EXPORTER_SERVER__LISTEN. */
export function envVarFor(path: readonly PathSegment[]): string {
  return ENV_PREFIX + path.map((segment) => (typeof segment === 'number' ? String(segment) : toEnvSpelling(segment))).join('__');
}

function setAt(root: unknown, path: readonly PathSegment[], value: unknown): { root: unknown } | { error: string } {
  if (path.length === 0) return { root: value };
  if (!isContainer(root)) return { error: 'the configuration file is not a mapping' };
  let container: Record<string, unknown> | unknown[] = root;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] as PathSegment;
    const last = i === path.length - 1;
    if (typeof segment === 'number') {
      if (!Array.isArray(container) || segment >= container.length) {
        return {
          error:
            `${formatDotted(path.slice(0, i + 1))} does not exist in the file; overrides change existing list entries ` +
            `(set ${envVarFor(path.slice(0, i))} to a YAML list to replace the whole list)`,
        };
      }
      if (last) {
        container[segment] = value;
        break;
      }
      const next: unknown = container[segment];
      if (!isContainer(next)) return { error: `${formatDotted(path.slice(0, i + 1))} is not a mapping in the file` };
      container = next;
    } else {
      if (Array.isArray(container)) return { error: `${formatDotted(path.slice(0, i))} is a list, not a mapping` };
      if (last) {
        container[segment] = value;
        break;
      }
      let next: unknown = container[segment];
      if (next === undefined || next === null) {
        next = typeof path[i + 1] === 'number' ? [] : {};
        container[segment] = next;
      }
      if (!isContainer(next)) return { error: `${formatDotted(path.slice(0, i + 1))} is not a mapping in the file` };
      container = next;
    }
  }
  return { root };
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

function formatDotted(path: readonly PathSegment[]): string {
  return path.length === 0 ? '(top level)' : formatPath(path);
}
