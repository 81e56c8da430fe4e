/**
 * The transaction memory pool's bookkeeping (Core's CTxMemPool, txmempool.cpp): txid and
 * wtxid maps, the outpoint → spender index (mapNextTx), parent/child links, ancestor and
 * descendant aggregates kept incrementally and the walks over them, the ancestor-score and
 * descendant-score indexes, and memory accounting. Mempool (mempool.ts) adds the limits
 * and the policy on top; admission decisions live in admit.ts / package.ts.
 */
import type { Transaction } from '../primitives/tx.ts';
import { MempoolEvents } from './events.ts';
import { SpenderIndex, txKeys } from './keys.ts';
import { LINK_USAGE } from './memusage.ts';
import { ScoreIndex } from './score-index.ts';
import { ANCESTOR_KEY, DESCENDANT_KEY, setAncestorKey, setDescendantKey } from './scores.ts';
import type { MempoolEntry, MempoolOptions, PoolEntry, RemovalReason } from './types.ts';

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
export const NO_ENTRIES = new Set<PoolEntry>();

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

export class MempoolGraph {
  readonly opts: MempoolOptions;
  readonly events = new MempoolEvents();
  protected readonly byTxid = new Map<string, MempoolEntry>();
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
  protected dIndex: ScoreIndex<MempoolEntry> | undefined;
  /** Inside TrimToSize: the index stays while it evicts, whatever the usage. */
  protected trimming = false;
  protected usage = 0;
  private vsizeTotal = 0;
  private feeTotal = 0;
  /** Bumped on every change: admission plans made against an older state are re-checked. */
  version = 0;
  private lastEntryTime = -Infinity;
  /** False once an entry was added with a time before an earlier entry's (see Mempool.expire). */
  protected timesMonotonic = true;
  /** At most the oldest entry time: Expire has nothing to do for cutoffs up to it. */
  protected minEntryTime = Infinity;
  /** Height of the chain tip the mempool is built on. */
  tipHeight = 0;

  constructor(opts: MempoolOptions) {
    this.opts = opts;
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

  /** In-mempool direct parents of a transaction (by its inputs). */
  parentsOf(tx: Transaction): Set<MempoolEntry> {
    const out = new Set<MempoolEntry>();
    for (const h of txKeys(tx).prev) {
      const p = this.byTxid.get(h);
      if (p) out.add(p);
    }
    return out;
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
  protected maybeDropDescendantIndex(): void {
    if (this.dIndex !== undefined && this.usage * 4 < this.opts.maxSizeBytes) this.dIndex = undefined;
  }

  protected buildDescendantIndex(): ScoreIndex<MempoolEntry> {
    this.dIndex = this.makeDescendantIndex();
    return this.dIndex;
  }
}
