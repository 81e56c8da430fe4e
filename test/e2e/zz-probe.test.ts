import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
let x = 0;
describe('probe', () => {
  before(async () => { await new Promise((r) => setTimeout(r, 50)); x = 1; });
  after(async () => { console.log('AFTER RAN'); });
  test('a', () => { assert.equal(x, 1); });
  test('b', { timeout: 1000 }, async () => { assert.equal(x, 1); });
});
