// scripts/builtin-dynamic-imports.ts: a bundle whose code imports Node's built-ins dynamically (as the OpenTelemetry
// OTLP/HTTP exporter does with node:http and node:https) gets the same exports without loading Node's bundled undici.
// Each bundle is built with esbuild as scripts/build.ts builds the exporter (ESM, code splitting) and run in a process
// of its own, since the test runner itself may have loaded undici.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { build, type Plugin } from 'esbuild';
import { builtinDynamicImports } from '../../../scripts/builtin-dynamic-imports.ts';

const directory = mkdtempSync(join(tmpdir(), 'builtin-dynamic-imports-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const ENTRY = `
const http = process.getBuiltinModule('node:http');
const https = process.getBuiltinModule('node:https');
const { Agent, request } = await import('http');
const secure = await import('node:https');
process.stdout.write(JSON.stringify({
  namedExports: Agent === http.Agent && request === http.request && secure.Agent === https.Agent,
  defaultExport: secure.default === https,
  accessorThroughDefault: (await import('http')).default.globalAgent === http.globalAgent,
  nodeUndiciLoaded: process.moduleLoadList.some((name) => name.includes('internal/deps/undici')),
}));
`;

async function bundleAndRun(name: string, plugins: Plugin[]): Promise<{ output: Record<string, boolean>; code: string }> {
  const source = join(directory, `${name}.mjs`);
  const outdir = join(directory, `${name}-out`);
  writeFileSync(source, ENTRY);
  await build({ entryPoints: [source], outdir, bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node24', plugins, logLevel: 'silent' });
  const code = readdirSync(outdir).map((file) => readFileSync(join(outdir, file), 'utf8')).join('\n');
  const output = execFileSync(process.execPath, [join(outdir, `${name}.js`)], { encoding: 'utf8', timeout: 30_000 });
  return { output: JSON.parse(output) as Record<string, boolean>, code };
}

test('with the plugin, dynamic imports of built-ins give the same exports and leave Node\'s undici unloaded', async () => {
  const { output, code } = await bundleAndRun('with-plugin', [builtinDynamicImports]);
  assert.deepEqual(output, { namedExports: true, defaultExport: true, accessorThroughDefault: true, nodeUndiciLoaded: false });
  assert.doesNotMatch(code, /import\(\s*["'](node:)?https?["']\s*\)/);
});

test('without it, the same bundle loads Node\'s undici (what the plugin is for)', async () => {
  const { output } = await bundleAndRun('without-plugin', []);
  assert.equal(output.namedExports, true);
  assert.equal(output.nodeUndiciLoaded, true);
});
