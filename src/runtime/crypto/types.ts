import { fromHex } from '../../primitives/bytes.ts';

/**
 * Names, errors and the input checks every backend runs in TypeScript before it calls
 * native code, so that no input can reach C (or WASM) in a shape it does not expect.
 */

/** Signature backends. */
export type SigBackendName = 'noble' | 'wasm' | 'ffi' | 'napi';
export const SIG_BACKENDS: readonly SigBackendName[] = ['noble', 'wasm', 'ffi', 'napi'];
export type CryptoChoice = 'auto' | SigBackendName;

/** SHA-256 backends: 'node' = node:crypto (Node, and Bun/Deno node compat), 'node-large' =
 * node:crypto for inputs of 512 bytes and more, noble below and for streams (for runtimes whose native call
 * costs more than hashing a few blocks in JS), 'bun' = Bun.SHA256 / Bun.CryptoHasher. */
export type Sha256BackendName = 'js' | 'noble' | 'node' | 'node-large' | 'bun';
export const SHA256_BACKENDS: readonly Sha256BackendName[] = ['js', 'noble', 'node', 'node-large', 'bun'];
export type Sha256Choice = 'auto' | Sha256BackendName;

/** A backend that cannot be loaded here, or that gave a wrong known answer. */
export class CryptoBackendError extends Error {
  override readonly name = 'CryptoBackendError';
  constructor(
    readonly backend: string,
    /** The message without the backend prefix. */
    readonly reason: string,
  ) {
    super(`${backend}: ${reason}`);
  }
}

/**
 * ECDSA inputs as the SigVerifier contract defines them (src/script/sigcheck.ts): a 64-byte
 * compact r‖s, a 32-byte digest, a 33-byte 0x02/0x03 or 65-byte 0x04 key. Anything else is
 * `false` without calling the backend. Hybrid keys (0x06/0x07) are refused here because
 * libsecp256k1's ec_pubkey_parse would accept them while noble does not; the interpreter
 * converts them before the call, so every backend gives the same answer.
 */
export function ecdsaInputsOk(sig: Uint8Array, msg: Uint8Array, key: Uint8Array): boolean {
  if (!(sig instanceof Uint8Array) || !(msg instanceof Uint8Array) || !(key instanceof Uint8Array)) return false;
  if (sig.length !== 64 || msg.length !== 32) return false;
  if (key.length === 33) return key[0] === 0x02 || key[0] === 0x03;
  if (key.length === 65) return key[0] === 0x04;
  return false;
}

/** BIP340 inputs: a 64-byte signature, a 32-byte x-only key, a message of any length. */
export function schnorrInputsOk(sig: Uint8Array, msg: Uint8Array, key: Uint8Array): boolean {
  return sig instanceof Uint8Array && msg instanceof Uint8Array && key instanceof Uint8Array && sig.length === 64 && key.length === 32;
}

// secp256k1 group order n and n/2, big-endian.
const N = fromHex('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141');
const HALF_N = fromHex('7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0');

/** Compares the 32 bytes of `a` starting at `off` with `b` (big-endian). */
function cmp32(a: Uint8Array, off: number, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const x = a[off + i]!;
    const y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
/** s > n/2 in a compact signature (libsecp256k1 secp256k1_scalar_is_high). */
export function isHighS(sig64: Uint8Array): boolean {
  return cmp32(sig64, 32, HALF_N) > 0;
}
/** The 32-byte big-endian value at `off` is >= n. */
export function scalarOverflows(bytes: Uint8Array, off: number): boolean {
  return cmp32(bytes, off, N) >= 0;
}

