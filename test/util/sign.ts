import { secp256k1 } from '@noble/curves/secp256k1.js';
/** Low-S DER ECDSA signature of a 32-byte digest (test helper). */
export function ecdsaDer(msg32: Uint8Array, sk: Uint8Array): Uint8Array {
  return secp256k1.sign(msg32, sk, { prehash: false, format: 'der', lowS: true });
}
