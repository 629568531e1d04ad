// Splits a finished result into partitions the way the real service does: the first partition is small (about
// 100 KB of row text) and later ones grow, so that a client sees the first rows quickly (recording 055: 2063, 4682,
// 9404 and 3851 rows). The plan is made once, by streaming the result through, and records only offsets and sizes:
// rows are read again from the engine when a partition is served, so a million-row result never sits in this heap.
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import type { StatementResult } from '../engine/types.ts';
import { encodeRow, partitionBody } from './wire-json.ts';

const gzipAsync = promisify(gzip);

export interface PartitionEntry {
  offset: number;
  rowCount: number;
  /** UTF-8 bytes of the partition as `{"data":[...]}`; 0 for an empty result (recordings 023, 055, 058). */
  uncompressedSize: number;
  /** Bytes of the gzip body served for it; present only when there is more than one partition, as in 055. */
  compressedSize?: number;
}

export interface PartitionPolicy {
  /** Fixed rows per partition (tests); when absent, partitions grow from firstPartitionBytes, doubling. */
  partitionRows?: number;
  firstPartitionBytes: number;
  maxPartitionBytes: number;
}

export const DEFAULT_PARTITION_POLICY: PartitionPolicy = { firstPartitionBytes: 100_000, maxPartitionBytes: 10_000_000 };

const READ_CHUNK_ROWS = 4096;
// `{"data":[` + `]}`: the envelope bytes a partition body adds around its rows.
const WRAPPER_BYTES = 11;

/** gzip as served for partitions; the fastest level, since the emulator is CPU-bound when serving large results. */
export function gzipPartition(text: string): Promise<Buffer> {
  return gzipAsync(text, { level: constants.Z_BEST_SPEED });
}

export async function planPartitions(result: StatementResult, policy: PartitionPolicy): Promise<PartitionEntry[]> {
  const total = result.rowCount;
  if (total === 0) return [{ offset: 0, rowCount: 0, uncompressedSize: 0 }];
  const entries: PartitionEntry[] = [];
  let current: string[] = [];
  let currentBytes = WRAPPER_BYTES;
  let partitionStart = 0;

  const targetBytes = (index: number): number =>
    Math.min(policy.firstPartitionBytes * 2 ** Math.min(index, 40), policy.maxPartitionBytes);

  const close = async (end: number): Promise<void> => {
    const entry: PartitionEntry = { offset: partitionStart, rowCount: current.length, uncompressedSize: currentBytes };
    const onlyOne = partitionStart === 0 && end === total;
    if (!onlyOne) entry.compressedSize = (await gzipPartition(partitionBody(current))).length;
    entries.push(entry);
    partitionStart = end;
    current = [];
    currentBytes = WRAPPER_BYTES;
  };

  for (let offset = 0; offset < total; ) {
    const rows = await result.readRows(offset, Math.min(READ_CHUNK_ROWS, total - offset));
    if (rows.length === 0) break; // the engine reported fewer rows than rowCount: plan what exists
    for (const row of rows) {
      const text = encodeRow(row);
      const bytes = Buffer.byteLength(text) + (current.length > 0 ? 2 : 0);
      const full =
        policy.partitionRows !== undefined
          ? current.length >= policy.partitionRows
          : current.length > 0 && currentBytes + bytes > targetBytes(entries.length);
      if (full) await close(offset);
      current.push(text);
      currentBytes += Buffer.byteLength(text) + (current.length > 1 ? 2 : 0);
      offset += 1;
    }
    if (offset >= total) break;
  }
  if (current.length > 0) await close(partitionStart + current.length);
  return entries;
}

/** The encoded rows of one planned partition, read back from the engine. */
export async function readPartitionRows(result: StatementResult, entry: PartitionEntry): Promise<string[]> {
  const out: string[] = [];
  for (let offset = entry.offset; offset < entry.offset + entry.rowCount; ) {
    const want = Math.min(READ_CHUNK_ROWS * 4, entry.offset + entry.rowCount - offset);
    const rows = await result.readRows(offset, want);
    if (rows.length === 0) break;
    for (const row of rows) out.push(encodeRow(row));
    offset += rows.length;
  }
  return out;
}
