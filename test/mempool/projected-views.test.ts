/**
 * The mempool.space views of src/mempool/projected.ts: projected blocks' summaries (backend
 * mempool-blocks.ts: sizes, fees, median, getFeesInRange), the fee histogram by effective
 * fee rate and fees/recommended (backend fee-api.ts getRecommendedFee, optimizeMedianFee).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { admit } from '../../src/mempool/admit.ts';
import { feeHistogram, projectBlocks, recommendFees, type ProjectedBlock } from '../../src/mempool/projected.ts';
import type { Mempool } from '../../src/mempool/mempool.ts';
import type { Transaction } from '../../src/primitives/tx.ts';
import { cand, coinTxid, newPool, tx } from './helpers.ts';

function pool0(): Mempool {
  return newPool({ maxSizeBytes: 1e12, minRelayFeeRate: 0 }).pool;
}
function add(pool: Mempool, fee: number, vsize: number, ins: Parameters<typeof tx>[0]['ins'] = [[coinTxid(), 0]]): Transaction {
  const t = tx({ ins });
  assert.equal(admit(pool, cand(t, fee, vsize)).ok, true);
  return t;
}

describe('projected blocks (mempool-blocks.ts)', () => {
  test('summary: serialized size, vsize, count, base fees, median, fee range from 10 rates', () => {
    const pool = pool0();
    const made: Transaction[] = [];
    // 10 … 1 sat/vB at 200 vB.
    for (let r = 10; r >= 1; r--) made.push(add(pool, r * 200, 200));
    const [b] = projectBlocks(pool, { blocks: 1 });
    assert.equal(b!.nTx, 10);
    assert.equal(b!.blockVSize, 2000);
    assert.equal(b!.blockSize, made.reduce((s, t) => s + t.totalSize, 0));
    assert.equal(b!.totalFees, 11_000);
    // Nearest rank of 50 % over 10 values: the 5th lowest.
    assert.equal(b!.medianFee, 5);
    assert.deepEqual(b!.txs.map((t) => t.rate), [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    // getFeesInRange: lowest, then filtered[floor(10 × k / 7)] for k = 6 … 1, then the highest.
    assert.deepEqual(b!.feeRange, [1, 2, 3, 5, 6, 8, 9, 10]);
    assert.deepEqual(projectBlocks(pool, { blocks: 1, rangeLength: 3 })[0]!.feeRange, [1, 5, 10]);
  });

  test('fee range keeps repeated rates (a non-increasing filter); median of an odd count', () => {
    const pool = pool0();
    for (const r of [9, 9, 9, 4, 4, 1, 1]) add(pool, r * 100, 100);
    const [b] = projectBlocks(pool, { blocks: 1, rangeLength: 5 });
    assert.equal(b!.medianFee, 4);
    // filtered = [9, 9, 9, 4, 4, 1, 1]: lowest, [floor(7 × 3/4)] = 1, [floor(7 × 2/4)] = 4, [floor(7/4)] = 9, highest.
    assert.deepEqual(b!.feeRange, [1, 1, 4, 9, 9]);
    const pool2 = pool0();
    for (const r of [9, 9, 9, 9, 9, 1]) add(pool2, r * 100, 100);
    // filtered = [9, 9, 9, 9, 9, 1]: [floor(6 / 2)] = 9.
    assert.deepEqual(projectBlocks(pool2, { blocks: 1, rangeLength: 3 })[0]!.feeRange, [1, 9, 9]);
  });

  test('eight blocks by default; the eighth holds everything left', () => {
    const pool = pool0();
    // 990,000 vB each: one per block (two do not fit).
    for (let i = 0; i < 10; i++) add(pool, 990_000 * (20 - i), 990_000);
    const blocks = projectBlocks(pool);
    assert.deepEqual(blocks.map((b) => b.nTx), [1, 1, 1, 1, 1, 1, 1, 3]);
    assert.deepEqual(projectBlocks(pool, { blocks: 2 }).map((b) => b.nTx), [1, 9]);
    assert.deepEqual(projectBlocks(pool, { blocks: 12 }).map((b) => b.nTx), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(projectBlocks(pool, { blocks: 0 }), []);
  });

  test('what pays less than the block minimum fee rate forms the last block', () => {
    const pool = pool0();
    add(pool, 1000, 100);
    add(pool, 0, 100);
    add(pool, 0, 150);
    const blocks = projectBlocks(pool, { blocks: 5 });
    assert.deepEqual(blocks.map((b) => b.nTx), [1, 2]);
    assert.deepEqual(blocks[1]!.txs.map((t) => t.rate), [0, 0]);
    assert.equal(blocks[1]!.medianFee, 0);
    assert.deepEqual(projectBlocks(newPool().pool), []);
  });
});

describe('fee histogram by effective fee rate', () => {
  test('each entry in the bucket of the highest floor at or below min(own, ancestor) rate', () => {
    const pool = pool0();
    add(pool, 50, 100); // 0.5 sat/vB: below every floor
    add(pool, 100, 100); // exactly 1
    add(pool, 499, 100); // 4.99
    add(pool, 500, 100); // exactly 5
    add(pool, 250_000, 100); // 2,500: above the top floor
    const p = add(pool, 100, 100); // 1 sat/vB parent
    add(pool, 10_000, 100, [p]); // child: own 100, with the parent 50.5 → 50
    const h = feeHistogram(pool);
    assert.equal(h.length, 39);
    const at = (rate: number) => h.find((b) => b.feeRate === rate)!;
    assert.deepEqual(at(0), { feeRate: 0, vsize: 100, count: 1, fees: 50 });
    assert.deepEqual(at(1), { feeRate: 1, vsize: 200, count: 2, fees: 200 });
    assert.deepEqual(at(4), { feeRate: 4, vsize: 100, count: 1, fees: 499 });
    assert.deepEqual(at(5), { feeRate: 5, vsize: 100, count: 1, fees: 500 });
    assert.deepEqual(at(50), { feeRate: 50, vsize: 100, count: 1, fees: 10_000 });
    assert.deepEqual(at(2000), { feeRate: 2000, vsize: 100, count: 1, fees: 250_000 });
    assert.equal(h.reduce((s, b) => s + b.count, 0), 7);
    assert.deepEqual(feeHistogram(pool, [1, 5, 100]).map((b) => [b.feeRate, b.count]), [[0, 1], [1, 3], [5, 2], [100, 1]]);
  });
});

/** A projected block with only what getRecommendedFee reads. */
const blk = (blockVSize: number, medianFee: number): ProjectedBlock => ({ blockSize: 0, blockVSize, nTx: 1, totalFees: 0, medianFee, feeRange: [], txs: [] });

