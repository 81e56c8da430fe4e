/**
 * Block assembly (src/mempool/miner.ts, Core's BlockAssembler::addPackageTxs): random
 * mempools against a plain re-statement of Core's algorithm (miner-reference.ts), the
 * template's invariants, and the limits of TestPackage and the selection at N-1, N, N+1.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { admit } from '../../src/mempool/admit.ts';
import { Assembler, assembleBlock, topByAncestorScore, type BlockTemplate } from '../../src/mempool/miner.ts';
import { projectBlocks } from '../../src/mempool/projected.ts';
import type { Mempool } from '../../src/mempool/mempool.ts';
import type { MempoolEntry } from '../../src/mempool/types.ts';
import { compareBytes } from '../../src/primitives/bytes.ts';
import { refAssemble, REF_DEFAULTS, type RefPackage } from './miner-reference.ts';
import { buildPool, specArb } from './random-pool.ts';
import { cand, coinTxid, hex, newPool, tx } from './helpers.ts';

/** The template's transactions split into the reference's packages (each a set, parents first inside). */
function samePackages(t: BlockTemplate, ref: RefPackage[]): void {
  let k = 0;
  for (const p of ref) {
    const got = t.txs.slice(k, k + p.txs.size);
    k += p.txs.size;
    assert.deepEqual(new Set(got.map((s) => s.entry)), p.txs, 'package contents');
    for (const s of got) assert.deepEqual([s.packageFee, s.packageSize], [p.fee, p.size], 'package totals');
  }
  assert.equal(k, t.txs.length, 'no transaction beyond the reference packages');
}

/** Parents before children (or in `before`), totals exact, within the weight and sigops limits. */
function checkTemplate(t: BlockTemplate, before: Set<MempoolEntry>, maxWeight: number, maxSigOps: number): void {
  const seen = new Set(before);
  let weight = 0, vsize = 0, fees = 0, sig = 0;
  for (const s of t.txs) {
    for (const p of s.entry.parents) assert.ok(seen.has(p), 'a parent precedes its child');
    assert.ok(!seen.has(s.entry), 'selected once');
    seen.add(s.entry);
    weight += s.entry.weight;
    vsize += s.entry.vsize;
    fees += s.entry.fee;
    sig += s.entry.sigOpCost;
  }
  assert.deepEqual([t.weight, t.vsize, t.fees, t.sigOpsCost], [weight, vsize, fees, sig]);
  if (t.txs.length) {
    assert.ok(t.weight + REF_DEFAULTS.reservedWeight < maxWeight);
    assert.ok(t.sigOpsCost + REF_DEFAULTS.reservedSigOps < maxSigOps);
  }
}

describe('BlockAssembler::addPackageTxs', () => {
  test('random mempools: every template equals the reference algorithm (tiny blocks, fee floors, excluded transactions)', () => {
    fc.assert(fc.property(
      fc.array(specArb, { minLength: 1, maxLength: 60 }),
      fc.integer({ min: 0, max: 30_000 }),
      fc.integer({ min: 0, max: 3_000 }),
      fc.constantFrom(0, 1, 1000, 5000),
      fc.nat(7),
      (specs, weight, sigops, minFeeRate, excludeEvery) => {
        const pool = buildPool(specs);
        const o = { maxWeight: 8_000 + weight, maxSigOpsCost: 400 + sigops, minFeeRate };
        // Exclude some entries with their ancestors (as transactions of an earlier block).
        const excluded = new Set<MempoolEntry>();
        if (excludeEvery) {
          [...pool.entries()].forEach((e, i) => {
            if (i % (excludeEvery + 1) === 0) for (const a of [...pool.ancestorsOf(e), e]) excluded.add(a);
          });
        }
        const ref = refAssemble(pool, o, new Set(excluded));
        const before = new Set(excluded);
        const t = assembleBlock(pool, o, excluded);
        samePackages(t, ref);
        checkTemplate(t, before, o.maxWeight, o.maxSigOpsCost);
        // assembleBlock extends the set with this block's transactions.
        assert.equal(excluded.size, before.size + t.txs.length);
        for (const s of t.txs) {
          assert.ok(excluded.has(s.entry));
          assert.ok(s.packageFee >= Math.ceil((minFeeRate * s.packageSize) / 1000), 'pays the block minimum fee rate');
        }
      },
    ), { numRuns: 40 });
  });

  test('consecutive templates of one Assembler equal the reference with the earlier blocks excluded', () => {
    fc.assert(fc.property(
      fc.array(specArb, { minLength: 1, maxLength: 60 }),
      fc.integer({ min: 1_000, max: 8_000 }),
      fc.integer({ min: 60, max: 1_500 }),
      (specs, weight, sigops) => {
        const pool = buildPool(specs);
        const o = { maxWeight: 8_000 + weight, maxSigOpsCost: 400 + sigops };
        const asm = new Assembler(pool);
        const done = new Set<MempoolEntry>();
        for (let b = 0; b < 6; b++) {
          const ref = refAssemble(pool, o, new Set(done));
          const t = asm.block(o);
          samePackages(t, ref);
          checkTemplate(t, done, o.maxWeight, o.maxSigOpsCost);
          for (const s of t.txs) {
            assert.ok(asm.inBlock(s.entry));
            done.add(s.entry);
          }
          assert.equal(asm.taken, done.size);
          for (const e of pool.entries()) assert.equal(asm.inBlock(e), done.has(e));
        }
        // rest(): everything left, parents first, each once.
        const rest = asm.rest();
        checkTemplate({ txs: rest, ...totals(rest.map((s) => s.entry)) }, done, Infinity, Infinity);
        assert.equal(done.size + rest.length, pool.size);
        assert.equal(asm.taken, pool.size);
      },
    ), { numRuns: 30 });
  });
});

