/**
 * Property test: random sequences of add / replace / package / confirm / reorg / evict /
 * expire / prioritise; after every step the incremental aggregates equal a recomputation,
 * every index agrees with the entries, no outpoint is claimed twice and size accounting is exact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { admit } from '../../src/mempool/admit.ts';
import { addBackDisconnected, removeForBlock, removeForReorg } from '../../src/mempool/block.ts';
import { acceptPackage, type PackageHooks } from '../../src/mempool/package.ts';
import type { Mempool } from '../../src/mempool/mempool.ts';
import { compareAncestorScore, compareDescendantScore } from '../../src/mempool/scores.ts';
import { LINK_USAGE } from '../../src/mempool/memusage.ts';
import { hashToHex } from '../../src/primitives/bytes.ts';
import type { Transaction } from '../../src/primitives/tx.ts';
import type { MempoolEntry, MempoolReject } from '../../src/mempool/types.ts';
import { cand, coinTxid, confirmedCoins, hex, newPool, reAdmit, tx } from './helpers.ts';

function checkInvariants(pool: Mempool): void {
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

const hooks = (fees: Map<string, number>): PackageHooks => ({
  chain: confirmedCoins,
  async preCheck(t, view) {
    for (const i of t.inputs) {
      if (!view.getCoin(i.prevout.txid, i.prevout.vout)) return { ok: false, reason: 'bad-txns-inputs-missingorspent', kind: 'missing-inputs' } as MempoolReject;
    }
    return cand(t, fees.get(hex(t)) ?? 1000);
  },
  async checkScripts() { return undefined; },
});

type Op = { k: number; a: number; b: number; f: number };
const opArb = fc.record({ k: fc.integer({ min: 0, max: 8 }), a: fc.nat(1000), b: fc.nat(1000), f: fc.integer({ min: 0, max: 50_000 }) });

test('mempool invariants hold after every operation', async () => {
  // maxSizeBytes: the default (the descendant-score index is built only when read), or one
  // these sequences cross (kept from half full, dropped under a quarter, eviction above).
  await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), fc.constantFrom(300_000_000, 24_000), async (ops: Op[], maxSizeBytes: number) => {
    const { pool, clock } = newPool({ maxSizeBytes, limits: { ancestorCount: 6, ancestorSizeVbytes: 101_000, descendantCount: 6, descendantSizeVbytes: 101_000 } });
    const confirmed: Transaction[] = [];
    let tag = 0;
    const pickInputs = (a: number, b: number): [Uint8Array | Transaction, number][] => {
      const es = [...pool.entries()];
      const ins: [Uint8Array | Transaction, number][] = [];
      const n = 1 + (a % 3);
      for (let i = 0; i < n; i++) {
        const r = (a * 31 + b * 17 + i * 7) % 5;
        if (es.length && r < 3) {
          const e = es[(a + i * 13 + b) % es.length]!;
          ins.push([e.tx, (b + i) % e.tx.outputs.length]);
        } else {
          ins.push([coinTxid(), 0]);
        }
      }
      const seen = new Set<string>();
      return ins.filter(([s, v]) => {
        const k = (s instanceof Uint8Array ? hashToHex(s) : hex(s)) + v;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    };
    for (const op of ops) {
      clock.t += 60_000 * (1 + op.a);
      switch (op.k) {
        case 0: case 1: // add, possibly conflicting with what is there (a replacement attempt)
          admit(pool, cand(tx({ ins: pickInputs(op.a, op.b), outs: 1 + (op.b % 3), tag: tag++ }), op.f + 100));
          break;
        case 2: { // replace: re-spend an input of an existing entry
          const es = [...pool.entries()];
          if (!es.length) break;
          const victim = es[op.a % es.length]!;
          const i = victim.tx.inputs[op.b % victim.tx.inputs.length]!;
          admit(pool, cand(tx({ ins: [[i.prevout.txid, i.prevout.vout]], tag: tag++ }), op.f + 200));
          break;
        }
        case 3: { // package: parent + child
          const p = tx({ ins: pickInputs(op.a, op.b), outs: 2, tag: tag++ });
          const c = tx({ ins: [[p, 0]], tag: tag++ });
          await acceptPackage(pool, [p, c], hooks(new Map([[hex(p), op.f % 300], [hex(c), op.f + 5000]])));
          break;
        }
        case 4: { // confirm an entry with its ancestors
          const es = [...pool.entries()];
          if (!es.length) break;
          const e = es[op.a % es.length]!;
          const blk = [...pool.ancestorsOf(e), e].sort((x, y) => x.ancCount - y.ancCount).map((x) => x.tx);
          // plus a conflicting spend of some other entry's input
          const other = es[op.b % es.length]!;
          if (!blk.includes(other.tx)) {
            const i = other.tx.inputs[0]!;
            if (!pool.get(hashToHex(i.prevout.txid))) blk.push(tx({ ins: [[i.prevout.txid, i.prevout.vout]], tag: tag++ }));
          }
          removeForBlock(pool, blk);
          confirmed.push(...blk);
          break;
        }
        case 5: { // reorg: the last confirmed transactions come back
          const back = confirmed.splice(Math.max(0, confirmed.length - 1 - (op.a % 3)));
          await addBackDisconnected(pool, back, async (t) => (pool.parentsOf(t).size > 5 ? 'x' : reAdmit(pool, cand(t, 500))));
          removeForReorg(pool, (e) => e.fee === op.f + 100);
          break;
        }
        case 6: // evict
          pool.trimToSize(Math.floor(pool.memoryUsage * 0.9));
          break;
        case 7: // expire
          clock.t += op.b * 3600 * 1000;
          pool.limitSize();
          break;
        case 8: { // prioritise
          const es = [...pool.entries()];
          if (es.length) pool.prioritise(es[op.a % es.length]!.txid, op.f - 25_000);
          break;
        }
      }
      checkInvariants(pool);
    }
  }), { numRuns: 60 });
});
