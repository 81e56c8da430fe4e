import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { coinKey } from '../../src/consensus/coins-cache.ts';
import { OutpointMap } from '../../src/consensus/outpoint-map.ts';

// Few distinct txids and indexes, so that operations hit the same keys often.
const txid = fc.integer({ min: 0, max: 40 }).map((n) => {
  const t = new Uint8Array(32);
  t[n % 32] = n + 1; // distinct bytes in distinct places: equal words, different txids
  return t;
});
const op = fc.record({ kind: fc.constantFrom('set', 'get', 'has'), txid, vout: fc.integer({ min: 0, max: 3 }), value: fc.integer() });

test('OutpointMap behaves as a Map keyed by outpoint, in insertion order, through growth', () => {
  fc.assert(fc.property(fc.array(op, { maxLength: 400 }), fc.integer({ min: 0, max: 64 }), (ops, expected) => {
    const m = new OutpointMap<number>(expected);
    const model = new Map<string, number>();
    for (const o of ops) {
      // A copy of the txid bytes: lookups must compare contents, not references.
      const t = o.txid.slice();
      const k = coinKey(t, o.vout);
      if (o.kind === 'set') {
        m.set(t, o.vout, o.value);
        model.set(k, o.value);
      } else if (o.kind === 'get') assert.equal(m.get(t, o.vout), model.get(k));
      else assert.equal(m.has(t, o.vout), model.has(k));
    }
    assert.equal(m.size, model.size);
    assert.deepEqual([...m.valuesInOrder()], [...model.values()]);
  }), { numRuns: 300 });
});

test('OutpointMap: thousands of outpoints of one txid, and a txid of the wrong length', () => {
  const m = new OutpointMap<number>();
  const t = new Uint8Array(32).fill(7);
  for (let v = 0; v < 5000; v++) m.set(t, v, v * 2);
  for (let v = 0; v < 5000; v++) assert.equal(m.get(t, v), v * 2);
  assert.equal(m.get(t, 5000), undefined);
  assert.equal(m.size, 5000);
  assert.throws(() => m.get(new Uint8Array(31), 0), RangeError);
});