function totals(es: MempoolEntry[]): Pick<BlockTemplate, 'weight' | 'vsize' | 'fees' | 'sigOpsCost'> {
  return {
    weight: es.reduce((s, e) => s + e.weight, 0), vsize: es.reduce((s, e) => s + e.vsize, 0),
    fees: es.reduce((s, e) => s + e.fee, 0), sigOpsCost: es.reduce((s, e) => s + e.sigOpCost, 0),
  };
}

/** A pool of lone transactions: [fee, vsize, sigops] each. */
function lonePool(specs: [number, number, number][]): { pool: Mempool; txids: string[] } {
  const { pool } = newPool({ maxSizeBytes: 1e12, minRelayFeeRate: 0 });
  const txids: string[] = [];
  for (const [fee, vsize, sig] of specs) {
    const t = tx({ ins: [[coinTxid(), 0]] });
    assert.equal(admit(pool, cand(t, fee, vsize, sig)).ok, true);
    txids.push(hex(t));
  }
  return { pool, txids };
}
const picked = (t: BlockTemplate): string[] => t.txs.map((s) => s.entry.txid);

describe('TestPackage and the fee floor at their limits', () => {
  test('weight: reserved + 4 × package vsize must stay below the maximum', () => {
    // 8,000 reserved + 4 × 1,000 vB = 12,000.
    const fits = (maxWeight: number) => assembleBlock(lonePool([[5000, 1000, 0]]).pool, { maxWeight }).txs.length;
    assert.deepEqual([fits(12_000), fits(12_001), fits(12_002)], [0, 1, 1]);
    assert.equal(assembleBlock(lonePool([[5000, 1000, 0]]).pool, { maxWeight: 8_000, reservedWeight: 4_000 }).txs.length, 0);
    assert.equal(assembleBlock(lonePool([[5000, 1000, 0]]).pool, { maxWeight: 8_001, reservedWeight: 4_000 }).txs.length, 1);
  });

  test('sigops: reserved + package sigops must stay below the maximum', () => {
    const fits = (maxSigOpsCost: number) => assembleBlock(lonePool([[5000, 200, 100]]).pool, { maxSigOpsCost }).txs.length;
    assert.deepEqual([fits(500), fits(501), fits(502)], [0, 1, 1]);
    assert.equal(assembleBlock(lonePool([[5000, 200, 100]]).pool, { maxSigOpsCost: 150, reservedSigOps: 50 }).txs.length, 0);
    assert.equal(assembleBlock(lonePool([[5000, 200, 100]]).pool, { maxSigOpsCost: 151, reservedSigOps: 50 }).txs.length, 1);
  });

  test('the block minimum fee rate (default 1 sat/kvB) ends the selection', () => {
    // 1 sat for 1,000 vB pays 1 sat/kvB exactly; 1 sat for 1,001 vB needs 2 (rounded up).
    const { pool, txids } = lonePool([[1, 1000, 0], [1, 1001, 0], [0, 100, 0], [2, 1001, 0]]);
    assert.deepEqual(picked(assembleBlock(pool)), [txids[3], txids[0]]);
    assert.deepEqual(picked(assembleBlock(pool, { minFeeRate: 0 })), [txids[3], txids[0], txids[1], txids[2]]);
    // 1,000 sats for 1,000 vB at 999, 1,000 and 1,001 sat/kvB.
    const at = (minFeeRate: number) => picked(assembleBlock(lonePool([[2000, 1000, 0], [1000, 1000, 0]]).pool, { minFeeRate })).length;
    assert.deepEqual([at(999), at(1000), at(1001)], [2, 2, 1]);
  });

  test('a package that does not fit is skipped and smaller ones after it still go in', () => {
    // Ancestor-score order: 40 sat/vB (3,000 vB), 30 sat/vB (500 vB), 20 sat/vB (3,000 vB), 10 sat/vB (400 vB).
    const { pool, txids } = lonePool([[120_000, 3000, 0], [15_000, 500, 0], [60_000, 3000, 0], [4_000, 400, 0]]);
    // 8,000 + 4 × (3,000 + 500 + 400) = 23,600: the second 3,000 vB one fails.
    assert.deepEqual(picked(assembleBlock(pool, { maxWeight: 23_601 })), [txids[0], txids[1], txids[3]]);
  });

  test('MAX_CONSECUTIVE_FAILURES: after 1,000 failures in a row with the block nearly full, selection stops', () => {
    // A 1,000 vB transaction fills the block to 12,000 of 16,000 weight (more than 16,000 - 8,000 reserved);
    // then 1,001 transactions of 1,001 vB (too big, better fee rate), then a 100 vB one that would fit.
    const run = (nFailing: number): number => {
      const specs: [number, number, number][] = [[100_000, 1000, 0]];
      for (let i = 0; i < nFailing; i++) specs.push([50_000, 1001, 0]);
      specs.push([1_000, 100, 0]);
      return assembleBlock(lonePool(specs).pool, { maxWeight: 16_000 }).txs.length;
    };
    assert.deepEqual([run(1000), run(1001)], [2, 1]);
    // Below the nearly-full mark the failures do not stop it.
    // (8,000 + 400 of 20,000: not above 20,000 - 8,000.)
    const specs: [number, number, number][] = [[10_000, 100, 0]];
    for (let i = 0; i < 1001; i++) specs.push([150_000, 3001, 0]);
    specs.push([1_000, 100, 0]);
    assert.equal(assembleBlock(lonePool(specs).pool, { maxWeight: 20_000 }).txs.length, 2);
    // Exactly at the nearly-full mark (8,000 + 4,000 = 20,000 - 8,000): not above it, so no stop.
    const exact: [number, number, number][] = [[100_000, 1000, 0]];
    for (let i = 0; i < 1001; i++) exact.push([150_000, 2001, 0]);
    exact.push([1_000, 100, 0]);
    assert.equal(assembleBlock(lonePool(exact).pool, { maxWeight: 20_000 }).txs.length, 2);
  });

  test('a failed entry put back by a later ancestor and left at the fee floor starts the next block with its exact totals', () => {
    // A (0 sat, 10,000 vB) → Y (100,000 sat, 200 vB); B (100,000 sat / 50,000 vB, 2 sat/vB);
    // X spends A and B (2,000 sat / 200 vB). Block 1 at 249,000 weight: {A, Y} first; X's
    // remaining package {B, X} (2.03 sat/vB) beats B alone but fails TestPackage (8,000 +
    // 4 × 60,400 = 249,600), B alone fits (248,800). B's inclusion puts the failed X back
    // with its full ancestor totals less B (Core's quirk: {A, X}, 2,000 / 10,200 vB), under
    // the 1 sat/vB floor: the selection ends with X in the modified index. Block 2 takes it
    // out and re-ranks it at its own 10 sat/vB: X once, alone.
    const { pool } = newPool({ maxSizeBytes: 1e12, minRelayFeeRate: 0 });
    const A = tx({ ins: [[coinTxid(), 0]], outs: 2 });
    const Y = tx({ ins: [[A, 0]] });
    const B = tx({ ins: [[coinTxid(), 0]] });
    const X = tx({ ins: [[A, 1], [B, 0]] });
    for (const [t, fee, vsize] of [[A, 0, 10_000], [Y, 100_000, 200], [B, 100_000, 50_000], [X, 2_000, 200]] as const) {
      assert.equal(admit(pool, cand(t, fee, vsize)).ok, true);
    }
    const o = { maxWeight: 249_000, minFeeRate: 1000 };
    const asm = new Assembler(pool);
    const b1 = asm.block(o);
    assert.deepEqual(picked(b1), [A, Y, B].map(hex));
    samePackages(b1, refAssemble(pool, o, new Set()));
    const done = new Set(b1.txs.map((s) => s.entry));
    const b2 = asm.block(o);
    assert.deepEqual(picked(b2), [hex(X)]);
    samePackages(b2, refAssemble(pool, o, done));
    assert.deepEqual(picked(asm.block(o)), []);
  });
});

