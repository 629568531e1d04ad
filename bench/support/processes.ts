// Child processes for the benchmarks that measure the exporter as it runs in production (`src/main.ts --config`):
// the emulator (bench/support/emulator-child.ts), an OTLP collector stand-in that acknowledges every request, and
// the exporter itself, whose memory is read from /proc/<pid>/status (VmRSS, VmHWM: what the kernel charges the
// process, so the figure includes the Node.js binary's pages, native allocations and the V8 heap alike).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEMO_PAT_SECRET } from '../../emulator/index.ts';
import { parseExposition, type Sample } from '../../test/helpers/exporter-harness.ts';
import type { EmulatorChildOptions, EmulatorChildReady } from './emulator-child.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** Reads the first line a child prints on stdout (its "ready" report), or fails with its stderr. */
function firstLine(child: ChildProcess, what: string, timeoutMs: number): Promise<string> {
  let stdout = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-4000)));
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      const end = stdout.indexOf('\n');
      if (end >= 0) {
        clearTimeout(timer);
        resolve(stdout.slice(0, end));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before it was ready: ${stderr}`));
    });
  });
}

async function stopChild(child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

export interface EmulatorProcess extends EmulatorChildReady {
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts the emulator child with `options` and waits until it serves (loading a million rows takes a minute). */
export async function startEmulatorProcess(options: EmulatorChildOptions): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [join(ROOT, 'bench/support/emulator-child.ts'), JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  try {
    const ready = JSON.parse(await firstLine(child, 'the emulator', 600_000)) as EmulatorChildReady;
    return { ...ready, pid: child.pid ?? 0, stop: () => stopChild(child) };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

export interface CollectorStandIn {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * An OTLP/HTTP collector stand-in in its own process: reads each request whole and answers 200 with an empty
 * response, as a collector that accepted it would. Decoding is left out on purpose: the exporter's own
 * `snowflake_risk_otlp_exported_records_total` says how many records were acknowledged.
 */
export async function startCollectorStandIn(): Promise<CollectorStandIn> {
  const script = `
    const http = require('node:http');
    const server = http.createServer((req, res) => {
      req.on('data', () => {});
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
    });
    server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
    process.stdin.on('close', () => process.exit(0)).resume();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  const port = await firstLine(child, 'the collector stand-in', 10_000);
  return { url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

export interface ProcessMemory {
  /** Resident set size now, MiB (VmRSS; /proc's kB are KiB). */
  readonly rssMb: number;
  /** Highest resident set size so far, MiB (VmHWM). */
  readonly peakMb: number;
  /** Private anonymous memory now, MiB (RssAnon): heap and native allocations, without the binary's file pages. */
  readonly anonMb: number;
}

export function memoryOf(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024, anonMb: kb('RssAnon') / 1024 };
}

export interface ExporterProcess {
  readonly pid: number;
  /** The exporter's HTTP base URL. */
  readonly url: URL;
  memory(): ProcessMemory;
  /** The current /metrics samples. */
  scrape(): Promise<Sample[]>;
  /** Sum of the samples named `name` whose labels include `labels`. */
  total(name: string, labels?: Readonly<Record<string, string>>): Promise<number>;
  /** Polls /metrics until `condition` holds; fails after `timeoutMs` with the exporter's last log lines. */
  waitFor(what: string, condition: (samples: Sample[]) => boolean, timeoutMs: number): Promise<void>;
  stderr(): string;
  stop(): Promise<void>;
}

export interface ExporterProcessOptions {
  /** The configuration file's text; `listen` 127.0.0.1:0 and log level info (the port is read from the log). */
  readonly configYaml: string;
  /** Where the configuration file is written. */
  readonly directory: string;
  /** The script node runs (default src/main.ts, the sources; the image runs dist/bin/snowflake-risk-exporter.js). */
  readonly entry?: string;
  /** Extra Node.js flags (e.g. V8 heap settings). */
  readonly nodeFlags?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** Starts `node <entry> --config <file>` (src/main.ts unless told) and waits until it serves. */
export async function startExporterProcess(options: ExporterProcessOptions): Promise<ExporterProcess> {
  const configPath = join(options.directory, 'config.yaml');
  writeFileSync(configPath, options.configYaml);
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), options.entry ?? join(ROOT, 'src/main.ts'), '--config', configPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Only what the exporter needs: no override from the shell running the benchmark.
    env: { PATH: process.env.PATH ?? '', DEMO_PAT: DEMO_PAT_SECRET, ...options.env },
  });
  let stderr = '';
  child.stdout?.resume();
  const listening = new Promise<URL>((resolve, reject) => {
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-20_000);
      const match = /listening on (http:\/\/[^\s"]+)/.exec(stderr);
      if (match?.[1] !== undefined) resolve(new URL(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the exporter exited (${code}) before it listened: ${stderr}`)));
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the exporter did not listen within 60 s: ${stderr}`)), 60_000);
  });
  let url: URL;
  try {
    url = await Promise.race([listening, timeout]);
  } catch (error) {
    child.kill('SIGKILL'); // never leave an exporter behind
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const pid = child.pid ?? 0;
  const scrape = async (): Promise<Sample[]> => {
    const response = await fetch(new URL('/metrics', url), { signal: AbortSignal.timeout(30_000) });
    return parseExposition(await response.text());
  };
  return {
    pid,
    url,
    memory: () => memoryOf(pid),
    scrape,
    total: async (name, labels) => totalOf(await scrape(), name, labels),
    async waitFor(what, condition, timeoutMs) {
      const giveUpAt = Date.now() + timeoutMs;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`the exporter exited while waiting for ${what}: ${stderr.slice(-2000)}`);
        if (condition(await scrape())) return;
        if (Date.now() > giveUpAt) throw new Error(`gave up waiting for ${what}: ${stderr.slice(-2000)}`);
        await sleep(250);
      }
    },
    stderr: () => stderr,
    stop: () => stopChild(child),
  };
}

/** Sum of the samples named `name` whose labels include `labels`. */
export function totalOf(samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>> = {}): number {
  return samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((total, sample) => total + sample.value, 0);
}
