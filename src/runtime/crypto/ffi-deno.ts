/** libsecp256k1 through Deno.dlopen (Deno only). See ffi-raw.ts for the contract. */
import { CONTEXT_VERIFY, type Secp256k1Raw } from './ffi-raw.ts';

type Fn = (...args: unknown[]) => unknown;
interface DenoFfi {
  dlopen(path: string, symbols: Record<string, { parameters: string[]; result: string }>): { symbols: Record<string, Fn>; close(): void };
  build: { os: string };
}

export function denoGlobal(): DenoFfi | undefined {
  return (globalThis as unknown as { Deno?: DenoFfi }).Deno;
}

export function openDeno(deno: DenoFfi, path: string): Secp256k1Raw {
  const lib = deno.dlopen(path, {
    secp256k1_context_create: { parameters: ['u32'], result: 'pointer' },
    secp256k1_ec_pubkey_parse: { parameters: ['pointer', 'buffer', 'buffer', 'usize'], result: 'i32' },
    secp256k1_ecdsa_signature_parse_compact: { parameters: ['pointer', 'buffer', 'buffer'], result: 'i32' },
    secp256k1_ecdsa_signature_normalize: { parameters: ['pointer', 'buffer', 'buffer'], result: 'i32' },
    secp256k1_ecdsa_verify: { parameters: ['pointer', 'buffer', 'buffer', 'buffer'], result: 'i32' },
    secp256k1_xonly_pubkey_parse: { parameters: ['pointer', 'buffer', 'buffer'], result: 'i32' },
    secp256k1_schnorrsig_verify: { parameters: ['pointer', 'buffer', 'buffer', 'usize', 'buffer'], result: 'i32' },
    secp256k1_schnorrsig_sign_custom: { parameters: [], result: 'void' }, // presence check only
  });
  const s = lib.symbols;
  const ctx = s.secp256k1_context_create!(CONTEXT_VERIFY);
  if (ctx === null) {
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
  // secp256k1_ecdsa_signature, secp256k1_xonly_pubkey).
  const sig = new Uint8Array(64);
  const msg32 = new Uint8Array(32);
  const key = new Uint8Array(65);
  const pub = new Uint8Array(64);
  const sigS = new Uint8Array(64);
  const xonly = new Uint8Array(64);

  return {
    path,
    sig,
    msg32,
    key,
    ecdsaVerify(keyLen) {
      if (pubkeyParse(ctx, pub, key, keyLen) !== 1) return 0;
      if (sigParse(ctx, sigS, sig) !== 1) return 0;
      normalize(ctx, sigS, sigS);
      return ecdsaVerify(ctx, sigS, msg32, pub) === 1 ? 1 : 0;
    },
    schnorrVerify(msg, msgLen) {
      if (xonlyParse(ctx, xonly, key) !== 1) return 0;
      return schnorrVerify(ctx, sig, msg, msgLen, xonly) === 1 ? 1 : 0;
    },
  };
}
