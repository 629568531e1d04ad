import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bind, InvalidBindingError, SnowflakeTime, SnowflakeTimestamp, toWireBindings } from '../../../src/snowflake/sqlapi/index.ts';
import { backoffDelay, dispositionOf, parseRetryAfter, resolveRetryOptions } from '../../../src/snowflake/sqlapi/retry.ts';

describe('binding builders produce the SQL API wire text', () => {
  test('scalars', () => {
    assert.deepEqual(bind.text('héllo'), { type: 'TEXT', value: 'héllo' });
    assert.deepEqual(bind.fixed(42), { type: 'FIXED', value: '42' });
    assert.deepEqual(bind.fixed(-9007199254740993n), { type: 'FIXED', value: '-9007199254740993' });
    assert.deepEqual(bind.fixed('12.5000'), { type: 'FIXED', value: '12.5000' });
    assert.deepEqual(bind.real(1.5), { type: 'REAL', value: '1.5' });
    assert.deepEqual(bind.real(Number.NaN), { type: 'REAL', value: 'NaN' });
    assert.deepEqual(bind.real(-Infinity), { type: 'REAL', value: '-inf' });
    assert.deepEqual(bind.boolean(false), { type: 'BOOLEAN', value: 'false' });
    assert.deepEqual(bind.binary(Buffer.from([0xde, 0xad, 0xbe, 0xef])), { type: 'BINARY', value: 'DEADBEEF' });
    assert.deepEqual(bind.null('TEXT'), { type: 'TEXT', value: null });
    assert.deepEqual(bind.optional<string>(null, bind.text, 'TEXT'), { type: 'TEXT', value: null });
    assert.deepEqual(bind.optional('a', bind.text, 'TEXT'), { type: 'TEXT', value: 'a' });
  });

  test('dates are milliseconds at UTC midnight, times nanoseconds since midnight', () => {
    assert.deepEqual(bind.date('2026-10-09'), { type: 'DATE', value: '1791504000000' });
    assert.deepEqual(bind.date(new Date('2026-10-09T23:59:59Z')), { type: 'DATE', value: '1791504000000' });
    assert.deepEqual(bind.date('1900-01-01'), { type: 'DATE', value: String(-25567 * 86_400_000) });
    assert.deepEqual(bind.time('12:34:56.123456789'), { type: 'TIME', value: '45296123456789' });
    assert.deepEqual(bind.time(new SnowflakeTime(45296, 123456789)), { type: 'TIME', value: '45296123456789' });
  });

  test('timestamps are nanoseconds since the epoch; TZ adds offset + 1440', () => {
    assert.deepEqual(bind.timestampLtz(new Date('2026-10-09T05:34:56.123Z')), { type: 'TIMESTAMP_LTZ', value: '1791524096123000000' });
    assert.deepEqual(bind.timestampLtz(1791524096123), { type: 'TIMESTAMP_LTZ', value: '1791524096123000000' });
    assert.deepEqual(bind.timestampNtz(1791549296123456789n), { type: 'TIMESTAMP_NTZ', value: '1791549296123456789' });
    const decoded = new SnowflakeTimestamp('tz', 1791524096, 123456789, 420);
    assert.deepEqual(bind.timestampTz(decoded), { type: 'TIMESTAMP_TZ', value: '1791524096123456789 1860' });
    assert.deepEqual(bind.timestampTz(new Date(0), -720), { type: 'TIMESTAMP_TZ', value: '0 720' });
    assert.deepEqual(bind.timestampLtz(-1.5), { type: 'TIMESTAMP_LTZ', value: '-1500000' });
  });

  test('values that cannot be represented are rejected before any request', () => {
    assert.throws(() => bind.fixed(0.1), InvalidBindingError);
    assert.throws(() => bind.fixed(2 ** 53), InvalidBindingError);
    assert.throws(() => bind.fixed('1e5'), InvalidBindingError);
    assert.throws(() => bind.date('2026-02-30'), InvalidBindingError);
    assert.throws(() => bind.date(new Date('nope')), InvalidBindingError);
    assert.throws(() => bind.time('24:00:00'), InvalidBindingError);
    assert.throws(() => bind.timestampLtz(new Date(Number.NaN)), InvalidBindingError);
    assert.throws(() => bind.timestampTz(new Date(0), 1441), InvalidBindingError);
    assert.throws(() => bind.text(42 as unknown as string), InvalidBindingError);
  });

  test('wire bindings: positions from 1, names kept, hand-made values checked', () => {
    assert.deepEqual(toWireBindings([bind.text('a'), bind.fixed(1)]), { 1: { type: 'TEXT', value: 'a' }, 2: { type: 'FIXED', value: '1' } });
    assert.deepEqual(toWireBindings({ user: bind.text('a') }), { user: { type: 'TEXT', value: 'a' } });
    assert.throws(() => toWireBindings(['raw' as unknown as ReturnType<typeof bind.text>]), InvalidBindingError);
    assert.throws(() => toWireBindings([{ type: 'FIXED', value: 5 as unknown as string }]), InvalidBindingError);
  });

  test('a named binding is lower case and never a reserved word (`:from` is not shown to bind on a real account)', () => {
    assert.deepEqual(toWireBindings({ window_start: bind.text('a'), '2': bind.fixed(1) }), { window_start: { type: 'TEXT', value: 'a' }, 2: { type: 'FIXED', value: '1' } });
    for (const name of ['from', 'to', 'FROM', 'exporterTag', 'Window', '_x', 'a-b', '']) {
      assert.throws(() => toWireBindings({ [name]: bind.text('a') }), InvalidBindingError, name);
    }
  });
});

describe('retry arithmetic', () => {
  test('dispositions', () => {
    assert.deepEqual([429, 503, 504].map(dispositionOf), ['backoff', 'backoff', 'backoff']);
    assert.deepEqual([500, 502].map(dispositionOf), ['resubmit', 'resubmit']);
    assert.equal(dispositionOf(401), 'renew-token');
    assert.deepEqual([200, 202, 400, 403, 404, 405, 408, 415, 422, 501].map(dispositionOf), new Array(10).fill('final'));
  });

  test('backoff doubles to its cap and jitters within the upper half of the window', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 500, 5000, () => 0)), [250, 500, 1000, 2000, 2500, 2500]);
    assert.deepEqual([1, 2, 6].map((n) => backoffDelay(n, 500, 5000, () => 1)), [500, 1000, 5000]);
  });

  test('Retry-After: seconds, HTTP date, past date, garbage', () => {
    const now = Date.UTC(2026, 9, 9, 0, 0, 0);
    assert.equal(parseRetryAfter('7', now), 7000);
    assert.equal(parseRetryAfter(['2'], now), 2000);
    assert.equal(parseRetryAfter(new Date(now + 5000).toUTCString(), now), 5000);
    assert.equal(parseRetryAfter(new Date(now - 5000).toUTCString(), now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
    assert.equal(parseRetryAfter('-1', now), undefined);
  });

  test('bounds are validated', () => {
    assert.throws(() => resolveRetryOptions({ maxAttempts: 0 }), RangeError);
    assert.throws(() => resolveRetryOptions({ maxElapsedMs: -1 }), RangeError);
    assert.equal(resolveRetryOptions().maxAttempts, 6);
  });
});
