/**
 * The `noble` backend as selected at start-up: src/script's nobleVerifier behind the same
 * input checks as the native backends. (noble alone accepts an ECDSA digest longer than 32
 * bytes by truncating it, bits2int-style; the interpreter never passes one, but a backend
 * must answer exactly what the others answer.)
 */
import type { SigVerifier } from '../../script/sigcheck.ts';
import { nobleVerifier } from '../../script/sigcheck-noble.ts';
import { ecdsaInputsOk, schnorrInputsOk } from './types.ts';

export const checkedNobleVerifier: SigVerifier = {
  name: 'noble',
  verifyEcdsa: (sig64, msg32, pubkey) => ecdsaInputsOk(sig64, msg32, pubkey) && nobleVerifier.verifyEcdsa(sig64, msg32, pubkey),
  verifySchnorr: (sig64, msg, xonly32) => schnorrInputsOk(sig64, msg, xonly32) && nobleVerifier.verifySchnorr(sig64, msg, xonly32),
};
