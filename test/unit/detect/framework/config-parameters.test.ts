// Configuration of the detection framework: detectionParameters validated against each detection's declared
// parameters (unknown detection, unknown parameter and wrong type are errors with their path), merged per
// parameter from defaults to account; custom detection SQL checked at load; risk score settings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadYaml, loadYamlFails, PAT_ENV, problemAt } from '../../config/helpers.ts';

const account = (extra = '') => `
accounts:
  - name: prod
    account: myorg-prod
    role: R
    warehouse: W
    auth: { method: pat, token: "env:TEST_PAT" }${extra}
`;

describe('detectionParameters and custom detections in configuration', () => {
  it('merges defaults and account values per parameter', () => {
    const { config } = loadYaml(
      `defaults:
  detectionParameters:
    exfil.guardrail_disabled: { guardrails: [PREVENT_UNLOAD_TO_INLINE_URL] }
  riskScore: { halfLife: 3d, topUsers: 5 }
${account(`
    detectionParameters:
      custom.mine: {}
customDetections:
  - { id: custom.mine, title: Mine, severity: low, sql: "SELECT 1 FROM T WHERE E >= :from", schedule: login_history }`)}`,
      { env: PAT_ENV },
    );
    const prod = config.accounts[0];
    assert.deepEqual(prod?.detectionParameters, { 'exfil.guardrail_disabled': { guardrails: ['PREVENT_UNLOAD_TO_INLINE_URL'] }, 'custom.mine': {} });
    assert.deepEqual(prod?.riskScore, { halfLifeSeconds: 3 * 86_400, topUsers: 5, maxTrackedUsers: 1000 });
    assert.equal(config.customDetections[0]?.schedule, 'login_history');
  });

  it('rejects unknown detections, unknown parameters, wrong types and unusable custom SQL, each at its path', () => {
    const error = loadYamlFails(
      `defaults:
  detectionParameters:
    exfil.guardrail_disabld: { guardrails: [] }
${account(`
    detectionParameters:
      exfil.guardrail_disabled: { guardrail: [X], }
      custom.mine: { threshold: 3 }
      mfa.password_login_without_mfa: {}
customDetections:
  - { id: custom.mine, title: Mine, severity: low, sql: "SELECT 1 FROM T WHERE E < ? " }`)}`,
      { env: PAT_ENV },
    );
    assert.match(problemAt(error, 'defaults.detectionParameters.exfil.guardrail_disabld').message, /unknown detection id .*did you mean "exfil.guardrail_disabled"/);
    assert.match(problemAt(error, 'accounts[0].detectionParameters.exfil.guardrail_disabled.guardrail').message, /unknown parameter.*allowed here: guardrails/);
    assert.match(problemAt(error, 'accounts[0].detectionParameters.custom.mine.threshold').message, /declares no parameters/);
    assert.match(problemAt(error, 'customDetections[0].sql').message, /name the window with :from and :to/);

    const typed = loadYamlFails(
      `${account(`
    detectionParameters:
      exfil.guardrail_disabled: { guardrails: 3 }`)}`,
      { env: PAT_ENV },
    );
    assert.match(problemAt(typed, 'accounts[0].detectionParameters.exfil.guardrail_disabled.guardrails').message, /must be a list of strings/);
  });
});
