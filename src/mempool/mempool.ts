/**
 * The mempool (Core's CTxMemPool, txmempool.cpp): the bookkeeping of MempoolGraph plus its
 * limits and policy: the ancestor/descendant package limits checked on admission
 * (CalculateMemPoolAncestors), prioritisetransaction, the rolling minimum fee, TrimToSize
 * and Expire. Admission decisions live in admit.ts / package.ts; this file only mutates state.
 */
import { compareBytes } from '../primitives/bytes.ts';
import type { Transaction } from '../primitives/tx.ts';
import { DEFAULT_INCREMENTAL_RELAY_FEE, DEFAULT_MIN_RELAY_TX_FEE, DUST_RELAY_TX_FEE } from '../policy/constants.ts';
import { feeRatePerK } from './format.ts';
import { MempoolGraph, newStamp, NO_ENTRIES } from './graph.ts';
import { txKeys } from './keys.ts';
import { entryUsage } from './memusage.ts';
import { setAncestorKey, setDescendantKey, txidPrefix } from './scores.ts';
import {
  DEFAULT_LIMITS, DEFAULT_MAX_MEMPOOL_BYTES, DEFAULT_MEMPOOL_EXPIRY_SECONDS, ROLLING_FEE_HALFLIFE,
  type AdmissionCandidate, type MempoolEntry, type MempoolLimits, type MempoolOptions, type PoolEntry,
} from './types.ts';

/** Scratch stack for the ancestor walk of calculateAncestors. */
const walk: PoolEntry[] = [];

export function defaultOptions(o: Partial<MempoolOptions> = {}): MempoolOptions {
  return {
    maxSizeBytes: o.maxSizeBytes ?? DEFAULT_MAX_MEMPOOL_BYTES,
    expirySeconds: o.expirySeconds ?? DEFAULT_MEMPOOL_EXPIRY_SECONDS,
    incrementalRelayFeeRate: o.incrementalRelayFeeRate ?? DEFAULT_INCREMENTAL_RELAY_FEE,
    minRelayFeeRate: o.minRelayFeeRate ?? DEFAULT_MIN_RELAY_TX_FEE,
    dustRelayFeeRate: o.dustRelayFeeRate ?? DUST_RELAY_TX_FEE,
    requireStandard: o.requireStandard ?? true,
    limits: { ...DEFAULT_LIMITS, ...o.limits },
    fullRbf: o.fullRbf ?? true,
    now: o.now ?? (() => Date.now()),
  };
}

export type AncestorsResult = { ok: true; ancestors: Set<MempoolEntry> } | { ok: false; error: string };

export class Mempool extends MempoolGraph {
  /** Rolling minimum fee state (sat/kvB as a double, as Core). */
  private rollingMinimumFeeRate = 0;
  private lastRollingFeeUpdate: number;
  private blockSinceLastRollingFeeBump = false;
  /** prioritisetransaction deltas (mapDeltas), by txid hex; kept for absent txs too. */
  private readonly deltas = new Map<string, number>();
  /** The last entry sequence number given (ties in the descendant score: newest first). */
  private seq = 0;

  constructor(opts: Partial<MempoolOptions> = {}) {
    super(defaultOptions(opts));
    this.lastRollingFeeUpdate = this.nowSeconds();
  }

  /**
   * CalculateMemPoolAncestors with fSearchForParents (txmempool.cpp), including
   * CalculateAncestorsAndCheckLimits; staged ancestors are visited in txid order as Core's
   * std::set does, so the first limit reported matches. Error texts are Core's.
   */
  calculateAncestors(tx: Transaction, vsize: number, limits: MempoolLimits): AncestorsResult {
    const prev = txKeys(tx).prev;
    const m = newStamp();
    let nParents = 0;
    walk.length = 0;
    for (let n = 0; n < prev.length; n++) {
      const p = this.byTxid.get(prev[n]!) as PoolEntry | undefined;
      if (p !== undefined && p.mark !== m) {
        p.mark = m;
        walk.push(p);
        if (++nParents + 1 > limits.ancestorCount) {
          walk.length = 0;
          return { ok: false, error: `too many unconfirmed parents [limit: ${limits.ancestorCount}]` };
        }
      }
    }
    if (nParents === 0) return { ok: true, ancestors: new Set() };
    // Fast path: gather the ancestors unordered and check the limits on the totals. Passing
    // at the end implies passing every intermediate check; on failure the ordered walk
    // below finds the exact limit (and message) Core reports.
    const all = new Set<MempoolEntry>();
    let total = vsize;
    let fine = true;
    // Depth first, each entry taken at its first pop (the same visit order as ancestorsOf).
    const v = newStamp();
    while (walk.length) {
      const a = walk.pop()!;
      if (a.mark === v) continue;
      a.mark = v;
      all.add(a);
      total += a.vsize;
      if (a.descSize + vsize > limits.descendantSizeVbytes || a.descCount + 1 > limits.descendantCount) {
        fine = false;
        break;
      }
      for (const p of a.parents) if (p.mark !== v) walk.push(p);
    }
    walk.length = 0;
    if (fine && total <= limits.ancestorSizeVbytes && all.size + 1 <= limits.ancestorCount) return { ok: true, ancestors: all };
    const staged = new Set<MempoolEntry>();
    for (const h of prev) {
      const p = this.byTxid.get(h);
      if (p !== undefined) staged.add(p);
    }
    return calculateAncestorsAndCheckLimits(vsize, 1, staged, limits);
  }

