import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDuration, parseDurationSeconds } from '../../../src/config/duration.ts';
import { closestMatch, didYouMean, editDistance } from '../../../src/config/suggest.ts';

describe('durations', () => {
  test('accepted forms', () => {
    const cases: [unknown, number][] = [
      ['30s', 30],
      ['15m', 900],
      ['1h', 3600],
      ['1h30m', 5400],
      ['1d2h3m4s', 93_784],
      ['2d', 172_800],
      [' 45m ', 2700],
      ['600', 600],
      [600, 600],
      [0, 0],
    ];
    for (const [input, seconds] of cases) assert.equal(parseDurationSeconds(input), seconds, String(input));
  });

  test('rejected forms', () => {
    for (const input of ['', ' ', '1x', '30m1h', '1.5h', '-5', -5, 1.5, 'm', '1h 30m', '1H', Infinity, NaN, null, undefined, true, [30]]) {
      assert.equal(parseDurationSeconds(input), undefined, String(input));
    }
  });

  test('formatting round-trips', () => {
    for (const seconds of [0, 1, 59, 60, 5400, 86_400, 93_784]) {
      assert.equal(parseDurationSeconds(formatDuration(seconds)), seconds);
    }
    assert.equal(formatDuration(5400), '1h30m');
    assert.equal(formatDuration(0), '0s');
  });
});

describe('suggestions', () => {
  test('edit distance counts a transposition as one edit', () => {
    assert.equal(editDistance('abc', 'abc'), 0);
    assert.equal(editDistance('abc', 'acb'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
  });

  test('closest match within a length-scaled limit', () => {
    assert.equal(closestMatch('servr', ['server', 'state']), 'server');
    assert.equal(closestMatch('query_histroy', ['query_history', 'login_history']), 'query_history');
    assert.equal(closestMatch('xyz', ['server', 'state']), undefined);
    assert.equal(closestMatch('SERVER', ['server']), 'server');
    assert.equal(didYouMean('lgo', ['log']), ' (did you mean "log"?)');
    assert.equal(didYouMean('nothing.close', ['log']), '');
  });
});
