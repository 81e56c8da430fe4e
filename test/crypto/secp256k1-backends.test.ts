/**
 * Every signature backend of src/runtime/crypto that loads on this runtime against BIP340's
 * test-vectors.csv (verification-result column; rows with a secret key also re-signed with
 * noble) and ECDSA known answers: valid signatures (compressed and uncompressed keys, high-S
 * form, which Core's CPubKey::Verify normalises), wrong message, wrong key, r/s tweaks and
 * out-of-range r/s. A backend unavailable here is reported skipped by name with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, fromHex, toHex } from '../../src/primitives/bytes.ts';
import { BIP340_ROWS, ecdsaCases, runSigKat } from '../../src/runtime/crypto/kat.ts';
import { bip340Csv, sigBackends } from './util.ts';

const rows = bip340Csv();
const N = secp256k1.Point.CURVE().n;
const enc = new TextEncoder();

test('the start-up known-answer table embeds the 19 BIP340 CSV rows unchanged', () => {
  assert.equal(rows.length, 19);
  assert.deepEqual(
    BIP340_ROWS.map((r) => [...r]),
    rows.map((r) => [r.pk.toLowerCase(), r.msg.toLowerCase(), r.sig.toLowerCase(), r.ok]),
  );
});

const signed = rows.filter((r) => r.sk !== '');
test('noble reproduces the signature and key of every BIP340 row with a secret key', () => {
  assert.ok(signed.length >= 4);
  for (const r of signed) {
    assert.equal(toHex(schnorr.sign(fromHex(r.msg), fromHex(r.sk), fromHex(r.aux))), r.sig.toLowerCase(), `row ${r.index}`);
    assert.equal(toHex(schnorr.getPublicKey(fromHex(r.sk))), r.pk.toLowerCase(), `row ${r.index}`);
  }
});

// ECDSA signatures independent of kat.ts: other keys and digests, signed with noble.
interface Ecdsa { sig: Uint8Array; msg: Uint8Array; keyC: Uint8Array; keyU: Uint8Array }
const ecdsa: Ecdsa[] = [0, 1, 2].map((i) => {
  const sk = sha256(enc.encode(`test/crypto ecdsa key ${i}`));
  const msg = sha256(enc.encode(`test/crypto ecdsa msg ${i}`));
  return {
    sig: secp256k1.sign(msg, sk, { prehash: false, lowS: true }),
    msg,
    keyC: secp256k1.getPublicKey(sk, true),
    keyU: secp256k1.getPublicKey(sk, false),
  };
});
function be32(x: bigint): Uint8Array {
  return fromHex(x.toString(16).padStart(64, '0'));
}
function highS(sig: Uint8Array): Uint8Array {
  return concatBytes(sig.subarray(0, 32), be32(N - BigInt('0x' + toHex(sig.subarray(32)))));
}
function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const c = b.slice();
  c[bit >> 3] = c[bit >> 3]! ^ (1 << (bit & 7));
  return c;
}
/** The same bytes in a SharedArrayBuffer, at offset 5. */
function shared(b: Uint8Array): Uint8Array {
  const v = new Uint8Array(new SharedArrayBuffer(b.length + 9), 5, b.length);
  v.set(b);
  return v;
}

for (const b of await sigBackends()) {
  const v = b.backend;
  if (!v) {
    test(`${b.name}: BIP340 vectors and ECDSA known answers`, { skip: b.skip }, () => {});
    continue;
  }
  test(`${b.name}: BIP340 CSV verification results (19 rows, messages of 0/1/17/32/100 bytes)`, () => {
    for (const r of rows) {
      assert.equal(v.verifySchnorr(fromHex(r.sig), fromHex(r.msg), fromHex(r.pk)), r.ok, `row ${r.index} ${r.comment}`);
    }
  });
  test(`${b.name}: noble's signatures for the BIP340 rows with a secret key verify; a flipped bit does not`, () => {
    for (const r of signed) {
      const msg = fromHex(r.msg);
      const sig = schnorr.sign(msg, fromHex(r.sk), fromHex(r.aux));
      const pk = schnorr.getPublicKey(fromHex(r.sk));
      assert.equal(v.verifySchnorr(sig, msg, pk), true, `row ${r.index}`);
      assert.equal(v.verifySchnorr(flipBit(sig, 300), msg, pk), false, `row ${r.index} s tweaked`);
      assert.equal(v.verifySchnorr(flipBit(sig, 0), msg, pk), false, `row ${r.index} r tweaked`);
      if (msg.length) assert.equal(v.verifySchnorr(sig, flipBit(msg, 7), pk), false, `row ${r.index} msg tweaked`);
    }
  });
  test(`${b.name}: ECDSA known answers of the start-up set (${ecdsaCases().length} cases)`, () => {
    assert.deepEqual(runSigKat(v, ecdsaCases()).failures, []);
  });
  test(`${b.name}: the whole start-up known-answer set`, () => {
    const r = runSigKat(v);
    assert.deepEqual(r.failures, []);
    assert.ok(r.total >= 50);
  });
  test(`${b.name}: independent ECDSA signatures verify (compressed, uncompressed, high-S); tweaks do not`, () => {
    for (const [i, e] of ecdsa.entries()) {
      assert.equal(v.verifyEcdsa(e.sig, e.msg, e.keyC), true, `#${i} compressed`);
      assert.equal(v.verifyEcdsa(e.sig, e.msg, e.keyU), true, `#${i} uncompressed`);
      assert.equal(v.verifyEcdsa(highS(e.sig), e.msg, e.keyC), true, `#${i} high-S`);
      const other = ecdsa[(i + 1) % ecdsa.length]!;
      assert.equal(v.verifyEcdsa(e.sig, other.msg, e.keyC), false, `#${i} wrong message`);
      assert.equal(v.verifyEcdsa(e.sig, e.msg, other.keyC), false, `#${i} wrong key`);
      for (const bit of [0, 9, 255, 256, 300, 511]) {
        assert.equal(v.verifyEcdsa(flipBit(e.sig, bit), e.msg, e.keyC), false, `#${i} sig bit ${bit}`);
      }
      assert.equal(v.verifyEcdsa(e.sig, flipBit(e.msg, 100), e.keyC), false, `#${i} msg bit 100`);
      assert.equal(v.verifyEcdsa(e.sig, e.msg, flipBit(e.keyC, 8)), false, `#${i} key bit 8 (x)`);
    }
  });
  test(`${b.name}: inputs in SharedArrayBuffers at an offset give the same answers`, () => {
    const e = ecdsa[0]!;
    assert.equal(v.verifyEcdsa(shared(e.sig), shared(e.msg), shared(e.keyC)), true);
    assert.equal(v.verifyEcdsa(shared(e.sig), shared(e.msg), shared(e.keyU)), true);
    assert.equal(v.verifyEcdsa(shared(flipBit(e.sig, 3)), shared(e.msg), shared(e.keyC)), false);
    for (const r of [rows[1]!, rows[17]!, rows[18]!]) {
      assert.equal(v.verifySchnorr(shared(fromHex(r.sig)), shared(fromHex(r.msg)), shared(fromHex(r.pk))), true, `row ${r.index}`);
    }
  });
}
