// A file system that refuses a running process's writes, without mounting anything: RLIMIT_FSIZE, lowered on the
// live process with prlimit(1) (util-linux). The kernel then fails every write to a regular file at or past the limit
// with EFBIG (Node ignores SIGXFSZ, so the write fails instead of killing the process), exactly where a full disk
// fails it with ENOSPC or a read-only remount with EROFS: in the middle of SQLite's WAL append, on a file already open.
// chmod cannot do this (an open descriptor keeps its access, and root ignores modes anyway), and a small tmpfs needs
// a mount the test machine may not allow. Pipes and sockets are not regular files: stdout and HTTP keep working.
import { execFileSync } from 'node:child_process';

function prlimit(args: readonly string[]): string {
  try {
    return execFileSync('prlimit', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(`prlimit(1) from util-linux is needed to make the kernel refuse writes: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Makes the kernel refuse every write by process `pid` to a regular file at or beyond `bytes` (0: every write).
 * Returns the function that restores the limit it replaced.
 */
export function refuseFileWrites(pid: number, bytes = 0): () => void {
  const [soft = 'unlimited', hard = 'unlimited'] = prlimit(['--pid', String(pid), '--fsize', '--raw', '--noheadings', '--output=SOFT,HARD'])
    .trim()
    .split(/\s+/);
  prlimit(['--pid', String(pid), `--fsize=${bytes}:${hard}`]);
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    prlimit(['--pid', String(pid), `--fsize=${soft}:${hard}`]);
  };
}
