// TxOrphanage (Core v28/v29 txorphanage.cpp): bookkeeping by spent outpoint, erasure by
// peer and by block, the 5-minute batching of expiry sweeps, and the resolution of orphans
// when a parent arrives (the orphan work set). Limits at N-1/N/N+1 are in limits-exact.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Orphanage } from '../../src/mempool/orphanage.ts';
import type { Transaction } from '../../src/primitives/tx.ts';
import { coinTxid, tx, whex } from './helpers.ts';

const wtxids = (ts: Transaction[]): string[] => ts.map(whex);

describe('orphan bookkeeping', () => {
  test('add, has, entries, duplicates; children found by the outputs they spend', () => {
    const now = 1_700_000_000_000;
    const o = new Orphanage({ now: () => now });
    const parent = tx({ ins: [[coinTxid(), 0]], outs: 3 });
    const a = tx({ ins: [[parent, 0]] }), b = tx({ ins: [[parent, 2], [coinTxid(), 0]] }), other = tx({ ins: [[coinTxid(), 0]] });
    for (const t of [a, b, other]) assert.equal(o.add(t), true);
    assert.equal(o.add(a), false); // already known
    assert.equal(o.size, 3);
    assert.deepEqual([...o.entries()].map((e) => [e.wtxid, e.expire]), [a, b, other].map((t) => [whex(t), 1_700_000_000 + 1200]));
    assert.deepEqual(wtxids(o.childrenOf(parent)), wtxids([a, b]));
    // Erasing one spender of an outpoint keeps the others findable; erasing twice is a no-op.
    assert.equal(o.erase(whex(a)), true);
    assert.equal(o.erase(whex(a)), false);
    assert.deepEqual(wtxids(o.childrenOf(parent)), wtxids([b]));
    const a2 = tx({ ins: [[parent, 0]], tag: 1 }), a3 = tx({ ins: [[parent, 0]], tag: 2 });
    o.add(a2);
    o.add(a3);
    o.erase(whex(a2));
    assert.deepEqual(wtxids(o.childrenOf(parent)), wtxids([b, a3]));
  });

  test('eraseForPeer drops only that peer\'s orphans', () => {
    const o = new Orphanage();
    const mine = [tx({ ins: [[coinTxid(), 0]] }), tx({ ins: [[coinTxid(), 0]] })], theirs = tx({ ins: [[coinTxid(), 0]] });
    for (const t of mine) o.add(t, 7);
    o.add(theirs, 8);
    assert.equal(o.eraseForPeer(7), 2);
    assert.equal(o.eraseForPeer(7), 0);
    assert.deepEqual([...o.entries()].map((e) => e.wtxid), [whex(theirs)]);
  });

  test('eraseForBlock drops orphans that a block\'s transactions include or conflict with', () => {
    const o = new Orphanage();
    const coin = coinTxid(), coin2 = coinTxid();
    const spendsCoin = tx({ ins: [[coin, 0]] }), spendsCoin2 = tx({ ins: [[coin2, 1]] }), untouched = tx({ ins: [[coin2, 0]] });
    for (const t of [spendsCoin, spendsCoin2, untouched]) o.add(t);
    const conflicting = tx({ ins: [[coin, 0]], tag: 3 }); // same input as spendsCoin
    assert.equal(o.eraseForBlock([conflicting, spendsCoin2]), 2);
    assert.deepEqual([...o.entries()].map((e) => e.wtxid), [whex(untouched)]);
    assert.equal(o.eraseForBlock([]), 0);
    // A block transaction spending nothing any orphan spends drops nothing.
    assert.equal(o.eraseForBlock([tx({ ins: [[coinTxid(), 0]] })]), 0);
  });

  test('orphans spending the same outpoint are all found; an erased one no longer is', () => {
    const o = new Orphanage();
    const parent = tx({ ins: [[coinTxid(), 0]], outs: 1 });
    const x = tx({ ins: [[parent, 0]], tag: 1 }), y = tx({ ins: [[parent, 0]], tag: 2 });
    // An output index past the parent's outputs is no child (AddChildrenToWorkSet walks vout).
    const beyond = tx({ ins: [[parent, 1]] });
    for (const t of [x, y, beyond]) o.add(t);
    assert.deepEqual(wtxids(o.childrenOf(parent)), wtxids([x, y]));
    o.erase(whex(x));
    o.erase(whex(y));
    assert.deepEqual(wtxids(o.childrenOf(parent)), []);
    assert.equal(o.eraseForBlock([tx({ ins: [[parent, 0]], tag: 3 })]), 0);
  });

  test('the default clock is the wall clock and the default eviction picks a random orphan', () => {
    const o = new Orphanage({ maxOrphans: 1 });
    const before = Math.floor(Date.now() / 1000);
    const ts = [tx({ ins: [[coinTxid(), 0]] }), tx({ ins: [[coinTxid(), 0]] })];
    for (const t of ts) o.add(t);
    const after = Math.floor(Date.now() / 1000);
    const [left, ...more] = [...o.entries()];
    assert.deepEqual(more, []);
    assert.ok(wtxids(ts).includes(left!.wtxid));
    assert.ok(left!.expire >= before + 1200 && left!.expire <= after + 1200, `expires at ${left!.expire}`);
    // Either orphan may go: over 64 rounds both are evicted (a fixed pick fails this).
    const kept = new Set<string>();
    for (let round = 0; round < 64; round++) {
      const r = new Orphanage({ maxOrphans: 1 });
      for (const t of ts) r.add(t);
      kept.add([...r.entries()][0]!.wtxid);
    }
    assert.deepEqual([...kept].sort(), wtxids(ts).sort());
  });
});

