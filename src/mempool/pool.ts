/**
 * The transaction memory pool's bookkeeping (Core's CTxMemPool, txmempool.cpp): txid and
 * wtxid maps, the outpoint → spender index (mapNextTx), parent/child links, ancestor and
 * descendant aggregates kept incrementally, the ancestor-score and descendant-score
 * indexes, memory accounting, the rolling minimum fee, TrimToSize and Expire.
 * Admission decisions live in admit.ts / package.ts; this file only mutates state.
 */
import { compareBytes } from '../primitives/bytes.ts';
import type { Transaction } from '../primitives/tx.ts';
import { MempoolEvents } from './events.ts';
import { SpenderIndex, txKeys } from './keys.ts';
import { entryUsage, LINK_USAGE } from './memusage.ts';
import { ScoreIndex, type ScoreKey } from './score-index.ts';
import {
  DEFAULT_LIMITS, DEFAULT_MAX_MEMPOOL_BYTES, DEFAULT_MEMPOOL_EXPIRY_SECONDS, ROLLING_FEE_HALFLIFE,
  type AdmissionCandidate, type MempoolEntry, type MempoolLimits, type MempoolOptions, type PoolEntry, type RemovalReason,
} from './types.ts';
import { DEFAULT_INCREMENTAL_RELAY_FEE, DEFAULT_MIN_RELAY_TX_FEE, DUST_RELAY_TX_FEE } from '../policy/constants.ts';
import { feeRatePerK } from './format.ts';

export function outKey(txidHex: string, vout: number): string {
  return txidHex + ':' + vout;
}

/** Display-hex txid of each input's prevout (shared with the keys cache: do not modify). */
export function prevoutTxids(tx: Transaction): string[] {
  return txKeys(tx).prev as string[];
}

let stampCounter = 0;
/** A fresh traversal / run stamp for the marks kept on entries (see PoolEntry). */
export function newStamp(): number {
  return ++stampCounter;
}

/** Scratch stack for graph walks (walks never nest). */
const walk: PoolEntry[] = [];

/**
 * The parents / children of an entry without any: one shared, never modified set (most
 * entries have no in-mempool parent or child, and two sets per entry are a good part of
 * what an entry costs to allocate and keep). link() gives an entry its own set.
 */
const NO_ENTRIES = new Set<PoolEntry>();

type Links = { parents: Set<PoolEntry>; children: Set<PoolEntry> };

/** Links parent → child (both sets). False when already linked. */
function link(p: PoolEntry, c: PoolEntry): boolean {
  if (c.parents === NO_ENTRIES) (c as Links).parents = new Set();
  else if (c.parents.has(p)) return false;
  if (p.children === NO_ENTRIES) (p as Links).children = new Set();
  c.parents.add(p);
  p.children.add(c);
  return true;
}

