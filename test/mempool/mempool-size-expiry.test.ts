import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { admit } from '../../src/mempool/admit.ts';
import { removeForBlock } from '../../src/mempool/block.ts';
import type { MempoolReject } from '../../src/mempool/types.ts';
import { cand, coinTxid, hex, newPool, reAdmit, tx } from './helpers.ts';

describe('TrimToSize, rolling minimum fee, Expire (txmempool.cpp)', () => {
  test('evicts the lowest descendant-score package and raises the minimum fee', () => {
    const { pool } = newPool();
    const cheap = tx({ ins: [[coinTxid(), 0]] });
    const cheapChild = tx({ ins: [cheap] });
    const rich = tx({ ins: [[coinTxid(), 0]] });
    assert.ok(admit(pool, cand(cheap, 100, 200)).ok);
    assert.ok(admit(pool, cand(cheapChild, 300, 200)).ok);
    assert.ok(admit(pool, cand(rich, 10_000, 200)).ok);
    const evicted: string[] = [];
    pool.events.on((e) => { if (e.type === 'removed' && e.reason === 'evicted') evicted.push(e.entry.txid); });
    pool.trimToSize(pool.memoryUsage - 1);
    assert.deepEqual(evicted.sort(), [hex(cheap), hex(cheapChild)].sort());
    // 400 sats / 400 vB = 1000 sat/kvB, plus the 100 sat/kvB incremental relay fee.
    assert.equal(pool.getMinFee(), 1100);
    const low = tx({ ins: [[coinTxid(), 0]] });
    const r = admit(pool, cand(low, 219, 200)) as MempoolReject;
    assert.equal(r.reason, 'mempool min fee not met');
    assert.equal(r.details, '219 < 220');
  });

  test('eviction order: the lowest descendant score (max of own and descendant fee rate) goes first', () => {
    const { pool } = newPool();
    const mk = (fee: number, ins = [[coinTxid(), 0] as [Uint8Array, number]] as Parameters<typeof tx>[0]['ins']) => {
      const t = tx({ ins });
      assert.ok(admit(pool, cand(t, fee, 200)).ok);
      return t;
    };
    const a = mk(1000); // 5000 sat/kvB
    const b = mk(200); // 1000 sat/kvB alone, but its child lifts it:
    const bChild = mk(3800, [b]); // b's package 4000 / 400 vB = 10,000 sat/kvB
    const c = mk(1600); // 8000 sat/kvB
    const d = mk(400); // 2000 sat/kvB
    const order: string[][] = [];
    const minFees: number[] = [];
    while (pool.size > 0) {
      // Just under the current usage: exactly one package goes.
      order.push(pool.trimToSize(pool.memoryUsage - 1).map((e) => e.txid).sort());
      minFees.push(pool.getMinFee());
    }
    assert.deepEqual(order, [[hex(d)], [hex(a)], [hex(c)], [hex(b), hex(bChild)].sort()]);
    // Each eviction raises the minimum fee to the package's rate plus the incremental relay fee.
    assert.deepEqual(minFees, [2100, 5100, 8100, 10_100]);
  });

  test('eviction order among equal descendant scores: the newest entry first, then the latest admitted', () => {
    const { pool, clock } = newPool();
    const early = tx({ ins: [[coinTxid(), 0]] });
    assert.ok(admit(pool, cand(early, 1000, 200)).ok);
    clock.t += 1000;
    const first = tx({ ins: [[coinTxid(), 0]] });
    const second = tx({ ins: [[coinTxid(), 0]] });
    assert.ok(admit(pool, cand(first, 1000, 200)).ok);
    assert.ok(admit(pool, cand(second, 1000, 200)).ok);
    const order: string[] = [];
    while (pool.size > 0) order.push(...pool.trimToSize(pool.memoryUsage - 1).map((e) => e.txid));
    assert.deepEqual(order, [hex(second), hex(first), hex(early)]);
  });

  test('the minimum fee decays with a 12 h half-life once a block arrives (faster when the pool is small)', () => {
    const { pool, clock } = newPool();
    pool['rollingMinimumFeeRate' as never] = 8000 as never;
    clock.t += 24 * 3600 * 1000;
    assert.equal(pool.getMinFee(), 8000, 'no decay before a block');
    removeForBlock(pool, []);
    clock.t += 3 * 3600 * 1000; // empty pool: usage < 1/4 → half-life 3 h
    assert.equal(pool.getMinFee(), 4000);
    clock.t += 30 * 3600 * 1000;
    assert.equal(pool.getMinFee(), 0, 'below half the incremental fee it drops to 0');
  });

  test('a transaction evicted right after entry reports mempool full', () => {
    const { pool } = newPool({ maxSizeBytes: 1 });
    const r = admit(pool, cand(tx({ ins: [[coinTxid(), 0]] }), 1000)) as MempoolReject;
    assert.deepEqual(r, { ok: false, reason: 'mempool full', kind: 'fee', reconsiderable: true });
    assert.equal(pool.size, 0);
  });

  test('a transaction re-admitted after a reorg (bypass_limits) is not trimmed on entry', () => {
    const { pool } = newPool({ maxSizeBytes: 1 });
    assert.equal(reAdmit(pool, cand(tx({ ins: [[coinTxid(), 0]] }), 1000)), undefined);
    assert.equal(pool.size, 1);
  });

  test('expiry at the boundary: exactly -mempoolexpiry seconds old stays, one second older goes', () => {
    const { pool, clock } = newPool({ expirySeconds: 3600 });
    const older = tx({ ins: [[coinTxid(), 0]] });
    assert.ok(admit(pool, cand(older, 1000)).ok);
    clock.t += 1000;
    const exact = tx({ ins: [[coinTxid(), 0]] });
    assert.ok(admit(pool, cand(exact, 1000)).ok);
    clock.t += 1000;
    const younger = tx({ ins: [[coinTxid(), 0]] });
    assert.ok(admit(pool, cand(younger, 1000)).ok);
    // Now: older is 3601 s old, exact 3600 s, younger 3599 s.
    clock.t += 3599 * 1000;
    pool.limitSize();
    assert.deepEqual([pool.has(hex(older)), pool.has(hex(exact)), pool.has(hex(younger))], [false, true, true]);
    clock.t += 1000;
    pool.limitSize();
    assert.deepEqual([pool.has(hex(exact)), pool.has(hex(younger))], [false, true]);
  });

  test('expiry after 336 hours removes the entry and its descendants', () => {
    const { pool, clock } = newPool();
    const a = tx({ ins: [[coinTxid(), 0]] });
    assert.ok(admit(pool, cand(a, 1000)).ok);
    clock.t += 300 * 3600 * 1000;
    const b = tx({ ins: [a] });
    assert.ok(admit(pool, cand(b, 1000)).ok);
    const reasons: string[] = [];
    pool.events.on((e) => { if (e.type === 'removed') reasons.push(e.reason); });
    clock.t += 37 * 3600 * 1000;
    pool.limitSize();
    assert.deepEqual(reasons, ['expired', 'expired']);
    assert.equal(pool.size, 0);
    assert.equal(pool.memoryUsage, 0);
  });
});
