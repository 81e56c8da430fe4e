/**
 * The default SigVerifier (src/script/sigcheck-noble.ts) holds the SigVerifier contract of
 * src/script/sigcheck.ts itself: a 64-byte compact ECDSA signature over exactly 32 bytes
 * with a 33-byte 02/03 or 65-byte 04 key, S already normalised (a high S is not re-judged);
 * a 64-byte Schnorr signature with a 32-byte x-only key over a message of any length; every
 * other shape, and anything noble throws on, is a plain false.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { nobleVerifier as v } from '../../src/script/sigcheck-noble.ts';

const SK = new Uint8Array(32).fill(3);
const MSG = new Uint8Array(32).fill(4);
const N = secp256k1.Point.CURVE().n;

test('ECDSA: compressed and uncompressed keys; a high S verifies as given', () => {
  const sig = secp256k1.sign(MSG, SK, { prehash: false, format: 'compact' });
  const c = secp256k1.getPublicKey(SK, true), u = secp256k1.getPublicKey(SK, false);
  assert.equal(v.name, 'noble');
  assert.equal(v.verifyEcdsa(sig, MSG, c), true);
  assert.equal(v.verifyEcdsa(sig, MSG, u), true);
  const s = BigInt('0x' + Array.from(sig.subarray(32), (x) => x.toString(16).padStart(2, '0')).join(''));
  const high = Uint8Array.from([...sig.subarray(0, 32), ...Array.from({ length: 32 }, (_, i) => Number(((N - s) >> BigInt(8 * (31 - i))) & 0xffn))]);
  assert.equal(v.verifyEcdsa(high, MSG, c), true, 'lowS is not re-judged');
  const other = MSG.slice(); other[0]! ^= 1;
  assert.equal(v.verifyEcdsa(sig, other, c), false);
});

test('ECDSA: every other shape is false', () => {
  const sig = secp256k1.sign(MSG, SK, { prehash: false, format: 'compact' });
  const c = secp256k1.getPublicKey(SK, true), u = secp256k1.getPublicKey(SK, false);
  assert.equal(v.verifyEcdsa(sig.subarray(0, 63), MSG, c), false);
  assert.equal(v.verifyEcdsa(Uint8Array.of(...sig, 0), MSG, c), false);
  assert.equal(v.verifyEcdsa(sig, Uint8Array.of(...MSG, 0), c), false, 'a longer message is not truncated');
  assert.equal(v.verifyEcdsa(sig, MSG.subarray(0, 31), c), false);
  assert.equal(v.verifyEcdsa(sig, MSG, Uint8Array.of(4, ...c.subarray(1))), false, '04 with 33 bytes');
  assert.equal(v.verifyEcdsa(sig, MSG, Uint8Array.of(2, ...u.subarray(1))), false, '02 with 65 bytes');
  assert.equal(v.verifyEcdsa(sig, MSG, Uint8Array.of(6, ...u.subarray(1))), false, 'hybrid keys are converted before the call');
  assert.equal(v.verifyEcdsa(sig, MSG, Uint8Array.of(5, ...c.subarray(1))), false);
  assert.equal(v.verifyEcdsa(sig, MSG, Uint8Array.of(2, ...new Uint8Array(32).fill(0xff))), false, 'x beyond p: noble throws');
  assert.equal(v.verifyEcdsa(new Uint8Array(64), MSG, c), false, 'r = s = 0: noble throws');
});

test('Schnorr: 64-byte signatures, 32-byte keys, any message length; noble’s errors are false', () => {
  const key = schnorr.getPublicKey(SK);
  for (const msg of [MSG, new Uint8Array(0), new Uint8Array(100).fill(7)]) {
    const sig = schnorr.sign(msg, SK, new Uint8Array(32));
    assert.equal(v.verifySchnorr(sig, msg, key), true, `${msg.length}-byte message`);
  }
  const sig = schnorr.sign(MSG, SK, new Uint8Array(32));
  assert.equal(v.verifySchnorr(sig, new Uint8Array(32), key), false);
  assert.equal(v.verifySchnorr(Uint8Array.of(...sig, 1), MSG, key), false);
  assert.equal(v.verifySchnorr(sig.subarray(0, 63), MSG, key), false);
  assert.equal(v.verifySchnorr(sig, MSG, Uint8Array.of(2, ...key)), false);
  assert.equal(v.verifySchnorr(sig, MSG, key.subarray(1)), false);
  assert.equal(v.verifySchnorr(sig, MSG, new Uint8Array(32).fill(0xff)), false, 'x beyond p');
});
