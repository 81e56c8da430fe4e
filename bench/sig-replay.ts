/**
 * Recording and replaying signature checks: the "signatures alone" baseline that several
 * benches put next to their figures (the ceiling of a backend, measured in the same run).
 */
import type { SigVerifier } from '../src/script/sigcheck.ts';

export interface RecordedCheck { schnorr: boolean; sig: Uint8Array; msg: Uint8Array; key: Uint8Array; ok: boolean }

type Verify = Pick<SigVerifier, 'verifyEcdsa' | 'verifySchnorr'>;

/**
 * A verifier that answers with `inner` and logs each check with its answer. The bytes are
 * copied: callers may pass views into scratch buffers they reuse.
 */
export function recordingVerifier<V extends Verify & { name: string }>(inner: V, log: RecordedCheck[]): V {
  return {
    ...inner,
    name: inner.name,
    verifyEcdsa(sig: Uint8Array, msg: Uint8Array, key: Uint8Array) {
      const ok = inner.verifyEcdsa(sig, msg, key);
      log.push({ schnorr: false, sig: sig.slice(), msg: msg.slice(), key: key.slice(), ok });
      return ok;
    },
    verifySchnorr(sig: Uint8Array, msg: Uint8Array, key: Uint8Array) {
      const ok = inner.verifySchnorr(sig, msg, key);
      log.push({ schnorr: true, sig: sig.slice(), msg: msg.slice(), key: key.slice(), ok });
      return ok;
    },
  };
}

/**
 * Replays recorded checks into `v`; returns the milliseconds taken. Throws if any check
 * answers otherwise than when recorded (a 2-of-3 CHECKMULTISIG tries a key that did not
 * sign: those checks were, and must stay, false).
 */
export function replayChecks(v: Verify, checks: readonly RecordedCheck[]): number {
  const t0 = performance.now();
  let same = true;
  for (const c of checks) same = (c.schnorr ? v.verifySchnorr(c.sig, c.msg, c.key) : v.verifyEcdsa(c.sig, c.msg, c.key)) === c.ok && same;
  const ms = performance.now() - t0;
  if (!same) throw new Error('a recorded signature check gave another answer');
  return ms;
}
