/**
 * GET /stats: everything the dashboard draws, in one JSON document (one poll per refresh):
 * the chain tip and whether it has caught up with the best known header, the mempool's
 * size and floor, the projected blocks (GET /mempool/blocks), a fee-rate histogram of the
 * mempool, and the recent verdicts (ActivityLog).
 */
import type { Mempool } from '../../mempool/mempool.ts';
import type { ChainInfo } from '../deps.ts';
import { mempoolViews, type ProjectedBlockJson } from '../mempool-views.ts';
import type { ActivityLog, ActivitySnapshot } from './activity.ts';

export interface DashboardSource {
  readonly mempool: Mempool;
  chainInfo(): ChainInfo;
  /** GET /info's body (network, version, runtime…). */
  info(): Record<string, unknown>;
  readonly activity: ActivityLog;
}

/** Lower edges of the fee-rate histogram's bins, sat/vB (the last bin is open above). */
export const HISTOGRAM_EDGES: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30, 40, 50, 70, 100, 150, 200, 300, 500, 1000];

export interface HistogramBin {
  /** sat/vB, inclusive. */
  from: number;
  /** sat/vB, exclusive; null for the last bin. */
  to: number | null;
  count: number;
  vsize: number;
}

export interface DashboardStats {
  /** Server clock, ms since the epoch. */
  now: number;
  network: unknown;
  runtime: unknown;
  version: unknown;
  chain: {
    chain: ChainInfo['chain'];
    height: number;
    hash: string;
    time: number;
    mediantime: number;
    headers: number;
    /** The active tip is the best valid header known. */
    synced: boolean;
  };
  mempool: { count: number; vsize: number; usage: number; totalFee: number; minFeeRate: number; maxMempool: number };
  blocks: ProjectedBlockJson[];
  histogram: HistogramBin[];
  activity: ActivitySnapshot;
}

/** Mempool entries by modified fee rate into HISTOGRAM_EDGES' bins. */
export function feeHistogram(pool: Mempool): HistogramBin[] {
  const bins: HistogramBin[] = HISTOGRAM_EDGES.map((from, i) => ({ from, to: HISTOGRAM_EDGES[i + 1] ?? null, count: 0, vsize: 0 }));
  for (const e of pool.entries()) {
    const rate = e.vsize > 0 ? e.modFee / e.vsize : 0;
    let i = bins.length - 1;
    while (i > 0 && rate < bins[i]!.from) i--;
    bins[i]!.count++;
    bins[i]!.vsize += e.vsize;
  }
  return bins;
}

/** A /stats builder; the histogram is recomputed only when the mempool changed. */
export function dashboardStats(src: DashboardSource): () => DashboardStats {
  const pool = src.mempool;
  const views = mempoolViews(pool);
  let version = -1;
  let histogram: HistogramBin[] = [];
  return () => {
    if (version !== pool.version) {
      histogram = feeHistogram(pool);
      version = pool.version;
    }
    const c = src.chainInfo();
    const info = src.info();
    return {
      now: Date.now(),
      network: info.network, runtime: info.runtime, version: info.version,
      chain: {
        chain: c.chain, height: c.blocks, hash: c.bestblockhash, time: c.time, mediantime: c.mediantime,
        headers: c.headers, synced: c.headers <= c.blocks,
      },
      mempool: {
        count: pool.size, vsize: pool.totalVsize, usage: pool.memoryUsage, totalFee: pool.totalFee,
        minFeeRate: views.minFeeKvB() / 1000, maxMempool: pool.opts.maxSizeBytes,
      },
      blocks: views.blocks(),
      histogram,
      activity: src.activity.snapshot(),
    };
  };
}
