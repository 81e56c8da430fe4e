/**
 * The shared-memory UTXO table (src/utxo/set.ts, reader.ts): basics, growth, version
 * semantics of pinned snapshots, reclamation only after release, and a property test
 * against a Map model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { UtxoSet, type CoinAdd } from '../../src/utxo/set.ts';
import type { Coin } from '../../src/utxo/coin.ts';
import { sameCoin } from './model.ts';
import { Rng, makeAmount, makeScript } from './synthetic.ts';

const small = { indexSegments: 1, heapSegments: 1 };

function txid(n: number, salt = 0): Uint8Array {
  const t = new Uint8Array(32);
  const r = new Rng(n * 7 + salt + 1);
  r.bytes(t, 0, 32);
  return t;
}
function coin(n: number): Coin {
  const r = new Rng(n + 99);
  return { value: makeAmount(r), scriptPubKey: makeScript(r), height: n % 800_000, coinbase: n % 13 === 0 };
}

test('add, get, spend; exact scripts and values; unspendable outputs are skipped', () => {
  const set = UtxoSet.create(small);
  assert.equal(set.version, 0);
  const add: CoinAdd[] = [];
  for (let i = 0; i < 500; i++) add.push({ txid: txid(i >> 1), vout: i & 1, coin: coin(i) });
  add.push({ txid: txid(9999), vout: 0, coin: { value: 0n, scriptPubKey: Uint8Array.from([0x6a, 1, 2]), height: 1, coinbase: false } });
  assert.equal(set.applyBatch({ add }), 1);
  assert.equal(set.size, 500);
  for (let i = 0; i < 500; i++) assert.ok(sameCoin(set.getCoin(txid(i >> 1), i & 1), coin(i)), `coin ${i}`);
  assert.equal(set.getCoin(txid(9999), 0), undefined, 'OP_RETURN output not added (CCoinsViewCache::AddCoin)');
  assert.equal(set.getCoin(txid(0), 2), undefined);
  assert.equal(set.getCoin(new Uint8Array(31), 0), undefined);
  assert.equal(set.applyBatch({ spend: [{ txid: txid(0), vout: 1 }] }), 2);
  assert.equal(set.getCoin(txid(0), 1), undefined);
  assert.ok(set.getCoin(txid(0), 0));
  assert.equal(set.size, 499);
  assert.throws(() => set.applyBatch({ spend: [{ txid: txid(0), vout: 1 }] }), /missing coin/);
  assert.throws(() => set.applyBatch({ spend: [{ txid: txid(1), vout: 1 }, { txid: txid(1), vout: 1 }] }), /spent twice/);
  assert.equal(set.version, 2, 'a rejected batch publishes nothing');
  // created and spent in one batch: never visible
  set.applyBatch({ add: [{ txid: txid(5000), vout: 0, coin: coin(1) }], spend: [{ txid: txid(5000), vout: 0 }] });
  assert.equal(set.getCoin(txid(5000), 0), undefined);
  assert.equal(set.size, 499);
  // an add over an unspent coin replaces it (BIP30 duplicate coinbase)
  set.applyBatch({ add: [{ txid: txid(2), vout: 0, coin: coin(7) }] });
  assert.ok(sameCoin(set.getCoin(txid(2), 0), coin(7)));
  assert.equal(set.size, 499);
  assert.equal([...set.coins()].length, 499);
});

test('growth: 60 000 coins across many batches, directory doubling and chunks', () => {
  const set = UtxoSet.create(small);
  for (let b = 0; b < 30; b++) {
    const add: CoinAdd[] = [];
    for (let i = 0; i < 2000; i++) add.push({ txid: txid(b * 2000 + i, 1), vout: i % 5, coin: coin(b * 2000 + i) });
    set.applyBatch({ add });
  }
  assert.equal(set.size, 60_000);
  assert.ok(set.stats().depth >= 8);
  assert.ok(set.stats().chunks >= 2);
  for (let n = 0; n < 60_000; n += 37) assert.ok(sameCoin(set.getCoin(txid(n, 1), (n % 2000) % 5), coin(n)), `coin ${n}`);
});

test('versions: a pinned reader sees spent coins and not new ones; space is reclaimed only after release', () => {
  const set = UtxoSet.create(small);
  const add: CoinAdd[] = [];
  for (let i = 0; i < 3000; i++) add.push({ txid: txid(i, 2), vout: 0, coin: coin(i) });
  set.applyBatch({ add });
  const reader = set.reader();
  const s1 = reader.pin();
  assert.equal(s1.version, 1);
  // spend half, add new ones
  set.applyBatch({ spend: add.slice(0, 1500).map((a) => ({ txid: a.txid, vout: 0 })), add: [{ txid: txid(1, 3), vout: 0, coin: coin(1) }] });
  const s2 = reader.pin();
  assert.equal(s2.version, 2);
  for (let i = 0; i < 3000; i += 7) {
    assert.ok(sameCoin(s1.getCoin(txid(i, 2), 0), coin(i)), 'old pin still sees every coin');
    assert.equal(s2.getCoin(txid(i, 2), 0) !== undefined, i >= 1500);
  }
  assert.equal(s1.getCoin(txid(1, 3), 0), undefined, 'created later: invisible to the old pin');
  assert.ok(sameCoin(s2.getCoin(txid(1, 3), 0), coin(1)));
  // churn until chunks become sparse: nothing pinned by s1 may be reclaimed
  for (let r = 0; r < 6; r++) {
    const a2: CoinAdd[] = [];
    for (let i = 0; i < 3000; i++) a2.push({ txid: txid(i + 10_000 * (r + 1), 4), vout: 0, coin: coin(i) });
    set.applyBatch({ add: a2 });
    set.applyBatch({ spend: a2.map((a) => ({ txid: a.txid, vout: 0 })) });
  }
  assert.equal(set.stats().pendingSpends, 1500 + 6 * 3000, 'no spend reclaimed while version 1 is pinned');
  for (let i = 0; i < 3000; i += 3) assert.ok(sameCoin(s1.getCoin(txid(i, 2), 0), coin(i)));
  s1.release();
  assert.throws(() => s1.getCoin(txid(0, 2), 0), /after release/);
  set.applyBatch({});
  assert.equal(set.stats().pendingSpends, 6 * 3000, 'spends at versions <= 2 reclaimed once only version 2 is pinned');
  for (let i = 0; i < 3000; i += 3) assert.equal(s2.getCoin(txid(i, 2), 0) !== undefined, i >= 1500);
  s2.release();
  set.applyBatch({});
  set.applyBatch({});
  const st = set.stats();
  assert.equal(st.pendingSpends, 0);
  assert.ok(st.freeChunks > 0, 'sparse chunks were compacted and freed');
  for (let i = 1500; i < 3000; i++) assert.ok(sameCoin(set.getCoin(txid(i, 2), 0), coin(i)), `survivor ${i} after compaction`);
  assert.equal(set.size, 1501);
});

test('property: random batches with pinned snapshots agree with a Map model', () => {
  const keys = 48;
  const batchArb = fc.record({
    adds: fc.array(fc.tuple(fc.nat(keys - 1), fc.nat(1000)), { maxLength: 12 }),
    spends: fc.array(fc.nat(keys - 1), { maxLength: 12 }),
    pin: fc.boolean(),
    release: fc.nat(5),
  });
  fc.assert(
    fc.property(fc.array(batchArb, { minLength: 1, maxLength: 25 }), (batches) => {
      const set = UtxoSet.create(small);
      const reader = set.reader();
      const model = new Map<number, Coin>();
      const pins: { snap: ReturnType<typeof reader.pin>; state: Map<number, Coin> }[] = [];
      const kt = (k: number) => txid(k, 77);
      for (const b of batches) {
        const add: CoinAdd[] = [];
        const addedNow = new Map<number, Coin>();
        for (const [k, seed] of b.adds) {
          if (addedNow.has(k)) continue;
          const c = coin(seed * keys + k);
          if (c.scriptPubKey[0] === 0x6a) continue;
          add.push({ txid: kt(k), vout: k % 3, coin: c });
          addedNow.set(k, c);
        }
        const spendKeys = [...new Set(b.spends)].filter((k) => model.has(k) || addedNow.has(k));
        set.applyBatch({ add, spend: spendKeys.map((k) => ({ txid: kt(k), vout: k % 3 })) });
        // adds first (replacing), then spends
        for (const [k, c] of addedNow) model.set(k, c);
        for (const k of spendKeys) model.delete(k);
        if (b.pin) pins.push({ snap: reader.pin(), state: new Map(model) });
        if (pins.length > b.release) {
          const p = pins.splice(b.release, 1)[0]!;
          for (let k = 0; k < keys; k++) if (!sameCoin(p.snap.getCoin(kt(k), k % 3), p.state.get(k))) return false;
          p.snap.release();
        }
        for (let k = 0; k < keys; k++) if (!sameCoin(set.getCoin(kt(k), k % 3), model.get(k))) return false;
        if (set.size !== model.size) return false;
      }
      for (const p of pins) {
        for (let k = 0; k < keys; k++) if (!sameCoin(p.snap.getCoin(kt(k), k % 3), p.state.get(k))) return false;
        p.snap.release();
      }
      return true;
    }),
    { numRuns: 60 },
  );
});
