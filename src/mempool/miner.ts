/**
 * Block assembly by ancestor fee rate (Core's BlockAssembler::addPackageTxs, node/miner.cpp):
 * walk the ancestor-score index, keep "modified" entries whose ancestors already went into
 * the block with their remaining ancestor totals, take the better of the two each round,
 * add whole ancestor packages sorted parents-first, and stop below the block minimum fee rate.
 *
 * The Assembler keeps its state between blocks, so consecutive templates (projected blocks)
 * cost one pass: the remaining totals of entries with ancestors in earlier blocks are kept
 * up to date instead of being recomputed from every earlier block's transactions, and each
 * block scans only the entries still unaffected. The result is the same as assembling each
 * block afresh with the earlier blocks' transactions excluded (including Core's handling of
 * a modified entry that failed: it leaves the modified set for the rest of that block).
 */
import { MAX_BLOCK_SIGOPS_COST } from '../policy/constants.ts';
import { WITNESS_SCALE_FACTOR } from '../primitives/tx.ts';
import { compareBytes } from '../primitives/bytes.ts';
import { feeAtRate } from './format.ts';
import { newStamp } from './graph.ts';
import type { Mempool } from './mempool.ts';
import { ScoreIndex, type ScoreKey } from './score-index.ts';
import type { MempoolEntry, PoolEntry } from './types.ts';

export const MAX_BLOCK_WEIGHT = 4_000_000;
/** DEFAULT_BLOCK_RESERVED_WEIGHT (v29+): weight kept for the header and coinbase. */
const DEFAULT_BLOCK_RESERVED_WEIGHT = 8_000;
/** DEFAULT_COINBASE_OUTPUT_MAX_ADDITIONAL_SIGOPS: sigops kept for the coinbase. */
const DEFAULT_COINBASE_SIGOPS = 400;
/** DEFAULT_BLOCK_MIN_TX_FEE (v30: 1 sat/kvB). */
const DEFAULT_BLOCK_MIN_TX_FEE = 1;
const MAX_CONSECUTIVE_FAILURES = 1000;

export interface AssemblerOptions {
  maxWeight: number;
  reservedWeight: number;
  maxSigOpsCost: number;
  reservedSigOps: number;
  /** sat/kvB; packages paying less end the selection. */
  minFeeRate: number;
}

const DEFAULT_ASSEMBLER: Readonly<AssemblerOptions> = Object.freeze({
  maxWeight: MAX_BLOCK_WEIGHT,
  reservedWeight: DEFAULT_BLOCK_RESERVED_WEIGHT,
  maxSigOpsCost: MAX_BLOCK_SIGOPS_COST,
  reservedSigOps: DEFAULT_COINBASE_SIGOPS,
  minFeeRate: DEFAULT_BLOCK_MIN_TX_FEE,
});

export interface SelectedTx {
  entry: MempoolEntry;
  /** Fee and vsize of the ancestor package it was selected with (its effective fee rate). */
  packageFee: number;
  packageSize: number;
}

export interface BlockTemplate {
  txs: SelectedTx[];
  /** Transaction weight, without the reserved weight. */
  weight: number;
  vsize: number;
  fees: number;
  sigOpsCost: number;
}

/**
 * CTxMemPoolModifiedEntry: an entry with ancestor totals minus what is already in a block.
 * size/fee/sigops are the assembly's view (Core's, including its quirk for failed entries);
 * rsize/rfee/rsig are always the exact remaining totals, restored at each block start.
 */
interface Modified {
  e: PoolEntry;
  size: number;
  fee: number;
  sigops: number;
  rsize: number;
  rfee: number;
  rsig: number;
}

/** Entry flags while `entry.run` is the assembler's run. */
const IN_BLOCK = 1;
/** Has a Modified record (an ancestor is in a block). */
const MODIFIED = 2;
/** Its Modified record is in the modified index (Core: in mapModifiedTx). */
const INDEXED = 4;
/** Failed TestPackage as a modified entry in the current block (Core: failedTx). */
const FAILED = 8;

/** CompareTxMemPoolEntryByAncestorFee on modified entries: min(own, remaining package) rate, then txid. */
const MODIFIED_KEY: ScoreKey<Modified> = {
  bestFirst: true,
  load(m, k) {
    const e = m.e;
    if (e.modFee * m.size > m.fee * e.vsize) {
      k[0] = m.fee;
      k[1] = m.size;
    } else {
      k[0] = e.modFee;
      k[1] = e.vsize;
    }
    k[2] = e.txidPrefix;
    k[3] = 0;
  },
  tie: (a, b) => compareBytes(a.e.tx.txid, b.e.tx.txid),
};

/** Whether the best modified entry goes before the unmodified `iter` (its full ancestor package). */
function modifiedFirst(m: Modified, iter: PoolEntry): boolean {
  const e = m.e;
  let af: number, as: number, bf: number, bs: number;
  if (e.modFee * m.size > m.fee * e.vsize) {
    af = m.fee;
    as = m.size;
  } else {
    af = e.modFee;
    as = e.vsize;
  }
  if (iter.modFee * iter.ancSize > iter.ancFee * iter.vsize) {
    bf = iter.ancFee;
    bs = iter.ancSize;
  } else {
    bf = iter.modFee;
    bs = iter.vsize;
  }
  const f1 = af * bs;
  const f2 = as * bf;
  if (f1 !== f2) return f1 > f2;
  return compareBytes(e.tx.txid, iter.tx.txid) < 0;
}

