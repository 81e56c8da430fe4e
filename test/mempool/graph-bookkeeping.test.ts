/**
 * CTxMemPool's bookkeeping (src/mempool/graph.ts): the descendant-score index kept from
 * half the size limit (what TrimToSize reads), aggregates through addUnchecked,
 * RemoveStaged (block inclusion updates descendants), removeRecursive, prioritisation and
 * UpdateTransactionsFromBlock, the version that makes a stale admission plan re-checked,
 * and Expire over entry times that went backwards.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { admit, commit, prepare, type AdmissionPlan } from '../../src/mempool/admit.ts';
import { addBackDisconnected, removeForBlock, removeForReorg } from '../../src/mempool/block.ts';
import type { Mempool } from '../../src/mempool/mempool.ts';
import type { Transaction } from '../../src/primitives/tx.ts';
import { hashToHex } from '../../src/primitives/bytes.ts';
import { checkInvariants } from './invariants.ts';
import { cand, coinTxid, hex, newPool, reAdmit, tx } from './helpers.ts';

/** Whether the pool keeps its descendant-score index (the getter returns the same object). */
const kept = (pool: Mempool): boolean => pool.descendantIndex === pool.descendantIndex;

describe('the descendant-score index, kept or built on demand', () => {
  type Op = { k: number; a: number; b: number; f: number };
  const opArb = fc.record({ k: fc.integer({ min: 0, max: 6 }), a: fc.nat(1000), b: fc.nat(1000), f: fc.integer({ min: 0, max: 20_000 }) });

  for (const maxSizeBytes of [4, 1e12]) {
    test(`random operations keep every aggregate and both indexes exact (maxSizeBytes ${maxSizeBytes})`, async () => {
      await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops: Op[]) => {
        // Admission with bypass_limits never trims, so with a 4-byte limit the index is kept whenever the pool is not empty.
        const { pool } = newPool({ maxSizeBytes, limits: { ancestorCount: 8, ancestorSizeVbytes: 101_000, descendantCount: 8, descendantSizeVbytes: 101_000 } });
        const confirmed: Transaction[] = [];
        let tag = 0;
        for (const op of ops) {
          const es = [...pool.entries()];
          switch (op.k) {
            case 0: case 1: { // add: spends up to two mempool outputs or a confirmed coin
              const ins: [Uint8Array | Transaction, number][] = [];
              for (let i = 0; i <= op.a % 2; i++) {
                const e = es.length && (op.b + i) % 4 !== 0 ? es[(op.a + 7 * i) % es.length]! : undefined;
                const src: [Uint8Array | Transaction, number] = e ? [e.tx, (op.b + i) % e.tx.outputs.length] : [coinTxid(), 0];
                if (!ins.some(([t, v]) => t === src[0] && v === src[1])) ins.push(src);
              }
              reAdmit(pool, cand(tx({ ins, outs: 1 + (op.b % 3), tag: tag++ }), op.f < 3000 ? 0 : op.f, undefined, op.a % 50));
              break;
            }
            case 2: { // a block confirms an entry with its ancestors: its descendants stay with smaller ancestor totals
              if (!es.length) break;
              const e = es[op.a % es.length]!;
              const blk = [...pool.ancestorsOf(e), e].sort((x, y) => x.ancCount - y.ancCount).map((x) => x.tx);
              removeForBlock(pool, blk);
              confirmed.push(...blk);
              break;
            }
            case 3: // reorg: the last confirmed transactions come back and are relinked to their mempool children
              await addBackDisconnected(pool, confirmed.splice(Math.max(0, confirmed.length - 1 - (op.a % 3))), async (t) => reAdmit(pool, cand(t, op.f, undefined, 3)));
              break;
            case 4: // removeRecursive
              if (es.length) removeForReorg(pool, (e) => e === es[op.a % es.length]);
              break;
            case 5: // prioritisetransaction
              if (es.length) pool.prioritise(es[op.a % es.length]!.txid, op.f - 10_000);
              break;
            case 6: // TrimToSize below the current usage
              pool.trimToSize(Math.floor(pool.memoryUsage * (op.b % 10) / 10));
              break;
          }
          checkInvariants(pool);
          assert.equal(kept(pool), maxSizeBytes === 4 && pool.size > 0);
        }
      }), { numRuns: 25 });
    });
  }

  /** A pool whose limit is 8 lone entries' usage; n entries added (normal admission, no trimming). */
  function sized(n: number): { pool: Mempool; txs: Transaction[] } {
    const probe = newPool().pool;
    assert.equal(admit(probe, cand(tx({ ins: [[coinTxid(), 0]] }), 1000)).ok, true);
    const { pool } = newPool({ maxSizeBytes: 8 * probe.memoryUsage });
    const txs: Transaction[] = [];
    for (let i = 0; i < n; i++) {
      const t = tx({ ins: [[coinTxid(), 0]] });
      assert.equal(admit(pool, cand(t, 1000 + i)).ok, true);
      txs.push(t);
    }
    return { pool, txs };
  }

  test('built on reaching half the size limit, dropped under a quarter', () => {
    assert.equal(kept(sized(3).pool), false);
    const { pool, txs } = sized(4); // exactly half
    assert.equal(kept(pool), true);
    const gone = (t: Transaction) => removeForReorg(pool, (e) => e.txid === hex(t));
    gone(txs[0]!);
    gone(txs[1]!); // exactly a quarter left: still kept
    assert.equal(kept(pool), true);
    // An entry added between a quarter and half goes into the kept index.
    const between = tx({ ins: [[coinTxid(), 0]] });
    assert.equal(admit(pool, cand(between, 1000)).ok, true);
    assert.equal(pool.descendantIndex.size, 3);
    gone(between);
    gone(txs[2]!);
    assert.equal(kept(pool), false);
    // Once dropped, it is built again only at half.
    for (let i = 0; i < 2; i++) assert.equal(admit(pool, cand(tx({ ins: [[coinTxid(), 0]] }), 1000)).ok, true);
    assert.equal(kept(pool), false);
    assert.equal(admit(pool, cand(tx({ ins: [[coinTxid(), 0]] }), 1000)).ok, true);
    assert.equal(kept(pool), true);
  });

  test('TrimToSize evicts from one index to the end, however small the pool gets', () => {
    // Usage far below the limit: the index is built for the trim; evicting everything empties the pool exactly once each.
    const { pool } = newPool();
    const txs: Transaction[] = [];
    for (let i = 0; i < 4; i++) {
      const p = tx({ ins: [[coinTxid(), 0]] });
      const c = tx({ ins: [p] });
      assert.equal(admit(pool, cand(p, 1000 * (i + 1), 200)).ok, true);
      assert.equal(admit(pool, cand(c, 1000 * (i + 1), 200)).ok, true);
      txs.push(p, c);
    }
    const evicted = pool.trimToSize(0).map((e) => e.txid);
    assert.equal(evicted.length, 8);
    assert.equal(new Set(evicted).size, 8);
    assert.deepEqual(evicted.slice(0, 2).sort(), [hex(txs[0]!), hex(txs[1]!)].sort());
    assert.deepEqual([pool.size, pool.memoryUsage, pool.totalVsize, pool.totalFee], [0, 0, 0, 0]);
    assert.equal(kept(pool), false);
    // The minimum fee follows the best package evicted: 8,000 sats / 400 vB + 100.
    assert.equal(pool.getMinFee(), 20_100);
  });
});

