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
import { hashToHex } from '../../src/primitives/bytes.ts';
import type { Transaction } from '../../src/primitives/tx.ts';
import type { MempoolReject } from '../../src/mempool/types.ts';
import { checkInvariants } from './invariants.ts';
import { cand, coinTxid, confirmedCoins, hex, newPool, reAdmit, tx } from './helpers.ts';

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
