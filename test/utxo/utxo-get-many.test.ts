/**
 * Batched lookups (src/utxo/reader.ts lookupMany, Snapshot.getMany, UtxoSet.getMany): for
 * every batch, out[i] equals getCoin of keys[i] at the same pinned version, including
 * misses, malformed txids, repeated keys, coins spent or created after the pin, buckets
 * full of slots spent after the pin (the first candidate is another key), and groups
 * moved by compaction while the pin is held.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UtxoSet, type CoinAdd, type OutPointRef } from '../../src/utxo/set.ts';
import type { Snapshot } from '../../src/utxo/reader.ts';
import type { Coin } from '../../src/utxo/coin.ts';
import { sameCoin } from './model.ts';
import { Rng, makeAmount, makeScript } from './synthetic.ts';

const small = { indexSegments: 1, heapSegments: 1 };

function txid(n: number): Uint8Array {
  const t = new Uint8Array(32);
  new Rng(n * 13 + 5).bytes(t, 0, 32);
  return t;
}
function coin(n: number): Coin {
  const r = new Rng(n + 7);
  return { value: makeAmount(r), scriptPubKey: makeScript(r), height: n % 700_000, coinbase: n % 11 === 0 };
}

/** Every batch of `keys` in slices of 1..40 agrees with getCoin on the same view. */
function agree(view: Snapshot | UtxoSet, keys: OutPointRef[], r: Rng, what: string): number {
  let found = 0;
  const out: (Coin | undefined)[] = [];
  for (let i = 0; i < keys.length; ) {
    const n = 1 + r.below(40);
    const batch = keys.slice(i, i + n);
    const got = view.getMany(batch, out);
    assert.equal(got, out, 'the given array is filled and returned');
    assert.equal(got.length, batch.length);
    for (let j = 0; j < batch.length; j++) {
      const want = view.getCoin(batch[j]!.txid, batch[j]!.vout);
      const g = got[j];
      assert.ok(want === undefined ? g === undefined : sameCoin(g, want), `${what}: key ${i + j}`);
      if (g) found++;
    }
    i += n;
  }
  return found;
}

test('getMany equals getCoin per key: hits, misses, bad txids, repeats, pinned versions, compaction', () => {
  const set = UtxoSet.create(small);
  const r = new Rng(77);
  const all: CoinAdd[] = [];
  for (let i = 0; i < 6000; i++) all.push({ txid: txid(i >> 1), vout: (i & 1) * 3, coin: coin(i) });
  set.applyBatch({ add: all });
  const keyOf = (a: CoinAdd): OutPointRef => ({ txid: a.txid, vout: a.vout });
  const keys: OutPointRef[] = all.map(keyOf);
  keys.push({ txid: new Uint8Array(31), vout: 0 }, { txid: txid(99_999), vout: 0 }, { txid: txid(3), vout: 1 });
  for (let i = 0; i < 300; i++) keys.push(keys[r.below(6000)]!);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = r.below(i + 1);
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  }
  const reader = set.reader();
  const s1 = reader.pin();
  assert.equal(agree(s1, keys, r, 'v1'), 6300);
  assert.deepEqual(s1.getMany([]), []);
  // spend most coins (the slots stay, marked spent after v1: candidates for s1 that are
  // often another key), add new ones
  const spend = all.filter((_, i) => i % 5 !== 0).map(keyOf);
  const add2: CoinAdd[] = [];
  for (let i = 0; i < 2000; i++) add2.push({ txid: txid(10_000 + i), vout: 0, coin: coin(10_000 + i) });
  set.applyBatch({ spend, add: add2 });
  const keys2 = keys.concat(add2.map(keyOf));
  const s2 = reader.pin();
  assert.equal(agree(s1, keys2, r, 'v1 after spends'), 6300);
  const live2 = agree(s2, keys2, r, 'v2');
  assert.ok(live2 > 3200 && live2 < 3400, `${live2} live at v2`);
  assert.equal(agree(set, keys2, r, 'latest'), live2);
  // churn so that chunks empty out and get compacted while s2 is pinned (s1 released)
  s1.release();
  for (let b = 0; b < 4; b++) {
    const a: CoinAdd[] = [];
    for (let i = 0; i < 3000; i++) a.push({ txid: txid(20_000 + b * 3000 + i), vout: 1, coin: coin(i) });
    set.applyBatch({ add: a });
    set.applyBatch({ spend: a.map(keyOf) });
  }
  set.applyBatch({ spend: add2.slice(0, 1500).map(keyOf) });
  assert.equal(agree(s2, keys2, r, 'v2 after churn'), live2);
  s2.release();
  set.applyBatch({});
  set.applyBatch({});
  assert.ok(set.stats().freeChunks > 0, 'compaction ran');
  const s3 = reader.pin();
  assert.equal(agree(s3, keys2, r, 'after compaction'), live2 - 1500);
  s3.release();
  assert.throws(() => s3.getMany(keys.slice(0, 2)), /after release/);
});