describe('aggregates with the descendant-score index kept (RemoveStaged, UpdateTransactionsFromBlock)', () => {
  /** g → p → c and g → s, with sigops, in a pool that keeps the index (4-byte limit, bypass_limits). */
  function family(): { pool: Mempool; g: Transaction; p: Transaction; c: Transaction; s: Transaction } {
    const { pool } = newPool({ maxSizeBytes: 4 });
    const g = tx({ ins: [[coinTxid(), 0]], outs: 2 });
    const p = tx({ ins: [[g, 0]] });
    const c = tx({ ins: [p] });
    const s = tx({ ins: [[g, 1]] });
    [g, p, c, s].forEach((t, i) => assert.equal(reAdmit(pool, cand(t, [1000, 2000, 3000, 4500][i]!, 100 + 10 * i, 5 + i)), undefined));
    assert.equal(kept(pool), true);
    return { pool, g, p, c, s };
  }

  test('a block confirming the root leaves its descendants with smaller ancestor totals', () => {
    const { pool, g, p, c } = family();
    removeForBlock(pool, [g]);
    checkInvariants(pool);
    assert.deepEqual([pool.get(hex(c))!.ancCount, pool.get(hex(c))!.ancSigOps], [2, 13]);
    removeForBlock(pool, [p]);
    checkInvariants(pool);
    assert.deepEqual([pool.get(hex(c))!.ancCount, pool.get(hex(c))!.ancSize, pool.get(hex(c))!.ancSigOps], [1, 120, 7]);
  });

  test('removing a middle entry with its descendant updates the shared ancestor once', () => {
    const { pool, g, p } = family();
    removeForReorg(pool, (e) => e.txid === hex(p));
    checkInvariants(pool);
    assert.deepEqual([pool.get(hex(g))!.descCount, pool.get(hex(g))!.descFee], [2, 5500]);
  });

  test('a re-added parent is linked to its mempool children and the region recomputed', async () => {
    const { pool, g, p, c, s } = family();
    removeForBlock(pool, [g]);
    await addBackDisconnected(pool, [g], async (t) => reAdmit(pool, cand(t, 700, 90, 9)));
    checkInvariants(pool);
    assert.deepEqual([pool.get(hex(c))!.ancCount, pool.get(hex(c))!.ancSigOps, pool.get(hex(g))!.descCount], [3, 9 + 6 + 7, 4]);
    assert.equal(pool.get(hex(s))!.ancFee, 700 + 4500);
  });

  test('a zero-fee child changes only the size of its parent\'s descendant score', () => {
    const { pool } = newPool({ maxSizeBytes: 4 });
    const p = tx({ ins: [[coinTxid(), 0]], outs: 2 });
    const rich = tx({ ins: [[p, 0]] });
    assert.equal(reAdmit(pool, cand(p, 100, 100)), undefined);
    assert.equal(reAdmit(pool, cand(rich, 10_000, 100)), undefined);
    assert.equal(reAdmit(pool, cand(tx({ ins: [[p, 1]] }), 0, 100)), undefined);
    checkInvariants(pool);
  });
});

