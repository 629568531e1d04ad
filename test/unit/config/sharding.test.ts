// Sharding: every account is watched by exactly one replica, the partition is the same on every replica, the index
// can come from the environment (a StatefulSet ordinal), and a replica whose shard is empty still serves.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError, loadConfigFromText } from '../../../src/config/index.ts';
import { forThisShard, shardOf } from '../../../src/config/sharding.ts';
import { startExporter } from '../../../src/runtime/exporter.ts';

const dir = mkdtempSync(join(tmpdir(), 'sre-shard-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function configText(names: readonly string[], sharding = ''): string {
  return [
    'server: { listen: "127.0.0.1:0" }',
    `state: { path: ${JSON.stringify(join(dir, `state-${Math.random().toString(36).slice(2)}.db`))} }`,
    sharding,
    'accounts:',
    ...names.map((name) => `  - { name: ${name}, account: xy12345, endpoint: "http://127.0.0.1:9", role: R, warehouse: W, auth: { method: pat, token: "env:PAT" } }`),
  ].join('\n');
}

const load = (text: string, env: Record<string, string> = {}) =>
  loadConfigFromText(text, { sourcePath: join(dir, 'config.yaml'), env: { PAT: 'pat-value', ...env }, cwd: dir }).config;

describe('sharding', () => {
  test('every account lands in exactly one shard, the same on every call, spread over all shards', () => {
    const names = Array.from({ length: 300 }, (_, i) => `account-${i}`);
    for (const shards of [1, 2, 3, 7]) {
      const counts = new Array<number>(shards).fill(0);
      for (const name of names) {
        const shard = shardOf(name, shards);
        assert.equal(shardOf(name, shards), shard);
        assert.ok(shard >= 0 && shard < shards);
        counts[shard]!++;
      }
      // 300 names over up to 7 shards: each gets a share, none more than twice the even split.
      for (const count of counts) assert.ok(count > 0 && count < (2 * names.length) / shards, `${shards} shards: ${counts.join(',')}`);
    }
    assert.throws(() => shardOf('a', 0), /shards must be a whole number >= 1/);
  });

  test('forThisShard keeps exactly the shard\'s accounts; the union over all indexes is every account once', () => {
    const names = ['prod', 'staging', 'finance', 'marketing', 'eu-prod', 'us-prod'];
    const seen: string[] = [];
    for (let index = 0; index < 3; index++) {
      const config = load(configText(names, `sharding: { shards: 3, index: ${index} }`));
      assert.deepEqual(config.sharding, { shards: 3, index });
      const mine = forThisShard(config).accounts.map((account) => account.name);
      for (const name of mine) assert.equal(shardOf(name, 3), index);
      seen.push(...mine);
    }
    assert.deepEqual(seen.sort(), [...names].sort());
    const unsharded = load(configText(names));
    assert.equal(unsharded.sharding, undefined);
    assert.equal(forThisShard(unsharded), unsharded);
  });

  test('the index comes from the environment (a StatefulSet ordinal); an index outside the shards is a configuration error', () => {
    const config = load(configText(['a', 'b']), { SNOWFLAKE_RISK_EXPORTER_SHARDING__SHARDS: '4', SNOWFLAKE_RISK_EXPORTER_SHARDING__INDEX: '3' });
    assert.deepEqual(config.sharding, { shards: 4, index: 3 });
    assert.throws(
      () => load(configText(['a']), { SNOWFLAKE_RISK_EXPORTER_SHARDING__SHARDS: '2', SNOWFLAKE_RISK_EXPORTER_SHARDING__INDEX: '2' }),
      (error: unknown) => error instanceof ConfigError && /sharding\.index/.test(error.message) && /index must be below shards/.test(error.message),
    );
  });

  test('each replica serves metrics for its own accounts only, and a replica with an empty shard still serves', async () => {
    const names = ['prod', 'staging', 'finance'];
    const served: string[] = [];
    let emptyShardSeen = false;
    for (let index = 0; index < 4; index++) {
      const logged: string[] = [];
      const exporter = await startExporter(load(configText(names, `sharding: { shards: 4, index: ${index} }`)), { schedule: false, log: (_level, message) => logged.push(message) });
      try {
        const body = await (await fetch(new URL('/metrics', exporter.url))).text();
        const accounts = [...body.matchAll(/snowflake_risk_up\{account="([^"]+)"\}/g)].map((match) => match[1]!);
        served.push(...accounts);
        if (accounts.length === 0) emptyShardSeen = true;
        assert.ok(logged.some((line) => line.startsWith(`shard ${index} of 4: watching ${accounts.length} of 3 accounts`)), logged.join('\n'));
        assert.equal((await fetch(new URL('/healthz', exporter.url))).status, 200);
      } finally {
        await exporter.close();
      }
    }
    assert.deepEqual(served.sort(), [...names].sort(), 'every account served by exactly one replica');
    assert.ok(emptyShardSeen, 'three accounts over four shards leave one empty');
  });
});
