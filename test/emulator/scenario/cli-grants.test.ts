// `node emulator/cli.ts --grant ROLE=GRANT`: the demo role starts with the README's least-privilege grants, --grant
// adds to them (checked end to end through the SQL API with the demo programmatic access token), and a grant that
// cannot be read exits 2 naming it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { request } from 'undici';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CLI = join(ROOT, 'emulator/cli.ts');
const SMALL = ['--port', '0', '--days', '2', '--queries-per-day', '50', '--seed', 'grants', '--now', '2026-11-20T12:00:00Z'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; once it prints its URL, `use(url)` runs and the process is stopped with SIGTERM. */
function cli(args: string[], use?: (url: string) => Promise<void>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let started = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the emulator did not start within 60 s:\n${stdout}\n${stderr}`));
    }, 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (use !== undefined && match && !started && stdout.includes('Ctrl-C')) {
        started = true;
        use(match[1] as string).then(
          () => child.kill('SIGTERM'),
          (error: unknown) => {
            child.kill('SIGKILL');
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** SHOW SHARES as the demo role (the demo PAT is restricted to it): the share names it lists. */
async function sharesShown(url: string): Promise<string[]> {
  const response = await request(`${url}/api/v2/statements`, {
    method: 'POST',
    headers: {
      authorization: 'Bearer demo-programmatic-access-token',
      'x-snowflake-authorization-token-type': 'PROGRAMMATIC_ACCESS_TOKEN',
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': 'cli-grants-test/1.0',
    },
    body: JSON.stringify({ statement: 'SHOW SHARES' }),
  });
  const body = (await response.body.json()) as { data?: string[][]; message?: string };
  assert.equal(response.statusCode, 200, JSON.stringify(body));
  return (body.data ?? []).map((row) => row[3] ?? '');
}

test('the demo role holds least privilege (SHOW SHARES lists nothing); --grant adds to it (ROLE ACCOUNTADMIN lists every share)', async () => {
  let before: string[] = [];
  const plain = await cli(SMALL, async (url) => {
    before = await sharesShown(url);
  });
  assert.equal(plain.code, 0, plain.stderr);
  assert.deepEqual(before, []);
  assert.match(plain.stdout, /grants: RISK_EXPORTER <- DATABASE ROLE SNOWFLAKE\.SECURITY_VIEWER, /);

  let after: string[] = [];
  const granted = await cli([...SMALL, '--grant', 'risk_exporter=ROLE ACCOUNTADMIN'], async (url) => {
    after = await sharesShown(url);
  });
  assert.equal(granted.code, 0, granted.stderr);
  assert.ok(after.length > 0, 'the scenario has outbound shares, all listed for ACCOUNTADMIN');
  assert.match(granted.stdout, /RISK_EXPORTER <- .*ROLE ACCOUNTADMIN/);
});

test('a --grant that cannot be read exits 2 naming it', async () => {
  const result = await cli(['--grant', 'NO_EQUALS_SIGN', '--grant', 'R=SNOWFLAKE.AUDIT_VIEWER', '--grant', 'R=SELECT ON EVERYTHING']);
  assert.equal(result.code, 2);
  for (const part of ['NO_EQUALS_SIGN', 'AUDIT_VIEWER', 'SELECT ON EVERYTHING']) assert.ok(result.stderr.includes(part), `stderr lacks ${part}:\n${result.stderr}`);
});
