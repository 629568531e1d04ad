// The README's OAuth setup, run: the users its "Connecting with OAuth" SQL creates (or grants the role to) and the
// security integration it defines are given to the emulator, whose sign-in page refuses what Snowflake refuses (a
// user with neither a password nor SSO, a SERVICE user), and each one must be able to connect the exporter. A setup
// nobody can sign in with, or an integration the exporter cannot use, fails here rather than on a customer's account.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import type { UserConfig } from '../../../emulator/index.ts';
import { startExporter } from '../../../src/runtime/exporter.ts';
import { sampleValue, scrape } from '../../helpers/exporter-harness.ts';
import { EMULATED_ROLE } from '../../helpers/emulator-account.ts';
import { callbackUrl, HttpBrowser, OAUTH_ACCOUNT, oauthFixtureFor, outcomeOf, startUrl } from './helpers.ts';

const README = readFileSync(resolve(import.meta.dirname, '../../../README.md'), 'utf8');

/** The SQL blocks of the README section "Connecting with OAuth", in order. */
function oauthSqlBlocks(): string[] {
  const start = README.indexOf('### Connecting with OAuth');
  const end = README.indexOf('\n### ', start + 1);
  assert.ok(start >= 0 && end > start, 'the README has a "Connecting with OAuth" section');
  return [...README.slice(start, end).matchAll(/```sql\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

/** Statements of a SQL block, comments dropped. */
function statements(sql: string): string[] {
  return sql
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n')
    .split(';')
    .map((statement) => statement.replace(/\s+/g, ' ').trim())
    .filter((statement) => statement !== '');
}

/** The same, for the statements the README gives commented out (a variant to uncomment). */
function commentedStatements(sql: string): string[] {
  return statements(sql.split('\n').filter((line) => /^--\s{2,}\S/.test(line)).map((line) => line.replace(/^--/, '')).join('\n'));
}

function property(statement: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}\\s*=\\s*('(?:[^']|'')*'|\\S+)`, 'i').exec(statement);
  return match?.[1]?.replace(/^'|'$/g, '');
}

interface ConsentingUser {
  readonly config: UserConfig;
  /** How the README's setup makes this user able to consent. */
  readonly how: string;
}

/**
 * Every user the README's SQL sets up for consenting, as the emulator's users. A user the README only grants the role
 * to already exists: a person's own login, which signs in with a password here (the emulator has no SSO).
 */
function consentingUsers(): ConsentingUser[] {
  const [setup = ''] = oauthSqlBlocks();
  const created = new Map<string, UserConfig>();
  const granted = new Map<string, string[]>();
  for (const statement of statements(setup)) {
    const create = /^CREATE USER (?:IF NOT EXISTS )?(\w+)\b(.*)$/i.exec(statement);
    if (create !== null) {
      const [, name = '', rest = ''] = create;
      const type = property(rest, 'TYPE')?.toUpperCase();
      const password = property(rest, 'PASSWORD');
      created.set(name, {
        name,
        ...(type === undefined ? {} : { type: type as NonNullable<UserConfig['type']> }),
        // The README's placeholder stands for the password an administrator sets.
        ...(password === undefined ? {} : { password: 'set-by-the-administrator-1' }),
      });
      continue;
    }
    const grant = /^GRANT ROLE (\w+) TO USER (\w+)$/i.exec(statement);
    if (grant !== null) granted.set(grant[2] ?? '', [...(granted.get(grant[2] ?? '') ?? []), grant[1] ?? '']);
  }
  assert.ok(granted.size > 0, 'the README grants the exporter role to somebody');
  return [...granted].map(([name, roles]) => {
    const made = created.get(name);
    return made === undefined
      ? { how: `GRANT ROLE ... TO USER ${name} (an existing login)`, config: { name, type: 'PERSON', password: 'own-password-1', roles } }
      : { how: `CREATE USER ${name}`, config: { ...made, roles } };
  });
}

test("the README's OAuth setup SQL: every user it sets up can sign in and connect the exporter", async (t) => {
  const users = consentingUsers();
  assert.ok(users.length >= 1);
  for (const user of users) {
    assert.deepEqual(user.config.roles, ['RISK_EXPORTER'], `${user.how}: the README's role`);
    await t.test(user.how, async (t) => {
      // The emulated account's role is RISK_READER; the README's RISK_EXPORTER plays it.
      const fixture = await oauthFixtureFor(t, { extraUsers: [{ ...user.config, roles: [EMULATED_ROLE] }] });
      const exporter = await startExporter(fixture.config(), { schedule: false });
      t.after(() => exporter.close());
      fixture.registerClient(callbackUrl(exporter));
      const browser = new HttpBrowser();
      const callback = await browser.consent(startUrl(exporter), 'approve', { user: user.config.name, password: user.config.password ?? '' });
      const connected = await browser.get(callback);
      assert.equal(outcomeOf(connected.text), 'connected', connected.text);
      assert.equal(sampleValue(await scrape(exporter), 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 1);
    });
  }
});

test("the README's security integration is one the exporter can use", () => {
  const [, integration = ''] = oauthSqlBlocks();
  const variants = [...statements(integration), ...commentedStatements(integration)].filter((statement) => /^CREATE SECURITY INTEGRATION/i.test(statement));
  assert.ok(variants.length >= 1);
  for (const statement of variants) {
    assert.equal(property(statement, 'TYPE'), 'OAUTH', statement);
    assert.equal(property(statement, 'OAUTH_CLIENT'), 'CUSTOM', statement);
    // The exporter authenticates to the token endpoint with the client secret (HTTP Basic).
    assert.equal(property(statement, 'OAUTH_CLIENT_TYPE'), 'CONFIDENTIAL', statement);
    assert.equal(property(statement, 'OAUTH_ISSUE_REFRESH_TOKENS'), 'TRUE', 'without refresh tokens a person would consent every 10 minutes');
    assert.equal(property(statement, 'OAUTH_ENFORCE_PKCE'), 'TRUE', 'the exporter always sends S256');
    const redirect = new URL(property(statement, 'OAUTH_REDIRECT_URI') ?? '');
    assert.equal(redirect.pathname, '/oauth/callback', 'the exporter answers at <publicUrl>/oauth/callback');
    if (redirect.protocol === 'http:') {
      assert.equal(property(statement, 'OAUTH_ALLOW_NON_TLS_REDIRECT_URI'), 'TRUE', `an http redirect URI needs OAUTH_ALLOW_NON_TLS_REDIRECT_URI: ${statement}`);
    }
    const validity = property(statement, 'OAUTH_REFRESH_TOKEN_VALIDITY');
    if (validity !== undefined) assert.ok(Number(validity) >= 86_400 && Number(validity) <= 7_776_000, 'Snowflake accepts 1 to 90 days');
  }
  assert.ok(variants.some((statement) => property(statement, 'OAUTH_REDIRECT_URI')?.startsWith('http://127.0.0.1:9975/')), 'a variant for the default local address');
});