describe('modified entries against the ancestor-score order', () => {
  /** g (50 sat/vB) with child m (5 sat/vB); `others` as [parent fee, child fee] pairs at 100 vB each (a lone one when the parent fee is undefined). */
  function scene(others: [number | undefined, number][]): { pool: Mempool; m: string; ids: string[] } {
    const { pool } = newPool({ maxSizeBytes: 1e12, minRelayFeeRate: 0 });
    const g = tx({ ins: [[coinTxid(), 0]] });
    const m = tx({ ins: [g] });
    assert.equal(admit(pool, cand(g, 5000, 100)).ok, true);
    assert.equal(admit(pool, cand(m, 500, 100)).ok, true);
    const ids: string[] = [];
    for (const [pf, cf] of others) {
      let ins: Parameters<typeof tx>[0]['ins'] = [[coinTxid(), 0]];
      if (pf !== undefined) {
        const p = tx({ ins });
        assert.equal(admit(pool, cand(p, pf, 200)).ok, true);
        ids.push(hex(p));
        ins = [p];
      }
      const c = tx({ ins });
      assert.equal(admit(pool, cand(c, cf, 100)).ok, true);
      ids.push(hex(c));
    }
    return { pool, m: hex(m), ids };
  }

  test('an unmodified entry is compared by min(own, ancestor package) rate', () => {
    // i pays 10 sat/vB itself but 1,100 / 300 vB with its parent: after g, m (5 sat/vB, modified) goes first.
    const { pool, m, ids } = scene([[100, 1000]]);
    const t = assembleBlock(pool);
    assert.deepEqual(t.txs.map((s) => s.entry.txid).slice(1), [m, ...ids]);
    samePackages(t, refAssemble(pool, {}, new Set()));
  });

  test('an unmodified entry paying less itself than with its ancestors is compared by its own rate', () => {
    // G (0 sat, 600 vB) → P1..P4 (2,000 sat / 100 vB each) → C (400 sat / 100 vB, 4 sat/vB):
    // C's package pays 8,400 / 1,100 vB ≈ 7.6 sat/vB, but its score is min(4, 7.6) = 4, and
    // each Pi scores 2,000 / 700 ≈ 2.9. After g, m (modified, 5 sat/vB) beats C's 4: m goes
    // before C's package. Ranked by the package rate alone, C's 7.6 would go first.
    const { pool, m } = scene([]);
    const G = tx({ ins: [[coinTxid(), 0]], outs: 4 });
    assert.equal(admit(pool, cand(G, 0, 600)).ok, true);
    const ps = [0, 1, 2, 3].map((k) => tx({ ins: [[G, k]] }));
    for (const p of ps) assert.equal(admit(pool, cand(p, 2000, 100)).ok, true);
    const C = tx({ ins: ps });
    assert.equal(admit(pool, cand(C, 400, 100)).ok, true);
    const t = assembleBlock(pool);
    const ids = t.txs.map((s) => s.entry.txid);
    assert.equal(ids[1], m, 'm right after g');
    assert.deepEqual(new Set(ids.slice(2)), new Set([G, ...ps, C].map(hex)));
    samePackages(t, refAssemble(pool, {}, new Set()));
  });

  test('a modified entry paying less itself than with its remaining ancestors is ranked by its own rate', () => {
    // A (50 sat/vB) is a parent of M2 (5 sat/vB) and of M (4 sat/vB), whose other parents
    // B1..B4 (2,000 sat / 100 vB each) spend G (0 sat, 600 vB): once A is in, M's remaining
    // package pays 8,400 / 1,100 vB ≈ 7.6 sat/vB but M ranks at min(4, 7.6) = 4, below M2
    // (5) and below the lone X (4.5); the Bi score 2,000 / 700 ≈ 2.9. So: A, M2, X, then M's package.
    const { pool } = newPool({ maxSizeBytes: 1e12, minRelayFeeRate: 0 });
    const A = tx({ ins: [[coinTxid(), 0]], outs: 2 });
    const G = tx({ ins: [[coinTxid(), 0]], outs: 4 });
    const bs = [0, 1, 2, 3].map((k) => tx({ ins: [[G, k]] }));
    const M = tx({ ins: [[A, 0], ...bs] });
    const M2 = tx({ ins: [[A, 1]] });
    const X = tx({ ins: [[coinTxid(), 0]] });
    const fees = new Map([[A, 5000], [G, 0], ...bs.map((b) => [b, 2000] as const), [M, 400], [M2, 500], [X, 450]]);
    for (const [t, fee] of fees) assert.equal(admit(pool, cand(t, fee, t === G ? 600 : 100)).ok, true);
    const t = assembleBlock(pool);
    const ids = t.txs.map((x) => x.entry.txid);
    assert.deepEqual(ids.slice(0, 3), [A, M2, X].map(hex));
    assert.deepEqual(new Set(ids.slice(3, -1)), new Set([G, ...bs].map(hex)));
    assert.equal(ids.at(-1), hex(M));
    samePackages(t, refAssemble(pool, {}, new Set()));
    // mempool.space's getFeesInRange over the first projected block keeps the package rates
    // that do not rise in selection order: 50, 5, 4.5, and not M's package's 8,400 / 1,100
    // after them.
    const first = projectBlocks(pool, { blocks: 2, rangeLength: 3 })[0]!;
    assert.deepEqual(first.txs.map((x) => Math.round(x.rate * 100) / 100), [50, 5, 4.5, 7.64, 7.64, 7.64, 7.64, 7.64, 7.64]);
    assert.deepEqual(first.feeRange, [4.5, 5, 50]);
  });

  test('two modified entries: the one whose remaining ancestors pay less ranks by its package rate', () => {
    // A (50 sat/vB) is a parent of M2 (5 sat/vB) and of M1 (10 sat/vB itself), whose other
    // parent C pays nothing for 400 vB: once A is in, M1's remaining package pays 1,000 /
    // 500 vB = 2 sat/vB, so M2 (5) goes first, then C and M1. Ranked by own rate, M1 would.
    const { pool } = newPool({ maxSizeBytes: 1e12, minRelayFeeRate: 0 });
    const A = tx({ ins: [[coinTxid(), 0]], outs: 2 });
    const C = tx({ ins: [[coinTxid(), 0]] });
    const M1 = tx({ ins: [[A, 0], C] });
    const M2 = tx({ ins: [[A, 1]] });
    const fees = new Map([[A, 5000], [C, 0], [M1, 1000], [M2, 500]]);
    for (const [t, fee] of fees) assert.equal(admit(pool, cand(t, fee, t === C ? 400 : 100)).ok, true);
    const t = assembleBlock(pool);
    assert.deepEqual(t.txs.map((x) => x.entry.txid), [A, M2, C, M1].map(hex));
    samePackages(t, refAssemble(pool, {}, new Set()));
  });

  test('a modified and an unmodified entry at the same rate: the lower txid first', () => {
    // A lone 5 sat/vB transaction against m, modified at 5 sat/vB once g is in.
    for (let k = 0; k < 4; k++) {
      const { pool, m, ids } = scene([[undefined, 500]]);
      const t = assembleBlock(pool);
      // Internal byte order, as Core's txid comparison (the display hex is reversed).
      const internal = (id: string) => pool.get(id)!.tx.txid;
      const want = compareBytes(internal(m), internal(ids[0]!)) < 0 ? [m, ids[0]] : [ids[0], m];
      assert.deepEqual(t.txs.map((s) => s.entry.txid).slice(1), want);
    }
  });
});

describe('topByAncestorScore', () => {
  test('the best n by ancestor score, no more', () => {
    const { pool, txids } = lonePool([[1000, 100, 0], [3000, 100, 0], [2000, 100, 0]]);
    const top = (n: number) => topByAncestorScore(pool, n).map((e) => e.txid);
    assert.deepEqual(top(1), [txids[1]]);
    assert.deepEqual(top(2), [txids[1], txids[2]]);
    assert.deepEqual(top(5), [txids[1], txids[2], txids[0]]);
  });
});

describe('projectBlocks over the reference', () => {
  test('the non-final projected blocks are the reference blocks in turn', () => {
    fc.assert(fc.property(fc.array(specArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1_000, max: 6_000 }), (specs, weight) => {
      const pool = buildPool(specs);
      const o = { maxWeight: 8_000 + weight };
      const blocks = projectBlocks(pool, { blocks: 4, assembler: o });
      const done = new Set<MempoolEntry>();
      for (const b of blocks.slice(0, 3)) {
        const ref = refAssemble(pool, o, done);
        if (ref.length === 0) break;
        assert.deepEqual(new Set(b.txs.map((t) => t.entry)), new Set(ref.flatMap((p) => [...p.txs])));
      }
    }), { numRuns: 25 });
  });
});
