/**
 * getrawmempool verbose / getmempoolentry shapes (rpc/mempool.cpp entryToJSON). Amounts in
 * BTC as Core's ValueFromAmount (numbers with 8 decimals).
 */
import type { MempoolEntry } from './types.ts';
import type { Mempool } from './pool.ts';

export interface MempoolEntryInfo {
  vsize: number;
  weight: number;
  time: number;
  height: number;
  descendantcount: number;
  descendantsize: number;
  ancestorcount: number;
  ancestorsize: number;
  wtxid: string;
  fees: { base: number; modified: number; ancestor: number; descendant: number };
  depends: string[];
  spentby: string[];
  'bip125-replaceable': boolean;
  unbroadcast: boolean;
}

const btc = (sats: number): number => sats / 1e8;

/** IsRBFOptIn: the entry or an in-mempool ancestor signals BIP125. */
function signalsRbf(pool: Mempool, e: MempoolEntry): boolean {
  const sig = (x: MempoolEntry): boolean => x.tx.inputs.some((i) => i.sequence < 0xfffffffe);
  if (sig(e)) return true;
  for (const a of pool.ancestorsOf(e)) if (sig(a)) return true;
  return false;
}

export function entryInfo(pool: Mempool, e: MempoolEntry): MempoolEntryInfo {
  return {
    vsize: e.vsize, weight: e.weight, time: e.time, height: e.height,
    descendantcount: e.descCount, descendantsize: e.descSize, ancestorcount: e.ancCount, ancestorsize: e.ancSize,
    wtxid: e.wtxid,
    fees: { base: btc(e.fee), modified: btc(e.modFee), ancestor: btc(e.ancFee), descendant: btc(e.descFee) },
    depends: [...e.parents].map((p) => p.txid),
    spentby: [...e.children].map((c) => c.txid),
    'bip125-replaceable': signalsRbf(pool, e),
    unbroadcast: false,
  };
}

/** getrawmempool true. */
export function dumpVerbose(pool: Mempool): Record<string, MempoolEntryInfo> {
  const out: Record<string, MempoolEntryInfo> = {};
  for (const e of pool.entries()) out[e.txid] = entryInfo(pool, e);
  return out;
}
