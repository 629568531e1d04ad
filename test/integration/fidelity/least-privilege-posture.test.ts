// No source publishes a number it could not see. On the demo scenario, one full cycle runs three times against the
// emulator, whose privileges follow Snowflake's documented SNOWFLAKE database roles:
//  - as ACCOUNTADMIN, which reads everything (SHOW SHARES included);
//  - as a role holding exactly the README's least-privilege grants: its posture must be the same numbers;
//  - as a role that may read no SNOWFLAKE view: it must publish no posture number that comes from a view (absent,
//    never 0), only what needs no grant (SHOW PARAMETERS) and an explicit "unknown" for the shares, and report every
//    source and every SQL detection that reads a view unavailable, with the view and Snowflake's code.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { BUILT_IN_DETECTIONS } from '../../../src/detect/catalog/index.ts';
import { scrape } from '../../helpers/exporter-harness.ts';
import { captureCycle, type CapturedCycle } from '../../helpers/statement-capture.ts';

/** The README's GRANT ... TO ROLE RISK_EXPORTER statements, as their objects. */
async function readmeGrants(): Promise<string[]> {
  const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Snowflake setup (least privilege)'), readme.indexOf('### Connecting an account'));
  const sql = /```sql\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return [...sql.matchAll(/^GRANT (.+?) TO ROLE RISK_EXPORTER;/gm)].map((match) => match[1]!.replace(/\s+/g, ' ').trim());
}

/** Gauges computed from posture snapshots (src/export/metrics/posture-series.ts), without the exporter's own. */
const POSTURE_GAUGE = /^(snowflake_risk_(?:users|users_without_mfa|users_mfa_bypass_active|stale_enabled_users|admin_users|admin_users_without_mfa|outbound_shares_known|outbound_shares|outbound_share_consumer_accounts|share_consumer_accounts|guardrail_parameter_safe|trust_center_findings))(\{[^}]*\})? (\S+)$/gm;

async function postureOf(cycle: CapturedCycle): Promise<Map<string, string>> {
  const text = await scrape(cycle.exporter);
  return new Map([...text.matchAll(POSTURE_GAUGE)].map((match) => [`${match[1] ?? ''}${match[2] ?? ''}`, match[3] ?? '']));
}

describe('least privilege, on data', () => {
  it('the README grants see every posture number ACCOUNTADMIN sees; a role that reads nothing publishes none', { timeout: 300_000 }, async (t) => {
    const grants = await readmeGrants();
    const everything = await captureCycle(t, { role: 'ACCOUNTADMIN', grants: [] });
    const least = await captureCycle(t, { grants });
    const nothing = await captureCycle(t, { grants: grants.filter((grant) => grant.startsWith('USAGE ON WAREHOUSE')) });

    const full = await postureOf(everything);
    assert.ok(full.size > 20, `ACCOUNTADMIN publishes the account's posture (${full.size} series)`);
    assert.ok([...full.values()].some((value) => value !== '0'), 'the scenario has posture to see');
    assert.deepEqual(Object.fromEntries(await postureOf(least)), Object.fromEntries(full), 'the least-privilege role sees the same numbers');

    // Every source and every SQL detection ran for the least-privilege role.
    assert.ok(least.ran.ran && nothing.ran.ran);
    assert.deepEqual(least.ran.report.sources.filter((source) => source.status !== 'ok').map((source) => `${source.source} ${source.status}`), []);
    assert.deepEqual(least.statements.filter((statement) => statement.outcome !== 'ok').map((statement) => `${statement.outcome} ${statement.statement.slice(0, 80)}`), []);

    // A role that may read no view: no posture number from a view, not one 0. What it publishes needs no grant (SHOW
    // PARAMETERS IN ACCOUNT: the same numbers as ACCOUNTADMIN's) or says it does not know (outbound_shares_known 0:
    // SHOW SHARES lists none of the account's shares to it).
    const guardrails = Object.fromEntries([...full].filter(([series]) => series.startsWith('snowflake_risk_guardrail_parameter_safe{')));
    assert.ok(Object.keys(guardrails).length > 0);
    assert.deepEqual(Object.fromEntries(await postureOf(nothing)), { ...guardrails, 'snowflake_risk_outbound_shares_known{account="audited"}': '0' }, 'no posture number from a view the role cannot read');
    // Each source and SQL detection that reads a view says so, with the view and Snowflake's code, where an operator
    // looks (/api/status, the landing page's data): the outbound-share source still runs on SHOW SHARES and reports
    // the part it could not read.
    const snapshot = (await fetch(new URL('/api/status', nothing.exporter.url)).then((response) => response.json())) as {
      accounts: { sources: { source: string; unavailable: boolean; unavailableReason?: string; unavailableParts: { part: string; reason: string }[] }[]; detections?: { id: string; kind: string; unavailable: boolean; unavailableReason?: string }[] }[];
    };
    const [account] = snapshot.accounts;
    assert.ok(account);
    const byId = new Map(account.sources.map((source) => [source.source, source]));
    for (const id of ['users', 'admins', 'trust_center', 'query_history', 'login_history', 'grants', 'shares']) {
      const source = byId.get(id);
      assert.equal(source?.unavailable, true, `${id} is reported unavailable`);
      assert.match(source.unavailableReason ?? '', /^SNOWFLAKE\.ACCOUNT_USAGE\.\w+.*: not available to the role \(Snowflake 002003\)$/, `${id} says which view and why`);
    }
    assert.deepEqual(byId.get('outbound_shares')?.unavailableParts.map((part) => part.part), ['account_usage_shares']);
    const sqlDetections = new Set(BUILT_IN_DETECTIONS.filter((detection) => detection.kind === 'sql').map((detection) => detection.id));
    const detections = (account.detections ?? []).filter((detection) => sqlDetections.has(detection.id));
    assert.equal(detections.length, sqlDetections.size);
    for (const detection of detections) {
      assert.equal(detection.unavailable, true, `${detection.id} reports itself unavailable`);
      assert.match(detection.unavailableReason ?? '', /: not available to the role \(Snowflake 002003\)$/, `${detection.id} says why`);
    }
    const metrics = await scrape(nothing.exporter);
    for (const id of sqlDetections) {
      assert.match(metrics, new RegExp(`^snowflake_risk_detection_unavailable\\{[^}]*detection="${id.replace('.', '\\.')}"[^}]*\\} 1$`, 'm'), `${id}: snowflake_risk_detection_unavailable`);
    }
  });
});