  /** Builds an entry (not yet added). */
  makeEntry(c: AdmissionCandidate, time = this.nowSeconds(), height = this.tipHeight): MempoolEntry {
    const tx = c.tx;
    const keys = txKeys(tx);
    const txid = keys.txid;
    const fee = Number(c.fee);
    const feeDelta = this.deltas.size === 0 ? 0 : this.deltas.get(txid) ?? 0;
    const modFee = fee + feeDelta;
    let ownRbf = false;
    for (const i of tx.inputs) {
      if (i.sequence < 0xfffffffe) {
        ownRbf = true;
        break;
      }
    }
    const e: PoolEntry = {
      tx, txid, txidPrefix: txidPrefix(tx.txid), wtxid: keys.wtxid, fee, feeDelta, modFee, vsize: c.vsize, weight: c.weight ?? tx.weight,
      sigOpCost: c.sigOpCost ?? 0, time, height, sequence: ++this.seq, spendsCoinbase: c.spendsCoinbase ?? false,
      lockPoints: c.lockPoints, usage: entryUsage(tx), parents: NO_ENTRIES, children: NO_ENTRIES,
      ancCount: 1, ancSize: c.vsize, ancFee: modFee, ancSigOps: c.sigOpCost ?? 0,
      descCount: 1, descSize: c.vsize, descFee: modFee, aKeyFee: 0, aKeySize: 1, dKeyFee: 0, dKeySize: 1,
      prev: keys.prev, ownRbf, mark: 0, markA: 0, markD: 0, dust: undefined, dustRate: 0, run: 0, flags: 0,
    };
    return e;
  }

  /** The prioritisetransaction delta recorded for a txid (sats). */
  pendingDelta(txid: string): number {
    return this.deltas.get(txid) ?? 0;
  }

  /** ClearPrioritisation (after block inclusion). */
  clearPrioritisation(txid: string): void {
    this.deltas.delete(txid);
  }

  /** prioritisetransaction: adds a fee delta (sats), updating aggregates and indexes. */
  prioritise(txid: string, delta: number): void {
    const total = (this.deltas.get(txid) ?? 0) + delta;
    if (total === 0) this.deltas.delete(txid);
    else this.deltas.set(txid, total);
    const e = this.byTxid.get(txid);
    if (!e || delta === 0) return;
    this.version++;
    const anc = this.ancestorsOf(e);
    const desc = this.descendantsOf(e);
    desc.delete(e);
    for (const x of [e, ...anc, ...desc]) {
      this.ancestorIndex.delete(x);
      this.dIndex?.delete(x);
    }
    e.feeDelta += delta;
    e.modFee += delta;
    e.ancFee += delta;
    e.descFee += delta;
    for (const a of anc) a.descFee += delta;
    for (const d of desc) d.ancFee += delta;
    for (const x of [e, ...anc, ...desc]) {
      setAncestorKey(x);
      this.ancestorIndex.insert(x);
      if (this.dIndex !== undefined) {
        setDescendantKey(x);
        this.dIndex.insert(x);
      }
    }
  }

  // ---- Size limits (txmempool.cpp TrimToSize, GetMinFee, Expire) ----

  private trackPackageRemoved(rate: number): void {
    if (rate > this.rollingMinimumFeeRate) {
      this.rollingMinimumFeeRate = rate;
      this.blockSinceLastRollingFeeBump = false;
    }
  }

