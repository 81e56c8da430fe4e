/** CheckProofOfWork / DeriveTarget (pow.cpp). */
import { bitsToTarget, hashToBigInt } from '../primitives/block.ts';

/** DeriveTarget: the target for `bits`, or undefined when negative, zero, overflowing or above powLimit. */
function deriveTarget(bits: number, powLimit: bigint): bigint | undefined {
  const { target, negative, overflow } = bitsToTarget(bits);
  if (negative || target === 0n || overflow || target > powLimit) return undefined;
  return target;
}

/** CheckProofOfWork: the hash (internal byte order) is at or below the target of `bits`. */
export function checkProofOfWork(hash: Uint8Array, bits: number, powLimit: bigint): boolean {
  const target = deriveTarget(bits, powLimit);
  if (target === undefined) return false;
  return hashToBigInt(hash) <= target;
}
