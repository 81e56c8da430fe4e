/**
 * CheckEphemeralSpends (policy/ephemeral_policy.cpp): a child must spend every dust output
 * of its in-package or in-mempool parents. A mempool parent's dust outputs are computed
 * once and kept on its entry, so the usual case (no parent has dust) costs one lookup per
 * parent.
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
  let byTxid: Map<string, Transaction> | undefined;
  if (pkg.length > 1) {
    byTxid = new Map();
    for (const t of pkg) byTxid.set(txKeys(t).txid, t);
  }
  for (const tx of pkg) {
    const prev = txKeys(tx).prev;
    // Dust outputs of each distinct parent, as (parent txid, vout) pairs.
    let dustTxids: string[] | undefined;
    let dustVouts: number[] | undefined;
    // Few inputs: a linear scan finds repeated parents; many: a set.
    const processed = prev.length > 16 ? new Set<string>() : undefined;
    for (let n = 0; n < prev.length; n++) {
      const ptxid = prev[n]!;
      if (processed !== undefined) {
        if (processed.has(ptxid)) continue;
        processed.add(ptxid);
      } else {
        let seen = false;
        for (let m = 0; m < n; m++) {
          if (prev[m] === ptxid) {
            seen = true;
            break;
          }
        }
        if (seen) continue;
      }
      const ptx = byTxid?.get(ptxid);
      let dust: readonly number[];
      if (ptx !== undefined) {
        dust = dustOf(ptx, dustRelayFeeRate);
      } else {
        const e = pool.get(ptxid) as PoolEntry | undefined;
        if (e === undefined) continue;
        dust = entryDust(e, dustRelayFeeRate);
      }
      for (const v of dust) {
        (dustTxids ??= []).push(ptxid);
        (dustVouts ??= []).push(v);
      }
    }
    if (dustTxids === undefined) continue;
    let unspent = dustTxids.length;
    if (unspent * prev.length <= 256) {
      for (let k = 0; k < dustTxids.length; k++) {
        for (let n = 0; n < prev.length; n++) {
          if (prev[n] === dustTxids[k] && tx.inputs[n]!.prevout.vout === dustVouts![k]) {
            unspent--;
            break;
          }
        }
      }
    } else {
      const dust = new Set<string>();
      for (let k = 0; k < dustTxids.length; k++) dust.add(dustTxids[k] + ':' + dustVouts![k]);
      for (let n = 0; n < prev.length; n++) dust.delete(prev[n] + ':' + tx.inputs[n]!.prevout.vout);
      unspent = dust.size;
    }
    if (unspent > 0) {
      return { tx, details: `tx ${hashToHex(tx.txid)} (wtxid=${hashToHex(tx.wtxid)}) did not spend parent's ephemeral dust` };
    }
  }
  return undefined;
}
