/**
 * Property tests at the native boundary: for every signature backend on this runtime,
 * random and malformed signatures, keys and messages of every length 0..100 bytes give
 * `false` (never an exception, never a crash of the process), and valid signatures with
 * one bit flipped are refused. Schnorr messages of lengths 0..200 verify when signed.
 * Run counts are modest so the file stays fast with noble on Node.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { sigBackends } from './util.ts';

const enc = new TextEncoder();
const bytes = (max = 100) => fc.uint8Array({ minLength: 0, maxLength: max });
const sized = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
/** Keys of the two valid lengths with any prefix, including hybrid 0x06/0x07 and garbage. */
const keyish = fc.oneof(
  fc.tuple(fc.constantFrom(0, 2, 3, 4, 5, 6, 7, 0xff), sized(32)).map(([p, x]) => Uint8Array.of(p, ...x)),
  fc.tuple(fc.constantFrom(0, 2, 3, 4, 5, 6, 7, 0xff), sized(64)).map(([p, x]) => Uint8Array.of(p, ...x)),
);

const sk = sha256(enc.encode('c-boundary key'));
const msg32 = sha256(enc.encode('c-boundary msg'));
const ecdsaSig = secp256k1.sign(msg32, sk, { prehash: false, lowS: true });
const keyC = secp256k1.getPublicKey(sk, true);
const keyU = secp256k1.getPublicKey(sk, false);
const xonly = schnorr.getPublicKey(sk);
const schnorrSig = schnorr.sign(msg32, sk, new Uint8Array(32));
// Schnorr signatures over messages of many lengths in 0..200 (BIP340 allows any length;
// ffi copies those into a buffer that starts at 128 bytes and grows).
const VAR_LENGTHS = [0, 1, 2, 3, 5, 8, 13, 16, 31, 32, 33, 63, 64, 65, 99, 100, 127, 128, 129, 200];
const varMsgs = VAR_LENGTHS.map((n) => new Uint8Array(n).map((_, i) => (i * 7 + n) & 255));
const varSigs = varMsgs.map((m) => schnorr.sign(m, sk, new Uint8Array(32)));

function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const c = b.slice();
  c[(bit >> 3) % c.length] = c[(bit >> 3) % c.length]! ^ (1 << (bit & 7));
  return c;
}

const RUNS = 200;

for (const b of await sigBackends()) {
  const v = b.backend;
  if (!v) {
    test(`${b.name}: malformed inputs at the C boundary`, { skip: b.skip }, () => {});
    continue;
  }
  test(`${b.name}: ECDSA with random sig/msg/key of 0..100 bytes is false`, () => {
    fc.assert(fc.property(bytes(), bytes(), bytes(), (s, m, k) => v.verifyEcdsa(s, m, k) === false), { numRuns: RUNS });
  });
  test(`${b.name}: Schnorr with random sig/msg/key of 0..100 bytes is false`, () => {
    fc.assert(fc.property(bytes(), bytes(), bytes(), (s, m, k) => v.verifySchnorr(s, m, k) === false), { numRuns: RUNS });
  });
  test(`${b.name}: ECDSA with well-sized random sig (64), msg (32) and 33/65-byte keys of any prefix is false`, () => {
    fc.assert(fc.property(sized(64), sized(32), keyish, (s, m, k) => v.verifyEcdsa(s, m, k) === false), { numRuns: RUNS });
  });
  test(`${b.name}: Schnorr with well-sized random sig (64) and key (32), message 0..100 bytes is false`, () => {
    fc.assert(fc.property(sized(64), bytes(), sized(32), (s, m, k) => v.verifySchnorr(s, m, k) === false), { numRuns: RUNS });
  });
  test(`${b.name}: out-of-range r/s (>= n, all-ones) and keys with x >= p are false`, () => {
    const ones = new Uint8Array(32).fill(0xff);
    fc.assert(
      fc.property(sized(32), fc.boolean(), (half, rHigh) => {
        const s = rHigh ? Uint8Array.of(...ones, ...half) : Uint8Array.of(...half, ...ones);
        return v.verifyEcdsa(s, msg32, keyC) === false && v.verifySchnorr(s, msg32, xonly) === false;
      }),
      { numRuns: 50 },
    );
    assert.equal(v.verifySchnorr(schnorrSig, msg32, ones), false);
    assert.equal(v.verifyEcdsa(ecdsaSig, msg32, Uint8Array.of(2, ...ones)), false);
  });
  test(`${b.name}: a valid ECDSA signature with any one bit flipped in sig, msg or key is false`, () => {
    assert.equal(v.verifyEcdsa(ecdsaSig, msg32, keyC), true);
    assert.equal(v.verifyEcdsa(ecdsaSig, msg32, keyU), true);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.nat(), fc.boolean(), (which, bit, compressed) => {
        const k = compressed ? keyC : keyU;
        if (which === 0) return v.verifyEcdsa(flipBit(ecdsaSig, bit % 512), msg32, k) === false;
        if (which === 1) return v.verifyEcdsa(ecdsaSig, flipBit(msg32, bit % 256), k) === false;
        return v.verifyEcdsa(ecdsaSig, msg32, flipBit(k, bit % (k.length * 8))) === false;
      }),
      { numRuns: 60 },
    );
  });
  test(`${b.name}: a valid Schnorr signature with any one bit flipped in sig, msg or key is false`, () => {
    assert.equal(v.verifySchnorr(schnorrSig, msg32, xonly), true);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.nat(), (which, bit) => {
        if (which === 0) return v.verifySchnorr(flipBit(schnorrSig, bit % 512), msg32, xonly) === false;
        if (which === 1) return v.verifySchnorr(schnorrSig, flipBit(msg32, bit % 256), xonly) === false;
        return v.verifySchnorr(schnorrSig, msg32, flipBit(xonly, bit % 256)) === false;
      }),
      { numRuns: 60 },
    );
  });
  test(`${b.name}: Schnorr over messages of ${VAR_LENGTHS.length} lengths in 0..200 verifies; truncated or extended does not`, () => {
    for (const [j, n] of VAR_LENGTHS.entries()) {
      const m = varMsgs[j]!, s = varSigs[j]!;
      assert.equal(v.verifySchnorr(s, m, xonly), true, `length ${n}`);
      if (j % 4 === 0) {
        assert.equal(v.verifySchnorr(s, Uint8Array.of(...m, 0), xonly), false, `length ${n} + 1`);
        if (n > 0) assert.equal(v.verifySchnorr(s, m.subarray(0, n - 1), xonly), false, `length ${n} - 1`);
      }
    }
  });
}
