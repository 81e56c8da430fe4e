/**
 * CTxMemPool::GetMinFee and trackPackageRemoved (txmempool.cpp): the rolling minimum fee
 * rises on eviction only, decays after a block with a half-life of 12 h (6 h under half
 * the size limit, 3 h under a quarter) updated at most every 10 s, and drops to 0 under
 * half the incremental relay fee. TrimToSize's stop condition and Expire's bookkeeping.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { admit } from '../../src/mempool/admit.ts';
import { removeForBlock, removeForReorg } from '../../src/mempool/block.ts';
import type { Mempool } from '../../src/mempool/mempool.ts';
import type { Transaction } from '../../src/primitives/tx.ts';
import { cand, coinTxid, hex, newPool, reAdmit, tx } from './helpers.ts';

const lone = (): Transaction => tx({ ins: [[coinTxid(), 0]] });
const kept = (pool: Mempool): boolean => pool.descendantIndex === pool.descendantIndex;

/** A keeper at 100 sat/vB and an evicted 100 vB transaction at `fee`: the rolling fee is fee × 10 + 100 sat/kvB. */
function evicted(fee: number): { pool: Mempool; clock: { t: number } } {
  const { pool, clock } = newPool();
  assert.equal(admit(pool, cand(lone(), 10_000, 100)).ok, true);
  const low = lone();
  assert.equal(reAdmit(pool, cand(low, fee, 100)), undefined);
  pool.trimToSize(pool.memoryUsage - 1);
  assert.equal(pool.has(hex(low)), false);
  return { pool, clock };
}

describe('GetMinFee', () => {
  test('no decay within 10 s of the last update; then by 2^(-elapsed / half-life)', () => {
    const at = (secs: number): number => {
      const { pool, clock } = evicted(1000); // 10,100 sat/kvB
      removeForBlock(pool, []);
      clock.t += secs * 1000;
      return pool.getMinFee();
    };
    // Usage under a quarter of the default limit: a 3 h half-life.
    assert.deepEqual([at(5), at(10), at(11)], [10_100, 10_100, Math.round(10_100 / 2 ** (11 / 10_800))]);
    // Six half-lives: 157.8 stays (above 50), seven more halvings fall under 50 and give 0.
    assert.equal(at(6 * 10_800), 158);
    assert.equal(at(8 * 10_800), 0);
  });

  test('the half-life follows the usage: 3 h under a quarter of the limit, 6 h under half, else 12 h', () => {
    const decayed = (limitInUsages: number, offset: number): number => {
      const { pool, clock } = evicted(1000);
      removeForBlock(pool, []);
      clock.t += 21_600 * 1000; // 6 h
      return pool.getMinFee(pool.memoryUsage * limitInUsages + offset);
    };
    assert.equal(decayed(4, 4), 2525); // usage < limit / 4: two half-lives
    assert.equal(decayed(4, 0), 5050); // usage = limit / 4: 6 h
    assert.equal(decayed(2, 2), 5050);
    assert.equal(decayed(2, 0), Math.round(10_100 / Math.SQRT2)); // usage = limit / 2: 12 h
  });

  test('zero stays zero after a block; below the incremental relay fee the incremental fee is the floor', () => {
    const { pool, clock } = newPool();
    removeForBlock(pool, []);
    assert.equal(pool.getMinFee(), 0);
    clock.t += 3_600_000;
    assert.equal(pool.getMinFee(), 0);
    const e = evicted(5); // 150 sat/kvB
    removeForBlock(e.pool, []);
    e.clock.t += 3 * 3600 * 1000; // one half-life: 75, under the 100 floor
    assert.equal(e.pool.getMinFee(), 100);
  });

  test('eviction only raises the rolling fee, and restarts the wait for a block', () => {
    const { pool, clock } = evicted(1000); // 10,100
    // A cheaper transaction re-added from a block (no fee floor), then evicted: the rolling fee stays.
    const cheap = lone();
    assert.equal(reAdmit(pool, cand(cheap, 100, 100)), undefined);
    pool.trimToSize(pool.memoryUsage - 1);
    assert.equal(pool.has(hex(cheap)), false);
    assert.equal(pool.getMinFee(), 10_100);
    // After a block the fee decays, unless an eviction at a higher rate comes after the block.
    removeForBlock(pool, []);
    const rich = lone();
    assert.equal(reAdmit(pool, cand(rich, 2000, 100)), undefined);
    assert.equal(reAdmit(pool, cand(lone(), 30_000, 100)), undefined);
    pool.trimToSize(pool.memoryUsage - 1);
    assert.equal(pool.has(hex(rich)), false);
    clock.t += 12 * 3600 * 1000;
    assert.equal(pool.getMinFee(), 20_100);
  });

  test('an eviction at exactly the current rolling rate does not stop the decay', () => {
    const { pool, clock } = evicted(1000);
    removeForBlock(pool, []);
    const same = lone();
    assert.equal(reAdmit(pool, cand(same, 1000, 100)), undefined);
    pool.trimToSize(pool.memoryUsage - 1);
    assert.equal(pool.has(hex(same)), false);
    clock.t += 3 * 3600 * 1000;
    assert.equal(pool.getMinFee(), 5050);
  });
});

