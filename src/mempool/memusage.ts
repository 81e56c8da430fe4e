/**
 * Estimated memory use, after Core's CTxMemPool::DynamicMemoryUsage (txmempool.cpp) and
 * memusage.h on a 64-bit build. Per entry:
 *   MallocUsage(sizeof(CTxMemPoolEntry) + 15 pointers of multi_index bookkeeping)
 *   + RecursiveDynamicUsage(tx): the CTransaction behind its shared_ptr, the vin/vout
 *     vectors, scripts longer than the 28-byte prevector inline buffer, witness stacks
 *   + one mapNextTx node per input
 *   + one txns_randomized slot
 * and, per parent/child link, one std::set node on each side (added when linked).
 * The struct sizes are Core v28–v30's on x86-64 (sizeof(CTxMemPoolEntry) ≈ 264 with
 * libstdc++); the figure is an estimate of the same order as Core's, not byte-exact.
 */
import type { Transaction } from '../primitives/tx.ts';

/** memusage::MallocUsage on 64-bit: 16-byte granularity with an 8-byte header. */
function mallocUsage(alloc: number): number {
  return alloc === 0 ? 0 : ((alloc + 31) >>> 4) << 4;
}

const SIZEOF_ENTRY = 264;
const SIZEOF_TX = 128;
const SIZEOF_TXIN = 104;
const SIZEOF_TXOUT = 40;
const SIZEOF_VECTOR = 24;
/** stl_tree_node<pair<const COutPoint, const CTransaction*>>: 32-byte header + 48. */
const MAP_NEXT_TX_NODE = mallocUsage(32 + 48);
/** std::set<reference_wrapper<entry>> node: 32-byte header + 8. */
export const LINK_USAGE = mallocUsage(32 + 8);
/** txns_randomized: vector<pair<Wtxid, txiter>> slot. */
const RANDOMIZED_SLOT = 40;

function scriptUsage(len: number): number {
  return len > 28 ? mallocUsage(len) : 0;
}

/** RecursiveDynamicUsage(CTransactionRef) (core_memusage.h). */
function txUsage(tx: Transaction): number {
  let mem = mallocUsage(SIZEOF_TX) + mallocUsage(16); // object + shared_ptr control block
  mem += mallocUsage(tx.inputs.length * SIZEOF_TXIN) + mallocUsage(tx.outputs.length * SIZEOF_TXOUT);
  for (const i of tx.inputs) {
    mem += scriptUsage(i.scriptSig.length);
    mem += mallocUsage(i.witness.length * SIZEOF_VECTOR);
    for (const w of i.witness) mem += mallocUsage(w.length);
  }
  for (const o of tx.outputs) mem += scriptUsage(o.scriptPubKey.length);
  return mem;
}

/** Everything an entry costs except its parent/child links. */
export function entryUsage(tx: Transaction): number {
  return mallocUsage(SIZEOF_ENTRY + 15 * 8) + txUsage(tx) + tx.inputs.length * MAP_NEXT_TX_NODE + RANDOMIZED_SLOT;
}
