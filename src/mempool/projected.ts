/**
 * Mining views for the API, in mempool.space's shapes: projected blocks (backend
 * mempool-blocks.ts: up to 8 blocks of 4 M weight, the last one holding everything left),
 * a fee histogram, and fees-recommended (backend fee-api.ts getRecommendedFee).
 * Block contents come from assembleBlock (Core's BlockAssembler order).
 */
import { Assembler, MAX_BLOCK_WEIGHT, type AssemblerOptions, type SelectedTx } from './miner.ts';
import type { Mempool } from './mempool.ts';
import type { MempoolEntry } from './types.ts';

export interface ProjectedBlock {
  /** Serialized bytes. */
  blockSize: number;
  blockVSize: number;
  nTx: number;
  totalFees: number;
  /** Median effective fee rate, sat/vB. */
  medianFee: number;
  /** Effective fee rates from lowest to highest, sat/vB (mempool.space getFeesInRange). */
  feeRange: number[];
  /** Transactions in selection order with their effective fee rate (sat/vB). */
  txs: { entry: MempoolEntry; rate: number }[];
}

export interface ProjectOptions {
  blocks: number;
  /** Points in feeRange. */
  rangeLength: number;
  assembler: Partial<AssemblerOptions>;
}

/** Common.percentile over ascending values (nearest rank). */
function percentile(sortedAsc: number[], p: number): number {
  if (sortedAsc.length === 0) return 0;
  if (p <= 0) return sortedAsc[0]!;
  if (p >= 100) return sortedAsc[sortedAsc.length - 1]!;
  const idx = Math.min(sortedAsc.length - 1, Math.max(0, Math.ceil((sortedAsc.length * p) / 100) - 1));
  return sortedAsc[idx]!;
}

/** getFeesInRange: monotonic filtering, then rangeLength evenly spaced points. */
function feesInRange(ratesInOrder: number[], rangeLength: number): number[] {
  if (ratesInOrder.length === 0) return [];
  const filtered: number[] = [];
  let last = Infinity;
  for (const r of ratesInOrder) {
    if (r <= last) {
      filtered.push(r);
      last = r;
    }
  }
  const arr = [filtered[filtered.length - 1]!];
  const chunk = 1 / (rangeLength - 1);
  for (let k = rangeLength - 2; k > 0; k--) arr.push(filtered[Math.floor(filtered.length * chunk * k)]!);
  arr.push(filtered[0]!);
  return arr;
}

function summarize(sel: SelectedTx[], rangeLength: number): ProjectedBlock {
  const n = sel.length;
  const txs: { entry: MempoolEntry; rate: number }[] = new Array(n);
  const rates: number[] = new Array<number>(n);
  const sorted = new Float64Array(n);
  let blockSize = 0, blockVSize = 0, totalFees = 0;
  for (let i = 0; i < n; i++) {
    const s = sel[i]!;
    const rate = s.packageFee / s.packageSize;
    txs[i] = { entry: s.entry, rate };
    rates[i] = rate;
    sorted[i] = rate;
    blockSize += s.entry.tx.totalSize;
    blockVSize += s.entry.vsize;
    totalFees += s.entry.fee;
  }
  // A typed array sorts numerically (NaN last, as the comparator sort would leave it undefined).
  sorted.sort();
  return {
    blockSize, blockVSize, nTx: n, totalFees,
    medianFee: percentile(sorted as unknown as number[], 50),
    feeRange: feesInRange(rates, rangeLength), txs,
  };
}

/** Projected blocks: each the next block template; the last takes all that remains. */
export function projectBlocks(pool: Mempool, o: Partial<ProjectOptions> = {}): ProjectedBlock[] {
  const n = o.blocks ?? 8;
  const rangeLength = o.rangeLength ?? 8;
  // One assembler for all blocks: each template continues where the previous one ended.
  const asm = new Assembler(pool);
  const out: ProjectedBlock[] = [];
  for (let i = 0; i < n && asm.taken < pool.size; i++) {
    if (i === n - 1) {
      out.push(summarize(asm.rest(), rangeLength));
      break;
    }
    const t = asm.block({ maxWeight: MAX_BLOCK_WEIGHT, ...o.assembler });
    if (t.txs.length === 0) {
      // Nothing more pays the block minimum: the rest still forms the final projected block.
      out.push(summarize(asm.rest(), rangeLength));
      break;
    }
    out.push(summarize(t.txs, rangeLength));
  }
  return out;
}

