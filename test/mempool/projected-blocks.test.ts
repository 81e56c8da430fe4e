/**
 * Projected blocks (src/mempool/projected.ts) carry the block assembler's state from one
 * block to the next. Property: on random mempools (chains, diamonds, tiny blocks so that
 * packages fail to fit and modified entries are retried), every projected block equals a
 * fresh BlockAssembler run (assembleBlock) that excludes the earlier blocks' transactions,
 * and the last block holds everything left in ancestor-score order, parents first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assembleBlock, type SelectedTx } from '../../src/mempool/miner.ts';
import { projectBlocks } from '../../src/mempool/projected.ts';
import type { Mempool } from '../../src/mempool/mempool.ts';
import type { MempoolEntry } from '../../src/mempool/types.ts';
import { buildPool, specArb } from './random-pool.ts';

function reference(pool: Mempool, blocks: number, maxWeight: number, maxSigOpsCost: number): { entry: MempoolEntry; rate: number }[][] {
  const inBlock = new Set<MempoolEntry>();
  const out: { entry: MempoolEntry; rate: number }[][] = [];
  const rated = (s: SelectedTx[]): { entry: MempoolEntry; rate: number }[] => s.map((x) => ({ entry: x.entry, rate: x.packageFee / x.packageSize }));
  const rest = (): { entry: MempoolEntry; rate: number }[] => {
    const sel: SelectedTx[] = [];
    const visit = (e: MempoolEntry, fee: number, size: number): void => {
      if (inBlock.has(e)) return;
      inBlock.add(e);
      for (const p of e.parents) visit(p, fee, size);
      sel.push({ entry: e, packageFee: fee, packageSize: size });
    };
    for (const e of pool.ancestorIndex.toArray()) if (!inBlock.has(e)) visit(e, e.aKeyFee, e.aKeySize);
    return rated(sel);
  };
  for (let i = 0; i < blocks && inBlock.size < pool.size; i++) {
    if (i === blocks - 1) {
      out.push(rest());
      break;
    }
    const t = assembleBlock(pool, { maxWeight, maxSigOpsCost }, inBlock);
    if (t.txs.length === 0) {
      out.push(rest());
      break;
    }
    out.push(rated(t.txs));
  }
  return out;
}

test('each projected block equals a fresh assembly excluding the earlier blocks', () => {
  fc.assert(fc.property(
    fc.array(specArb, { minLength: 1, maxLength: 70 }),
    fc.integer({ min: 2, max: 9 }),
    fc.integer({ min: 1_000, max: 6_000 }),
    fc.integer({ min: 60, max: 2_000 }),
    (specs, blocks, weight, sigops) => {
      const pool = buildPool(specs);
      // Tiny blocks (a few transactions) so that packages fail to fit and entries are retried.
      const maxWeight = 8_000 + weight;
      const maxSigOpsCost = 400 + sigops;
      const got = projectBlocks(pool, { blocks, assembler: { maxWeight, maxSigOpsCost } });
      const want = reference(pool, blocks, maxWeight, maxSigOpsCost);
      assert.deepEqual(
        got.map((b) => b.txs.map((t) => [t.entry.txid, t.rate])),
        want.map((b) => b.map((t) => [t.entry.txid, t.rate])),
      );
      for (const b of got) {
        assert.equal(b.nTx, b.txs.length);
        assert.equal(b.blockVSize, b.txs.reduce((s, t) => s + t.entry.vsize, 0));
        const sorted = b.txs.map((t) => t.rate).sort((x, y) => x - y);
        assert.equal(b.medianFee, sorted.length ? sorted[Math.max(0, Math.ceil(sorted.length / 2) - 1)] : 0);
      }
      // Every entry is projected exactly once.
      const all = got.flatMap((b) => b.txs.map((t) => t.entry.txid));
      if (got.length === blocks || all.length === pool.size) assert.equal(new Set(all).size, all.length);
    },
  ), { numRuns: 120 });
});
