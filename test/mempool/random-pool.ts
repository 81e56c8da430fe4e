/**
 * Random mempools for the block-assembly tests: each spec spends up to three outputs of
 * earlier transactions (chains, diamonds) or a confirmed coin, with a fee and sigop cost.
 */
import fc from 'fast-check';
import { admit } from '../../src/mempool/admit.ts';
import type { Mempool } from '../../src/mempool/mempool.ts';
import { cand, coinTxid, newPool, tx } from './helpers.ts';

export type Spec = { parents: number[]; outs: number; fee: number; sigops: number };

export const specArb = fc.record({
  parents: fc.array(fc.nat(400), { maxLength: 3 }),
  outs: fc.integer({ min: 1, max: 3 }),
  fee: fc.integer({ min: 0, max: 30_000 }),
  sigops: fc.integer({ min: 0, max: 40 }),
});

export function buildPool(specs: Spec[]): Mempool {
  const { pool } = newPool({ maxSizeBytes: 1e12 });
  const made: ReturnType<typeof tx>[] = [];
  const spent = new Set<string>();
  specs.forEach((s, i) => {
    const ins: [Uint8Array | ReturnType<typeof tx>, number][] = [];
    for (const p of s.parents) {
      const src = made[p % Math.max(1, made.length)];
      if (!src) continue;
      const vout = (p >> 4) % src.outputs.length;
      const k = `${i}:${made.indexOf(src)}:${vout}`;
      if (spent.has(`${made.indexOf(src)}:${vout}`) || spent.has(k)) continue;
      spent.add(`${made.indexOf(src)}:${vout}`);
      ins.push([src, vout]);
    }
    if (ins.length === 0) ins.push([coinTxid(), 0]);
    const t = tx({ ins, outs: s.outs, tag: i });
    made.push(t);
    admit(pool, cand(t, s.fee, t.vsize, s.sigops));
  });
  return pool;
}
