/**
 * The shared-memory UTXO table (src/utxo/set.ts, reader.ts, snapshot.ts) against a Map
 * model, on what the other UTXO tests leave out:
 *  - txids with 1..150 outputs: several group headers per txid (layout.ts: at most
 *    GROUP_MAX_RECORDS records, GROUP_MAX_BYTES bytes per group), outputs spent in random
 *    orders across batches, spent outpoints added again (a block disconnect);
 *  - duplicate adds of one outpoint in one batch: the later wins (Core's
 *    CCoinsViewCache::AddCoin with possible_overwrite), an unspendable later add is a
 *    no-op, add + add + spend leaves nothing;
 *  - every script kind (Core's CompressScript special cases, the witness kinds, P2PK with
 *    a valid uncompressed key of either y parity) and near misses that must stay raw, raw
 *    scripts up to MAX_SCRIPT_SIZE, unspendable ones that never enter the set;
 *  - amounts from 0 to MAX_MONEY (round, odd, boundaries of the amount encodings) and
 *    beyond (kept exactly in memory, spent before a dump: snapshots reject them);
 *  - pinned snapshots keep their exact view while later batches spend and add;
 *  - write -> load -> write gives identical bytes, equal to an independent encoding of
 *    the model (synthetic.ts encodeSnapshot), also for a loaded set churned further;
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { UtxoSet } from '../../src/utxo/set.ts';
import type { Snapshot } from '../../src/utxo/reader.ts';
import type { Coin } from '../../src/utxo/coin.ts';
import { writeSnapshot } from '../../src/utxo/snapshot.ts';
import { sameCoin } from './model.ts';
import { Rng } from './synthetic.ts';
import { SMALL, MAX_MONEY, META, VOUT_SPAN, cat, rnd, FULL_KEYS, SCRIPTS, UNSPENDABLE, isUnspendable, script, P32, amount, makeTxids, Model, shuffle, txOutputs, deadRecords, roundTrip, type Out } from './groups-fixtures.ts';

test('every script kind and amount edge, in groups of 1..150 outputs: exact reads and snapshot bytes', async () => {
  const r = new Rng(0x5c1);
  const txids = makeTxids(r, 60);
  const m = new Model(txids);
  const set = UtxoSet.create(SMALL);
  const adds: Out[] = [];
  // one txid per script kind, 150 outputs each (3 group headers), every amount case
  for (let i = 0; i < SCRIPTS.length; i++) {
    const [, make] = SCRIPTS[i]!;
    for (let vout = 0; vout < 150; vout++) adds.push({ t: i, vout, coin: { value: amount(r), scriptPubKey: make(r), height: 1000 + i, coinbase: i % 2 === 0 } });
  }
  // unspendable adds never enter the set
  for (let vout = 0; vout < 20; vout++) adds.push({ t: 50, vout, coin: { value: 1n, scriptPubKey: UNSPENDABLE[vout % 2]!(r), height: 5, coinbase: false } });
  // fixed amounts on P2WPKH (the most common kind)
  const fixed = [0n, 1n, 9n, 10n, 255n, 256n, 65535n, 65536n, P32 - 1n, P32, P32 + 1n, 899_999_999_999_999n, 900_000_000_000_000n,
    900_000_000_000_001n, 2_099_999_999_999_999n, MAX_MONEY, 1_000_000_000_000_000n, 123_456_789_012_345n, 100_000_000n, 5_000_000_000n];
  fixed.forEach((value, vout) => adds.push({ t: 51, vout, coin: { value, scriptPubKey: cat([0, 20], rnd(r, 20)), height: 0, coinbase: true } }));
  // heights at the VARINT and 2^31 edges
  const heights = [0, 63, 64, 127, 128, 8_256, 16_511, 2 ** 24, 0x7fffffff];
  heights.forEach((height, vout) => adds.push({ t: 52, vout, coin: { value: 50n, scriptPubKey: cat([0x51, 32], rnd(r, 32)), height, coinbase: vout % 2 === 1 } }));
  m.apply(set, adds, []);
  assert.equal(set.size, m.coins.size);
  assert.equal(m.coins.size, SCRIPTS.length * 150 + fixed.length + heights.length);
  assert.deepEqual(m.diff(set), []);
  // exact bytes of the kinds whose payload is rebuilt on reads
  for (const kind of ['p2pk-04-even-y', 'p2pk-04-odd-y', 'p2pk-hybrid-06/07', 'p2pk-04-off-curve']) {
    const i = SCRIPTS.findIndex(([n]) => n === kind);
    assert.ok(sameCoin(set.getCoin(txids[i]!, 149), m.coins.get(i * VOUT_SPAN + 149)), kind);
  }
  // spend every other output of every txid, from the top down, then dump and reload
  const spends: number[] = [];
  for (const k of m.coins.keys()) if (k % 2 === 1) spends.push(k);
  m.apply(set, [], spends.reverse());
  assert.deepEqual(m.diff(set), []);
  const loaded = await roundTrip(set, m, 'kinds');
  assert.deepEqual(m.diff(loaded), []);
  // Core's ScriptCompression in the dump, spelled out for one coin (value 0, height 1):
  // header | txid | 1 coin | vout 0 | VARINT(2) | VARINT(0) | script
  const one = (spk: Uint8Array): Uint8Array => {
    const s1 = UtxoSet.create(SMALL);
    s1.applyBatch({ add: [{ txid: txids[0]!, vout: 0, coin: { value: 0n, scriptPubKey: spk, height: 1, coinbase: false } }] });
    const d = writeSnapshot(s1, META);
    assert.deepEqual([...d.subarray(83, 87)], [1, 0, 2, 0]);
    return d.subarray(87);
  };
  for (const k of [...FULL_KEYS.even, ...FULL_KEYS.odd]) {
    // a valid uncompressed key: type 4 | (y & 1), then x (CompressScript IsToPubKey)
    assert.deepEqual([...one(cat([65], k, [0xac]))], [4 | (k[64]! & 1), ...k.subarray(1, 33)]);
  }
  const hybrid = cat([65, 7], FULL_KEYS.odd[0]!.subarray(1), [0xac]);
  assert.deepEqual([...one(hybrid)], [67 + 6, ...hybrid], 'a hybrid key stays raw: nSize = 67 + 6');
  const wpkh = cat([0, 20], rnd(r, 20));
  assert.deepEqual([...one(wpkh)], [22 + 6, ...wpkh], 'witness programs are raw in the dump format');
  const pkh = cat([0x76, 0xa9, 20], rnd(r, 20), [0x88, 0xac]);
  assert.deepEqual([...one(pkh)], [0, ...pkh.subarray(3, 23)]);
  const p2pk = cat([33, 3], rnd(r, 32), [0xac]);
  assert.deepEqual([...one(p2pk)], [3, ...p2pk.subarray(2, 34)]);
});

test('duplicate adds of one outpoint in one batch: the later wins (possible_overwrite)', () => {
  const r = new Rng(0xd0b);
  const txids = makeTxids(r, 8);
  const m = new Model(txids);
  const set = UtxoSet.create(SMALL);
  const reader = set.reader();
  const c = (value: bigint, height = 7, s: Uint8Array = cat([0, 20], rnd(r, 20))): Coin => ({ value, scriptPubKey: s, height, coinbase: false });
  // a 150-output tx whose outputs 3, 70 and 140 appear twice (the first copy may already
  // sit in a placed group header: groups hold 64 records)
  const outs: Out[] = [];
  for (let vout = 0; vout < 150; vout++) {
    outs.push({ t: 0, vout, coin: c(BigInt(vout)) });
    if (vout === 3 || vout === 70 || vout === 140) outs.push({ t: 0, vout, coin: c(BigInt(vout) + 1_000_000n) });
  }
  // the same outpoint three times in a row, the last one unspendable: the second stays
  outs.push({ t: 1, vout: 0, coin: c(1n) }, { t: 1, vout: 0, coin: c(2n, 8) }, { t: 1, vout: 0, coin: c(3n, 9, cat([0x6a, 1, 1])) });
  // the first one unspendable, the second one real
  outs.push({ t: 1, vout: 1, coin: c(4n, 9, cat([0x6a])) }, { t: 1, vout: 1, coin: c(5n) });
  // far apart in the batch, with other txids in between
  outs.push({ t: 2, vout: 9, coin: c(6n) }, { t: 3, vout: 0, coin: c(7n) }, { t: 2, vout: 9, coin: c(8n, 11) });
  m.apply(set, outs, []);
  assert.equal(set.getCoin(txids[0]!, 70)!.value, 1_000_070n);
  assert.equal(set.getCoin(txids[1]!, 0)!.value, 2n);
  assert.equal(set.getCoin(txids[1]!, 1)!.value, 5n);
  assert.equal(set.getCoin(txids[2]!, 9)!.value, 8n);
  assert.equal(set.size, m.coins.size);
  assert.deepEqual(m.diff(set), []);
  const s1 = reader.pin();
  const state1 = new Map(m.coins);
  // over unspent coins: add, add again, and add + add + spend in one batch
  const o2: Out[] = [
    { t: 0, vout: 3, coin: c(30n) }, { t: 0, vout: 3, coin: c(31n) },
    { t: 0, vout: 4, coin: c(40n) }, { t: 0, vout: 4, coin: c(41n) },
    { t: 4, vout: 0, coin: c(50n) }, { t: 4, vout: 0, coin: c(51n) },
  ];
  set.applyBatch({ add: o2.map((o) => m.add(o)), spend: [m.ref(4), m.ref(4 * VOUT_SPAN), m.ref(5)] });
  for (const o of o2) {
    m.seen.add(o.t * VOUT_SPAN + o.vout);
    m.coins.set(o.t * VOUT_SPAN + o.vout, o.coin);
  }
  for (const k of [4, 4 * VOUT_SPAN, 5]) m.coins.delete(k);
  assert.equal(set.getCoin(txids[0]!, 3)!.value, 31n);
  assert.equal(set.getCoin(txids[0]!, 4), undefined);
  assert.equal(set.getCoin(txids[4]!, 0), undefined);
  assert.equal(set.size, m.coins.size);
  assert.deepEqual(m.diff(set), []);
  assert.deepEqual(m.diff(s1, state1), [], 'the pinned version still sees the coins the duplicates replaced');
  // the replaced copies are reclaimed once nothing pins them; the survivors stay right
  s1.release();
  set.applyBatch({});
  set.applyBatch({});
  assert.equal(set.stats().pendingSpends, 0);
  assert.deepEqual(m.diff(set), []);
  assert.equal([...set.coins()].length, m.coins.size);
});

test('property: multi-output groups, duplicates, re-adds and pins agree with a Map model (fast-check)', async () => {
  const T = 10;
  const txArb = fc.record({
    t: fc.nat(T - 1),
    n: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 150 }), fc.constantFrom(63, 64, 65, 128, 129, 150)),
    first: fc.oneof(fc.constant(0), fc.nat(300)),
    gaps: fc.boolean(),
    dupEvery: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 9 })),
    ballastPct: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 60 })),
    beyondPct: fc.oneof(fc.constant(0), fc.constant(0), fc.constant(5)),
  });
  const batchArb = fc.record({
    txs: fc.array(txArb, { maxLength: 3 }),
    spendPct: fc.nat(100),
    cancel: fc.nat(3),
    pin: fc.boolean(),
    release: fc.nat(3),
    seed: fc.nat(),
  });
  let runs = 0;
  let compacted = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(batchArb, { minLength: 1, maxLength: 18 }), async (batches) => {
      runs++;
      const r0 = new Rng(batches.length * 7919 + 1);
      const m = new Model(makeTxids(r0, T));
      const set = UtxoSet.create(SMALL);
      const reader = set.reader();
      const pins: { snap: Snapshot; state: Map<number, Coin> }[] = [];
      for (const b of batches) {
        const r = new Rng(b.seed + 1);
        const adds: Out[] = [];
        for (const tx of b.txs) adds.push(...txOutputs(r, tx.t, tx.n, tx));
        // outputs of this batch spent in it too (they cancel out), only where the last
        // add of the outpoint is spendable
        const last = new Map<number, Coin>();
        for (const o of adds) last.set(o.t * VOUT_SPAN + o.vout, o.coin);
        const fresh = [...last].filter(([, c]) => !isUnspendable(c.scriptPubKey)).map(([k]) => k);
        const spends = shuffle(r, fresh).slice(0, b.cancel);
        // and a random share of what was live before, in random order
        const live = [...m.coins.keys()].filter((k) => !last.has(k));
        spends.push(...shuffle(r, live).slice(0, Math.floor((live.length * b.spendPct) / 100)));
        shuffle(r, spends);
        m.apply(set, adds, spends);
        if (set.size !== m.coins.size) return false;
        if (b.pin) pins.push({ snap: reader.pin(), state: new Map(m.coins) });
        if (pins.length > b.release) {
          const p = pins.splice(b.release, 1)[0]!;
          assert.deepEqual(m.diff(p.snap, p.state), [], `pin at version ${p.snap.version}`);
          p.snap.release();
        }
        assert.deepEqual(m.diff(set), [], `latest, version ${set.version}`);
      }
      for (const p of pins) {
        assert.deepEqual(m.diff(p.snap, p.state), [], `pin at version ${p.snap.version}, at the end`);
        p.snap.release();
      }
      set.applyBatch({});
      if (set.stats().freeChunks > 0 || deadRecords(set, set.version) > 0) compacted++;
      // snapshots reject amounts above MAX_MONEY: spend those, then write -> load -> write
      const over = [...m.coins].filter(([, c]) => c.value > MAX_MONEY).map(([k]) => k);
      m.apply(set, [], over);
      assert.deepEqual(m.diff(set), []);
      await roundTrip(set, m, 'property');
      return true;
    }),
    { seed: 0x75_7830, numRuns: 40 },
  );
  // not every history fills a chunk; enough of them must reach compaction
  assert.ok(compacted >= 3, `compaction ran in ${compacted} of ${runs} histories`);
});