const byAncestorCount = (a: MempoolEntry, b: MempoolEntry): number => a.ancCount - b.ancCount;

/** Consecutive block templates over an unchanging mempool. */
export class Assembler {
  private readonly run = newStamp();
  private readonly modIndex = new ScoreIndex<Modified>(MODIFIED_KEY);
  /** The Modified record of every entry flagged MODIFIED (kept off the entries). */
  private readonly mods = new Map<PoolEntry, Modified>();
  /** Ancestor-score order; entries in a block or modified are dropped between blocks. */
  private cand: PoolEntry[];
  private readonly failedList: PoolEntry[] = [];
  private readonly stack: PoolEntry[] = [];
  /** Entries in blocks so far. */
  taken = 0;

  constructor(private readonly pool: Mempool) {
    this.cand = pool.ancestorIndex.toArray() as PoolEntry[];
  }

  private flags(e: PoolEntry): number {
    return e.run === this.run ? e.flags : 0;
  }

  private take(e: PoolEntry): void {
    if (e.run !== this.run) {
      e.run = this.run;
      e.flags = 0;
    }
    if (e.flags & INDEXED) this.modIndex.delete(this.mods.get(e)!);
    e.flags = (e.flags & ~INDEXED) | IN_BLOCK;
    this.taken++;
  }

  /** Whether an entry is in one of the blocks made so far. */
  inBlock(e: MempoolEntry): boolean {
    return (this.flags(e as PoolEntry) & IN_BLOCK) !== 0;
  }

  /** Marks transactions as already in a block (before the first template). */
  exclude(entries: Iterable<MempoolEntry>): void {
    for (const e of entries) if (!this.inBlock(e)) this.take(e as PoolEntry);
    for (const e of entries) this.updateForAdded(e as PoolEntry);
  }

  /**
   * The ancestors of e not yet in a block, appended to out in Mempool.ancestorsOf's order
   * (depth first, each at its first pop), which the stable parents-first sort keeps for ties.
   */
  private ancestorsNotInBlock(e: PoolEntry, out: PoolEntry[]): void {
    const m = newStamp();
    const st = this.stack;
    for (const p of e.parents) st.push(p);
    while (st.length) {
      const p = st.pop()!;
      if (p.mark === m) continue;
      p.mark = m;
      if (!this.inBlock(p)) out.push(p);
      for (const q of p.parents) if (q.mark !== m) st.push(q);
    }
  }

  /** UpdatePackagesForAdded for one entry just put in a block. */
  private updateForAdded(a: PoolEntry): void {
    if (a.children.size === 0) return;
    const run = this.run;
    const m = newStamp();
    const st = this.stack;
    for (const c of a.children) {
      c.mark = m;
      st.push(c);
    }
    while (st.length) {
      const d = st.pop()!;
      for (const c of d.children) {
        if (c.mark !== m) {
          c.mark = m;
          st.push(c);
        }
      }
      if (d.run !== run) {
        d.run = run;
        d.flags = 0;
      }
      const f = d.flags;
      if (f & IN_BLOCK) continue;
      let md: Modified;
      if (f & MODIFIED) {
        md = this.mods.get(d)!;
      } else {
        md = { e: d, size: 0, fee: 0, sigops: 0, rsize: d.ancSize, rfee: d.ancFee, rsig: d.ancSigOps };
        this.mods.set(d, md);
      }
      md.rsize -= a.vsize;
      md.rfee -= a.modFee;
      md.rsig -= a.sigOpCost;
      if (f & INDEXED) {
        this.modIndex.delete(md);
        md.size -= a.vsize;
        md.fee -= a.modFee;
        md.sigops -= a.sigOpCost;
      } else {
        // Not in the modified set: starts again from the full ancestor totals (for an entry
        // that failed earlier in this block, as Core, these count its in-block ancestors).
        md.size = d.ancSize - a.vsize;
        md.fee = d.ancFee - a.modFee;
        md.sigops = d.ancSigOps - a.sigOpCost;
      }
      this.modIndex.insert(md);
      d.flags = f | MODIFIED | INDEXED;
    }
  }