describe('a plan made against an older mempool is re-checked (the version)', () => {
  test('an entry added and another removed since the plan: the spend the plan missed is seen', () => {
    const { pool } = newPool();
    const coin = coinTxid();
    const other = tx({ ins: [[coinTxid(), 0]] });
    assert.equal(admit(pool, cand(other, 1000)).ok, true);
    const plan = prepare(pool, cand(tx({ ins: [[coin, 0]] }), 1000)) as AdmissionPlan;
    assert.equal(plan.ok, true);
    // Meanwhile a transaction spending the same coin enters and an unrelated one leaves.
    assert.equal(admit(pool, cand(tx({ ins: [[coin, 0]], tag: 1 }), 5000)).ok, true);
    removeForReorg(pool, (e) => e.txid === hex(other));
    const r = commit(pool, plan);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, 'insufficient fee');
    checkInvariants(pool);
  });

  test('a parent re-added from a disconnected block since the plan becomes the new transaction\'s ancestor', async () => {
    const { pool } = newPool();
    const a = tx({ ins: [[coinTxid(), 0]], outs: 2 });
    const child = tx({ ins: [[a, 0]] });
    assert.equal(admit(pool, cand(child, 1000)).ok, true); // a is confirmed
    const plan = prepare(pool, cand(tx({ ins: [[a, 1]] }), 1000)) as AdmissionPlan;
    assert.equal(plan.ok, true);
    await addBackDisconnected(pool, [a], async (t) => reAdmit(pool, cand(t, 1000)));
    const r = commit(pool, plan);
    assert.equal(r.ok, true);
    assert.equal(r.ok && r.entry.ancCount, 2);
    checkInvariants(pool);
  });

  test('prioritisation since the plan counts in the re-check', () => {
    const { pool } = newPool();
    const coin = coinTxid();
    const old = tx({ ins: [[coin, 0]] });
    assert.equal(admit(pool, cand(old, 1000, 200)).ok, true);
    const plan = prepare(pool, cand(tx({ ins: [[coin, 0]], tag: 2 }), 3000, 200)) as AdmissionPlan;
    assert.equal(plan.ok, true);
    pool.prioritise(hex(old), 10_000);
    // and an unrelated transaction enters.
    assert.equal(admit(pool, cand(tx({ ins: [[coinTxid(), 0]] }), 1000)).ok, true);
    const r = commit(pool, plan);
    assert.equal(!r.ok && r.reason, 'insufficient fee');
  });
});

