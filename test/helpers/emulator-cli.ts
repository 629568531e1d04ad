// `npm run emulator` as a child process, the way a person runs it: starts `node emulator/cli.ts ARGS`, waits for the
// "Ctrl-C to stop" line, and gives the printed text, the URL and the printed exporter configuration block. Stopped
// with SIGTERM (and killed if it does not stop).
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = join(ROOT, 'emulator/cli.ts');

export interface EmulatorCli {
  readonly url: string;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** The printed `accounts:` block, without the indentation the CLI adds. */
  readonly configLines: readonly string[];
  stop(): Promise<number | null>;
}

export function startEmulatorCli(args: readonly string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 120_000): Promise<EmulatorCli> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await closed;
    clearTimeout(timer);
    return code;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the emulator CLI did not start within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!stdout.includes('Ctrl-C to stop')) return;
      clearTimeout(timer);
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1] ?? '';
      const lines = stdout.split('\n');
      const start = lines.findIndex((line) => line.includes('exporter configuration for this emulator'));
      const end = lines.findIndex((line) => line.includes('Ctrl-C to stop'));
      const configLines = lines.slice(start + 1, end).map((line) => line.replace(/^ {4}/, ''));
      resolve({ url, stdout: () => stdout, stderr: () => stderr, configLines, stop });
    });
    child.on('error', reject);
    void closed.then((code) => {
      clearTimeout(timer);
      if (!stdout.includes('Ctrl-C to stop')) reject(new Error(`the emulator CLI exited with ${String(code)} before starting:\n${stdout}\n${stderr}`));
    });
  });
}
