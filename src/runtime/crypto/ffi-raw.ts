/**
 * What the `ffi` backend needs from system libsecp256k1, independent of the runtime's FFI
 * (bun:ffi in ffi-bun.ts, Deno.dlopen in ffi-deno.ts). Each binding owns one context and
 * preallocated input/output buffers; callers copy inputs into `sig`, `msg32` and `key`
 * after checking their lengths, so C only ever reads our own buffers of known size.
 */
export interface Secp256k1Raw {
  /** The library name or path that was opened. */
  readonly path: string;
  /** 64 bytes: compact ECDSA r‖s or BIP340 signature. */
  readonly sig: Uint8Array;
  /** 32 bytes: ECDSA digest, or a 32-byte Schnorr message. */
  readonly msg32: Uint8Array;
  /** 65 bytes: the public key in its first 33 or 65 bytes, or the x-only key in its first 32. */
  readonly key: Uint8Array;
  /** secp256k1_ec_pubkey_parse(key, keyLen), secp256k1_ecdsa_signature_parse_compact(sig),
   * secp256k1_ecdsa_signature_normalize (in place), secp256k1_ecdsa_verify(msg32): 1 or 0. */
  ecdsaVerify(keyLen: number): number;
  /** secp256k1_xonly_pubkey_parse(key[0..32]), secp256k1_schnorrsig_verify(sig, msg, msgLen):
   * 1 or 0. `msg` is `msg32` or another buffer owned by the caller, at least msgLen long. */
  schnorrVerify(msg: Uint8Array, msgLen: number): number;
}

/** SECP256K1_CONTEXT_VERIFY: deprecated (and ignored) since 0.2.0, required before it. */
export const CONTEXT_VERIFY = 0x0101;


/** Where to look when no explicit path is given (dlopen's search path first). */
export function libraryCandidates(os: string): string[] {
  if (os === 'darwin') {
    return [
      'libsecp256k1.dylib',
      '/opt/homebrew/lib/libsecp256k1.dylib',
      '/usr/local/lib/libsecp256k1.dylib',
      '/opt/local/lib/libsecp256k1.dylib',
    ];
  }
  if (os === 'windows' || os === 'win32') return ['libsecp256k1.dll', 'secp256k1.dll', 'libsecp256k1-2.dll'];
  return [
    'libsecp256k1.so.1',
    'libsecp256k1.so.2',
    'libsecp256k1.so',
    '/usr/lib/x86_64-linux-gnu/libsecp256k1.so.1',
    '/usr/lib/aarch64-linux-gnu/libsecp256k1.so.1',
    '/usr/local/lib/libsecp256k1.so',
    '/usr/lib/libsecp256k1.so',
    '/usr/lib64/libsecp256k1.so',
  ];
}

/** Tries `open` on an explicit path, or on each candidate in turn. Throws with every reason. */
export function openFirst(candidates: string[], open: (path: string) => Secp256k1Raw): Secp256k1Raw {
  const errors: string[] = [];
  for (const c of candidates) {
    try {
      return open(c);
    } catch (e) {
      errors.push(`${c}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
  throw new Error(`libsecp256k1 not found (${errors.join('; ')})`);
}
