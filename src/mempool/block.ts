/**
 * Chain updates (txmempool.cpp removeForBlock / removeForReorg, validation.cpp
 * MaybeUpdateMempoolForReorg + UpdateTransactionsFromBlock).
 */
import { hashToHex } from '../primitives/bytes.ts';
import { isCoinBase, type Transaction } from '../primitives/tx.ts';
import { txKeys } from './keys.ts';
import type { Mempool } from './mempool.ts';
import type { MempoolEntry } from './types.ts';

/**
 * removeForBlock: each block transaction leaves the mempool ('confirmed', its descendants
 * stay with updated ancestor aggregates); mempool transactions spending the same inputs
 * leave with their descendants ('conflict'); prioritisation is cleared; the rolling
 * minimum fee starts decaying.
 */
export function removeForBlock(pool: Mempool, txs: readonly Transaction[], height?: number): { confirmed: number; conflicts: number } {
  let confirmed = 0;
  let conflicts = 0;
  for (const tx of txs) {
    const keys = txKeys(tx);
    const txid = keys.txid;
    const e = pool.get(txid);
    if (e) {
      pool.removeStaged(new Set([e]), true, 'confirmed');
      confirmed++;
    }
    if (!isCoinBase(tx)) {
      const roots: MempoolEntry[] = [];
      for (let n = 0; n < tx.inputs.length; n++) {
        const s = pool.spender(keys.prev[n]!, tx.inputs[n]!.prevout.vout);
        if (s && s.txid !== txid) roots.push(s);
      }
      if (roots.length) conflicts += pool.removeRecursive(roots, 'conflict').size;
    }
    pool.clearPrioritisation(txid);
  }
  if (height !== undefined) pool.tipHeight = height;
  pool.noteBlock();
  return { confirmed, conflicts };
}

/**
 * removeForReorg: after a reorg, removes (with descendants, reason 'reorg') every entry the
 * predicate flags — Core's check for finality, BIP68 locks and coinbase maturity at the
 * new tip, which needs chain context the caller has.
 */
export function removeForReorg(pool: Mempool, shouldRemove: (e: MempoolEntry) => boolean): number {
  const bad: MempoolEntry[] = [];
  for (const e of pool.entries()) if (shouldRemove(e)) bad.push(e);
  return bad.length ? pool.removeRecursive(bad, 'reorg').size : 0;
}

/**
 * Admits one disconnected transaction through the acceptance path with bypass_limits;
 * undefined when it entered the mempool, else the reject reason.
 */
export type ReAdmit = (tx: Transaction) => Promise<string | undefined>;

/**
 * MaybeUpdateMempoolForReorg: returns a disconnected block's transactions (in block order,
 * oldest block first) to the mempool with bypass_limits (no fee floors, no trimming).
 * Transactions that fail come out together with any mempool transactions spending them
 * ('reorg'). Re-added transactions are linked to mempool children that already spend them
 * and the affected aggregates recomputed; descendants now over the ancestor limits are
 * removed ('evicted', Core's SIZELIMIT). The caller then runs removeForReorg and
 * limitSize().
 */
export async function addBackDisconnected(
  pool: Mempool, txs: readonly Transaction[], admit: ReAdmit,
): Promise<{ added: MempoolEntry[]; rejected: { tx: Transaction; reason: string }[] }> {
  const added: MempoolEntry[] = [];
  const rejected: { tx: Transaction; reason: string }[] = [];
  for (const tx of txs) {
    if (isCoinBase(tx)) continue;
    const reason = await admit(tx);
    const txid = hashToHex(tx.txid);
    const entry = reason === undefined ? pool.get(txid) : undefined;
    if (entry) {
      added.push(entry);
      continue;
    }
    rejected.push({ tx, reason: reason ?? 'not added' });
    // The transaction stays out: whatever spends it would be an orphan.
    const spenders: MempoolEntry[] = [];
    for (let n = 0; n < tx.outputs.length; n++) {
      const s = pool.spender(txid, n);
      if (s) spenders.push(s);
    }
    if (spenders.length) pool.removeRecursive(spenders, 'reorg');
  }
  // UpdateTransactionsFromBlock: link children that already spend the re-added transactions.
  const region = new Set<MempoolEntry>();
  for (const e of added) {
    if (!pool.has(e.txid)) continue;
    if (pool.relinkChildren(e).length === 0) continue;
    for (const d of pool.descendantsOf(e)) {
      region.add(d);
      for (const a of pool.ancestorsOf(d)) region.add(a);
    }
  }
  if (region.size) {
    pool.recomputeAggregates(region);
    const { ancestorCount, ancestorSizeVbytes } = pool.opts.limits;
    const over = [...region].filter((d) => pool.has(d.txid) && (d.ancCount > ancestorCount || d.ancSize > ancestorSizeVbytes));
    if (over.length) pool.removeRecursive(over, 'evicted');
  }
  return { added: added.filter((e) => pool.has(e.txid)), rejected };
}
