/**
 * A memoising SigVerifier for the conformance suites, which verify the same signatures
 * under dozens of flag combinations (Core's harnesses lean on its signature cache the same
 * way). Results are a pure function of (sig, msg, key), so caching cannot change an answer.
 */
import type { SigVerifier } from '../../src/script/sigcheck.ts';
import { nobleVerifier } from '../../src/script/sigcheck-noble.ts';
import { setDefaultVerifier } from '../../src/script/verify.ts';
import { toHex } from '../../src/primitives/bytes.ts';

export function cachingVerifier(inner: SigVerifier): SigVerifier & { calls: number; hits: number } {
  const cache = new Map<string, boolean>();
  const v = {
    name: `cached(${inner.name})`,
    calls: 0,
    hits: 0,
    verifyEcdsa(sig64: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): boolean {
      const k = 'e' + toHex(sig64) + toHex(msg32) + toHex(pubkey);
      let r = cache.get(k);
      if (r === undefined) {
        v.calls++;
        r = inner.verifyEcdsa(sig64, msg32, pubkey);
        cache.set(k, r);
      } else v.hits++;
      return r;
    },
    verifySchnorr(sig64: Uint8Array, msg: Uint8Array, xonly32: Uint8Array): boolean {
      const k = 's' + toHex(sig64) + toHex(xonly32) + toHex(msg);
      let r = cache.get(k);
      if (r === undefined) {
        v.calls++;
        r = inner.verifySchnorr(sig64, msg, xonly32);
        cache.set(k, r);
      } else v.hits++;
      return r;
    },
  };
  return v;
}

/** Makes a caching noble verifier the process-wide default (test processes only). */
export function installCachingVerifier(inner: SigVerifier = nobleVerifier): ReturnType<typeof cachingVerifier> {
  const v = cachingVerifier(inner);
  setDefaultVerifier(v);
  return v;
}
