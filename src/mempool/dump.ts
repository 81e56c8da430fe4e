/**
 * getrawmempool verbose / getmempoolentry shapes (rpc/mempool.cpp entryToJSON). Amounts in
 * BTC as Core's ValueFromAmount (numbers with 8 decimals).
 */
import type { MempoolEntry, PoolEntry } from './types.ts';
import { newStamp, type Mempool } from './pool.ts';

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

function ids(s: Set<MempoolEntry>): string[] {
  if (s.size === 0) return [];
  const out: string[] = new Array<string>(s.size);
  let i = 0;
  for (const x of s) out[i++] = x.txid;
  return out;
}

const KNOWN = 1;
const SIGNALS = 2;

/** IsRBFOptIn memoized on the entries for one dump (`run`): no map of every entry. */
function signalsRbfRun(e: PoolEntry, run: number): boolean {
  if (e.run === run) return (e.flags & SIGNALS) !== 0;
  let r = e.ownRbf;
  if (!r) for (const p of e.parents) if (signalsRbfRun(p, run)) { r = true; break; }
  e.run = run;
  e.flags = KNOWN | (r ? SIGNALS : 0);
  return r;
}

function info(e: PoolEntry, rbf: boolean): MempoolEntryInfo {
  return {
    vsize: e.vsize, weight: e.weight, time: e.time, height: e.height,
    descendantcount: e.descCount, descendantsize: e.descSize, ancestorcount: e.ancCount, ancestorsize: e.ancSize,
    wtxid: e.wtxid,
    fees: { base: btc(e.fee), modified: btc(e.modFee), ancestor: btc(e.ancFee), descendant: btc(e.descFee) },
    depends: ids(e.parents),
    spentby: ids(e.children),
    'bip125-replaceable': rbf,
    unbroadcast: false,
  };
}

/** IsRBFOptIn: the entry or an in-mempool ancestor signals BIP125 (memoized over a dump). */
function signalsRbf(e: MempoolEntry, memo: Map<MempoolEntry, boolean>): boolean {
  const m = memo.get(e);
  if (m !== undefined) return m;
  let r = false;
  for (const i of e.tx.inputs) if (i.sequence < 0xfffffffe) { r = true; break; }
  if (!r) for (const p of e.parents) if (signalsRbf(p, memo)) { r = true; break; }
  memo.set(e, r);
  return r;
}

export function entryInfo(pool: Mempool, e: MempoolEntry, memo = new Map<MempoolEntry, boolean>()): MempoolEntryInfo {
  void pool;
  return {
    vsize: e.vsize, weight: e.weight, time: e.time, height: e.height,
    descendantcount: e.descCount, descendantsize: e.descSize, ancestorcount: e.ancCount, ancestorsize: e.ancSize,
    wtxid: e.wtxid,
    fees: { base: btc(e.fee), modified: btc(e.modFee), ancestor: btc(e.ancFee), descendant: btc(e.descFee) },
    depends: ids(e.parents),
    spentby: ids(e.children),
    'bip125-replaceable': signalsRbf(e, memo),
    unbroadcast: false,
  };
}

/** getrawmempool true. */
export function dumpVerbose(pool: Mempool): Record<string, MempoolEntryInfo> {
  const out: Record<string, MempoolEntryInfo> = {};
  const run = newStamp();
  for (const e of pool.entries()) {
    const p = e as PoolEntry;
    out[p.txid] = info(p, signalsRbfRun(p, run));
  }
  return out;
}