describe('expiry sweeps are batched (LimitOrphans)', () => {
  test('the next sweep is 5 minutes after the earliest expiry seen, not before', () => {
    let now = 1_700_000_000_000;
    const o = new Orphanage({ now: () => now });
    const s = 1000;
    const first = tx({ ins: [[coinTxid(), 0]] });
    o.add(first); // t0: expires at t0 + 1200; the sweep at add time sets the next one at t0 + 1200
    now += 600 * s;
    const second = tx({ ins: [[coinTxid(), 0]] });
    o.add(second); // expires at t0 + 1800
    now += 599 * s;
    assert.deepEqual(o.limit(), { expired: 0, evicted: 0 });
    now += 1 * s; // t0 + 1200: sweep; the second orphan now expires first → next sweep at t0 + 2100
    assert.deepEqual(o.limit(), { expired: 1, evicted: 0 });
    assert.equal(o.has(whex(second)), true);
    now += 600 * s; // t0 + 1800: expired, but no sweep is due
    assert.deepEqual(o.limit(), { expired: 0, evicted: 0 });
    assert.equal(o.has(whex(second)), true);
    now += 299 * s;
    assert.deepEqual(o.limit(), { expired: 0, evicted: 0 });
    now += 1 * s; // t0 + 2100
    assert.deepEqual(o.limit(), { expired: 1, evicted: 0 });
    assert.equal(o.size, 0);
  });

  test('random eviction above the maximum counts each eviction', () => {
    const picks: number[] = [];
    const o = new Orphanage({ maxOrphans: 2, random: (n) => (picks.push(n), n - 1) });
    const ts = [0, 1, 2, 3].map(() => tx({ ins: [[coinTxid(), 0]] }));
    for (const t of ts.slice(0, 3)) o.add(t);
    assert.deepEqual(picks, [3]);
    assert.deepEqual([...o.entries()].map((e) => e.wtxid), wtxids(ts.slice(0, 2)));
    o.add(ts[3]!);
    assert.equal(o.add(ts[3]!), false);
    assert.deepEqual(o.limit(), { expired: 0, evicted: 0 });
    o.opts.maxOrphans = 0;
    assert.deepEqual(o.limit(), { expired: 0, evicted: 2 });
  });
});

describe('resolution when a parent arrives (the orphan work set)', () => {
  test('accepted children leave and resolve their own children; definite rejections leave; missing inputs stay', async () => {
    const o = new Orphanage();
    const parent = tx({ ins: [[coinTxid(), 0]], outs: 3 });
    const ok = tx({ ins: [[parent, 0]] }), bad = tx({ ins: [[parent, 1]] }), waits = tx({ ins: [[parent, 2], [coinTxid(), 0]] });
    const grandchild = tx({ ins: [ok] });
    for (const t of [grandchild, ok, bad, waits]) o.add(t);
    const asked: string[] = [];
    const verdict = new Map([[whex(ok), 'accepted'], [whex(bad), 'rejected'], [whex(waits), 'missing-inputs'], [whex(grandchild), 'accepted']] as const);
    const accepted = await o.resolve(parent, async (t) => {
      asked.push(whex(t));
      return verdict.get(whex(t))!;
    });
    assert.deepEqual(wtxids(accepted), wtxids([ok, grandchild]));
    assert.deepEqual(asked, wtxids([ok, bad, waits, grandchild]));
    assert.deepEqual([...o.entries()].map((e) => e.wtxid), [whex(waits)]);
  });

  test('an orphan erased while the work set runs is not offered again', async () => {
    const o = new Orphanage();
    const parent = tx({ ins: [[coinTxid(), 0]], outs: 2 });
    const first = tx({ ins: [[parent, 0]] }), second = tx({ ins: [[parent, 1]] });
    o.add(first);
    o.add(second);
    const asked: string[] = [];
    await o.resolve(parent, async (t) => {
      asked.push(whex(t));
      o.erase(whex(second)); // e.g. it arrived by another path meanwhile
      return 'missing-inputs';
    });
    assert.deepEqual(asked, [whex(first)]);
  });
});