describe('Expire with entry times that went backwards', () => {
  test('an older entry admitted after a younger one still expires', () => {
    const { pool, clock } = newPool({ expirySeconds: 1000 });
    const young = tx({ ins: [[coinTxid(), 0]] });
    const old = tx({ ins: [[coinTxid(), 0]] });
    clock.t += 5_000_000;
    assert.equal(admit(pool, cand(young, 1000)).ok, true);
    clock.t -= 3_000_000; // the clock stepped back 3,000 s
    assert.equal(admit(pool, cand(old, 1000)).ok, true);
    clock.t += 3_500_000; // young is 500 s old, old 3,500 s
    pool.limitSize();
    assert.deepEqual([pool.has(hex(young)), pool.has(hex(old))], [true, false]);
    clock.t += 600_000;
    pool.limitSize();
    assert.equal(pool.size, 0);
  });

  test('entries at the same time as the previous one keep the fast scan exact', () => {
    const { pool, clock } = newPool({ expirySeconds: 1000 });
    const txs = [0, 0, 1].map(() => tx({ ins: [[coinTxid(), 0]] }));
    assert.equal(admit(pool, cand(txs[0]!, 1000)).ok, true);
    assert.equal(admit(pool, cand(txs[1]!, 1000)).ok, true);
    clock.t += 2000;
    assert.equal(admit(pool, cand(txs[2]!, 1000)).ok, true);
    clock.t += 999_000;
    assert.equal(pool.expire(pool.nowSeconds() - 1000), 2);
    assert.deepEqual(txs.map((t) => pool.has(hex(t))), [false, false, true]);
    assert.equal(pool.expire(pool.nowSeconds() - 1000), 0);
    assert.equal(pool.expire(pool.nowSeconds() - 998), 1);
  });
});

describe('lookups', () => {
  test('parentsOf, spender, getByWtxid', () => {
    const { pool } = newPool();
    const p = tx({ ins: [[coinTxid(), 0]], outs: 2 });
    assert.equal(admit(pool, cand(p, 1000)).ok, true);
    const c = tx({ ins: [[p, 1], [coinTxid(), 0]] });
    assert.deepEqual([...pool.parentsOf(c)].map((e) => e.txid), [hex(p)]);
    assert.equal(admit(pool, cand(c, 1000)).ok, true);
    assert.equal(pool.spender(hex(p), 1)?.txid, hex(c));
    assert.equal(pool.spender(hex(p), 0), undefined);
    assert.equal(pool.getByWtxid(hashToHex(c.wtxid))?.txid, hex(c));
    assert.equal(pool.spenderCount, 3);
  });
});
