/** RollingSet: bounded (never more than its capacity), remembers at least the last capacity / 2 keys, forgets the oldest first. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RollingSet } from '../../src/p2p/rolling-set.ts';

test('a RollingSet holds at most its capacity, keeps the newest half, and forgets the oldest', () => {
  const s = new RollingSet(10);
  for (let i = 0; i < 100; i++) {
    s.add(`k${i}`);
    assert.ok(s.size <= 10);
    for (let j = Math.max(0, i - 4); j <= i; j++) assert.ok(s.has(`k${j}`), `k${j} after adding k${i}`);
  }
  assert.equal(s.has('k0'), false);
  assert.equal(s.has('k89'), false);
  s.add('k99');
  assert.equal(s.size, 10);
  s.clear();
  assert.equal(s.has('k99'), false);
  assert.throws(() => new RollingSet(1), RangeError);
});