  /** The next block template (addPackageTxs), excluding everything in earlier ones. */
  block(o: Partial<AssemblerOptions> = {}): BlockTemplate {
    const opts = { ...DEFAULT_ASSEMBLER, ...o };
    const run = this.run;
    const modIndex = this.modIndex;
    // A new block: modified entries that failed in the last one are back with their exact totals.
    for (const d of this.failedList) {
      if (d.flags & IN_BLOCK) continue;
      const md = this.mods.get(d)!;
      if (d.flags & INDEXED) modIndex.delete(md);
      md.size = md.rsize;
      md.fee = md.rfee;
      md.sigops = md.rsig;
      modIndex.insert(md);
      d.flags = (d.flags & ~FAILED) | INDEXED;
    }
    this.failedList.length = 0;

    const out: BlockTemplate = { txs: [], weight: 0, vsize: 0, fees: 0, sigOpsCost: 0 };
    let blockWeight = opts.reservedWeight;
    let blockSigOps = opts.reservedSigOps;
    const cand = this.cand;
    let mi = 0;
    let consecutiveFailed = 0;
    while (mi < cand.length || modIndex.size > 0) {
      if (mi < cand.length) {
        const c = cand[mi]!;
        if (c.run === run && (c.flags & (INDEXED | IN_BLOCK | FAILED)) !== 0) {
          mi++;
          continue;
        }
      }
      let iter: PoolEntry;
      let usingModified: Modified | undefined;
      const best = modIndex.first();
      if (mi >= cand.length) {
        usingModified = best!;
        iter = best!.e;
      } else {
        iter = cand[mi]!;
        if (best !== undefined && modifiedFirst(best, iter)) {
          usingModified = best;
          iter = best.e;
        } else {
          mi++;
        }
      }
      const packageSize = usingModified ? usingModified.size : iter.ancSize;
      const packageFees = usingModified ? usingModified.fee : iter.ancFee;
      const packageSigOps = usingModified ? usingModified.sigops : iter.ancSigOps;
      // Everything else has a lower fee rate.
      if (packageFees < feeAtRate(opts.minFeeRate, packageSize)) break;
      // TestPackage.
      if (blockWeight + WITNESS_SCALE_FACTOR * packageSize >= opts.maxWeight || blockSigOps + packageSigOps >= opts.maxSigOpsCost) {
        if (usingModified) {
          modIndex.delete(usingModified);
          if (!(iter.flags & FAILED)) this.failedList.push(iter);
          iter.flags = (iter.flags & ~INDEXED) | FAILED;
        }
        consecutiveFailed++;
        if (consecutiveFailed > MAX_CONSECUTIVE_FAILURES && blockWeight > opts.maxWeight - opts.reservedWeight) break;
        continue;
      }
      consecutiveFailed = 0;
      const pkg: PoolEntry[] = [];
      if (iter.parents.size) this.ancestorsNotInBlock(iter, pkg);
      pkg.push(iter);
      // SortForBlock: fewer ancestors first is a valid topological order.
      if (pkg.length > 1) pkg.sort(byAncestorCount);
      for (const e of pkg) {
        this.take(e);
        out.txs.push({ entry: e, packageFee: packageFees, packageSize });
        out.weight += e.weight;
        out.vsize += e.vsize;
        out.fees += e.fee;
        out.sigOpsCost += e.sigOpCost;
        blockWeight += e.weight;
        blockSigOps += e.sigOpCost;
      }
      for (const e of pkg) this.updateForAdded(e);
    }
    // Entries now in a block or modified never come from the candidate list again.
    let k = 0;
    for (let i = 0; i < cand.length; i++) {
      const c = cand[i]!;
      if (c.run !== run || (c.flags & (IN_BLOCK | MODIFIED)) === 0) cand[k++] = c;
    }
    cand.length = k;
    return out;
  }

  /**
   * Everything not yet in a block, in ancestor-score order with ancestors first, each at its
   * ancestor-score fee rate (an O(n) stand-in for assembling without limits). Marks them taken.
   */
  rest(): SelectedTx[] {
    const out: SelectedTx[] = [];
    const visit = (e: PoolEntry, fee: number, size: number): void => {
      if (this.inBlock(e)) return;
      this.take(e);
      for (const p of e.parents) visit(p, fee, size);
      out.push({ entry: e, packageFee: fee, packageSize: size });
    };
    for (const e of this.pool.ancestorIndex.toArray() as PoolEntry[]) {
      if (this.inBlock(e)) continue;
      if (e.parents.size === 0) {
        this.take(e);
        out.push({ entry: e, packageFee: e.aKeyFee, packageSize: e.aKeySize });
      } else {
        visit(e, e.aKeyFee, e.aKeySize);
      }
    }
    return out;
  }
}

/**
 * Selects one block's transactions. `inBlock` holds transactions already taken (by earlier
 * projected blocks); it is extended with this block's. Their descendants start out as
 * modified entries.
 */
export function assembleBlock(
  pool: Mempool, o: Partial<AssemblerOptions> = {}, inBlock: Set<MempoolEntry> = new Set(),
): BlockTemplate {
  const asm = new Assembler(pool);
  if (inBlock.size) asm.exclude(inBlock);
  const t = asm.block(o);
  for (const s of t.txs) inBlock.add(s.entry);
  return t;
}

/** The best `n` entries by ancestor score (the order block assembly starts from). */
export function topByAncestorScore(pool: Mempool, n: number): MempoolEntry[] {
  const out: MempoolEntry[] = [];
  pool.ancestorIndex.forEach((e) => {
    out.push(e);
    return out.length < n;
  });
  return out;
}
