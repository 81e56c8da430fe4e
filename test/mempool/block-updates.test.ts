import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { admit } from '../../src/mempool/admit.ts';
import { addBackDisconnected, removeForBlock, removeForReorg } from '../../src/mempool/block.ts';
import { assembleBlock, topByAncestorScore } from '../../src/mempool/miner.ts';
import { feeHistogram, projectBlocks, recommendFees } from '../../src/mempool/projected.ts';
import { Orphanage } from '../../src/mempool/orphanage.ts';
import { makeTx, type Transaction } from '../../src/primitives/tx.ts';
import type { Mempool } from '../../src/mempool/mempool.ts';
import { DEFAULT_LIMITS } from '../../src/mempool/types.ts';
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

describe('removeForBlock, removeForReorg, MaybeUpdateMempoolForReorg: reasons, limits, tip', () => {
  const coinbase = makeTx({
    version: 2, locktime: 0,
    inputs: [{ prevout: { txid: new Uint8Array(32), vout: 0xffffffff }, scriptSig: new Uint8Array([1, 1]), sequence: 0xffffffff, witness: [] }],
    outputs: [{ value: 50n, scriptPubKey: new Uint8Array([0x51]) }],
  });
  const reasonsOf = (pool: Mempool) => {
    const reasons: string[] = [];
    pool.events.on((e) => { if (e.type === 'removed') reasons.push(`${e.entry.txid.slice(0, 8)} ${e.reason}`); });
    return reasons;
  };
  const short = (t: Transaction) => hex(t).slice(0, 8);

  test('removeForBlock sets the tip height when given; a block of unrelated transactions changes nothing', () => {
    const { pool } = newPool();
    const a = tx({ ins: [[coinTxid(), 0]] });
    assert.ok(admit(pool, cand(a, 1000)).ok);
    assert.deepEqual(removeForBlock(pool, [coinbase, tx({ ins: [[coinTxid(), 0]] })], 812), { confirmed: 0, conflicts: 0 });
    assert.equal(pool.tipHeight, 812);
    removeForBlock(pool, []);
    assert.equal(pool.tipHeight, 812);
    assert.ok(pool.has(hex(a)));
    assert.equal(pool.makeEntry(cand(tx({ ins: [[coinTxid(), 0]] }), 1000)).height, 812);
  });

  test('removeForReorg removes exactly the flagged entries and their descendants, reason reorg', () => {
    const { pool } = newPool();
    const reasons = reasonsOf(pool);
    const a = tx({ ins: [[coinTxid(), 0]] });
    const child = tx({ ins: [a] });
    const other = tx({ ins: [[coinTxid(), 0]] });
    for (const t of [a, child, other]) assert.ok(admit(pool, cand(t, 1000)).ok);
    assert.equal(removeForReorg(pool, () => false), 0);
    assert.equal(removeForReorg(pool, (e) => e.txid === hex(a)), 2);
    assert.deepEqual(reasons.sort(), [`${short(a)} reorg`, `${short(child)} reorg`].sort());
    assert.ok(pool.has(hex(other)));
  });

  test('addBackDisconnected: coinbases skipped; a rejected transaction takes only its spenders (reason reorg); "not added"', async () => {
    const { pool } = newPool();
    const reasons = reasonsOf(pool);
    const a = tx({ ins: [[coinTxid(), 0]], outs: 3 });
    const spendsOut1 = tx({ ins: [[a, 1]] });
    const lost = tx({ ins: [[coinTxid(), 0]] });
    const unrelated = tx({ ins: [[coinTxid(), 0]] });
    for (const t of [spendsOut1, unrelated]) assert.ok(admit(pool, cand(t, 1000)).ok);
    const asked: string[] = [];
    const r = await addBackDisconnected(pool, [coinbase, a, lost], async (t) => {
      asked.push(hex(t));
      return t === a ? 'bad-txns-nonfinal' : undefined; // `lost` "passes" but never enters
    });
    assert.deepEqual(asked, [hex(a), hex(lost)]);
    assert.deepEqual(r.added, []);
    assert.deepEqual(r.rejected.map((x) => [hex(x.tx), x.reason]), [[hex(a), 'bad-txns-nonfinal'], [hex(lost), 'not added']]);
    assert.deepEqual(reasons, [`${short(spendsOut1)} reorg`]);
    assert.ok(pool.has(hex(unrelated)));
  });

  for (const [name, limits, evicted] of [
    ['ancestor count at the limit: kept', { ancestorCount: 3 }, false],
    ['ancestor count one over the limit: evicted', { ancestorCount: 2 }, true],
    ['ancestor size at the limit: kept', { ancestorSizeVbytes: 300 }, false],
    ['ancestor size one vbyte over the limit: evicted', { ancestorSizeVbytes: 299 }, true],
  ] as const) {
    test(`re-added parent: a mempool descendant with its ${name} (reason evicted)`, async () => {
      const { pool } = newPool({ limits: { ...DEFAULT_LIMITS, ...limits } });
      const reasons = reasonsOf(pool);
      const a = tx({ ins: [[coinTxid(), 0]] });
      const b = tx({ ins: [a] });
      const c = tx({ ins: [b] });
      for (const t of [b, c]) assert.ok(admit(pool, cand(t, 1000, 100)).ok);
      const r = await addBackDisconnected(pool, [a], async (t) => reAdmit(pool, cand(t, 1000, 100)));
      assert.deepEqual(r.added.map((e) => e.txid), [hex(a)]);
      assert.equal(pool.get(hex(b))!.ancCount, 2);
      assert.equal(pool.has(hex(c)), !evicted);
      assert.deepEqual(reasons, evicted ? [`${short(c)} evicted`] : []);
      if (!evicted) assert.deepEqual([pool.get(hex(c))!.ancCount, pool.get(hex(c))!.ancSize], [3, 300]);
    });
  }
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
