// Which process holds the lock on a state file, for the message that refuses a second exporter. The lock itself is
// SQLite's (an fcntl lock the kernel drops when its process dies, kill -9 included), so there is no lock file that
// could outlive a crash. Linux lists every such lock in /proc/locks with the holder's pid (as seen from this pid
// namespace; 0 or absent when the holder is in another container or on another host, e.g. over NFS). Best effort:
// anything unreadable means "unknown".
import { readFileSync, statSync } from 'node:fs';

/** The pids holding a POSIX lock on the file at `path` (this process's own included), from /proc/locks. */
export function lockHolders(path: string, procLocks = '/proc/locks'): number[] {
  let device: { major: number; minor: number; inode: bigint };
  let table: string;
  try {
    const stats = statSync(path, { bigint: true });
    device = { ...splitDevice(stats.dev), inode: stats.ino };
    table = readFileSync(procLocks, 'utf8');
  } catch {
    return [];
  }
  const pids = new Set<number>();
  for (const line of table.split('\n')) {
    // "1: POSIX  ADVISORY  WRITE 4242 fe:00:2228948 1073741826 1073742335"; waiters are listed as "1: -> POSIX ...".
    const fields = line.trim().split(/\s+/);
    if (fields[1] !== 'POSIX') continue;
    const pid = Number(fields[4]);
    const where = /^([0-9a-f]+):([0-9a-f]+):(\d+)$/i.exec(fields[5] ?? '');
    if (where === null || !Number.isInteger(pid) || pid <= 0) continue;
    const [, major = '', minor = '', inode = ''] = where;
    if (Number.parseInt(major, 16) === device.major && Number.parseInt(minor, 16) === device.minor && BigInt(inode) === device.inode) pids.add(pid);
  }
  return [...pids];
}

/** Linux's st_dev encoding (glibc's gnu_dev_major / gnu_dev_minor). */
function splitDevice(dev: bigint): { major: number; minor: number } {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}
