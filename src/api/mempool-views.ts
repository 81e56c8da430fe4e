/**
 * Mining views shared by the REST and Esplora routes: projected blocks (mempool.space's
 * mempool-blocks shape) and fees/recommended, recomputed only when the mempool changed
 * (keyed by Mempool.version) so that polling clients cost one assembly per change.
 */
import type { Mempool } from '../mempool/mempool.ts';
import { projectBlocks, recommendFees, type ProjectedBlock, type RecommendedFees } from '../mempool/projected.ts';

export interface ProjectedBlockJson {
  blockSize: number;
  blockVSize: number;
  nTx: number;
  totalFees: number;
  medianFee: number;
  feeRange: number[];
}

export interface MempoolViews {
  blocks(): ProjectedBlockJson[];
  recommended(): RecommendedFees;
  /** mempoolminfee in sat/kvB: max(rolling minimum fee, min relay fee). */
  minFeeKvB(): number;
}

export function mempoolViews(pool: Mempool): MempoolViews {
  let version = -1;
  let projected: ProjectedBlock[] = [];
  let blocks: ProjectedBlockJson[] = [];
  const minFeeKvB = (): number => Math.max(pool.getMinFee(), pool.opts.minRelayFeeRate);
  const refresh = (): void => {
    if (version === pool.version) return;
    projected = projectBlocks(pool);
    blocks = projected.map((b) => ({
      blockSize: b.blockSize, blockVSize: b.blockVSize, nTx: b.nTx, totalFees: b.totalFees, medianFee: b.medianFee, feeRange: b.feeRange,
    }));
    version = pool.version;
  };
  return {
    blocks() {
      refresh();
      return blocks;
    },
    // The minimum fee also decays with time, so the floor is read on every call.
    recommended() {
      refresh();
      return recommendFees(projected, minFeeKvB());
    },
    minFeeKvB,
  };
}
