/**
 * Mempool bookkeeping at 100,000 transactions (no script checks: the mempool takes
 * validated candidates). Run with any runtime:
 *   node --import tsx bench/mempool.bench.ts     bun bench/mempool.bench.ts     deno run -A bench/mempool.bench.ts
 * Targets: admission ≤ 20 µs/tx, top-1000 ≤ 1 ms, verbose dump ≤ 500 ms.
 */
import { runtimeLabel } from '../src/runtime/crypto/runtime-info.ts';
import { makeTx, type Transaction } from '../src/primitives/tx.ts';
import { Mempool } from '../src/mempool/mempool.ts';
import { admit } from '../src/mempool/admit.ts';
import { removeForBlock } from '../src/mempool/block.ts';
import { topByAncestorScore, assembleBlock } from '../src/mempool/miner.ts';
import { projectBlocks, recommendFees } from '../src/mempool/projected.ts';
import { rawMempoolVerbose } from '../src/api/rpc-mempool-json.ts';
import { coreJsonBody } from '../src/api/rpc-json.ts';
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

// Two rounds into fresh pools (the second with warm code); the better round is reported.
let pool = new Mempool({ maxSizeBytes: 1e12 });
let accepted = 0;
const reasons = new Map<string, number>();
let admitMs = Infinity;
const rounds: number[] = [];
for (let round = 0; round < 2; round++) {
  pool = new Mempool({ maxSizeBytes: 1e12 });
  accepted = 0;
  reasons.clear();
  const a0 = performance.now();
  for (const c of cands) {
    const r = admit(pool, c);
    if (r.ok) accepted++;
    else reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
  }
  const ms = performance.now() - a0;
  rounds.push(ms);
  admitMs = Math.min(admitMs, ms);
}

function time(fn: () => unknown, reps: number): number {
  fn();
  const s = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - s) / reps;
}
const topMs = time(() => topByAncestorScore(pool, 1000), 50);
// getrawmempool true as served: the JSON-RPC reply's body (Core's field formats, entryAll
// order), every byte of it produced.
let rpcBytes = 0;
const rpcDumpMs = time(() => {
  const body = coreJsonBody({ result: rawMempoolVerbose(pool), error: null, id: 1 }, '\n');
  // Read it all, as the HTTP layer does while sending (each chunk is written when pulled).
  rpcBytes = 0;
  if (typeof body === 'string') rpcBytes = body.length;
  else for (const chunk of body) rpcBytes += chunk.length;
}, 3);
const assembleMs = time(() => assembleBlock(pool), 3);
const projectMs = time(() => recommendFees(projectBlocks(pool), pool.getMinFee()), 2);

// A 3,000-transaction block: the best entries with their ancestors, parents first.
const block = new Set<Transaction>();
for (const e of topByAncestorScore(pool, 3000)) {
  for (const a of pool.ancestorsOf(e)) if (block.size < 3000) block.add(a.tx);
  if (block.size < 3000) block.add(e.tx);
}
const blockTxs = [...block].sort((x, y) => pool.get(txid(x))!.ancCount - pool.get(txid(y))!.ancCount);
function txid(t: Transaction): string {
  return [...t.txid].reverse().map((b) => b.toString(16).padStart(2, '0')).join('');
}
const sizeBefore = pool.size;
const b0 = performance.now();
removeForBlock(pool, blockTxs);
const blockMs = performance.now() - b0;

// TrimToSize reads the descendant-score index, which a pool keeps from half its size limit
// on; this pool (no limit) has none kept, so the trim builds it: its build is timed apart too.
const ix0 = performance.now();
void pool.descendantIndex.size;
const indexMs = performance.now() - ix0;
const usage = pool.memoryUsage;
const before = pool.size;
const tr0 = performance.now();
const evicted = pool.trimToSize(Math.floor(usage * 0.95)).length;
const trimMs = performance.now() - tr0;

const f = (x: number, d = 2): string => x.toFixed(d);
console.log(`mempool bench — ${runtimeLabel()} — ${new Date().toISOString().slice(0, 10)}`);
console.log(`  built ${N} candidates in ${f(buildMs, 0)} ms; accepted ${accepted}, rejected ${[...reasons].map(([k, v]) => `${k}×${v}`).join(', ') || 'none'}`);
console.log(`  admission bookkeeping     ${f((admitMs * 1000) / N)} µs/tx   (target ≤ 20; rounds ${rounds.map((r) => f((r * 1000) / N, 1)).join(', ')})`);
console.log(`  top-1000 by ancestor score ${f(topMs, 3)} ms      (target ≤ 1)`);
console.log(`  getrawmempool true (${pool.size + block.size + evicted} entries, ${(rpcBytes / 1e6).toFixed(1)} MB body)  ${f(rpcDumpMs, 1)} ms   (target ≤ 500)`);
console.log(`  block template (4 M WU)    ${f(assembleMs, 1)} ms`);
console.log(`  8 projected blocks + fees  ${f(projectMs, 1)} ms`);
console.log(`  remove ${blockTxs.length}-tx block    ${f(blockMs, 1)} ms  (${sizeBefore} → ${sizeBefore - blockTxs.length} confirmed)`);
console.log(`  descendant-score index built for ${pool.size} entries  ${f(indexMs, 1)} ms (kept from half the size limit on)`);
console.log(`  trim 5 % (${(usage / 1e6).toFixed(1)} MB)  ${f(trimMs, 1)} ms, the index's build included  (${evicted} of ${before} evicted)`);
console.log(`  memory estimate ${(pool.memoryUsage / pool.size).toFixed(0)} B/entry`);
