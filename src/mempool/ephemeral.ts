/**
 * CheckEphemeralSpends (policy/ephemeral_policy.cpp): a child must spend every dust output
 * of its in-package or in-mempool parents. A mempool parent's dust outputs are computed
 * once and kept on its entry, so the usual case (no parent has dust) costs one lookup per
 * input and allocates nothing.
 */
import { hashToHex } from '../primitives/bytes.ts';
import type { Transaction } from '../primitives/tx.ts';
import { getDust } from '../policy/standard.ts';
import { txKeys } from './keys.ts';
import type { Mempool } from './mempool.ts';
import type { PoolEntry } from './types.ts';

const NONE: readonly number[] = Object.freeze([]);

function dustOf(tx: Transaction, rate: number): readonly number[] {
  const d = getDust(tx, rate);
  return d.length ? d : NONE;
}

/** The dust outputs of a mempool entry (cached on the entry with the rate they are for). */
function entryDust(e: PoolEntry, rate: number): readonly number[] {
  if (e.dust === undefined || e.dustRate !== rate) {
    e.dust = dustOf(e.tx, rate);
    e.dustRate = rate;
  }
  return e.dust;
}

export function checkEphemeralSpends(
  pkg: readonly Transaction[], dustRelayFeeRate: number, pool: Mempool,
): { tx: Transaction; details: string } | undefined {
  // The dust outputs of each package transaction, worked out once.
  let pkgDust: Map<string, readonly number[]> | undefined;
  if (pkg.length > 1) {
    pkgDust = new Map();
    for (const t of pkg) pkgDust.set(txKeys(t).txid, dustOf(t, dustRelayFeeRate));
  }
  for (const tx of pkg) {
    const prev = txKeys(tx).prev;
    // "txid:vout" of every dust output of the parents (a set: inputs may share a parent).
    let unspent: Set<string> | undefined;
    for (let n = 0; n < prev.length; n++) {
      const ptxid = prev[n]!;
      let dust = pkgDust?.get(ptxid);
      if (dust === undefined) {
        const e = pool.get(ptxid) as PoolEntry | undefined;
        if (e === undefined) continue;
        dust = entryDust(e, dustRelayFeeRate);
      }
      for (const v of dust) (unspent ??= new Set()).add(ptxid + ':' + v);
    }
    if (unspent === undefined) continue;
    for (let n = 0; n < prev.length; n++) unspent.delete(prev[n] + ':' + tx.inputs[n]!.prevout.vout);
    if (unspent.size > 0) {
      return { tx, details: `tx ${hashToHex(tx.txid)} (wtxid=${hashToHex(tx.wtxid)}) did not spend parent's ephemeral dust` };
    }
  }
  return undefined;
}
