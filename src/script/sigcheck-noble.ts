/**
 * The default SigVerifier: @noble/curves, pure JavaScript, every runtime and edge platform.
 */
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import type { SigVerifier } from './sigcheck.ts';

export const nobleVerifier: SigVerifier = {
  name: 'noble',
  verifyEcdsa(sig64, msg32, pubkey) {
    try {
      // The interpreter already normalised S; lowS:false so noble does not re-judge it.
      return secp256k1.verify(sig64, msg32, pubkey, { prehash: false, lowS: false, format: 'compact' });
    } catch {
      return false;
    }
  },
  verifySchnorr(sig64, msg, xonly32) {
    try {
      return schnorr.verify(sig64, msg, xonly32);
    } catch {
      return false;
    }
  },
};
