/**
 * The mempool's invariants, checked against a recomputation from scratch: parents and
 * spenders from the inputs, ancestor and descendant aggregates (CTxMemPoolEntry's
 * nCountWithAncestors ...), memory, size and fee totals, both score indexes in order and
 * their key snapshots.
 */
import assert from 'node:assert/strict';
import type { Mempool } from '../../src/mempool/mempool.ts';
import { compareAncestorScore, compareDescendantScore } from '../../src/mempool/scores.ts';
import { LINK_USAGE } from '../../src/mempool/memusage.ts';
import { hashToHex } from '../../src/primitives/bytes.ts';
import type { MempoolEntry } from '../../src/mempool/types.ts';

export function checkInvariants(pool: Mempool): void {
  const entries = [...pool.entries()];
  let usage = 0, vsize = 0, fee = 0, inputs = 0;
  const claimed = new Set<string>();
  for (const e of entries) {
    assert.equal(pool.getByWtxid(e.wtxid), e);
    // Parents are exactly the in-mempool transactions spent.
    const parents = new Set<MempoolEntry>();
    for (const i of e.tx.inputs) {
      const k = hashToHex(i.prevout.txid) + ':' + i.prevout.vout;
      assert.ok(!claimed.has(k), 'outpoint claimed twice');
      claimed.add(k);
      assert.equal(pool.spender(hashToHex(i.prevout.txid), i.prevout.vout), e);
      const p = pool.get(hashToHex(i.prevout.txid));
      if (p) parents.add(p);
      inputs++;
    }
    assert.deepEqual(new Set(e.parents), parents);
    for (const p of parents) assert.ok(p.children.has(e));
    for (const c of e.children) assert.ok(c.parents.has(e));
    const anc = pool.ancestorsOf(e);
    const desc = pool.descendantsOf(e);
    const sum = (xs: Iterable<MempoolEntry>, f: (x: MempoolEntry) => number): number => [...xs].reduce((s, x) => s + f(x), 0);
    assert.deepEqual([e.ancCount, e.ancSize, e.ancFee, e.ancSigOps],
      [anc.size + 1, sum(anc, (x) => x.vsize) + e.vsize, sum(anc, (x) => x.modFee) + e.modFee, sum(anc, (x) => x.sigOpCost) + e.sigOpCost]);
    assert.deepEqual([e.descCount, e.descSize, e.descFee], [desc.size, sum(desc, (x) => x.vsize), sum(desc, (x) => x.modFee)]);
    usage += e.usage + e.children.size * 2 * LINK_USAGE;
    vsize += e.vsize;
    fee += e.fee;
  }
  assert.equal(pool.spenderCount, inputs);
  assert.equal(pool.memoryUsage, usage);
  assert.equal(pool.totalVsize, vsize);
  assert.equal(pool.totalFee, fee);
  for (const [idx, cmp] of [[pool.ancestorIndex, compareAncestorScore], [pool.descendantIndex, compareDescendantScore]] as const) {
    const arr = idx.toArray();
    assert.equal(arr.length, entries.length);
    assert.deepEqual(new Set(arr), new Set(entries));
    for (let i = 1; i < arr.length; i++) assert.ok(cmp(arr[i - 1]!, arr[i]!) < 0, 'index out of order');
  }
  // Index key snapshots match the current aggregates (score is min/max of own and package).
  for (const e of entries) {
    const own = e.modFee / e.vsize;
    assert.ok(Math.abs(e.aKeyFee / e.aKeySize - Math.min(own, e.ancFee / e.ancSize)) < 1e-9);
    assert.ok(Math.abs(e.dKeyFee / e.dKeySize - Math.max(own, e.descFee / e.descSize)) < 1e-9);
  }
}

