// The per-event and posture rules of the exfiltration family, on hand-made events and snapshots: what they match,
// what they must not (a guardrail switched ON, a policy SET, words inside comments), and the comment stripper.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { QueryEvent } from '../../../../src/collect/events.ts';
import { guardrailDisabledChange, guardrailDisabledState, guardrailsTurnedOff } from '../../../../src/detect/catalog/exfil/guardrail-disabled.ts';
import { protectionPolicyRemoved, removedPolicyKind } from '../../../../src/detect/catalog/exfil/protection-policy-removed.ts';
import { stripSqlComments } from '../../../../src/detect/catalog/exfil/sql-text.ts';

function event(text: string | null, extra: Partial<QueryEvent> = {}): QueryEvent {
  const time = new Date('2026-11-20T10:00:00Z');
  return {
    kind: 'query', account: 'a', id: 'q1', time, observedAt: time, queryId: 'q1', user: 'U', role: 'ACCOUNTADMIN', warehouse: null, database: null,
    schema: null, queryType: 'ALTER_ACCOUNT', executionStatus: 'SUCCESS', errorCode: null, queryText: text, queryTag: null, sessionId: null,
    authnEventId: null, startTime: time, endTime: time, bytesScanned: 0, bytesWrittenToResult: 0, rowsProduced: 0, rowsUnloaded: 0,
    outboundDataTransferBytes: 0, outboundDataTransferCloud: null, outboundDataTransferRegion: null, ...extra,
  };
}

describe('stripSqlComments', () => {
  it('removes --, // and block comments but keeps quoted text intact', () => {
    assert.equal(stripSqlComments("-- a\nSELECT 1 /* b */ FROM t // c\n"), ' \nSELECT 1   FROM t  \n');
    assert.equal(stripSqlComments("SELECT 's3://a--b/*x*/', $$--$$, \"a--b\", 'it''s -- here'"), "SELECT 's3://a--b/*x*/', $$--$$, \"a--b\", 'it''s -- here'");
    assert.equal(stripSqlComments('SELECT 1 /* never closed'), 'SELECT 1  ');
  });
});

describe('exfil.guardrail_disabled (change rule)', () => {
  it('reports parameters set to FALSE or unset, in any case, over lines, after comments', () => {
    assert.deepEqual(guardrailsTurnedOff('ALTER ACCOUNT SET PREVENT_UNLOAD_TO_INLINE_URL = FALSE'), ['PREVENT_UNLOAD_TO_INLINE_URL']);
    assert.deepEqual(guardrailsTurnedOff('-- vendor\nalter account\n  set require_storage_integration_for_stage_operation=false'), ['REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_OPERATION']);
    assert.deepEqual(guardrailsTurnedOff("ALTER ACCOUNT SET REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_CREATION = 'false' PREVENT_UNLOAD_TO_INLINE_URL = TRUE"), ['REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_CREATION']);
    assert.deepEqual(guardrailsTurnedOff('ALTER ACCOUNT UNSET PREVENT_UNLOAD_TO_INLINE_URL'), ['PREVENT_UNLOAD_TO_INLINE_URL']);
  });

  it('ignores a guardrail switched ON, other parameters, comments and other statements', () => {
    assert.deepEqual(guardrailsTurnedOff('ALTER ACCOUNT SET REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_CREATION = TRUE'), []);
    assert.deepEqual(guardrailsTurnedOff('ALTER ACCOUNT SET PREVENT_UNLOAD_TO_INLINE_URL = FALSEY'), []);
    assert.deepEqual(guardrailsTurnedOff('ALTER ACCOUNT SET NETWORK_POLICY = P /* PREVENT_UNLOAD_TO_INLINE_URL = FALSE */'), []);
    assert.deepEqual(guardrailsTurnedOff("SELECT 'ALTER ACCOUNT SET PREVENT_UNLOAD_TO_INLINE_URL = FALSE'"), []);
    assert.deepEqual(guardrailsTurnedOff(null), []);
  });

  it('builds a finding for a successful statement only', () => {
    const text = 'ALTER ACCOUNT SET PREVENT_UNLOAD_TO_INLINE_URL = FALSE';
    const finding = guardrailDisabledChange.match(event(text), {});
    assert.equal(finding?.user, 'U');
    assert.deepEqual(finding?.evidenceIds, ['q1']);
    assert.equal(finding?.attributes?.parameter, 'PREVENT_UNLOAD_TO_INLINE_URL');
    assert.equal(guardrailDisabledChange.match(event(text, { executionStatus: 'FAIL' }), {}), null);
    assert.equal(guardrailDisabledChange.match(event(text), { guardrails: ['REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_CREATION'] }), null);
  });
});

describe('exfil.guardrail_disabled (state rule)', () => {
  it('one finding per watched parameter not in its safe state', () => {
    const posture = {
      kind: 'parameters' as const,
      parameters: [
        { name: 'PREVENT_UNLOAD_TO_INLINE_URL', value: 'false', safe: false },
        { name: 'REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_CREATION', value: 'true', safe: true },
        { name: 'PREVENT_UNLOAD_TO_INTERNAL_STAGES', value: 'false', safe: false },
      ],
    };
    assert.deepEqual(guardrailDisabledState.evaluate(posture, {}).map((f) => [f.user, f.evidenceIds]), [[null, ['PREVENT_UNLOAD_TO_INLINE_URL']]]);
    assert.equal(guardrailDisabledState.evaluate(posture, { guardrails: ['PREVENT_UNLOAD_TO_INLINE_URL', 'PREVENT_UNLOAD_TO_INTERNAL_STAGES'] }).length, 2);
    assert.deepEqual(guardrailDisabledState.evaluate({ kind: 'admins', roles: [], adminsWithoutMfa: [] }, {}), []);
  });
});

describe('exfil.protection_policy_removed', () => {
  it('matches UNSET and DROP of masking / row access / aggregation / projection policies', () => {
    assert.equal(removedPolicyKind('ALTER TABLE T MODIFY COLUMN SSN UNSET MASKING POLICY'), 'masking');
    assert.equal(removedPolicyKind('ALTER TABLE T\n  DROP ROW ACCESS POLICY P'), 'row access');
    assert.equal(removedPolicyKind('alter table t drop all row access policies'), 'row access');
    assert.equal(removedPolicyKind('DROP MASKING POLICY GOV.EMAIL_MASK'), 'masking');
    assert.equal(removedPolicyKind('ALTER VIEW V UNSET AGGREGATION POLICY'), 'aggregation');
  });

  it('does not match a policy SET, a comment, or a table name that contains the words', () => {
    assert.equal(removedPolicyKind('ALTER TABLE T MODIFY COLUMN EMAIL SET MASKING POLICY P'), null);
    assert.equal(removedPolicyKind('-- later: UNSET MASKING POLICY\nSELECT 1'), null);
    assert.equal(removedPolicyKind('SELECT * FROM UNSET_MASKING_POLICY_LOG'), null);
    assert.equal(protectionPolicyRemoved.match(event('ALTER TABLE T MODIFY COLUMN C UNSET MASKING POLICY', { queryType: 'ALTER_TABLE_MODIFY_COLUMN', executionStatus: 'FAIL' }), {}), null);
    assert.deepEqual(protectionPolicyRemoved.match(event('ALTER TABLE T MODIFY COLUMN C UNSET MASKING POLICY', { queryType: 'ALTER_TABLE_MODIFY_COLUMN' }), {})?.evidenceIds, ['q1']);
  });
});
