// What a valid configuration still needs from the machine before the exporter can start on it: a state file it can
// open (or a directory it can create one in), listen addresses that exist here, and a Snowflake client for every
// account. `--check-config` runs these after validation, and so does SIGHUP before it replaces the running exporter,
// so a problem is reported (exit 2, or "keeping the running configuration") instead of ending a start half-way. Every
// problem names its setting; none quotes a secret.
//
// The start itself reports what could not be checked ahead (a port another process took since) the same way:
// startupProblem() turns those failures into a ConfigError naming the setting.
import { accessSync, constants, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { ConfigError, type ConfigProblem } from '../config/errors.ts';
import type { ExporterConfig, ListenAddress } from '../config/types.ts';
import { createAccountClient } from '../snowflake/account-client.ts';
import { LATEST_SCHEMA_VERSION } from '../state/migrations.ts';
import { redactText } from '../util/secret.ts';

export interface PrestartOptions {
  /** The configuration this process runs now (SIGHUP): what it holds (its addresses, its state file) is not probed. */
  readonly running?: ExporterConfig | undefined;
  /**
   * Also try the listen ports themselves, not only the hosts (SIGHUP: a port the new configuration moves to must be
   * free). --check-config and a first start leave the ports alone: a running exporter may hold them, and the start
   * reports a taken port itself.
   */
  readonly probePorts?: boolean | undefined;
}

/** Every problem found, in setting order; empty when the exporter can start on `config`. */
export async function prestartProblems(config: ExporterConfig, options: PrestartOptions = {}): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  const statePath = config.state.path;
  if (statePath !== options.running?.state.path) {
    const message = stateFileProblem(statePath);
    if (message !== undefined) problems.push({ path: 'state.path', message });
  }
  for (const { path, address } of listeners(config)) {
    // The running exporter listens there already: that address works.
    if (options.running !== undefined && listeners(options.running).some((other) => sameAddress(other.address, address))) continue;
    // With port 0 only the host is tried: it must resolve and be an address of this machine.
    const port = options.probePorts === true ? address.port : 0;
    const message = await listenProblem(address, port);
    if (message !== undefined) problems.push({ path, message });
  }
  problems.push(...(await clientProblems(config)));
  return problems;
}

/** Throws one ConfigError listing every problem prestartProblems finds. */
export async function checkBeforeStart(config: ExporterConfig, options: PrestartOptions = {}): Promise<void> {
  const problems = await prestartProblems(config, options);
  if (problems.length > 0) throw new ConfigError(problems, config.sourcePath);
}

/** A failure of one start step that a setting names: a ConfigError at that setting (the caller exits 2). */
export function startupProblem(path: string, error: unknown, config: ExporterConfig): ConfigError {
  const message = error instanceof Error ? error.message : 'unknown error';
  return new ConfigError([{ path, message: redactText(message, secretTexts(config)) }], config.sourcePath);
}

/** The HTTP listeners the exporter opens: the main one, and the onboarding one when the consent routes have their own. */
function listeners(config: ExporterConfig): { path: string; address: ListenAddress }[] {
  const result = [{ path: 'server.listen', address: config.server.listen }];
  const onboarding = config.server.onboarding;
  const oauth = config.accounts.some((account) => account.auth.method === 'oauth');
  if (onboarding?.listen !== undefined && onboarding.enabled && oauth) result.push({ path: 'server.onboarding.listen', address: onboarding.listen });
  return result;
}

function sameAddress(a: ListenAddress, b: ListenAddress): boolean {
  return a.host === b.host && a.port === b.port;
}

/** Binds `host:port` for a moment (port 0: any free port, which tries only the host). */
async function listenProblem(address: ListenAddress, port: number): Promise<string | undefined> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: address.host, port }, () => resolve());
    });
    return undefined;
  } catch (error) {
    return describeListenError(address, port, (error as NodeJS.ErrnoException | null)?.code);
  } finally {
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  }
}

