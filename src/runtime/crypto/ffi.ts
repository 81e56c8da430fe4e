/**
 * The `ffi` backend: the system's libsecp256k1 (0.2.0 API or later) through bun:ffi on Bun
 * and Deno.dlopen on Deno. Every length and key prefix is checked here, and inputs are
 * copied into the binding's own preallocated buffers, before any call into C.
 * ECDSA follows Core's CPubKey::Verify: parse_compact, normalize (low-S), ecdsa_verify.
 */
import type { SigVerifier } from '../../script/sigcheck.ts';
import { bunFfi, openBun } from './ffi-bun.ts';
import { denoGlobal, openDeno } from './ffi-deno.ts';
import { libraryCandidates, openFirst, type Secp256k1Raw } from './ffi-raw.ts';
import { runtimeName } from './runtime-info.ts';
import { CryptoBackendError, ecdsaInputsOk, schnorrInputsOk } from './types.ts';

export interface FfiVerifier extends SigVerifier {
  /** The library name or path that was opened (pass it to workers as libPath). */
  readonly libPath: string;
}

function ffiVerifierFrom(raw: Secp256k1Raw): FfiVerifier {
  // Schnorr messages that are not 32 bytes; grows on demand. ArrayBuffer-backed so its data
  // never moves while C reads it (see ffi-bun.ts).
  let msgBuf = new Uint8Array(new ArrayBuffer(128));
  return {
    name: 'ffi',
    libPath: raw.path,
    verifyEcdsa(sig64, msg32, pubkey) {
      if (!ecdsaInputsOk(sig64, msg32, pubkey)) return false;
      raw.sig.set(sig64);
      raw.msg32.set(msg32);
      raw.key.set(pubkey);
      return raw.ecdsaVerify(pubkey.length) === 1;
    },
    verifySchnorr(sig64, msg, xonly32) {
      if (!schnorrInputsOk(sig64, msg, xonly32)) return false;
      raw.sig.set(sig64);
      raw.key.set(xonly32);
      if (msg.length === 32) {
        raw.msg32.set(msg);
        return raw.schnorrVerify(raw.msg32, 32) === 1;
      }
      if (msg.length > msgBuf.length) msgBuf = new Uint8Array(new ArrayBuffer(Math.max(msg.length, 2 * msgBuf.length)));
      msgBuf.set(msg);
      return raw.schnorrVerify(msgBuf, msg.length) === 1;
    },
  };
}

function platform(): string {
  const deno = denoGlobal();
  if (deno) return deno.build.os;
  return (globalThis as unknown as { process?: { platform?: string } }).process?.platform ?? 'linux';
}

const cache = new Map<string, Promise<FfiVerifier>>();
/**
 * Opens libsecp256k1 (once per path) at `libPath`, or at the first of the usual names and
 * places for this OS. Rejects with CryptoBackendError on Node (no built-in FFI: use napi),
 * when no library opens, or when it lacks a required symbol.
 */
export function loadFfiVerifier(libPath?: string): Promise<FfiVerifier> {
  const key = libPath ?? '';
  let p = cache.get(key);
  if (!p) {
    p = (async () => {
      const rt = runtimeName();
      const candidates = libPath !== undefined ? [libPath] : libraryCandidates(platform());
      try {
        if (rt === 'bun') {
          const ffi = await bunFfi();
          return ffiVerifierFrom(openFirst(candidates, (path) => openBun(ffi, path)));
        }
        const deno = denoGlobal();
        if (rt === 'deno' && deno) return ffiVerifierFrom(openFirst(candidates, (path) => openDeno(deno, path)));
      } catch (e) {
        throw new CryptoBackendError('ffi', e instanceof Error ? e.message : String(e));
      }
      throw new CryptoBackendError('ffi', `needs bun:ffi or Deno.dlopen; ${rt} has no built-in FFI (use napi there)`);
    })();
    cache.set(key, p);
  }
  return p;
}
