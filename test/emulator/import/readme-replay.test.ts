// The README's "Trying it on your own data" stays true: linked from the first screen (whose two commands stay as they
// are), one COPY per view of emulator/schema.ts whose part files the importer maps back to that view, emulator options
// the CLI has, and an exporter configuration the config loader accepts.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { viewForFileName } from '../../../emulator/import/index.ts';
import { findView, VIEWS } from '../../../emulator/schema.ts';
import { loadConfigFromText } from '../../../src/config/index.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
const start = readme.indexOf('\n## Trying it on your own data\n');
const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
const temp = await mkdtemp(join(tmpdir(), 'readme-replay-'));
after(async () => {
  await rm(temp, { recursive: true, force: true });
});

/** The fenced code blocks of the section with the given info string, in order. */
function blocks(language: string): string[] {
  return [...section.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((match) => match[1] ?? '');
}

test('the first screen keeps its two commands and links the section', () => {
  assert.ok(start > 0, 'the section exists');
  const firstScreen = readme.slice(0, readme.indexOf('\n## '));
  assert.match(firstScreen, /```sh\nnpm install && npm start {5}# run the exporter\nnpm test {21}# typecheck, lint and every test\n```/);
  assert.match(firstScreen.replace(/\s+/g, ' '), /Where to go next: \[trying it on your own data\]\(#trying-it-on-your-own-data\)/);
});

test('one COPY per documented view, whose part files the importer reads as that view', () => {
  const sql = blocks('sql')[0] ?? '';
  const copies = [...sql.matchAll(/^COPY INTO @~\/risk-replay\/(\S+) FROM \(SELECT OBJECT_CONSTRUCT\(\*\) FROM SNOWFLAKE\.(\w+)\.(\w+)[^)]*\) FILE_FORMAT = \(TYPE = JSON\)/gm)];
  const exported = new Map(copies.map((match) => [`${match[2] ?? ''}.${match[3] ?? ''}`, match[1] ?? '']));
  assert.deepEqual([...exported.keys()].sort(), VIEWS.map((view) => `${view.schema}.${view.name}`).sort(), 'every view of emulator/schema.ts is exported');
  for (const [view, prefix] of exported) {
    const found = viewForFileName(`${prefix}_0_0_0.json.gz`);
    assert.equal(found === undefined ? undefined : `${found.schema}.${found.name}`, view, `${prefix}_0_0_0.json.gz`);
  }
  // A view cut to the replay window is cut on the column that decides when its rows show (the table's eventTimeColumn).
  const cuts = [...sql.matchAll(/FROM SNOWFLAKE\.(\w+)\.(\w+) WHERE (\w+) >= \$since\)/g)];
  assert.ok(cuts.length > 0);
  for (const [, schema = '', name = '', column] of cuts) assert.equal(column, findView(schema, name)?.eventTimeColumn, `${schema}.${name}`);
});

test('the emulator command uses options the CLI has', () => {
  const command = blocks('sh').find((block) => block.includes('npm run emulator')) ?? '';
  const options = [...command.matchAll(/(--[a-z-]+)/g)].map((match) => match[1] ?? '');
  assert.ok(options.includes('--import') && options.includes('--public-key'));
  const help = spawnSync(process.execPath, [join(ROOT, 'emulator/cli.ts'), '--help'], { encoding: 'utf8' }).stdout;
  for (const option of options) assert.ok(help.includes(`${option} `), `the CLI has no ${option}`);
  for (const option of section.matchAll(/`(--[a-z-]+)/g)) assert.ok(help.includes(`${option[1] ?? ''} `), `the CLI has no ${option[1] ?? ''}`);
});

test('the exporter configuration of the section loads', async () => {
  const yaml = blocks('yaml').find((block) => block.includes('server:')) ?? '';
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await writeFile(join(temp, 'rsa_key.p8'), privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const { config } = loadConfigFromText(yaml, { sourcePath: join(temp, 'replay.yaml'), env: {}, cwd: temp });
  const account = config.accounts[0];
  assert.equal(account?.identifier.jwtAccount, 'MYORG-PROD_ACCOUNT');
  assert.equal(account.baseUrl, 'http://127.0.0.1:8085');
  // The entry the emulator prints (the yaml block before it) is the same account, user, role and warehouse.
  const printed = blocks('yaml').find((block) => block.startsWith('accounts:')) ?? '';
  for (const line of printed.split('\n').filter((l) => /^\s+(account|endpoint|user|role|warehouse):/.test(l))) assert.ok(yaml.includes(line.trim()), line);
});