function describeListenError(address: ListenAddress, port: number, code: string | undefined): string {
  const where = port === 0 ? address.host : `${address.host}:${port}`;
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `cannot listen on ${where}: the host name does not resolve here (${code})`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: not an address of this machine (${code}); 0.0.0.0 listens on every address`;
    case 'EADDRINUSE':
      return `cannot listen on ${where}: another process holds the address (${code})`;
    case 'EACCES':
    case 'EPERM':
      return `cannot listen on ${where}: the port needs privileges this process lacks (${code}); use a port above 1023`;
    default:
      return `cannot listen on ${where} (${code ?? 'unknown error'})`;
  }
}

/**
 * The state file: an existing one must be a file this process can write, in a directory it can write (SQLite keeps
 * its -wal and -shm files beside it), and not a database of a newer exporter; a missing one must be creatable.
 */
function stateFileProblem(path: string): string | undefined {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return creatableProblem(path);
    return `cannot read ${path} (${code ?? 'unknown error'})`;
  }
  if (!stats.isFile()) return `${path} is not a regular file`;
  if (!accessible(path, constants.R_OK | constants.W_OK)) return `${path} cannot be read and written by this process (permission denied)`;
  const directory = dirname(path);
  if (!accessible(directory, constants.W_OK | constants.X_OK)) {
    return `the directory ${directory} cannot be written by this process, and SQLite keeps its -wal and -shm files there`;
  }
  return stats.size === 0 ? undefined : schemaProblem(path);
}

/** A file not there yet: the nearest existing ancestor must be a directory this process can create entries in. */
function creatableProblem(path: string): string | undefined {
  let directory = dirname(path);
  for (;;) {
    try {
      if (!statSync(directory).isDirectory()) return `cannot create ${path}: ${directory} is not a directory`;
      break;
    } catch {
      const parent = dirname(directory);
      if (parent === directory) return `cannot create ${path}: no directory of its path exists`;
      directory = parent;
    }
  }
  if (!accessible(directory, constants.W_OK | constants.X_OK)) {
    return `cannot create ${path}: ${directory} cannot be written by this process (permission denied)`;
  }
  return undefined;
}

/**
 * Reads the schema version without touching the file: `immutable=1` opens it with no lock and no -wal or -shm file,
 * which a check run by another user (root, say) must never leave behind for the exporter to trip over.
 */
function schemaProblem(path: string): string | undefined {
  const url = pathToFileURL(path);
  url.searchParams.set('immutable', '1');
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(url, { readOnly: true });
    const table = db.prepare("SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
    if (table === undefined) return undefined;
    const version = Number(db.prepare('SELECT coalesce(max(version), 0) AS v FROM schema_version').get()?.v ?? 0);
    if (version > LATEST_SCHEMA_VERSION) {
      return `${path} was written by a newer exporter (schema version ${version}, this one knows up to ${LATEST_SCHEMA_VERSION}); use that version or a fresh state file`;
    }
    return undefined;
  } catch (error) {
    // SQLITE_NOTADB (26): not a database at all. Anything else (a write in progress, say) is left to the start.
    if ((error as { errcode?: unknown }).errcode === 26) return `${path} is not an SQLite database; is state.path the right file?`;
    return undefined;
  } finally {
    db?.close();
  }
}

function accessible(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** Builds each account's token source and SQL API client as the start does (no request is sent), then closes it. */
async function clientProblems(config: ExporterConfig): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  const secrets = secretTexts(config);
  for (const [index, account] of config.accounts.entries()) {
    try {
      await createAccountClient(account).close();
    } catch (error) {
      const detail = error instanceof Error ? error.message : 'unknown error';
      problems.push({ path: `accounts[${index}]`, message: `cannot be set up: ${redactText(detail, secrets)}` });
    }
  }
  return problems;
}

function secretTexts(config: ExporterConfig): string[] {
  const texts: string[] = [];
  for (const account of config.accounts) {
    const auth = account.auth;
    if (auth.method === 'keypair') texts.push(auth.privateKey.reveal(), ...(auth.passphrase === undefined ? [] : [auth.passphrase.reveal()]));
    if (auth.method === 'pat') texts.push(auth.token.reveal());
    if (auth.method === 'oauth') texts.push(auth.clientSecret.reveal());
  }
  if (config.state.encryptionKey !== undefined) texts.push(config.state.encryptionKey.reveal());
  for (const key of config.state.previousEncryptionKeys ?? []) texts.push(key.reveal());
  for (const header of Object.values(config.otlp?.headers ?? {})) texts.push(header.reveal());
  return texts;
}
