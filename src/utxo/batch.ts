/**
 * The checks UtxoSet.applyBatch runs on a whole batch before it changes anything, and the
 * small predicates it shares with them.
 */
import { MAX_SCRIPT_SIZE } from './compress.ts';
import type { Coin } from './coin.ts';

export interface OutPointRef {
  /** Internal byte order. */
  txid: Uint8Array;
  vout: number;
}
export interface CoinAdd extends OutPointRef {
  coin: Coin;
}
export interface UtxoBatch {
  /** Applied first. Adding an outpoint that is unspent replaces it (Core's possible_overwrite). */
  add?: readonly CoinAdd[];
  /** Applied after the adds; an add spent in the same batch never becomes visible. */
  spend?: readonly OutPointRef[];
}

/** Which adds are spent in their own batch, and which spends they absorb. */
export interface Cancellations {
  cancelled: Set<number> | undefined;
  spendCancelled: Uint8Array;
}

/**
 * Checks a whole batch against the current state (`unspent`) without changing anything;
 * throws (programmer error) on the first problem:
 *  - an add whose txid is not 32 bytes, whose vout is not an integer in 0..2^32-1, whose
 *    height is not an integer in 0..0x7fffffff, or whose value is not in 0..2^64-1;
 *  - a spend with a bad txid or vout, or of a coin unspent neither now nor after the
 *    adds (an add of an unspendable script adds nothing);
 *  - the same outpoint spent twice (also when the batch adds it too).
 * Returns which adds are spent in this batch (the last add of such an outpoint) and
 * which spends they absorb: those cancel out (the add is not placed; a coin it would
 * have replaced is spent).
 */
export function validateBatch(adds: readonly CoinAdd[], spends: readonly OutPointRef[], unspent: (txid: Uint8Array, vout: number) => boolean): Cancellations {
  for (let i = 0; i < adds.length; i++) {
    const a = adds[i]!;
    if (!(a.txid instanceof Uint8Array) || a.txid.length !== 32) throw new Error(`UtxoSet.applyBatch: add ${i}: txid must be 32 bytes`);
    if (!isVout(a.vout)) throw new Error(`UtxoSet.applyBatch: add ${i}: bad vout ${a.vout}`);
    const c = a.coin;
    if (!c || !(c.scriptPubKey instanceof Uint8Array)) throw new Error(`UtxoSet.applyBatch: add ${i}: no coin or script`);
    if (!Number.isInteger(c.height) || c.height < 0 || c.height > 0x7fffffff) throw new Error(`UtxoSet.applyBatch: add ${i}: bad height ${c.height}`);
    if (typeof c.value !== 'bigint' || c.value < 0n || c.value > 0xffffffffffffffffn) throw new Error(`UtxoSet.applyBatch: add ${i}: bad value ${String(c.value)}`);
  }
  const spendCancelled = new Uint8Array(spends.length);
  let cancelled: Set<number> | undefined;
  if (spends.length === 0) return { cancelled, spendCancelled };
  // the last add of each outpoint, and whether any add of it is spendable
  let lastAdd: Map<string, number> | undefined;
  let addsLive: Set<string> | undefined;
  if (adds.length) {
    lastAdd = new Map();
    addsLive = new Set();
    for (let i = 0; i < adds.length; i++) {
      const a = adds[i]!;
      const k = keyString(a.txid, a.vout);
      lastAdd.set(k, i);
      if (!isUnspendable(a.coin.scriptPubKey)) addsLive.add(k);
    }
  }
  const seen = spends.length > 1 ? new Set<string>() : undefined;
  for (let j = 0; j < spends.length; j++) {
    const sp = spends[j]!;
    const ok = sp.txid instanceof Uint8Array && sp.txid.length === 32 && isVout(sp.vout);
    const k = ok ? keyString(sp.txid, sp.vout) : '';
    if (ok && seen) {
      if (seen.has(k)) throw new Error(`UtxoSet.applyBatch: coin spent twice ${hexTxid(sp.txid)}:${sp.vout}`);
      seen.add(k);
    }
    const i = lastAdd?.get(k);
    if (ok && i !== undefined) {
      // unspent after the adds if one of them is spendable, or if the coin is unspent now
      if (!addsLive!.has(k) && !unspent(sp.txid, sp.vout)) {
        throw new Error(`UtxoSet.applyBatch: spend of a missing coin ${hexTxid(sp.txid)}:${sp.vout} (its add is unspendable)`);
      }
      (cancelled ??= new Set()).add(i);
      spendCancelled[j] = 1;
    } else if (!ok || !unspent(sp.txid, sp.vout)) {
      throw new Error(`UtxoSet.applyBatch: spend of a missing coin ${sp.txid instanceof Uint8Array ? hexTxid(sp.txid) : '?'}:${sp.vout}`);
    }
  }
  return { cancelled, spendCancelled };
}

/** Core's CScript::IsUnspendable: OP_RETURN first, or longer than MAX_SCRIPT_SIZE. */
export function isUnspendable(s: Uint8Array): boolean {
  return (s.length > 0 && s[0] === 0x6a) || s.length > MAX_SCRIPT_SIZE;
}

function isVout(x: number): boolean {
  return Number.isInteger(x) && x >= 0 && x <= 0xffffffff;
}

function keyString(txid: Uint8Array, vout: number): string {
  let s = '';
  for (let i = 0; i < txid.length; i++) s += String.fromCharCode(txid[i]!);
  return s + ':' + vout;
}

function hexTxid(t: Uint8Array): string {
  let s = '';
  for (let i = t.length - 1; i >= 0; i--) s += t[i]!.toString(16).padStart(2, '0');
  return s;
}
