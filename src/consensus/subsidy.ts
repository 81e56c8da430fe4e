/** GetBlockSubsidy (validation.cpp). */
import { COIN } from './constants.ts';
import type { ConsensusParams } from './params.ts';

export function getBlockSubsidy(height: number, p: ConsensusParams): bigint {
  const halvings = Math.floor(height / p.subsidyHalvingInterval);
  // Force block reward to zero when right shift is undefined.
  if (halvings >= 64) return 0n;
  // Subsidy is cut in half every 210,000 blocks which will occur approximately every 4 years.
  return (50n * COIN) >> BigInt(halvings);
}