describe('fees/recommended (getRecommendedFee)', () => {
  test('no projected block: the minimum fee (at least the default) everywhere but economy', () => {
    assert.deepEqual(recommendFees([], 0), { fastestFee: 1, halfHourFee: 1, hourFee: 1, economyFee: 0, minimumFee: 0 });
    // 1,500 sat/kvB → 2 sat/vB rounded up.
    assert.deepEqual(recommendFees([], 1500), { fastestFee: 2, halfHourFee: 2, hourFee: 2, economyFee: 2, minimumFee: 2 });
    assert.deepEqual(recommendFees([], 0, { defaultFee: 3 }), { fastestFee: 3, halfHourFee: 3, hourFee: 3, economyFee: 0, minimumFee: 0 });
  });

  test('full blocks: medians rounded up, each averaged with the previous recommendation', () => {
    // first ⌈40.2⌉ = 41; second ⌈(10 + 41) / 2⌉ = 26; third ⌈(30 + 26) / 2⌉ = 28; economy min(2 × 3, 28).
    const r = recommendFees([blk(1_000_000, 40.2), blk(1_000_000, 10), blk(1_000_000, 30)], 3000);
    assert.deepEqual(r, { fastestFee: 41, halfHourFee: 28, hourFee: 28, economyFee: 6, minimumFee: 3 });
    // A minimum increment of 5: everything rounded up to multiples of 5.
    assert.deepEqual(recommendFees([blk(1_000_000, 21)], 3000, { minimumIncrement: 5 }),
      { fastestFee: 25, halfHourFee: 5, hourFee: 5, economyFee: 5, minimumFee: 5 });
  });

  test('a last block up to 950,000 vB scales its median by (vsize - 500,000) / 500,000', () => {
    const one = (vsize: number, median: number) => recommendFees([blk(vsize, median)], 0).fastestFee;
    assert.deepEqual([one(949_999, 20), one(950_000, 20), one(950_001, 20)], [18, 18, 20]);
    assert.equal(one(600_000, 20), 4);
    assert.equal(one(510_000, 20), 1, 'never below the default fee');
    // With a next block the scaling does not apply.
    assert.equal(recommendFees([blk(600_000, 20), blk(100_000, 1)], 0).fastestFee, 20);
  });

  test('a block up to 500,000 vB recommends the default fee, with or without a next block', () => {
    const fast = (blocks: ProjectedBlock[]) => recommendFees(blocks, 0, { defaultFee: 2 }).fastestFee;
    assert.deepEqual([fast([blk(499_999, 20), blk(1, 1)]), fast([blk(500_000, 20), blk(1, 1)]), fast([blk(500_001, 20), blk(1, 1)])], [2, 2, 20]);
    // Later blocks fall back to the default fee when absent.
    assert.deepEqual(recommendFees([blk(1_000_000, 30)], 0, { defaultFee: 2 }),
      { fastestFee: 30, halfHourFee: 2, hourFee: 2, economyFee: 0, minimumFee: 0 });
  });

  test('recommendations never decrease with priority; economy is at most twice the minimum', () => {
    // first ⌈5⌉ = 5, second ⌈(50 + 5) / 2⌉ = 28, third ⌈(2 + 28) / 2⌉ = 15.
    const r = recommendFees([blk(1_000_000, 5), blk(1_000_000, 50), blk(1_000_000, 2)], 4000);
    assert.deepEqual(r, { fastestFee: 28, halfHourFee: 28, hourFee: 15, economyFee: 8, minimumFee: 4 });
    // Scaled medians below the minimum fee are lifted to it.
    assert.deepEqual(recommendFees([blk(1_000_000, 1), blk(1_000_000, 1), blk(1_000_000, 1)], 7000),
      { fastestFee: 7, halfHourFee: 7, hourFee: 7, economyFee: 7, minimumFee: 7 });
  });
});
