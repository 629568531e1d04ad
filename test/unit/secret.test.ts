import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { Secret, redactText } from '../../src/util/secret.ts';

test('a Secret never prints its value', () => {
  const secret = new Secret('hunter2-very-secret', 'env:PASSWORD');
  assert.equal(secret.reveal(), 'hunter2-very-secret');
  assert.equal(String(secret), '[REDACTED]');
  assert.equal(JSON.stringify({ secret }), '{"secret":"[REDACTED]"}');
  assert.equal(inspect({ secret }), '{ secret: Secret(env:PASSWORD) }');
  assert.ok(!`${String(secret)}`.includes('hunter2'));
});

test('redactText removes every occurrence of each secret', () => {
  assert.equal(redactText('a tok123 b tok123', ['tok123']), 'a [REDACTED] b [REDACTED]');
  assert.equal(redactText('short ab', ['ab']), 'short ab', 'values under 4 characters are not redacted');
});
