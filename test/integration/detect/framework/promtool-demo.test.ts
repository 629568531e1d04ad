// `promtool check metrics` on the exporter's whole /metrics output after one collection cycle over the demo scenario
// (the built-in catalog on two weeks of generated activity with labelled incidents), so the lint covers real
// findings, risk scores, signal counters and detection series, not hand-made samples. Needs the Debian package
// "prometheus"; without promtool the test fails rather than skips.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { startEmbeddedDemo } from '../../../../src/demo/embedded-demo.ts';
import { startExporter } from '../../../../src/runtime/exporter.ts';
import { parseExposition, scrape } from '../../../helpers/exporter-harness.ts';

it('the registry output after a demo-scenario cycle passes promtool, with findings and a bounded risk score', async (t) => {
  const demo = await startEmbeddedDemo({ env: { SNOWFLAKE_RISK_EXPORTER_SERVER__LISTEN: '127.0.0.1:0' } });
  t.after(() => demo.close());
  const exporter = await startExporter(demo.config, { schedule: false });
  t.after(() => exporter.close());
  const account = demo.config.accounts[0]?.name ?? 'demo';
  const cycle = await exporter.scheduler.runOnce(account);
  assert.ok(cycle.ran);

  const text = await scrape(exporter);
  const samples = parseExposition(text);
  const findings = samples.filter((sample) => sample.name === 'snowflake_risk_findings_total').reduce((sum, sample) => sum + sample.value, 0);
  assert.ok(findings > 0, 'the demo scenario raises findings');
  const users = samples.filter((sample) => sample.name === 'snowflake_risk_user_risk_score');
  assert.ok(users.length > 0 && users.length <= 20, `${users.length} user risk series`);
  assert.ok(samples.some((sample) => sample.name === 'snowflake_risk_logins_total' && sample.value > 0));

  const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(lint.error, undefined, 'promtool must be installed (Debian package "prometheus")');
  assert.equal(lint.status, 0, `promtool check metrics reported:\n${lint.stdout}${lint.stderr}`);
});