describe('TrimToSize and Expire bookkeeping', () => {
  test('eviction stops as soon as usage is at most the limit', () => {
    const { pool } = newPool();
    const worst = lone();
    const next = lone();
    assert.equal(admit(pool, cand(worst, 200, 100)).ok, true);
    assert.equal(admit(pool, cand(next, 300, 100)).ok, true);
    const rest = pool.memoryUsage - pool.get(hex(worst))!.usage;
    assert.deepEqual(pool.trimToSize(rest).map((e) => e.txid), [hex(worst)]);
    assert.deepEqual(pool.trimToSize(rest), []);
    assert.equal(pool.size, 1);
  });

  test('a trim with nothing to evict builds no index; after a trim removals drop it again', () => {
    const probe = newPool().pool;
    assert.equal(admit(probe, cand(lone(), 1000)).ok, true);
    const u = probe.memoryUsage;
    // Three lone entries in a pool limited to 9 of them: a third, between a quarter and half.
    const { pool } = newPool({ maxSizeBytes: 9 * u });
    const txs = [lone(), lone(), lone()];
    for (const t of txs) assert.equal(admit(pool, cand(t, 1000)).ok, true);
    assert.deepEqual([pool.trimToSize(), pool.trimToSize(3 * u)], [[], []]);
    assert.equal(kept(pool), false);
    // A trim of one entry from a pool above half: the index stays for later trims.
    const big = newPool({ maxSizeBytes: 4 * u + 1 }).pool;
    const four = [lone(), lone(), lone(), lone()];
    for (const t of four) assert.equal(reAdmit(big, cand(t, 1000)), undefined);
    big.trimToSize(3 * u);
    assert.equal(kept(big), true);
    removeForReorg(big, (e) => e.txid !== hex(four[0]!));
    assert.equal(kept(big), false);
  });

  test('Expire after entry times went backwards remembers the oldest entry left', () => {
    const { pool, clock } = newPool({ expirySeconds: 1000 });
    const at = (secs: number): Transaction => {
      clock.t = secs * 1000;
      const t = lone();
      assert.equal(admit(pool, cand(t, 1000)).ok, true);
      return t;
    };
    const x = at(100_100);
    const y = at(100_050);
    const z = at(100_200);
    assert.equal(pool.expire(100_010), 0);
    assert.equal(pool.expire(100_060), 1);
    assert.deepEqual([x, y, z].map((t) => pool.has(hex(t))), [true, false, true]);
    // The oldest entry left is x (not z, the last one scanned).
    assert.equal(pool.expire(100_150), 1);
    assert.deepEqual([x, z].map((t) => pool.has(hex(t))), [false, true]);
  });
});
