/**
 * CheckEphemeralSpends (policy/ephemeral_policy.cpp): a child must spend every dust output
 * of its in-package or in-mempool parents.
 */
import { hashToHex } from '../primitives/bytes.ts';
import type { Transaction } from '../primitives/tx.ts';
import { isDust } from '../policy/standard.ts';
import { outKey, type Mempool } from './pool.ts';

export function checkEphemeralSpends(
  pkg: readonly Transaction[], dustRelayFeeRate: number, pool: Mempool,
): { tx: Transaction; details: string } | undefined {
  const byTxid = new Map<string, Transaction>();
  for (const t of pkg) byTxid.set(hashToHex(t.txid), t);
  for (const tx of pkg) {
    const processed = new Set<string>();
    const unspentDust = new Set<string>();
    for (const i of tx.inputs) {
      const ptxid = hashToHex(i.prevout.txid);
      if (processed.has(ptxid)) continue;
      processed.add(ptxid);
      const parent = byTxid.get(ptxid) ?? pool.get(ptxid)?.tx;
      if (!parent) continue;
      parent.outputs.forEach((o, n) => {
        if (isDust(o, dustRelayFeeRate)) unspentDust.add(outKey(ptxid, n));
      });
    }
    if (unspentDust.size === 0) continue;
    for (const i of tx.inputs) unspentDust.delete(outKey(hashToHex(i.prevout.txid), i.prevout.vout));
    if (unspentDust.size) {
      return { tx, details: `tx ${hashToHex(tx.txid)} (wtxid=${hashToHex(tx.wtxid)}) did not spend parent's ephemeral dust` };
    }
  }
  return undefined;
}
