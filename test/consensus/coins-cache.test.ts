import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { coinKey, CoinsCache } from '../../src/consensus/coins-cache.ts';
import type { Coin } from '../../src/utxo/coin.ts';

const txid = fc.uint8Array({ minLength: 32, maxLength: 32 });
const vout = fc.integer({ min: 0, max: 0xffffffff });

test('coinKey: equal outpoints give equal keys, different ones different keys', () => {
  fc.assert(fc.property(txid, vout, txid, vout, (t1, v1, t2, v2) => {
    const same = t1.every((b, i) => b === t2[i]) && v1 === v2;
    assert.equal(coinKey(t1, v1) === coinKey(t2, v2), same);
    assert.equal(coinKey(t1, v1), coinKey(t1.slice(), v1));
  }), { numRuns: 2000 });
  // Neighbours that a careless packing would merge: one bit apart anywhere.
  const base = new Uint8Array(32);
  const keys = new Set<string>([coinKey(base, 0)]);
  for (let i = 0; i < 256; i++) {
    const t = base.slice();
    t[i >> 3] = 1 << (i & 7);
    keys.add(coinKey(t, 0));
  }
  for (let b = 0; b < 32; b++) keys.add(coinKey(base, 2 ** b));
  assert.equal(keys.size, 1 + 256 + 32);
  assert.throws(() => coinKey(new Uint8Array(31), 0), RangeError);
});

test('CoinsCache: reads fall through, spends and adds stay staged, diff is the net change', () => {
  const a = new Uint8Array(32).fill(1), b = new Uint8Array(32).fill(2);
  const coin = (value: bigint): Coin => ({ value, scriptPubKey: new Uint8Array([0x51]), height: 1, coinbase: false });
  const base = new Map([[coinKey(a, 0), coin(5n)], [coinKey(a, 1), coin(6n)]]);
  const view = new CoinsCache({ getCoin: (t, v) => base.get(coinKey(t, v)) });
  assert.equal(view.getCoin(a, 0)?.value, 5n);
  assert.equal(view.spendCoin(a, 0)?.value, 5n);
  assert.equal(view.getCoin(a, 0), undefined);
  view.addCoin(b, 0, coin(7n));
  view.addCoin(b, 1, coin(8n));
  view.spendCoin(b, 1); // created and spent here: in neither list
  const d = view.diff();
  assert.deepEqual(d.spend.map((s) => [s.txid[0], s.vout]), [[1, 0]]);
  assert.deepEqual(d.add.map((x) => [x.txid[0], x.vout, x.coin.value]), [[2, 0, 7n]]);
  assert.equal(base.size, 2, 'the base is untouched');
});
