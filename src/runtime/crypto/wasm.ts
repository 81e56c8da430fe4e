/**
 * The `wasm` backend: tiny-secp256k1 2.x, libsecp256k1 compiled to WebAssembly (runs on
 * Node, Bun and Deno). Its API, as read from tiny-secp256k1/lib/index.js:
 *   verify(h32, Q, sig64, strict = false): Q may be 33/65 bytes (also 32, which we never
 *     pass); with strict=false the signature is normalised to low-S first, so high-S is
 *     accepted, like noble with lowS:false and Core's CPubKey::Verify. Throws on a
 *     malformed key or r/s >= n.
 *   verifySchnorr(h32, Q32, sig64): the message must be exactly 32 bytes and the validator
 *     rejects r >= n although BIP340 lets r be any field element below p; those two cases
 *     (never produced by BIP341/342 in practice) go to noble, so the answers stay exact.
 *   Hybrid keys (0x06/0x07) would be parsed by libsecp256k1; ecdsaInputsOk refuses them.
 */
import type { SigVerifier } from '../../script/sigcheck.ts';
import { checkedNobleVerifier as nobleVerifier } from './noble.ts';
import { CryptoBackendError, ecdsaInputsOk, scalarOverflows, schnorrInputsOk } from './types.ts';

interface TinySecp256k1 {
  verify(h: Uint8Array, Q: Uint8Array, signature: Uint8Array, strict?: boolean): boolean;
  verifySchnorr(h: Uint8Array, Q: Uint8Array, signature: Uint8Array): boolean;
}

/** Builds the verifier around a loaded tiny-secp256k1 module. */
function wasmVerifierFrom(tiny: TinySecp256k1): SigVerifier {
  return {
    name: 'wasm',
    verifyEcdsa(sig64, msg32, pubkey) {
      if (!ecdsaInputsOk(sig64, msg32, pubkey)) return false;
      // r or s >= n: not a valid compact signature (secp256k1_ecdsa_signature_parse_compact).
      if (scalarOverflows(sig64, 0) || scalarOverflows(sig64, 32)) return false;
      try {
        return tiny.verify(msg32, pubkey, sig64, false);
      } catch {
        return false;
      }
    },
    verifySchnorr(sig64, msg, xonly32) {
      if (!schnorrInputsOk(sig64, msg, xonly32)) return false;
      if (msg.length !== 32 || scalarOverflows(sig64, 0)) return nobleVerifier.verifySchnorr(sig64, msg, xonly32);
      if (scalarOverflows(sig64, 32)) return false; // BIP340: fail if s >= n
      try {
        return tiny.verifySchnorr(msg, xonly32, sig64);
      } catch {
        return false;
      }
    },
  };
}

let loading: Promise<SigVerifier> | undefined;
/** Loads tiny-secp256k1 (once). Rejects with CryptoBackendError when it is not installed. */
export function loadWasmVerifier(): Promise<SigVerifier> {
  loading ??= import('tiny-secp256k1').then(
    (m) => wasmVerifierFrom(m as TinySecp256k1),
    (e: unknown) => {
      throw new CryptoBackendError('wasm', `tiny-secp256k1 could not be loaded (${e instanceof Error ? e.message : String(e)})`);
    },
  );
  return loading;
}
