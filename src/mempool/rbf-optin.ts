/**
 * IsRBFOptIn (policy/rbf.cpp) over the mempool: a transaction signals BIP125 replaceability
 * when one of its inputs has nSequence < 0xfffffffe, or one of its in-mempool ancestors does.
 * Informational only since full RBF (getrawmempool's "bip125-replaceable").
 */
import type { MempoolEntry, PoolEntry } from './types.ts';
import { newStamp } from './graph.ts';

const SIGNALS = 2;

/**
 * A checker memoized on the entries for one run (one RPC answer): each entry is resolved
 * once, without a map of every entry. Take a new checker per answer.
 */
export function rbfOptInChecker(): (e: MempoolEntry) => boolean {
  const run = newStamp();
  const check = (e: PoolEntry): boolean => {
    if (e.run === run) return (e.flags & SIGNALS) !== 0;
    let r = e.ownRbf;
    if (!r) for (const p of e.parents) if (check(p)) { r = true; break; }
    e.run = run;
    e.flags = r ? SIGNALS : 0;
    return r;
  };
  return check as (e: MempoolEntry) => boolean;
}