/** Default histogram bucket floors in sat/vB (mempool.space's fee levels). */
const FEE_LEVELS = [
  1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30, 40, 50, 60, 70, 80, 90, 100, 125, 150, 175, 200, 250, 300, 350, 400, 500,
  600, 700, 800, 900, 1000, 1200, 1400, 1600, 1800, 2000,
];

export interface HistogramBucket {
  /** Bucket floor, sat/vB. */
  feeRate: number;
  vsize: number;
  count: number;
  fees: number;
}

/**
 * Fee histogram by effective fee rate (min of own and ancestor fee rate, the rate the
 * transaction would be mined at). Entries below the lowest floor go in a 0 bucket.
 */
export function feeHistogram(pool: Mempool, levels: readonly number[] = FEE_LEVELS): HistogramBucket[] {
  const floors = [0, ...levels];
  const buckets: HistogramBucket[] = floors.map((f) => ({ feeRate: f, vsize: 0, count: 0, fees: 0 }));
  for (const e of pool.entries()) {
    const rate = e.aKeyFee / e.aKeySize;
    let lo = 0, hi = floors.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (floors[mid]! <= rate) lo = mid;
      else hi = mid - 1;
    }
    const b = buckets[lo]!;
    b.vsize += e.vsize;
    b.count++;
    b.fees += e.fee;
  }
  return buckets;
}

export interface RecommendedFees {
  fastestFee: number;
  halfHourFee: number;
  hourFee: number;
  economyFee: number;
  minimumFee: number;
}

export interface RecommendOptions {
  defaultFee: number;
  minimumIncrement: number;
}

const roundUpToNearest = (v: number, nearest: number): number => Math.ceil(v / nearest) * nearest;

function optimizeMedianFee(b: ProjectedBlock, next: ProjectedBlock | undefined, o: RecommendOptions, previousFee?: number): number {
  const useFee = previousFee !== undefined ? (b.medianFee + previousFee) / 2 : b.medianFee;
  if (b.blockVSize <= 500_000) return o.defaultFee;
  if (b.blockVSize <= 950_000 && !next) {
    const multiplier = (b.blockVSize - 500_000) / 500_000;
    return Math.max(Math.round(useFee * multiplier), o.defaultFee);
  }
  return roundUpToNearest(useFee, o.minimumIncrement);
}

/** fees/recommended from projected blocks and the mempool minimum fee (sat/kvB). */
export function recommendFees(blocks: ProjectedBlock[], mempoolMinFeeKvB: number, o: Partial<RecommendOptions> = {}): RecommendedFees {
  const opts: RecommendOptions = { defaultFee: o.defaultFee ?? 1, minimumIncrement: o.minimumIncrement ?? 1 };
  const minimumFee = roundUpToNearest(mempoolMinFeeKvB / 1000, opts.minimumIncrement);
  const defaultMinFee = Math.max(minimumFee, opts.defaultFee);
  const [b0, b1, b2, b3] = blocks;
  if (!b0) {
    return { fastestFee: defaultMinFee, halfHourFee: defaultMinFee, hourFee: defaultMinFee, economyFee: minimumFee, minimumFee };
  }
  const first = optimizeMedianFee(b0, b1, opts);
  const second = b1 ? optimizeMedianFee(b1, b2, opts, first) : opts.defaultFee;
  const third = b2 ? optimizeMedianFee(b2, b3, opts, second) : opts.defaultFee;
  let fastestFee = Math.max(minimumFee, first);
  let halfHourFee = Math.max(minimumFee, second);
  let hourFee = Math.max(minimumFee, third);
  const economyFee = Math.max(minimumFee, Math.min(2 * minimumFee, third));
  // Recommendations never decrease with priority.
  fastestFee = Math.max(fastestFee, halfHourFee, hourFee, economyFee);
  halfHourFee = Math.max(halfHourFee, hourFee, economyFee);
  hourFee = Math.max(hourFee, economyFee);
  return { fastestFee, halfHourFee, hourFee, economyFee, minimumFee };
}
