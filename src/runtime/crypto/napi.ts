/**
 * The `napi` backend: the `secp256k1` npm package (secp256k1-node 5.x, libsecp256k1 in a
 * prebuilt N-API addon). It has ECDSA only; Schnorr goes to the given portable verifier
 * (wasm when it loads, else noble). Loaded through `secp256k1/bindings.js`, not the
 * package index, because the index silently falls back to pure-JS elliptic when the addon
 * is missing. Its ecdsaVerify calls secp256k1_ecdsa_verify without normalising, so a
 * high-S signature is normalised first (into a preallocated buffer) to give the same answer
 * as the other backends; the interpreter already passes low-S, so that path is cold.
 */
import type { SigVerifier } from '../../script/sigcheck.ts';
import { CryptoBackendError, ecdsaInputsOk, isHighS } from './types.ts';

interface Secp256k1Node {
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): boolean;
  signatureNormalize(sig: Uint8Array): Uint8Array;
}

export interface NapiVerifier extends SigVerifier {
  /** The name of the verifier that answers Schnorr. */
  readonly schnorrFrom: string;
}

function napiVerifierFrom(lib: Secp256k1Node, schnorr: SigVerifier): NapiVerifier {
  const scratch = new Uint8Array(64);
  return {
    name: 'napi',
    schnorrFrom: schnorr.name,
    verifyEcdsa(sig64, msg32, pubkey) {
      if (!ecdsaInputsOk(sig64, msg32, pubkey)) return false;
      let sig = sig64;
      try {
        if (isHighS(sig64)) {
          scratch.set(sig64);
          lib.signatureNormalize(scratch); // in place; throws when r or s >= n
          sig = scratch;
        }
        return lib.ecdsaVerify(sig, msg32, pubkey);
      } catch {
        return false;
      }
    },
    verifySchnorr(sig64, msg, xonly32) {
      return schnorr.verifySchnorr(sig64, msg, xonly32);
    },
  };
}

let loading: Promise<Secp256k1Node> | undefined;
function loadAddon(): Promise<Secp256k1Node> {
  loading ??= (async () => {
    try {
      const { createRequire } = await import('node:module');
      const require = createRequire(import.meta.url);
      return require('secp256k1/bindings.js') as Secp256k1Node;
    } catch (e) {
      throw new CryptoBackendError('napi', `the secp256k1 N-API addon could not be loaded (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
    }
  })();
  return loading;
}

/** Loads the addon; `schnorr` supplies verifySchnorr. */
export async function loadNapiVerifier(schnorr: SigVerifier): Promise<NapiVerifier> {
  return napiVerifierFrom(await loadAddon(), schnorr);
}
