/**
 * GetVirtualTransactionSize (policy/policy.cpp): weight or sigop cost × bytes_per_sigop,
 * whichever is larger, divided by 4 rounding up.
 */
import { WITNESS_SCALE_FACTOR } from '../primitives/tx.ts';
import { DEFAULT_BYTES_PER_SIGOP } from './constants.ts';

export function virtualSize(weight: number, sigOpCost = 0, bytesPerSigop = DEFAULT_BYTES_PER_SIGOP): number {
  return Math.floor((Math.max(weight, sigOpCost * bytesPerSigop) + WITNESS_SCALE_FACTOR - 1) / WITNESS_SCALE_FACTOR);
}
