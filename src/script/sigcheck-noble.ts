/**
 * The default SigVerifier: @noble/curves, pure JavaScript, every runtime and edge platform.
 */
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import type { SigVerifier } from './sigcheck.ts';

export const nobleVerifier: SigVerifier = {
  name: 'noble',
  verifyEcdsa(sig64, msg32, pubkey) {
    // The interface's contract, enforced: noble would otherwise truncate a longer message.
    if (sig64.length !== 64 || msg32.length !== 32) return false;
    if (!((pubkey.length === 33 && (pubkey[0] === 2 || pubkey[0] === 3)) || (pubkey.length === 65 && pubkey[0] === 4))) return false;
    try {
      // The interpreter already normalised S; lowS:false so noble does not re-judge it.
      return secp256k1.verify(sig64, msg32, pubkey, { prehash: false, lowS: false, format: 'compact' });
    } catch {
      return false;
    }
  },
  verifySchnorr(sig64, msg, xonly32) {
    if (sig64.length !== 64 || xonly32.length !== 32) return false;
    try {
      return schnorr.verify(sig64, msg, xonly32);
    } catch {
      return false;
    }
  },
};