/** First 6 bytes of the internal-order txid as a number: the usual memcmp tie-break, fast. */
function txidPrefix(t: Uint8Array): number {
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
const ANCESTOR_KEY: ScoreKey<MempoolEntry> = {
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
const DESCENDANT_KEY: ScoreKey<MempoolEntry> = {
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
function setAncestorKey(e: MempoolEntry): void {
  if (e.modFee * e.ancSize > e.ancFee * e.vsize) {
    e.aKeyFee = e.ancFee;
    e.aKeySize = e.ancSize;
  } else {
    e.aKeyFee = e.modFee;
    e.aKeySize = e.vsize;
  }
}

/** max(own feerate, descendant feerate) as a (fee, size) pair. */
function setDescendantKey(e: MempoolEntry): void {
  if (e.descFee * e.vsize > e.modFee * e.descSize) {
    e.dKeyFee = e.descFee;
    e.dKeySize = e.descSize;
  } else {
    e.dKeyFee = e.modFee;
    e.dKeySize = e.vsize;
  }
}

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

export class Mempool {
  readonly opts: MempoolOptions;
  readonly events = new MempoolEvents();
  private readonly byTxid = new Map<string, MempoolEntry>();
  private readonly byWtxid = new Map<string, MempoolEntry>();
  /** mapNextTx: outpoint → the mempool entry spending it. */
  private readonly spenders = new SpenderIndex();
  /** Ordered by compareAncestorScore. */
  readonly ancestorIndex = new ScoreIndex<MempoolEntry>(ANCESTOR_KEY);
  /**
   * Ordered by compareDescendantScore. Read only by TrimToSize, so it is kept only while the
   * pool is at least half full (built on crossing half, dropped under a quarter): below
   * that, admission skips its upkeep (two ordered-index updates per entry and ancestor).
   */
  private dIndex: ScoreIndex<MempoolEntry> | undefined;
  /** Inside TrimToSize: the index stays while it evicts, whatever the usage. */
  private trimming = false;
  /** prioritisetransaction deltas (mapDeltas), by txid hex; kept for absent txs too. */
  private readonly deltas = new Map<string, number>();
  private usage = 0;
  private vsizeTotal = 0;
  private feeTotal = 0;
  private seq = 0;
  /** Bumped on every change: admission plans made against an older state are re-checked. */
  version = 0;
  /** Rolling minimum fee state (sat/kvB as a double, as Core). */
  private rollingMinimumFeeRate = 0;
  private lastRollingFeeUpdate = 0;
  private blockSinceLastRollingFeeBump = false;
  private lastEntryTime = -Infinity;
  private timesMonotonic = true;
  /** At most the oldest entry time: Expire has nothing to do for cutoffs up to it. */
  private minEntryTime = Infinity;
  /** Height of the chain tip the mempool is built on. */
  tipHeight = 0;

  constructor(opts: Partial<MempoolOptions> = {}) {
    this.opts = defaultOptions(opts);
    this.lastRollingFeeUpdate = this.nowSeconds();
  }

  nowSeconds(): number {
    return Math.floor(this.opts.now() / 1000);
  }

  get size(): number {
    return this.byTxid.size;
  }
  /** DynamicMemoryUsage estimate in bytes (see memusage.ts). */
  get memoryUsage(): number {
    return this.usage;
  }
  /** Sum of entry vsizes (getmempoolinfo "bytes"). */
  get totalVsize(): number {
    return this.vsizeTotal;
  }
  /** Sum of base fees in sats (getmempoolinfo "total_fee"). */
  get totalFee(): number {
    return this.feeTotal;
  }

  get(txid: string): MempoolEntry | undefined {
    return this.byTxid.get(txid);
  }
  getByWtxid(wtxid: string): MempoolEntry | undefined {
    return this.byWtxid.get(wtxid);
  }
  has(txid: string): boolean {
    return this.byTxid.has(txid);
  }
  entries(): IterableIterator<MempoolEntry> {
    return this.byTxid.values();
  }
  /** The mempool transaction spending an outpoint (GetConflictTx). */
  spender(txid: string, vout: number): MempoolEntry | undefined {
    return this.spenders.get(txid, vout);
  }
  /** Number of spender-index entries (for consistency checks). */
  get spenderCount(): number {
    return this.spenders.size;
  }
  spenderEntries(): IterableIterator<[string, MempoolEntry]> {
    return this.spenders.entries();
  }

  /** In-mempool direct parents of a transaction (by its inputs). */
  parentsOf(tx: Transaction): Set<MempoolEntry> {
    const out = new Set<MempoolEntry>();
    for (const h of txKeys(tx).prev) {
      const p = this.byTxid.get(h);
      if (p) out.add(p);
    }
    return out;
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

  /** All in-mempool ancestors of an entry, without limits. */
  ancestorsOf(e: MempoolEntry): Set<MempoolEntry> {
    const out = new Set<MempoolEntry>();
    if (e.parents.size === 0) return out;
    // Depth first, each entry taken at its first pop (the set's order is that visit order).
    const m = newStamp();
    for (const p of (e as PoolEntry).parents) walk.push(p);
    while (walk.length) {
      const p = walk.pop()!;
      if (p.mark === m) continue;
      p.mark = m;
      out.add(p);
      for (const q of p.parents) if (q.mark !== m) walk.push(q);
    }
    return out;
  }

  /** CalculateDescendants: the entry and all its descendants, added to `into`. */
  descendantsOf(e: MempoolEntry, into: Set<MempoolEntry> = new Set()): Set<MempoolEntry> {
    if (into.has(e)) return into;
    into.add(e);
    const stack = [e];
    while (stack.length) {
      const x = stack.pop()!;
      for (const c of x.children) {
        if (!into.has(c)) {
          into.add(c);
          stack.push(c);
        }
      }
    }
    return into;
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

  /**
   * addUnchecked (txmempool.cpp): inserts an entry whose in-mempool ancestors are given,
   * links parents, updates every ancestor's descendant aggregates and the indexes.
   * Links to in-mempool children (possible only when re-adding a disconnected block's
   * transactions) are the caller's job: see relinkChildren.
   */
  addUnchecked(e0: MempoolEntry, ancestors: Set<MempoolEntry>): void {
    const e = e0 as PoolEntry;
    if (NO_ENTRIES.size !== 0) throw new Error('mempool: an entry\'s shared empty parents/children set was modified');
    this.version++;
    if (e.time < this.lastEntryTime) this.timesMonotonic = false;
    else this.lastEntryTime = e.time;
    if (e.time < this.minEntryTime) this.minEntryTime = e.time;
    this.byTxid.set(e.txid, e);
    this.byWtxid.set(e.wtxid, e);
    const prev = e.prev as string[];
    const ins = e.tx.inputs;
    for (let n = 0; n < prev.length; n++) {
      let ptxid = prev[n]!;
      const p = this.byTxid.get(ptxid) as PoolEntry | undefined;
      if (p !== undefined) {
        // Keep one copy of the parent's txid string (the entry's own is about to be garbage).
        prev[n] = ptxid = p.txid;
        if (link(p, e)) this.usage += 2 * LINK_USAGE;
      }
      this.spenders.set(ptxid, ins[n]!.prevout.vout, e);
    }
    let cnt = 1, size = e.vsize, fee = e.modFee, sig = e.sigOpCost;
    for (const a of ancestors) {
      cnt++;
      size += a.vsize;
      fee += a.modFee;
      sig += a.sigOpCost;
      a.descCount++;
      a.descSize += e.vsize;
      a.descFee += e.modFee;
      // Re-index only when the key (max of own and descendant fee rate) changes.
      // The index compares key snapshots, so the entry is still found under its old key.
      const dIndex = this.dIndex;
      if (dIndex !== undefined) {
        const up = a.descFee * a.vsize > a.modFee * a.descSize;
        if ((up ? a.descFee : a.modFee) !== a.dKeyFee || (up ? a.descSize : a.vsize) !== a.dKeySize) {
          dIndex.delete(a);
          setDescendantKey(a);
          dIndex.insert(a);
        }
      }
    }
    e.ancCount = cnt;
    e.ancSize = size;
    e.ancFee = fee;
    e.ancSigOps = sig;
    setAncestorKey(e);
    this.ancestorIndex.insert(e);
    this.usage += e.usage;
    this.vsizeTotal += e.vsize;
    this.feeTotal += e.fee;
    if (this.dIndex !== undefined) {
      setDescendantKey(e);
      this.dIndex.insert(e);
    } else if (this.usage * 2 >= this.opts.maxSizeBytes) {
      this.buildDescendantIndex();
    }
    this.events.emitAdded(e);
  }

  /**
   * RemoveStaged: removes a set of entries. Ancestors outside the set lose the removed
   * entries from their descendant aggregates; with updateDescendants (block inclusion),
   * descendants outside the set lose them from their ancestor aggregates.
   */
  removeStaged(stage: Set<MempoolEntry>, updateDescendants: boolean, reason: RemovalReason): void {
    if (stage.size === 0) return;
    this.version++;
    const dA = newStamp();
    const dD = newStamp();
    const dirtyA: PoolEntry[] = [];
    const dirtyD: PoolEntry[] = [];
    const dIndex = this.dIndex;
    for (const e0 of stage) {
      const e = e0 as PoolEntry;
      if (e.parents.size !== 0) {
        const m = newStamp();
        for (const p of e.parents) {
          p.mark = m;
          walk.push(p);
        }
        while (walk.length) {
          const a = walk.pop()!;
          for (const q of a.parents) {
            if (q.mark !== m) {
              q.mark = m;
              walk.push(q);
            }
          }
          if (stage.has(a)) continue;
          if (dIndex !== undefined && a.markD !== dD) {
            dIndex.delete(a);
            a.markD = dD;
            dirtyD.push(a);
          }
          a.descCount--;
          a.descSize -= e.vsize;
          a.descFee -= e.modFee;
        }
      }
      if (updateDescendants && e.children.size !== 0) {
        const m = newStamp();
        for (const c of e.children) {
          c.mark = m;
          walk.push(c);
        }
        while (walk.length) {
          const d = walk.pop()!;
          for (const c of d.children) {
            if (c.mark !== m) {
              c.mark = m;
              walk.push(c);
            }
          }
          if (stage.has(d)) continue;
          if (d.markA !== dA) {
            this.ancestorIndex.delete(d);
            d.markA = dA;
            dirtyA.push(d);
          }
          d.ancCount--;
          d.ancSize -= e.vsize;
          d.ancFee -= e.modFee;
          d.ancSigOps -= e.sigOpCost;
        }
      }
    }
    for (const e0 of stage) {
      const e = e0 as PoolEntry;
      for (const p of e.parents) {
        if (p.children.delete(e)) this.usage -= 2 * LINK_USAGE;
      }
      for (const c of e.children) {
        if (c.parents.delete(e)) this.usage -= 2 * LINK_USAGE;
      }
      this.ancestorIndex.delete(e);
      dIndex?.delete(e);
      this.byTxid.delete(e.txid);
      this.byWtxid.delete(e.wtxid);
      const prev = e.prev;
      const ins = e.tx.inputs;
      for (let n = 0; n < prev.length; n++) this.spenders.deleteIf(prev[n]!, ins[n]!.prevout.vout, e);
      this.usage -= e.usage;
      this.vsizeTotal -= e.vsize;
      this.feeTotal -= e.fee;
    }
    for (const d of dirtyD) {
      if (stage.has(d)) continue;
      setDescendantKey(d);
      dIndex!.insert(d);
    }
    if (!this.trimming) this.maybeDropDescendantIndex();
    for (const a of dirtyA) {
      if (stage.has(a)) continue;
      setAncestorKey(a);
      this.ancestorIndex.insert(a);
    }
    for (const e of stage) this.events.emitRemoved(e, reason);
  }

  /** removeRecursive: the entries and all their descendants. */
  removeRecursive(roots: Iterable<MempoolEntry>, reason: RemovalReason): Set<MempoolEntry> {
    const stage = new Set<MempoolEntry>();
    for (const r of roots) this.descendantsOf(r, stage);
    this.removeStaged(stage, false, reason);
    return stage;
  }

  /**
   * Recomputes the aggregates of the given entries from the graph (after links changed in
   * a reorg) and re-indexes them.
   */
  recomputeAggregates(entries: Iterable<MempoolEntry>): void {
    this.version++;
    for (const e of entries) {
      this.ancestorIndex.delete(e);
      this.dIndex?.delete(e);
      let cnt = 1, size = e.vsize, fee = e.modFee, sig = e.sigOpCost;
      for (const a of this.ancestorsOf(e)) {
        cnt++;
        size += a.vsize;
        fee += a.modFee;
        sig += a.sigOpCost;
      }
      e.ancCount = cnt;
      e.ancSize = size;
      e.ancFee = fee;
      e.ancSigOps = sig;
      let dc = 0, ds = 0, df = 0;
      for (const d of this.descendantsOf(e)) {
        dc++;
        ds += d.vsize;
        df += d.modFee;
      }
      e.descCount = dc;
      e.descSize = ds;
      e.descFee = df;
      setAncestorKey(e);
      this.ancestorIndex.insert(e);
      if (this.dIndex !== undefined) {
        setDescendantKey(e);
        this.dIndex.insert(e);
      }
    }
  }

  /**
   * Links an entry to in-mempool transactions spending its outputs (Core's
   * UpdateTransactionsFromBlock). Returns the children linked. Aggregates must be
   * recomputed afterwards for the affected region.
   */
  relinkChildren(e: MempoolEntry): MempoolEntry[] {
    const linked: MempoolEntry[] = [];
    for (let vout = 0; vout < e.tx.outputs.length; vout++) {
      const c = this.spenders.get(e.txid, vout);
      if (c && link(e as PoolEntry, c as PoolEntry)) {
        this.usage += 2 * LINK_USAGE;
        linked.push(c);
      }
    }
    return linked;
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
   * The descendant-score index: the maintained one, or (below the size where it is kept) one
   * built for the caller and not kept.
   */
  get descendantIndex(): ScoreIndex<MempoolEntry> {
    return this.dIndex ?? this.makeDescendantIndex();
  }

  private makeDescendantIndex(): ScoreIndex<MempoolEntry> {
    const index = new ScoreIndex<MempoolEntry>(DESCENDANT_KEY);
    for (const e of this.byTxid.values()) {
      setDescendantKey(e);
      index.insert(e);
    }
    return index;
  }

  /** Under a quarter of the size limit the index is dropped (rebuilt on crossing half). */
  private maybeDropDescendantIndex(): void {
    if (this.dIndex !== undefined && this.usage * 4 < this.opts.maxSizeBytes) this.dIndex = undefined;
  }

  /**
   * Builds the descendant-score index now if it is not kept (as it is from half the size
   * limit). For callers about to trim a pool below that size, and for benchmarks.
   */
  ensureDescendantIndex(): void {
    if (this.dIndex === undefined) this.buildDescendantIndex();
  }

  private buildDescendantIndex(): ScoreIndex<MempoolEntry> {
    this.dIndex = this.makeDescendantIndex();
    return this.dIndex;
  }

  /**
   * TrimToSize: evicts the lowest descendant-score package (an entry with its descendants)
   * until usage ≤ limit; the rolling minimum fee rises to the evicted package's fee rate
   * plus the incremental relay fee. Returns the evicted entries.
   */
  trimToSize(limit = this.opts.maxSizeBytes): MempoolEntry[] {
    const removed: MempoolEntry[] = [];
    if (this.byTxid.size === 0 || this.usage <= limit) return removed;
    let maxRemoved = 0;
    const index = this.dIndex ?? this.buildDescendantIndex();
    this.trimming = true;
    try {
      while (this.byTxid.size > 0 && this.usage > limit) {
        const worst = index.first()!;
        const rate = feeRatePerK(worst.descFee, worst.descSize) + this.opts.incrementalRelayFeeRate;
        this.trackPackageRemoved(rate);
        if (rate > maxRemoved) maxRemoved = rate;
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

  clear(): void {
    this.byTxid.clear();
    this.byWtxid.clear();
    this.spenders.clear();
    this.ancestorIndex.clear();
    this.dIndex = undefined;
    this.usage = 0;
    this.vsizeTotal = 0;
    this.feeTotal = 0;
    this.lastEntryTime = -Infinity;
    this.timesMonotonic = true;
    this.minEntryTime = Infinity;
    this.version++;
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
