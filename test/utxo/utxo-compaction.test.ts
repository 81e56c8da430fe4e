/**
 * Heap compaction of the shared-memory UTXO table (UtxoSet.evacuate). The chunk size is a
 * constant (layout.ts CHUNK_UNITS_SHIFT, 1 MiB) and UtxoSetOptions has no knob for it, so
 * the test makes chunks fill quickly with large raw scripts (up to 10 000 bytes) and then
 * spends most of them. It checks that chunks really are evacuated (no live coin refers to
 * them any more, moved groups carry DEAD placeholders), that every coin is still right
 * afterwards, that a reader pinned across the move sees its version and that the old
 * chunk's bytes stay untouched until that reader releases, and that freed chunks are
 * reused (the heap stops growing under churn).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UtxoSet } from '../../src/utxo/set.ts';
import { snapshotChunks } from '../../src/utxo/snapshot.ts';
import { CHUNK_BYTES } from '../../src/utxo/layout.ts';
import { compareBytes, concatBytes } from '../../src/primitives/bytes.ts';
import { Rng } from './synthetic.ts';
import { SMALL, MAX_MONEY, META, VOUT_SPAN, makeTxids, Model, shuffle, txOutputs, chunksInUse, deadRecords, chunkBytes, roundTrip, type Out } from './groups-fixtures.ts';

test('heap compaction: sparse chunks are evacuated, pinned readers keep their version, freed chunks are reused', async () => {
  const r = new Rng(0xc0ffee);
  const txids = makeTxids(r, 3000);
  const m = new Model(txids);
  const set = UtxoSet.create(SMALL);
  const reader = set.reader();
  let t = 0;
  const someTxs = (count: number, ballastPct: number): Out[] => {
    const outs: Out[] = [];
    for (let i = 0; i < count; i++) {
      const x = r.below(10);
      const n = x < 4 ? 1 + r.below(4) : x < 8 ? 1 + r.below(150) : [64, 65, 128, 150][r.below(4)]!;
      outs.push(...txOutputs(r, t++, n, { gaps: r.below(2) === 0, dupEvery: r.below(4) === 0 ? 5 : 0, ballastPct, beyondPct: 2 }));
    }
    return outs;
  };
  // 1. fill six 1 MiB chunks
  for (let i = 0; set.stats().chunks < 7; i++) {
    assert.ok(i < 100, 'the heap does not grow');
    m.apply(set, someTxs(6, 12), []);
  }
  const filled = set.stats().chunks;
  assert.deepEqual(m.diff(set), []);
  // 2. spend 70% (random order, four batches, with a few adds each), pinning before and
  //    in between; then 15% more
  const s0 = reader.pin();
  const state0 = new Map(m.coins);
  const order = shuffle(r, [...m.coins.keys()]);
  const n70 = Math.floor(order.length * 0.7);
  const n85 = Math.floor(order.length * 0.85);
  for (let i = 0; i < 4; i++) m.apply(set, someTxs(2, 0), order.slice((i * n70) >> 2, ((i + 1) * n70) >> 2));
  const s1 = reader.pin();
  const state1 = new Map(m.coins);
  m.apply(set, someTxs(2, 0), order.slice(n70, n85));
  assert.equal(set.stats().freeChunks, 0);
  const before = chunksInUse(set, s1.version);
  assert.equal(deadRecords(set, set.version), 0, 'nothing moved yet');
  // nothing spent after version s0 may be reclaimed while s0 is pinned: no compaction
  m.apply(set, [], []);
  assert.deepEqual(chunksInUse(set, s1.version), before, 'no group moved while version s0 is pinned');
  assert.deepEqual(m.diff(s0, state0), [], 's0 before the move');
  const saved = new Map<number, Uint8Array>();
  for (const c of before.keys()) saved.set(c, chunkBytes(set, c));

  // 3. release s0: the spends up to s1 become reclaimable, chunks fall below half live
  s0.release();
  m.apply(set, [], []);
  m.apply(set, [], []);
  const after = chunksInUse(set, s1.version);
  const evacuated = [...before.keys()].filter((c) => !after.has(c));
  assert.ok(evacuated.length >= 3, `chunks evacuated: ${evacuated.length} (in use before: ${before.size})`);
  assert.ok(deadRecords(set, set.version) > 0, 'moved groups keep record indexes with DEAD placeholders');
  assert.ok(deadRecords(set, s1.version) > 0);
  assert.deepEqual(m.diff(set), [], 'latest after compaction');
  assert.deepEqual(m.diff(s1, state1), [], 's1, pinned across the move (coins spent after s1 were moved too)');
  // the evacuated chunks are retired, not reused, while s1 (older than the move) is pinned:
  // churn that needs several new chunks
  for (let i = 0; i < 4; i++) {
    const adds = someTxs(3, 60);
    m.apply(set, adds, []);
    const mine = [...new Set(adds.map((o) => o.t * VOUT_SPAN + o.vout))].filter((k) => m.coins.has(k));
    m.apply(set, [], mine);
  }
  for (const c of evacuated) assert.ok(compareBytes(chunkBytes(set, c), saved.get(c)!) === 0, `retired chunk ${c} untouched while s1 is pinned`);
  assert.deepEqual(m.diff(s1, state1), [], 's1 after more churn');
  assert.deepEqual(m.diff(set), []);

  // 4. release s1: retired chunks are freed and reused; under heavy churn the heap stops growing
  s1.release();
  m.apply(set, [], []);
  m.apply(set, [], []);
  assert.equal(set.stats().pendingSpends, 0);
  const grown = set.stats().chunks;
  let written = 0;
  for (let i = 0; i < 12; i++) {
    const adds = someTxs(3, 80);
    for (const o of adds) written += o.coin.scriptPubKey.length;
    m.apply(set, adds, []);
    const mine = [...new Set(adds.map((o) => o.t * VOUT_SPAN + o.vout))].filter((k) => m.coins.has(k));
    m.apply(set, [], shuffle(r, mine).slice(0, Math.floor(mine.length * 0.9)));
  }
  assert.ok(written > 4 * CHUNK_BYTES, `churn wrote ${written} bytes`);
  assert.ok(set.stats().chunks - grown <= 2, `heap grew from ${grown} to ${set.stats().chunks} chunks (filled ${filled}) while ${written} bytes were written`);
  assert.ok(evacuated.some((c) => compareBytes(chunkBytes(set, c), saved.get(c)!) !== 0), 'a freed chunk was reused');
  assert.deepEqual(m.diff(set), []);
  assert.equal(set.size, m.coins.size);

  // 5. a dump streamed from its pinned version while later batches compact the heap under
  //    it and churn through new chunks (snapshotChunks reads the old copies)
  m.apply(set, someTxs(12, 80), []);
  m.apply(set, [], [...m.coins].filter(([, c]) => c.value > MAX_MONEY).map(([k]) => k));
  const hold = reader.pin();
  m.apply(set, someTxs(1, 0), shuffle(r, [...m.coins.keys()]).slice(0, Math.floor(m.coins.size * 0.65)));
  const wantDump = m.snapshot();
  const dumpVersion = set.version;
  const dump = snapshotChunks(set, META);
  const parts = [dump.next().value!];
  const dumpBefore = chunksInUse(set, dumpVersion);
  hold.release();
  for (let i = 0; i < 4; i++) {
    const adds = someTxs(3, 60);
    m.apply(set, adds, []);
    const mine = [...new Set(adds.map((o) => o.t * VOUT_SPAN + o.vout))].filter((k) => m.coins.has(k));
    m.apply(set, [], mine);
  }
  const dumpAfter = chunksInUse(set, dumpVersion);
  assert.ok([...dumpBefore.keys()].filter((c) => !dumpAfter.has(c)).length >= 2, 'chunks evacuated while the dump was half written');
  parts.push(...dump);
  assert.ok(parts.length >= 2, `the dump came in ${parts.length} parts`);
  assert.ok(compareBytes(concatBytes(...parts), wantDump) === 0, 'the dump shows its pinned version exactly');

  // 6. dump, load, churn the loaded set into compaction, dump again
  const loaded = await roundTrip(set, m, 'after compaction');
  const lreader = loaded.reader();
  for (let i = 0; loaded.stats().chunks < filled + 3; i++) {
    assert.ok(i < 100, 'the heap of the loaded set does not grow');
    m.apply(loaded, someTxs(6, 12), []);
  }
  const pinned = lreader.pin();
  const pinnedState = new Map(m.coins);
  const lorder = shuffle(r, [...m.coins.keys()]);
  m.apply(loaded, someTxs(1, 0), lorder.slice(0, Math.floor(lorder.length * 0.8)));
  const lbefore = chunksInUse(loaded, loaded.version);
  m.apply(loaded, [], []);
  assert.deepEqual(chunksInUse(loaded, loaded.version), lbefore, 'no move while the older version is pinned');
  assert.deepEqual(m.diff(pinned, pinnedState), []);
  pinned.release();
  for (let i = 0; i < 3; i++) m.apply(loaded, [], []);
  const lafter = chunksInUse(loaded, loaded.version);
  assert.ok([...lbefore.keys()].filter((c) => !lafter.has(c)).length >= 3, 'the loaded set compacts too');
  assert.deepEqual(m.diff(loaded), []);
  m.apply(loaded, [], [...m.coins].filter(([, c]) => c.value > MAX_MONEY).map(([k]) => k));
  await roundTrip(loaded, m, 'loaded set after compaction');
});
