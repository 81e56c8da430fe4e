/**
 * BIP341 taproot commitment check (XOnlyPubKey::CheckTapTweak): Q == P + t·G with
 * t = TaggedHash("TapTweak", P ‖ merkle_root) and Q's y parity as the control block says.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { taggedHash } from '../primitives/hash.ts';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;

function toBig(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = 0; i < b.length; i++) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

/** lift_x (BIP340): the point with even y and this x, or undefined. */
function liftX(x: bigint) {
  if (x >= P) return undefined;
  try {
    const hex = '02' + x.toString(16).padStart(64, '0');
    return secp256k1.Point.fromHex(hex);
  } catch {
    return undefined;
  }
}

export function checkTapTweak(q32: Uint8Array, p32: Uint8Array, merkleRoot: Uint8Array, parity: number): boolean {
  const p = liftX(toBig(p32));
  if (!p) return false;
  const t = toBig(taggedHash('TapTweak', p32, merkleRoot));
  if (t >= N) return false;
  const qPoint = t === 0n ? p : p.add(secp256k1.Point.BASE.multiply(t));
  if (qPoint.equals(secp256k1.Point.ZERO)) return false;
  const aff = qPoint.toAffine();
  if (aff.x !== toBig(q32)) return false;
  return Number(aff.y & 1n) === parity;
}
