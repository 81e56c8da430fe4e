/** GetNextWorkRequired / CalculateNextWorkRequired (pow.cpp). */
import { bitsToTarget, targetToBits } from '../primitives/block.ts';
import { difficultyAdjustmentInterval, type ConsensusParams } from '../consensus/params.ts';

/** What the retarget rules read from the chain (Core's CBlockIndex). */
export interface PowIndex {
  height: number;
  bits: number;
  time: number;
  prev: PowIndex | undefined;
  /** GetAncestor. */
  ancestor(height: number): PowIndex | undefined;
}

const U256 = (1n << 256n) - 1n;

/** The bits required of the block after `last` whose timestamp is `newTime`. */
export function getNextWorkRequired(last: PowIndex, newTime: number, p: ConsensusParams): number {
  const powLimitBits = targetToBits(p.powLimit);
  const interval = difficultyAdjustmentInterval(p);
  // Only change once per difficulty adjustment interval
  if ((last.height + 1) % interval !== 0) {
    if (p.powAllowMinDifficultyBlocks) {
      // Special difficulty rule for testnet: if the new block's timestamp is more than
      // 2 * 10 minutes after the previous one, allow mining of a min-difficulty block.
      if (newTime > last.time + p.powTargetSpacing * 2) return powLimitBits;
      // Return the last non-special-min-difficulty-rules-block
      let idx: PowIndex = last;
      while (idx.prev && idx.height % interval !== 0 && idx.bits === powLimitBits) idx = idx.prev;
      return idx.bits;
    }
    return last.bits;
  }
  // Go back by what we want to be 14 days worth of blocks
  const first = last.ancestor(last.height - (interval - 1));
  if (!first) throw new Error('getNextWorkRequired: missing ancestor');
  return calculateNextWorkRequired(last, first.time, p);
}

/** CalculateNextWorkRequired: scale the target by the actual timespan, clamped to [1/4, 4]. */
export function calculateNextWorkRequired(last: PowIndex, firstBlockTime: number, p: ConsensusParams): number {
  if (p.powNoRetargeting) return last.bits;
  // Limit adjustment step
  let actual = last.time - firstBlockTime;
  if (actual < p.powTargetTimespan / 4) actual = p.powTargetTimespan / 4;
  if (actual > p.powTargetTimespan * 4) actual = p.powTargetTimespan * 4;
  let base = last.bits;
  // Special difficulty rule for Testnet4 (BIP94): retarget from the first block of the period.
  if (p.enforceBIP94) {
    const first = last.ancestor(last.height - (difficultyAdjustmentInterval(p) - 1));
    if (!first) throw new Error('calculateNextWorkRequired: missing ancestor');
    base = first.bits;
  }
  let target = bitsToTarget(base).target;
  target = ((target * BigInt(Math.trunc(actual))) & U256) / BigInt(p.powTargetTimespan);
  if (target > p.powLimit) target = p.powLimit;
  return targetToBits(target);
}


/** GetDifficulty (rpc/blockchain.cpp): the difficulty-1 target (0x1d00ffff) over the target of `bits`. */
export function difficultyOf(bits: number): number {
  const exp = bits >>> 24, mant = bits & 0xffffff;
  let diff = 0x0000ffff / mant;
  for (let e = exp; e < 29; e++) diff *= 256;
  for (let e = exp; e > 29; e--) diff /= 256;
  return diff;
}
