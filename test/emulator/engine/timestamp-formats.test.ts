// TO_VARCHAR / TO_CHAR / TO_TIMESTAMP with an explicit format: each element of
// https://docs.snowflake.com/en/sql-reference/functions-conversion#date-and-time-formats-in-conversion-functions
// the emulator accepts gives Snowflake's text. The time-zone elements give the offset of the session time zone at the
// value's instant: TZH is the sign and two hour digits, TZM two minute digits, so TZHTZM is +0000 and TZH:TZM +00:00
// (DuckDB's own %z would write +00). FF<n> is the first n digits of the fraction, FF nine digits.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EmulatorEngine } from '../../../emulator/engine/index.ts';
import { SnowflakeStatementError } from '../../../emulator/engine/index.ts';
import { rows, testEngine } from './helpers.ts';

let engine: EmulatorEngine;
before(async () => {
  engine = await testEngine();
});
after(async () => {
  await engine.close();
});

/** One instant, 2026-10-09 12:34:56.789123 UTC, whatever the session's zone. */
const INSTANT = `'2026-10-09 12:34:56.789123 +00:00'::TIMESTAMP_LTZ`;

async function format(fmt: string, timezone = 'UTC', value = INSTANT): Promise<string | null> {
  const answer = await rows(engine, `SELECT TO_VARCHAR(${value}, '${fmt}')`, { parameters: { TIMEZONE: timezone } });
  return answer[0]![0]!;
}

describe('time-zone elements give the session offset in Snowflake form', () => {
  const cases: [string, string, string][] = [
    ['UTC', 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM', '2026-10-09 12:34:56.789 +0000'],
    ['UTC', 'TZH:TZM', '+00:00'],
    ['UTC', 'TZHTZM', '+0000'],
    ['UTC', 'TZH', '+00'],
    ['UTC', 'TZM', '00'],
    ['Asia/Kolkata', 'YYYY-MM-DD HH24:MI:SS TZH:TZM', '2026-10-09 18:04:56 +05:30'],
    ['Asia/Kolkata', 'TZHTZM', '+0530'],
    // Newfoundland in October is on daylight time, UTC-02:30: the sign covers the minutes too.
    ['America/St_Johns', 'YYYY-MM-DD HH24:MI TZH:TZM', '2026-10-09 10:04 -02:30'],
    ['America/St_Johns', 'TZH TZM', '-02 30'],
    ['America/Los_Angeles', 'HH24:MI tzhtzm', '05:34 -0700'],
  ];
  for (const [timezone, fmt, expected] of cases) {
    test(`${fmt} in ${timezone}`, async () => {
      assert.equal(await format(fmt, timezone), expected);
    });
  }

  test('the offset is the one in force at each value, not at statement time', async () => {
    const winter = `'2026-01-15 12:00:00 +00:00'::TIMESTAMP_LTZ`;
    assert.equal(await format('YYYY-MM-DD HH24:MI TZH:TZM', 'America/Los_Angeles', winter), '2026-01-15 04:00 -08:00');
  });

  test('a NULL timestamp gives NULL', async () => {
    assert.equal(await format('YYYY TZH:TZM', 'UTC', 'NULL::TIMESTAMP_LTZ'), null);
  });

  test('on a TIMESTAMP_NTZ, which has no offset, they fail loudly', async () => {
    await assert.rejects(rows(engine, `SELECT TO_VARCHAR('2026-10-09 12:00:00'::TIMESTAMP_NTZ, 'HH24 TZH:TZM')`), (error: unknown) => {
      assert.ok(error instanceof SnowflakeStatementError);
      assert.equal(error.code, '001003');
      assert.match(error.message, /TZH/);
      return true;
    });
  });
});

describe('the other elements', () => {
  const cases: [string, string][] = [
    ['YYYY-MM-DD', '2026-10-09'],
    ['YY/MM/DD', '26/10/09'],
    ['DD MON YYYY', '09 Oct 2026'],
    ['mon dd, yyyy', 'Oct 09, 2026'],
    ['MMMM', 'October'],
    ['DY', 'Fri'],
    ['HH12:MI AM', '12:34 PM'],
    ['HH12 PM', '12 PM'],
    ['SS.FF3', '56.789'],
    ['SS.FF6', '56.789123'],
    ['SS.FF9', '56.789123000'],
    ['SS.FF', '56.789123000'],
    ['SS.FF1', '56.7'],
    ['SS.FF4', '56.7891'],
    ['YYYY-MM-DD"T"HH24:MI:SS.FF3"Z"', '2026-10-09T12:34:56.789Z'],
    ['"%Y" YYYY', '%Y 2026'],
    ['%: HH24', '%: 12'],
  ];
  for (const [fmt, expected] of cases) {
    test(fmt, async () => {
      assert.equal(await format(fmt), expected);
    });
  }

  test('HH without 12 or 24 is the 24-hour clock, as Snowflake\'s drivers read it', async () => {
    assert.equal(await format('HH:MI:SS', 'Asia/Kolkata'), '18:04:56');
  });

  test('before noon, AM', async () => {
    assert.equal(await format('HH12:MI PM', 'America/Los_Angeles'), '05:34 AM');
  });

  test('a TIMESTAMP_NTZ and a DATE take the elements that have no offset', async () => {
    const answer = await rows(engine, `SELECT TO_CHAR('2026-10-09 13:14:15.5'::TIMESTAMP_NTZ, 'DD-MON-YY HH12.MI.SS.FF2 AM'), TO_CHAR('2026-10-09'::DATE, 'DY DD MMMM YYYY')`);
    assert.deepEqual(answer, [['09-Oct-26 01.14.15.50 PM', 'Fri 09 October 2026']]);
  });
});

describe('TO_TIMESTAMP reads the time-zone elements', () => {
  const cases: [string, string][] = [
    [`TO_TIMESTAMP_LTZ('2026-10-09 18:04:56 +05:30', 'YYYY-MM-DD HH24:MI:SS TZH:TZM')`, '2026-10-09 12:34:56.000 +0000'],
    [`TO_TIMESTAMP_LTZ('2026-10-09 18:04:56 +0530', 'YYYY-MM-DD HH24:MI:SS TZHTZM')`, '2026-10-09 12:34:56.000 +0000'],
    [`TO_TIMESTAMP_LTZ('2026-10-09 17:34:56 +05', 'YYYY-MM-DD HH24:MI:SS TZH')`, '2026-10-09 12:34:56.000 +0000'],
    [`TO_TIMESTAMP_LTZ('2026-10-09 12:34:56.789', 'YYYY-MM-DD HH:MI:SS.FF3')`, '2026-10-09 12:34:56.789 +0000'],
  ];
  for (const [expression, expected] of cases) {
    test(expression, async () => {
      const answer = await rows(engine, `SELECT TO_VARCHAR(${expression}, 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM')`);
      assert.deepEqual(answer, [[expected]]);
    });
  }
});
