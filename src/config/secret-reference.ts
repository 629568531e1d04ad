// Secrets in the configuration are references, never values: `env:NAME` reads an environment variable, `file:PATH`
// reads a file (relative paths are relative to the configuration file's directory). A config file can then be
// committed, printed and diffed without leaking anything, and the values live where the platform keeps secrets
// (Kubernetes Secrets, a vault agent's files, systemd credentials).
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { Secret } from '../util/secret.ts';

export type SecretReference = { readonly kind: 'env'; readonly name: string } | { readonly kind: 'file'; readonly path: string };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Secret files hold a key or a token; anything larger is a mistake (wrong file), not a credential. */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

export const SECRET_REFERENCE_HINT =
  'write a reference instead: "env:VARIABLE_NAME" (an environment variable) or "file:/path/to/file" ' +
  '(a file; relative paths start at the configuration file\'s directory)';

/** Parses `env:NAME` / `file:PATH`. The error messages never repeat the value: it may be the secret itself. */
export function parseSecretReference(value: string): SecretReference | { readonly error: string } {
  if (value.startsWith('env:')) {
    const name = value.slice(4);
    if (!ENV_NAME.test(name)) {
      return { error: 'an env: reference needs a variable name made of letters, digits and "_" (e.g. env:SNOWFLAKE_PAT)' };
    }
    return { kind: 'env', name };
  }
  if (value.startsWith('file:')) {
    const path = value.slice(5);
    if (path.trim() === '') return { error: 'a file: reference needs a path (e.g. file:/secrets/rsa_key.p8)' };
    if (path.includes('\0')) return { error: 'a file: reference path must not contain NUL characters' };
    return { kind: 'file', path };
  }
  return { error: `secrets cannot be written inline; ${SECRET_REFERENCE_HINT}` };
}

export interface SecretResolutionContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory that relative `file:` paths start from (the configuration file's directory). */
  readonly baseDir: string;
}

export type SecretResolution =
  | { readonly ok: true; readonly secret: Secret; readonly warning?: string }
  | { readonly ok: false; readonly error: string };

/** Reads the referenced value. Messages name the variable or path, never the content. */
export function resolveSecretReference(reference: SecretReference, context: SecretResolutionContext): SecretResolution {
  if (reference.kind === 'env') {
    const value = context.env[reference.name];
    if (value === undefined) return { ok: false, error: `environment variable ${reference.name} is not set` };
    if (value === '') return { ok: false, error: `environment variable ${reference.name} is empty` };
    return { ok: true, secret: new Secret(value, `env:${reference.name}`) };
  }
  const path = isAbsolute(reference.path) ? reference.path : resolve(context.baseDir, reference.path);
  const source = `file:${path}`;
  let mode: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) return { ok: false, error: `${path} is not a regular file` };
    if (stats.size > MAX_SECRET_FILE_BYTES) {
      return { ok: false, error: `${path} is larger than ${MAX_SECRET_FILE_BYTES} bytes; is it the right file?` };
    }
    mode = stats.mode;
  } catch (error) {
    return { ok: false, error: `cannot read ${path}: ${describeFsError(error)}` };
  }
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    return { ok: false, error: `cannot read ${path}: ${describeFsError(error)}` };
  }
  // Editors and `echo` add one final newline; keys and tokens never end with one.
  if (content.endsWith('\r\n')) content = content.slice(0, -2);
  else if (content.endsWith('\n')) content = content.slice(0, -1);
  if (content === '') return { ok: false, error: `${path} is empty` };
  const secret = new Secret(content, source);
  // Group/world-readable secret files are a warning, not an error: Kubernetes mounts Secrets 0644 unless told
  // otherwise, and refusing to start there would push people to worse workarounds.
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0');
    return {
      ok: true,
      secret,
      warning: `${path} is readable by group or others (mode ${octal}); restrict it, e.g. chmod 600 (Kubernetes: defaultMode: 0400)`,
    };
  }
  return { ok: true, secret };
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a parent is not a directory';
    default:
      return code ?? 'unknown error';
  }
}
