/**
 * CTxMemPool::CalculateMemPoolAncestors and CalculateAncestorsAndCheckLimits
 * (txmempool.cpp): parents counted once, every ancestor once, the first limit reported in
 * txid order (the JS stand-in for Core's std::set order). The entry an admission builds
 * (CTxMemPoolEntry's fields) and prioritisetransaction (CTxMemPool::PrioritiseTransaction,
 * mapDeltas, ClearPrioritisation after a block).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { admit } from '../../src/mempool/admit.ts';
import { removeForBlock } from '../../src/mempool/block.ts';
import { assembleBlock } from '../../src/mempool/miner.ts';
import { calculateAncestorsAndCheckLimits, Mempool } from '../../src/mempool/mempool.ts';
import { compareBytes } from '../../src/primitives/bytes.ts';
import type { Transaction } from '../../src/primitives/tx.ts';
import { DEFAULT_LIMITS, type MempoolEntry } from '../../src/mempool/types.ts';
import { cand, coinTxid, hex, newPool, tx } from './helpers.ts';

const lone = (o: { outs?: number; tag?: number } = {}): Transaction => tx({ ins: [[coinTxid(), 0]], ...o });
const limits = (o: Partial<typeof DEFAULT_LIMITS>) => ({ ...DEFAULT_LIMITS, ...o });

describe('CalculateMemPoolAncestors', () => {
  test('a parent spent twice counts once against the ancestor count', () => {
    const { pool } = newPool();
    const p = lone({ outs: 2 });
    assert.equal(admit(pool, cand(p, 1000)).ok, true);
    const r = pool.calculateAncestors(tx({ ins: [[p, 0], [p, 1]] }), 100, limits({ ancestorCount: 2 }));
    assert.equal(r.ok, true);
    assert.deepEqual(r.ok && [...r.ancestors].map((e) => e.txid), [hex(p)]);
  });

  test('two parents over their descendant limit: the one with the lower txid is reported, whatever the input order', () => {
    const { pool } = newPool();
    const a = lone();
    const b = lone();
    for (const t of [a, b]) assert.equal(admit(pool, cand(t, 1000)).ok, true);
    const low = compareBytes(a.txid, b.txid) < 0 ? a : b;
    const want = `too many descendants for tx ${hex(low)} [limit: 1]`;
    for (const ins of [[a, b], [b, a]]) {
      // With a confirmed input as well: only mempool parents are staged.
      const r = pool.calculateAncestors(tx({ ins: [...ins, [coinTxid(), 0]] }), 100, limits({ descendantCount: 1 }));
      assert.deepEqual(r, { ok: false, error: want });
    }
  });

  test('CalculateAncestorsAndCheckLimits: a grandparent reached through two parents is one ancestor', () => {
    const { pool } = newPool();
    // Find txids with p1 < g < p2, so that g is taken before p2 (whose parent it is again).
    for (let tag = 0; ; tag++) {
      const g = lone({ outs: 2, tag });
      const p1 = tx({ ins: [[g, 0]], tag });
      const p2 = tx({ ins: [[g, 1]], tag });
      if (!(compareBytes(p1.txid, g.txid) < 0 && compareBytes(g.txid, p2.txid) < 0)) continue;
      for (const t of [g, p1, p2]) assert.equal(admit(pool, cand(t, 1000, 100)).ok, true);
      const staged = () => new Set<MempoolEntry>([pool.get(hex(p1))!, pool.get(hex(p2))!]);
      // The child and its three ancestors: exactly the limit of 4, and 400 vB of 400.
      const r = calculateAncestorsAndCheckLimits(100, 1, staged(), limits({ ancestorCount: 4, ancestorSizeVbytes: 400 }));
      assert.equal(r.ok, true);
      assert.deepEqual(r.ok && [...r.ancestors].map((e) => e.txid), [hex(p1), hex(g), hex(p2)]);
      assert.deepEqual(calculateAncestorsAndCheckLimits(100, 1, staged(), limits({ ancestorCount: 3 })),
        { ok: false, error: 'too many unconfirmed ancestors [limit: 3]' });
      break;
    }
  });
});

describe('the entry an admission builds', () => {
  test('sigop cost, coinbase spend, lock points, times and heights are kept', () => {
    const { pool, clock } = newPool();
    pool.tipHeight = 812;
    const t = lone();
    const r = admit(pool, { ...cand(t, 1500, 150, 7), spendsCoinbase: true, lockPoints: 'lp' });
    assert.equal(r.ok, true);
    const e = pool.get(hex(t))!;
    assert.deepEqual([e.sigOpCost, e.ancSigOps, e.spendsCoinbase, e.lockPoints, e.time, e.height], [7, 7, true, 'lp', clock.t / 1000, 812]);
    const u = lone();
    assert.equal(admit(pool, { tx: u, fee: 1000n, vsize: u.vsize }).ok, true);
    const f = pool.get(hex(u))!;
    assert.deepEqual([f.sigOpCost, f.spendsCoinbase, f.weight], [0, false, u.weight]);
    assert.equal(assembleBlock(pool).sigOpsCost, 7);
  });

  test('without an injected clock, entry times are the wall clock in seconds', () => {
    const pool = new Mempool();
    const before = Math.floor(Date.now() / 1000);
    const t = lone();
    assert.equal(admit(pool, cand(t, 1000)).ok, true);
    const time = pool.get(hex(t))!.time;
    assert.ok(time >= before && time <= Math.floor(Date.now() / 1000), `entry time ${time}`);
  });
});

describe('prioritisetransaction', () => {
  test('a delta moves the entry\'s modified fee and its ancestors\' and descendants\' aggregates', () => {
    const { pool } = newPool();
    const g = lone();
    const p = tx({ ins: [g] });
    const c = tx({ ins: [p] });
    for (const t of [g, p, c]) assert.equal(admit(pool, cand(t, 1000, 100)).ok, true);
    const other = lone();
    assert.equal(admit(pool, cand(other, 1500, 100)).ok, true);
    pool.prioritise(hex(p), 3000);
    const [eg, ep, ec] = [g, p, c].map((t) => pool.get(hex(t))!) as [MempoolEntry, MempoolEntry, MempoolEntry];
    assert.deepEqual([ep.fee, ep.feeDelta, ep.modFee, ep.ancFee, ep.descFee], [1000, 3000, 4000, 5000, 5000]);
    assert.deepEqual([eg.descFee, eg.ancFee, ec.ancFee, ec.descFee], [6000, 1000, 6000, 1000]);
    // g + p now pay 25 sat/vB: ahead of `other` (15) in the block.
    assert.deepEqual(assembleBlock(pool).txs.map((s) => s.entry.txid), [hex(g), hex(p), hex(other), hex(c)]);
    pool.prioritise(hex(p), -3000);
    assert.deepEqual([ep.feeDelta, ep.modFee, eg.descFee, ec.ancFee], [0, 1000, 3000, 3000]);
    assert.equal(pool.pendingDelta(hex(p)), 0);
  });

  test('a delta for a transaction not yet in the pool applies when it enters, until a block clears it', () => {
    const { pool } = newPool();
    const t = lone();
    pool.prioritise(hex(t), 500);
    pool.prioritise(hex(t), 200);
    assert.equal(pool.pendingDelta(hex(t)), 700);
    assert.equal(admit(pool, cand(t, 1000)).ok, true);
    assert.deepEqual([pool.get(hex(t))!.modFee, pool.get(hex(t))!.feeDelta], [1700, 700]);
    removeForBlock(pool, [t]);
    assert.equal(pool.pendingDelta(hex(t)), 0);
    // A block clears the delta of a transaction that was never in the pool, too.
    const u = lone();
    pool.prioritise(hex(u), 900);
    removeForBlock(pool, [u]);
    assert.equal(pool.pendingDelta(hex(u)), 0);
  });
});