  /**
   * GetMinFee: the rolling minimum fee rate (sat/kvB) a transaction must pay to enter. It
   * rises on eviction and, once a block has arrived since, halves every 12 h (every 3 h
   * below a quarter of the size limit, 6 h below half), dropping to 0 under half the
   * incremental relay fee.
   */
  getMinFee(sizeLimit = this.opts.maxSizeBytes): number {
    if (!this.blockSinceLastRollingFeeBump || this.rollingMinimumFeeRate === 0) {
      return Math.round(this.rollingMinimumFeeRate);
    }
    const time = this.nowSeconds();
    if (time > this.lastRollingFeeUpdate + 10) {
      let halflife = ROLLING_FEE_HALFLIFE;
      if (this.usage < sizeLimit / 4) halflife /= 4;
      else if (this.usage < sizeLimit / 2) halflife /= 2;
      this.rollingMinimumFeeRate /= Math.pow(2, (time - this.lastRollingFeeUpdate) / halflife);
      this.lastRollingFeeUpdate = time;
      if (this.rollingMinimumFeeRate < this.opts.incrementalRelayFeeRate / 2) {
        this.rollingMinimumFeeRate = 0;
        return 0;
      }
    }
    return Math.max(Math.round(this.rollingMinimumFeeRate), this.opts.incrementalRelayFeeRate);
  }

  /** Called after a block connects (removeForBlock): starts the rolling fee decay. */
  noteBlock(): void {
    this.lastRollingFeeUpdate = this.nowSeconds();
    this.blockSinceLastRollingFeeBump = true;
  }

  /**
   * TrimToSize: evicts the lowest descendant-score package (an entry with its descendants)
   * until usage ≤ limit; the rolling minimum fee rises to the evicted package's fee rate
   * plus the incremental relay fee. Returns the evicted entries.
   */
  trimToSize(limit = this.opts.maxSizeBytes): MempoolEntry[] {
    const removed: MempoolEntry[] = [];
    if (this.byTxid.size === 0 || this.usage <= limit) return removed;
    const index = this.dIndex ?? this.buildDescendantIndex();
    this.trimming = true;
    try {
      while (this.byTxid.size > 0 && this.usage > limit) {
        const worst = index.first()!;
        const rate = feeRatePerK(worst.descFee, worst.descSize) + this.opts.incrementalRelayFeeRate;
        this.trackPackageRemoved(rate);
        const stage = this.descendantsOf(worst);
        this.removeStaged(stage, false, 'evicted');
        for (const e of stage) removed.push(e);
      }
    } finally {
      this.trimming = false;
    }
    this.maybeDropDescendantIndex();
    return removed;
  }

  /** Expire: removes entries older than `cutoff` seconds, with their descendants. */
  expire(cutoff: number): number {
    if (cutoff <= this.minEntryTime) return 0;
    const old: MempoolEntry[] = [];
    // The txid map iterates in insertion order; while entry times never went backwards the
    // scan stops at the first young entry (Core walks its entry_time index the same way).
    let minYoung = Infinity;
    for (const e of this.byTxid.values()) {
      if (e.time < cutoff) {
        old.push(e);
      } else {
        if (e.time < minYoung) minYoung = e.time;
        if (this.timesMonotonic) break;
      }
    }
    // Every entry left is at least minYoung old, except descendants removed below anyway.
    this.minEntryTime = minYoung;
    if (old.length === 0) return 0;
    return this.removeRecursive(old, 'expired').size;
  }

  /** LimitMempoolSize (validation.cpp): Expire, then TrimToSize. */
  limitSize(): void {
    this.expire(this.nowSeconds() - this.opts.expirySeconds);
    this.trimToSize(this.opts.maxSizeBytes);
  }
}

/** CalculateAncestorsAndCheckLimits (txmempool.cpp). */
export function calculateAncestorsAndCheckLimits(
  entrySize: number, entryCount: number, staged: Set<MempoolEntry>, limits: MempoolLimits,
): AncestorsResult {
  const ancestors = new Set<MempoolEntry>();
  let totalSize = entrySize;
  while (staged.size) {
    let best: MempoolEntry | undefined;
    for (const s of staged) if (!best || compareBytes(s.tx.txid, best.tx.txid) < 0) best = s;
    const stage = best!;
    ancestors.add(stage);
    staged.delete(stage);
    totalSize += stage.vsize;
    if (stage.descSize + entrySize > limits.descendantSizeVbytes) {
      return { ok: false, error: `exceeds descendant size limit for tx ${stage.txid} [limit: ${limits.descendantSizeVbytes}]` };
    } else if (stage.descCount + entryCount > limits.descendantCount) {
      return { ok: false, error: `too many descendants for tx ${stage.txid} [limit: ${limits.descendantCount}]` };
    } else if (totalSize > limits.ancestorSizeVbytes) {
      return { ok: false, error: `exceeds ancestor size limit [limit: ${limits.ancestorSizeVbytes}]` };
    }
    for (const p of stage.parents) {
      if (!ancestors.has(p)) staged.add(p);
      if (staged.size + ancestors.size + entryCount > limits.ancestorCount) {
        return { ok: false, error: `too many unconfirmed ancestors [limit: ${limits.ancestorCount}]` };
      }
    }
  }
  return { ok: true, ancestors };
}
