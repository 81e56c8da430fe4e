import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { admit } from '../../src/mempool/admit.ts';
import { addBackDisconnected, removeForBlock, removeForReorg } from '../../src/mempool/block.ts';
import { assembleBlock, topByAncestorScore } from '../../src/mempool/miner.ts';
import { feeHistogram, projectBlocks, recommendFees } from '../../src/mempool/projected.ts';
import { Orphanage } from '../../src/mempool/orphanage.ts';
import { cand, coinTxid, hex, newPool, reAdmit, tx } from './helpers.ts';

describe('blocks and reorgs', () => {
  test('removeForBlock: confirmed and conflicts', () => {
    const { pool } = newPool();
    const c = coinTxid();
    const a = tx({ ins: [[coinTxid(), 0]] });
    const b = tx({ ins: [a] });
    const x = tx({ ins: [[c, 0]] });
    const xChild = tx({ ins: [x] });
    for (const t of [a, b, x, xChild]) assert.ok(admit(pool, cand(t, 1000, 100)).ok);
    const reasons = new Map<string, string>();
    pool.events.on((e) => { if (e.type === 'removed') reasons.set(e.entry.txid, e.reason); });
    const blockTx = tx({ ins: [[c, 0]], tag: 5 });
    const r = removeForBlock(pool, [a, blockTx]);
    assert.deepEqual(r, { confirmed: 1, conflicts: 2 });
    assert.equal(reasons.get(hex(a)), 'confirmed');
    assert.equal(reasons.get(hex(x)), 'conflict');
    assert.equal(reasons.get(hex(xChild)), 'conflict');
    const eb = pool.get(hex(b))!;
    assert.deepEqual([eb.ancCount, eb.ancSize, eb.parents.size], [1, 100, 0]);
  });

  test('addBackDisconnected relinks mempool children; removeForReorg drops flagged entries', async () => {
    const { pool } = newPool();
    const a = tx({ ins: [[coinTxid(), 0]] });
    const b = tx({ ins: [a] });
    assert.ok(admit(pool, cand(b, 1000, 100)).ok); // a is "confirmed"
    const r = await addBackDisconnected(pool, [a], async (t) => reAdmit(pool, cand(t, 500, 100)));
    assert.equal(r.added.length, 1);
    const ea = pool.get(hex(a))!;
    const eb = pool.get(hex(b))!;
    assert.deepEqual([ea.descCount, ea.descFee, eb.ancCount, eb.ancFee], [2, 1500, 2, 1500]);
    assert.equal(removeForReorg(pool, (e) => e.txid === hex(a)), 2);
    assert.equal(pool.size, 0);
  });

  test('a disconnected transaction that fails revalidation takes its spenders with it', async () => {
    const { pool } = newPool();
    const a = tx({ ins: [[coinTxid(), 0]] });
    const b = tx({ ins: [a] });
    assert.ok(admit(pool, cand(b, 1000)).ok);
    const r = await addBackDisconnected(pool, [a], async () => 'non-final');
    assert.equal(r.rejected[0]?.reason, 'non-final');
    assert.equal(pool.size, 0);
  });
});

describe('mining view (BlockAssembler order, mempool.space shapes)', () => {
  test('CPFP: a child lifts its parent above a middle transaction', () => {
    const { pool } = newPool();
    const p = tx({ ins: [[coinTxid(), 0]] });
    const c = tx({ ins: [p] });
    const mid = tx({ ins: [[coinTxid(), 0]] });
    assert.ok(admit(pool, cand(p, 100, 100)).ok);
    assert.ok(admit(pool, cand(mid, 500, 100)).ok);
    assert.ok(admit(pool, cand(c, 2000, 100)).ok);
    const t = assembleBlock(pool);
    assert.deepEqual(t.txs.map((s) => s.entry.txid), [hex(p), hex(c), hex(mid)]);
    assert.equal(t.fees, 2600);
    assert.deepEqual(topByAncestorScore(pool, 1).map((e) => e.txid), [hex(c)]);
  });

  test('projected blocks split at 4 M weight; the last holds the rest; fees recommended', () => {
    const { pool } = newPool();
    for (let i = 0; i < 30; i++) {
      // 30 × 100,000 vB: 9 fit a block after the reserved weight.
      assert.ok(admit(pool, cand(tx({ ins: [[coinTxid(), 0]] }), 100_000 * (10 + i), 100_000)).ok);
    }
    const blocks = projectBlocks(pool, { blocks: 3 });
    assert.deepEqual(blocks.map((b) => b.nTx), [9, 9, 12]);
    assert.equal(blocks[0]!.feeRange.length, 8);
    assert.ok(blocks[0]!.medianFee > blocks[1]!.medianFee);
    const rec = recommendFees(blocks, pool.getMinFee());
    assert.ok(rec.fastestFee >= rec.halfHourFee && rec.halfHourFee >= rec.hourFee && rec.hourFee >= rec.economyFee);
    assert.equal(rec.minimumFee, 0);
    assert.equal(rec.fastestFee, Math.ceil(blocks[0]!.medianFee));
    const h = feeHistogram(pool);
    assert.equal(h.reduce((s, b) => s + b.count, 0), 30);
  });
});

describe('orphanage (TxOrphanage)', () => {
  test('bounded to 100, expires after 20 minutes, resolves when the parent arrives', async () => {
    let now = 1_000_000_000;
    const o = new Orphanage({ now: () => now, random: () => 0 });
    for (let i = 0; i < 101; i++) o.add(tx({ ins: [[coinTxid(), 0]] }));
    assert.equal(o.size, 100);
    const parent = tx({ ins: [[coinTxid(), 0]] });
    const child = tx({ ins: [parent] });
    const grandchild = tx({ ins: [child] });
    o.add(child);
    o.add(grandchild);
    const got = await o.resolve(parent, async () => 'accepted');
    assert.deepEqual(got.map(hex), [hex(child), hex(grandchild)]);
    now += 21 * 60 * 1000;
    o.add(tx({ ins: [[coinTxid(), 0]] }));
    assert.equal(o.size, 1);
  });
});
