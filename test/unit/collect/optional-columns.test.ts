// The optional-column mechanism every statement shares (detections, streams, posture): which refusals make a column
// missing, how many retries, what is remembered and for how long, and the parts it reports. The statement is a
// function here: what the mechanism is given is a function that builds and runs a statement for a set of missing
// parts, and Snowflake's refusal is the SnowflakeQueryError the SQL API client raises for a 422 answer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MISSING_COLUMN_RECHECK_SECONDS, OptionalColumns, type OptionalColumn } from '../../../src/collect/optional-columns.ts';
import type { SourcePart } from '../../../src/collect/source-parts.ts';
import { SnowflakeQueryError } from '../../../src/snowflake/sqlapi/index.ts';

const TYPE: OptionalColumn = { part: 'user_type', view: 'USERS', column: 'TYPE', providedBy: 'behaviour change bundle 2024_06' };
const MFA: OptionalColumn = { part: 'user_mfa', view: 'USERS', column: 'HAS_MFA', providedBy: 'behaviour change bundle 2024_06' };
const T0 = new Date('2026-11-20T12:00:00Z');
const later = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

const refused = (code: string, name: string): SnowflakeQueryError =>
  new SnowflakeQueryError(`SQL compilation error: error line 1 at position 7\ninvalid identifier '${name}'`, { httpStatus: 422, snowflakeCode: code, sqlState: '42000' });

/** A statement over an account that lacks `absent` columns: refused for the first one it names, like Snowflake. */
function statementOn(absent: readonly OptionalColumn[], tried: string[][]) {
  return (missing: ReadonlySet<SourcePart>): Promise<string> => {
    tried.push([...missing].sort());
    const named = absent.find((column) => !missing.has(column.part));
    return named === undefined ? Promise.resolve('rows') : Promise.reject(refused('000904', named.column));
  };
}

describe('OptionalColumns', () => {
  it('leaves out each column Snowflake refuses, one retry per column, and reports why', async () => {
    const columns = new OptionalColumns([TYPE, MFA]);
    const tried: string[][] = [];
    assert.equal(await columns.run(T0, statementOn([TYPE, MFA], tried)), 'rows');
    assert.deepEqual(tried, [[], ['user_type'], ['user_mfa', 'user_type']]);
    assert.deepEqual(columns.parts().map((part) => [part.part, part.available]), [['user_type', false], ['user_mfa', false]]);
    assert.equal(
      columns.parts()[1]?.reason,
      'USERS.HAS_MFA does not exist on this account (Snowflake 000904 invalid identifier; the column comes with behaviour change bundle 2024_06)',
    );
  });

  it('remembers what is missing until the re-check time, then tries the full statement again', async () => {
    const columns = new OptionalColumns([TYPE, MFA]);
    const tried: string[][] = [];
    await columns.run(T0, statementOn([MFA], tried));
    await columns.run(later(3600), statementOn([MFA], tried));
    assert.deepEqual(tried, [[], ['user_mfa'], ['user_mfa']]);
    await columns.run(later(MISSING_COLUMN_RECHECK_SECONDS), statementOn([], tried));
    assert.deepEqual(tried.at(-1), []);
    assert.deepEqual(columns.parts().map((part) => part.available), [true, true]);
  });

  it('throws anything else unchanged and remembers nothing', async () => {
    const columns = new OptionalColumns([TYPE]);
    const privileges = refused('002003', 'TYPE');
    await assert.rejects(columns.run(T0, () => Promise.reject(privileges)), (error) => error === privileges);
    const otherColumn = refused('000904', 'NAME');
    await assert.rejects(columns.run(T0, () => Promise.reject(otherColumn)), (error) => error === otherColumn);
    // Refused again for a column already left out: not a loop, the refusal is thrown.
    const tried: string[][] = [];
    await assert.rejects(columns.run(T0, (missing) => (tried.push([...missing]), Promise.reject(refused('000904', 'U.TYPE')))), SnowflakeQueryError);
    assert.deepEqual(tried, [[], ['user_type']]);
  });
});
