/**
 * Mempool bookkeeping at 100,000 transactions (no script checks: the mempool takes
 * validated candidates). Run with any runtime:
 *   node --import tsx bench/mempool.bench.ts     bun bench/mempool.bench.ts     deno run -A bench/mempool.bench.ts
 * Targets: admission ≤ 20 µs/tx, top-1000 ≤ 1 ms, verbose dump ≤ 500 ms.
 */
import { runtimeLabel } from '../src/runtime/crypto/runtime-info.ts';
import { makeTx, type Transaction } from '../src/primitives/tx.ts';
import { Mempool } from '../src/mempool/pool.ts';
import { admit } from '../src/mempool/admit.ts';
import { removeForBlock } from '../src/mempool/block.ts';
import { topByAncestorScore, assembleBlock } from '../src/mempool/miner.ts';
import { projectBlocks, recommendFees } from '../src/mempool/projected.ts';
import { dumpVerbose } from '../src/mempool/dump.ts';
import type { AdmissionCandidate } from '../src/mempool/types.ts';

const N = 100_000;
const SPK = new Uint8Array([0x00, 0x14, ...new Array(20).fill(7)]);
let seed = 12345;
const rnd = (n: number): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
function coin(i: number): Uint8Array {
  const b = new Uint8Array(32);
  b[0] = 0xc0;
  new DataView(b.buffer).setUint32(28, i);
  return b;
}

// 100,000 candidates: 60 % spend confirmed coins, 40 % spend a recent mempool output (short chains).
const t0 = performance.now();
const cands: AdmissionCandidate[] = [];
for (let i = 0; i < N; i++) {
  const inputs = [];
  const nIn = 1 + rnd(2);
  for (let k = 0; k < nIn; k++) {
    const useParent = cands.length > 100 && rnd(10) < 4 && k === 0;
    const prev = useParent ? cands[cands.length - 1 - rnd(100)]!.tx : undefined;
    inputs.push({ prevout: prev ? { txid: prev.txid, vout: rnd(2) } : { txid: coin(i * 4 + k), vout: 0 }, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [new Uint8Array(72), new Uint8Array(33)] });
  }
  const tx: Transaction = makeTx({ version: 2, inputs, outputs: [{ value: 50_000n + BigInt(i), scriptPubKey: SPK }, { value: 20_000n, scriptPubKey: SPK }], locktime: 0 });
  cands.push({ tx, fee: BigInt(tx.vsize * (1 + rnd(200))), vsize: tx.vsize, sigOpCost: 4 * nIn });
}
const buildMs = performance.now() - t0;

const pool = new Mempool({ maxSizeBytes: 1e12 });
let accepted = 0;
const reasons = new Map<string, number>();
const a0 = performance.now();
for (const c of cands) {
  const r = admit(pool, c);
  if (r.ok) accepted++;
  else reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
}
const admitMs = performance.now() - a0;
import { SortedIndex } from '../src/mempool/sorted-index.ts';
import { compareAncestorScore } from '../src/mempool/pool.ts';
const es = [...pool.entries()];
let calls = 0, ties = 0;
const cmpCount = (a: any, b: any) => { calls++; const r = compareAncestorScore(a, b); if (a.aKeyFee * b.aKeySize === a.aKeySize * b.aKeyFee) ties++; return r; };
for (let k = 0; k < 3; k++) {
  const idx = new SortedIndex(cmpCount);
  calls = 0; ties = 0;
  const s = performance.now();
  for (const e of es) idx.insert(e);
  console.log('insert', ((performance.now() - s) * 1000 / es.length).toFixed(2), 'us', calls / es.length, 'cmp/insert', ties / calls, 'tie share');
}
const idx2 = new SortedIndex(compareAncestorScore);
const s2 = performance.now();
for (const e of es) idx2.insert(e);
console.log('direct insert', ((performance.now() - s2) * 1000 / es.length).toFixed(2), 'us');
