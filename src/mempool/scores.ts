/**
 * The mempool's two fee-rate orders (Core's ancestor_score and descendant_score indexes,
 * txmempool.h): the comparators, the ScoreIndex keys that realise them, and the key
 * snapshots each entry carries (aKeyFee/aKeySize, dKeyFee/dKeySize).
 */
import { compareBytes } from '../primitives/bytes.ts';
import type { ScoreKey } from './score-index.ts';
import type { MempoolEntry } from './types.ts';

/** First 6 bytes of the internal-order txid as a number: the usual memcmp tie-break, fast. */
export function txidPrefix(t: Uint8Array): number {
  return ((t[0]! * 256 + t[1]!) * 256 + t[2]!) * 16_777_216 + ((t[3]! << 16) | (t[4]! << 8) | t[5]!);
}

/** Ancestor score (CompareTxMemPoolEntryByAncestorFee): best first, ties by txid. */
export function compareAncestorScore(a: MempoolEntry, b: MempoolEntry): number {
  const f1 = a.aKeyFee * b.aKeySize;
  const f2 = a.aKeySize * b.aKeyFee;
  if (f1 !== f2) return f1 > f2 ? -1 : 1;
  if (a.txidPrefix !== b.txidPrefix) return a.txidPrefix - b.txidPrefix;
  return compareBytes(a.tx.txid, b.tx.txid);
}

/** Descendant score (CompareTxMemPoolEntryByDescendantScore): lowest first, ties newest first. */
export function compareDescendantScore(a: MempoolEntry, b: MempoolEntry): number {
  const f1 = a.dKeyFee * b.dKeySize;
  const f2 = a.dKeySize * b.dKeyFee;
  if (f1 !== f2) return f1 < f2 ? -1 : 1;
  if (a.time !== b.time) return a.time > b.time ? -1 : 1;
  return b.sequence - a.sequence;
}

/** The ancestor-score index key: the key snapshot, then the txid prefix, then the txid. */
export const ANCESTOR_KEY: ScoreKey<MempoolEntry> = {
  bestFirst: true,
  load(e, k) {
    k[0] = e.aKeyFee;
    k[1] = e.aKeySize;
    k[2] = e.txidPrefix;
    k[3] = 0;
  },
  tie: (a, b) => compareBytes(a.tx.txid, b.tx.txid),
};

/** The descendant-score index key: the key snapshot, then newest first, then latest sequence first. */
export const DESCENDANT_KEY: ScoreKey<MempoolEntry> = {
  bestFirst: false,
  load(e, k) {
    k[0] = e.dKeyFee;
    k[1] = e.dKeySize;
    k[2] = -e.time;
    k[3] = -e.sequence;
  },
  tie: (a, b) => compareDescendantScore(a, b),
};

/** min(own feerate, ancestor feerate) as a (fee, size) pair (GetModFeeAndSize). */
export function setAncestorKey(e: MempoolEntry): void {
  if (e.modFee * e.ancSize > e.ancFee * e.vsize) {
    e.aKeyFee = e.ancFee;
    e.aKeySize = e.ancSize;
  } else {
    e.aKeyFee = e.modFee;
    e.aKeySize = e.vsize;
  }
}

/** max(own feerate, descendant feerate) as a (fee, size) pair. */
export function setDescendantKey(e: MempoolEntry): void {
  if (e.descFee * e.vsize > e.modFee * e.descSize) {
    e.dKeyFee = e.descFee;
    e.dKeySize = e.descSize;
  } else {
    e.dKeyFee = e.modFee;
    e.dKeySize = e.vsize;
  }
}
