// Which accounts this process watches when several replicas share a fleet. The assignment is a pure function of the
// account's name and the shard count, so every replica computes the same partition without talking to the others,
// and no account is ever polled by two replicas (or by none). sha256 rather than a simple string hash so that
// similar names (prod-1, prod-2 ...) spread evenly.
import { createHash } from 'node:crypto';
import type { AccountConfig, ExporterConfig } from './types.ts';

/** The shard (0 .. shards-1) an account name belongs to. */
export function shardOf(accountName: string, shards: number): number {
  if (!Number.isSafeInteger(shards) || shards < 1) throw new RangeError(`shards must be a whole number >= 1, got ${shards}`);
  return createHash('sha256').update(accountName, 'utf8').digest().readUInt32BE(0) % shards;
}

/** The configuration this process runs: the same, with only its shard's accounts (all of them without sharding). */
export function forThisShard(config: ExporterConfig): ExporterConfig {
  if (config.sharding === undefined || config.sharding.shards === 1) return config;
  const { shards, index } = config.sharding;
  const accounts: readonly AccountConfig[] = config.accounts.filter((account) => shardOf(account.name, shards) === index);
  return { ...config, accounts };
}
