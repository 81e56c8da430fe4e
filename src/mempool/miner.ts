/**
 * Block assembly by ancestor fee rate (Core's BlockAssembler::addPackageTxs, node/miner.cpp):
 * walk the ancestor-score index, keep "modified" entries whose ancestors already went into
 * the block with their remaining ancestor totals, take the better of the two each round,
 * add whole ancestor packages sorted parents-first, and stop below the block minimum fee rate.
 */
import { MAX_BLOCK_SIGOPS_COST } from '../policy/constants.ts';
import { WITNESS_SCALE_FACTOR } from '../primitives/tx.ts';
import { compareBytes } from '../primitives/bytes.ts';
import { feeAtRate } from './format.ts';
import type { Mempool } from './pool.ts';
import { SortedIndex } from './sorted-index.ts';
import type { MempoolEntry } from './types.ts';

export const MAX_BLOCK_WEIGHT = 4_000_000;
/** DEFAULT_BLOCK_RESERVED_WEIGHT (v29+): weight kept for the header and coinbase. */
export const DEFAULT_BLOCK_RESERVED_WEIGHT = 8_000;
/** DEFAULT_COINBASE_OUTPUT_MAX_ADDITIONAL_SIGOPS: sigops kept for the coinbase. */
export const DEFAULT_COINBASE_SIGOPS = 400;
/** DEFAULT_BLOCK_MIN_TX_FEE (v30: 1 sat/kvB). */
export const DEFAULT_BLOCK_MIN_TX_FEE = 1;
const MAX_CONSECUTIVE_FAILURES = 1000;

export interface AssemblerOptions {
  maxWeight: number;
  reservedWeight: number;
  maxSigOpsCost: number;
  reservedSigOps: number;
  /** sat/kvB; packages paying less end the selection. */
  minFeeRate: number;
}

export const DEFAULT_ASSEMBLER: Readonly<AssemblerOptions> = Object.freeze({
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

/** CTxMemPoolModifiedEntry: an entry with ancestor totals minus what is already in the block. */
interface Modified {
  e: MempoolEntry;
  size: number;
  fee: number;
  sigops: number;
}

function modScore(m: Modified): [number, number] {
  const e = m.e;
  // min(own, remaining-ancestor) fee rate, as CompareTxMemPoolEntryByAncestorFee.
  return e.modFee * m.size > m.fee * e.vsize ? [m.fee, m.size] : [e.modFee, e.vsize];
}

function compareModified(a: Modified, b: Modified): number {
  const [af, as] = modScore(a);
  const [bf, bs] = modScore(b);
  const f1 = af * bs;
  const f2 = as * bf;
  if (f1 !== f2) return f1 > f2 ? -1 : 1;
  return compareBytes(a.e.tx.txid, b.e.tx.txid);
}

/**
 * Selects one block's transactions. `inBlock` holds transactions already taken (by earlier
 * projected blocks); it is extended with this block's. Their descendants start out as
 * modified entries.
 */
export function assembleBlock(
  pool: Mempool, o: Partial<AssemblerOptions> = {}, inBlock: Set<MempoolEntry> = new Set(),
): BlockTemplate {
  const opts = { ...DEFAULT_ASSEMBLER, ...o };
  const modified = new Map<MempoolEntry, Modified>();
  const modIndex = new SortedIndex<Modified>(compareModified);
  const failed = new Set<MempoolEntry>();
  const out: BlockTemplate = { txs: [], weight: 0, vsize: 0, fees: 0, sigOpsCost: 0 };
  let blockWeight = opts.reservedWeight;
  let blockSigOps = opts.reservedSigOps;

  const updateForAdded = (added: Iterable<MempoolEntry>): void => {
    for (const a of added) {
      for (const d of pool.descendantsOf(a)) {
        if (d === a || inBlock.has(d)) continue;
        let m = modified.get(d);
        if (m) modIndex.delete(m);
        else m = { e: d, size: d.ancSize, fee: d.ancFee, sigops: d.ancSigOps };
        m.size -= a.vsize;
        m.fee -= a.modFee;
        m.sigops -= a.sigOpCost;
        modified.set(d, m);
        modIndex.insert(m);
      }
    }
  };
  if (inBlock.size) updateForAdded(inBlock);

  const all = pool.ancestorIndex.toArray();
  let mi = 0;
  let consecutiveFailed = 0;
  while (mi < all.length || modIndex.size > 0) {
    if (mi < all.length) {
      const c = all[mi]!;
      if (modified.has(c) || inBlock.has(c) || failed.has(c)) {
        mi++;
        continue;
      }
    }
    let iter: MempoolEntry;
    let usingModified: Modified | undefined;
    const best = modIndex.first();
    if (mi >= all.length) {
      usingModified = best!;
      iter = best!.e;
    } else {
      iter = all[mi]!;
      if (best && compareModified(best, { e: iter, size: iter.ancSize, fee: iter.ancFee, sigops: iter.ancSigOps }) < 0) {
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
        modified.delete(iter);
        failed.add(iter);
      }
      consecutiveFailed++;
      if (consecutiveFailed > MAX_CONSECUTIVE_FAILURES && blockWeight > opts.maxWeight - opts.reservedWeight) break;
      continue;
    }
    consecutiveFailed = 0;
    const pkg = [...pool.ancestorsOf(iter)].filter((a) => !inBlock.has(a));
    pkg.push(iter);
    // SortForBlock: fewer ancestors first is a valid topological order.
    pkg.sort((a, b) => a.ancCount - b.ancCount);
    for (const e of pkg) {
      inBlock.add(e);
      out.txs.push({ entry: e, packageFee: packageFees, packageSize });
      out.weight += e.weight;
      out.vsize += e.vsize;
      out.fees += e.fee;
      out.sigOpsCost += e.sigOpCost;
      blockWeight += e.weight;
      blockSigOps += e.sigOpCost;
      const m = modified.get(e);
      if (m) {
        modIndex.delete(m);
        modified.delete(e);
      }
    }
    updateForAdded(pkg);
  }
  return out;
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
