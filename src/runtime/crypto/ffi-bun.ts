/** libsecp256k1 through bun:ffi (Bun only). See ffi-raw.ts for the contract. */
import { CONTEXT_VERIFY, type Secp256k1Raw } from './ffi-raw.ts';

type Fn = (...args: unknown[]) => number | null;
interface BunFfi {
  dlopen(path: string, symbols: Record<string, { args: string[]; returns: string }>): { symbols: Record<string, Fn>; close(): void };
  ptr(view: Uint8Array): number;
}

let ffiModule: Promise<BunFfi> | undefined;
/** Imports bun:ffi (a variable specifier keeps other runtimes and tsc from resolving it). */
export function bunFfi(): Promise<BunFfi> {
  const spec = 'bun:ffi';
  ffiModule ??= import(spec) as Promise<BunFfi>;
  return ffiModule;
}

export function openBun(ffi: BunFfi, path: string): Secp256k1Raw {
  const lib = ffi.dlopen(path, {
    secp256k1_context_create: { args: ['u32'], returns: 'ptr' },
    secp256k1_ec_pubkey_parse: { args: ['ptr', 'ptr', 'ptr', 'usize'], returns: 'i32' },
    secp256k1_ecdsa_signature_parse_compact: { args: ['ptr', 'ptr', 'ptr'], returns: 'i32' },
    secp256k1_ecdsa_signature_normalize: { args: ['ptr', 'ptr', 'ptr'], returns: 'i32' },
    secp256k1_ecdsa_verify: { args: ['ptr', 'ptr', 'ptr', 'ptr'], returns: 'i32' },
    secp256k1_xonly_pubkey_parse: { args: ['ptr', 'ptr', 'ptr'], returns: 'i32' },
    secp256k1_schnorrsig_verify: { args: ['ptr', 'ptr', 'ptr', 'usize', 'ptr'], returns: 'i32' },
    secp256k1_schnorrsig_sign_custom: { args: [], returns: 'void' }, // presence check only
  });
  const s = lib.symbols;
  const ctx = s.secp256k1_context_create!(CONTEXT_VERIFY);
  if (!ctx) {
    lib.close();
    throw new Error('secp256k1_context_create returned NULL');
  }
  const pubkeyParse = s.secp256k1_ec_pubkey_parse!;
  const sigParse = s.secp256k1_ecdsa_signature_parse_compact!;
  const normalize = s.secp256k1_ecdsa_signature_normalize!;
  const ecdsaVerify = s.secp256k1_ecdsa_verify!;
  const xonlyParse = s.secp256k1_xonly_pubkey_parse!;
  const schnorrVerify = s.secp256k1_schnorrsig_verify!;

  // Inputs (written by the caller) and opaque 64-byte outputs (secp256k1_pubkey,
  // secp256k1_ecdsa_signature, secp256k1_xonly_pubkey). Pointers taken once; the arrays are
  // kept alive by this closure.
  // All views share one explicitly allocated ArrayBuffer. Race with the garbage collector:
  // a small `new Uint8Array(n)` starts life as a JSC "fast" typed array whose storage is
  // moved the first time anything asks for its buffer, which would leave the pointers taken
  // below dangling (seen as wrong answers and crashes). ArrayBuffer-backed storage never moves.
  const mem = new Uint8Array(new ArrayBuffer(64 + 32 + 72 + 64 + 64 + 64));
  let at = 0;
  const take = (n: number) => {
    const v = mem.subarray(at, at + n);
    at += (n + 7) & ~7;
    return v;
  };
  const sig = take(64);
  const msg32 = take(32);
  const key = take(65);
  const pub = take(64);
  const sigS = take(64);
  const xonly = take(64);
  const pSig = ffi.ptr(sig), pMsg = ffi.ptr(msg32), pKey = ffi.ptr(key);
  const pPub = ffi.ptr(pub), pSigS = ffi.ptr(sigS), pXonly = ffi.ptr(xonly);

  return {
    path,
    sig,
    msg32,
    key,
    ecdsaVerify(keyLen) {
      if (pubkeyParse(ctx, pPub, pKey, keyLen) !== 1) return 0;
      if (sigParse(ctx, pSigS, pSig) !== 1) return 0;
      normalize(ctx, pSigS, pSigS);
      return ecdsaVerify(ctx, pSigS, pMsg, pPub) === 1 ? 1 : 0;
    },
    schnorrVerify(msg, msgLen) {
      if (xonlyParse(ctx, pXonly, pKey) !== 1) return 0;
      // A zero-length message may have a NULL pointer: allowed when msglen is 0.
      const pM = msg === msg32 ? pMsg : msg.length === 0 ? null : ffi.ptr(msg);
      return schnorrVerify(ctx, pSig, pM, msgLen, pXonly) === 1 ? 1 : 0;
    },
  };
}
