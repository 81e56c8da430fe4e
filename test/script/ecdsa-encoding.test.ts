/**
 * The ECDSA encoding rules of src/script/ecdsa.ts against hand-built encodings:
 * BIP66 strict DER (Core's IsValidSignatureEncoding, one rule broken at a time, sizes at
 * 8/9 and 73/74 bytes), BIP146 low S (IsLowDERSignature, S at n/2 and n/2 + 1), Core's lax
 * DER parser (ecdsa_signature_parse_der_lax) with CPubKey::Verify's normalisation of S
 * (expected values computed here with BigInt), IsDefinedHashtypeSignature and the public-key
 * formats (CPubKey sizes, IsCompressedOrUncompressedPubKey, IsCompressedPubKey, hybrid keys).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../../src/primitives/bytes.ts';
import {
  ecdsaCompactForVerify, isCompressedOrUncompressedPubKey, isCompressedPubKey, isDefinedHashtype, isLowS, isValidSignatureEncoding, pubkeyForVerify,
} from '../../src/script/ecdsa.ts';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = N >> 1n;
const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;

/** Big-endian bytes of `v`, at least `len` bytes. */
function be(v: bigint, len = 0): Uint8Array {
  let h = v.toString(16);
  if (h.length % 2) h = '0' + h;
  while (h.length < len * 2) h = '00' + h;
  return Uint8Array.from(h.match(/../g)!.map((x) => parseInt(x, 16)));
}
/** DER INTEGER content of a non-negative value: minimal, a 0x00 before a high bit. */
function derInt(v: bigint): Uint8Array {
  const b = be(v, 1);
  return b[0]! & 0x80 ? Uint8Array.of(0, ...b) : b;
}
/** 0x30 len 0x02 lenR R 0x02 lenS S [hashtype]: any R and S bytes, as given. */
function der(r: Uint8Array, s: Uint8Array, hashType?: number): Uint8Array {
  const body = [0x02, r.length, ...r, 0x02, s.length, ...s];
  return Uint8Array.from([0x30, body.length, ...body, ...(hashType === undefined ? [] : [hashType])]);
}
const bytes = (...b: number[]) => Uint8Array.from(b);

describe('BIP66 strict DER (IsValidSignatureEncoding)', () => {
  const valid = der(bytes(0x01), bytes(0x01), 0x01);

  test('the smallest valid signature is 9 bytes; 8 bytes never is', () => {
    assert.equal(valid.length, 9);
    assert.equal(isValidSignatureEncoding(valid), true);
    assert.equal(isValidSignatureEncoding(der(bytes(0x01), bytes(), 0x01)), false);
    assert.equal(isValidSignatureEncoding(valid.subarray(0, 8)), false);
  });

  test('73 bytes (33-byte R and S) is the largest; a 74-byte one well-formed in every other way is not', () => {
    const r33 = Uint8Array.of(0, 0x80, ...new Uint8Array(31).fill(1));
    const s73 = der(r33, r33, 0x01);
    assert.equal(s73.length, 73);
    assert.equal(isValidSignatureEncoding(s73), true);
    const s34 = Uint8Array.of(0, 0x80, ...new Uint8Array(32).fill(1));
    const s74 = der(r33, s34, 0x01);
    assert.equal(s74.length, 74);
    assert.equal(isValidSignatureEncoding(s74), false);
  });

  test('compound type 0x30 and the total length byte (n - 3)', () => {
    const wrongType = valid.slice(); wrongType[0] = 0x31;
    assert.equal(isValidSignatureEncoding(wrongType), false);
    for (const d of [-1, 1]) {
      const x = valid.slice(); x[1] = valid[1]! + d;
      assert.equal(isValidSignatureEncoding(x), false, `length byte ${x[1]}`);
    }
  });

  test('R and S lengths must add up; R may not run past the end', () => {
    // lenS one too large / too small
    const bigS = valid.slice(); bigS[6] = 2;
    assert.equal(isValidSignatureEncoding(bigS), false);
    const smallS = valid.slice(); smallS[6] = 0;
    assert.equal(isValidSignatureEncoding(smallS), false);
    // lenR reaching the last byte: no room for S's length
    const longR = Uint8Array.of(0x30, 0x06, 0x02, 0x04, 0x01, 0x02, 0x01, 0x01, 0x01);
    assert.equal(isValidSignatureEncoding(longR), false);
  });

  test('the INTEGER markers of R and S', () => {
    const r = valid.slice(); r[2] = 0x03;
    assert.equal(isValidSignatureEncoding(r), false);
    const s = valid.slice(); s[5] = 0x03;
    assert.equal(isValidSignatureEncoding(s), false);
  });

  test('zero-length R or S', () => {
    assert.equal(isValidSignatureEncoding(Uint8Array.of(0x30, 0x06, 0x02, 0x00, 0x02, 0x02, 0x01, 0x01, 0x01)), false);
    assert.equal(isValidSignatureEncoding(Uint8Array.of(0x30, 0x06, 0x02, 0x02, 0x01, 0x01, 0x02, 0x00, 0x01)), false);
  });

  test('negative R or S', () => {
    assert.equal(isValidSignatureEncoding(der(bytes(0x80), bytes(0x01), 1)), false);
    assert.equal(isValidSignatureEncoding(der(bytes(0x01), bytes(0x80), 1)), false);
    assert.equal(isValidSignatureEncoding(der(bytes(0x7f), bytes(0x7f), 1)), true);
  });

  test('padding: a 0x00 only before a high bit; a lone 0x00 is a valid (zero) integer', () => {
    assert.equal(isValidSignatureEncoding(der(bytes(0x00, 0x7f), bytes(0x01), 1)), false);
    assert.equal(isValidSignatureEncoding(der(bytes(0x01), bytes(0x00, 0x7f), 1)), false);
    assert.equal(isValidSignatureEncoding(der(bytes(0x00, 0x80), bytes(0x00, 0x80), 1)), true);
    assert.equal(isValidSignatureEncoding(der(bytes(0x00), bytes(0x00), 1)), true);
    // A non-zero first byte followed by anything is not padding.
    assert.equal(isValidSignatureEncoding(der(bytes(0x01, 0x00), bytes(0x01, 0x00), 1)), true);
  });
});

describe('BIP146 low S (IsLowDERSignature) on the lax-parsed signature', () => {
  test('S = n/2 is low, n/2 + 1 is high, n - 1 is high', () => {
    assert.equal(isLowS(der(bytes(1), derInt(HALF_N))), true);
    assert.equal(isLowS(der(bytes(1), derInt(HALF_N + 1n))), false);
    assert.equal(isLowS(der(bytes(1), derInt(N - 1n))), false);
    assert.equal(isLowS(der(bytes(1), bytes(1))), true);
  });
  test('S = n/2 followed by a trailing byte is still low (the parser ignores what follows)', () => {
    assert.equal(isLowS(Uint8Array.of(...der(bytes(1), derInt(HALF_N)), 0x01)), true);
  });
  test('leading zero bytes do not count (lax parser strips them)', () => {
    assert.equal(isLowS(der(bytes(1), Uint8Array.of(0, 0, ...be(HALF_N + 1n)))), false);
    assert.equal(isLowS(der(bytes(1), Uint8Array.of(0, 0, ...be(HALF_N)))), true);
  });
  test('an unparseable signature is not low; one Core zeroes (r or s ≥ n) is', () => {
    assert.equal(isLowS(bytes(0x31, 0x00)), false);
    assert.equal(isLowS(der(derInt(N), bytes(1))), true);
    assert.equal(isLowS(der(bytes(1), derInt(N))), true);
  });
});

describe('lax DER parse and normalisation (ecdsa_signature_parse_der_lax, CPubKey::Verify)', () => {
  const compact = (r: bigint, s: bigint) => Uint8Array.of(...be(r, 32), ...be(s, 32));

  test('r and s land right-aligned in 32 bytes each', () => {
    assert.deepEqual(ecdsaCompactForVerify(der(bytes(0x05), bytes(0x07))), compact(5n, 7n));
    const r = 0x1234567890abcdefn;
    assert.deepEqual(ecdsaCompactForVerify(der(derInt(r), derInt(HALF_N))), compact(r, HALF_N));
  });

  test('a high S becomes n - S', () => {
    for (const s of [HALF_N + 1n, N - 1n, N - 0x100n, 0xc0ffee0000000000000000000000000000000000000000000000000000000001n]) {
      assert.deepEqual(ecdsaCompactForVerify(der(bytes(1), derInt(s))), compact(1n, N - s), s.toString(16));
    }
  });

  test('r or s zero, or ≥ n, gives no signature; n - 1 is still one', () => {
    assert.equal(ecdsaCompactForVerify(der(bytes(0), bytes(1))), undefined);
    assert.equal(ecdsaCompactForVerify(der(bytes(1), bytes(0))), undefined);
    assert.equal(ecdsaCompactForVerify(der(bytes(0, 0), bytes(1))), undefined);
    assert.equal(ecdsaCompactForVerify(der(derInt(N), bytes(1))), undefined);
    assert.equal(ecdsaCompactForVerify(der(bytes(1), derInt(N))), undefined);
    assert.deepEqual(ecdsaCompactForVerify(der(derInt(N - 1n), bytes(1))), compact(N - 1n, 1n));
    // 33 significant bytes overflow
    assert.equal(ecdsaCompactForVerify(der(Uint8Array.of(1, ...new Uint8Array(32)), bytes(1))), undefined);
    assert.equal(ecdsaCompactForVerify(der(bytes(1), Uint8Array.of(1, ...new Uint8Array(32)))), undefined);
  });

  test('what strict DER rejects the lax parser takes: padding, negative bytes, long-form lengths, trailing bytes', () => {
    assert.deepEqual(ecdsaCompactForVerify(der(bytes(0, 0, 0, 5), bytes(0, 7))), compact(5n, 7n));
    assert.deepEqual(ecdsaCompactForVerify(der(bytes(0x85), bytes(0x07))), compact(0x85n, 7n));
    // sequence length in long form (0x81 0x06), integer lengths in long form (0x81 0x01, 0x82 0x00 0x01)
    assert.deepEqual(ecdsaCompactForVerify(bytes(0x30, 0x81, 0x06, 0x02, 0x81, 0x01, 0x05, 0x02, 0x82, 0x00, 0x01, 0x07)), compact(5n, 7n));
    // a wrong sequence length and trailing garbage are ignored
    assert.deepEqual(ecdsaCompactForVerify(bytes(0x30, 0x00, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07, 0xde, 0xad)), compact(5n, 7n));
    // zero bytes of a long-form length are skipped: 0x84 00 00 00 01 is a length of 1
    assert.deepEqual(ecdsaCompactForVerify(bytes(0x30, 0x00, 0x02, 0x84, 0x00, 0x00, 0x00, 0x01, 0x05, 0x02, 0x01, 0x07)), compact(5n, 7n));
  });

  test('unparseable: no 0x30, truncated, lengths past the end, 4+ significant length bytes', () => {
    const bad = [
      bytes(), bytes(0x30), bytes(0x31, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07),
      bytes(0x30, 0x06, 0x03, 0x01, 0x05, 0x02, 0x01, 0x07), bytes(0x30, 0x06, 0x02, 0x01, 0x05, 0x03, 0x01, 0x07),
      bytes(0x30, 0x06, 0x02), bytes(0x30, 0x06, 0x02, 0x01, 0x05, 0x02), bytes(0x30, 0x06, 0x02, 0x02, 0x05),
      bytes(0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x02, 0x07), bytes(0x30, 0x85, 0x00),
      bytes(0x30, 0x00, 0x02, 0x84, 0x01, 0x00, 0x00, 0x00, 0x05), bytes(0x30, 0x00, 0x02, 0x82, 0x01),
      bytes(0x30, 0x00, 0x02, 0x81, 0x02, 0x05),
    ];
    const good = der(bytes(0x05), bytes(0x07));
    for (const b of [...bad, bytes(0x30, 0x00, 0x02, 0x01, 0x05, 0x02, 0x82, 0x01), bytes(0x30, 0x00, 0x02, 0x01, 0x05, 0x02, 0x84, 0x01, 0x00, 0x00, 0x00, 0x07)]) {
      // after a good parse, so that nothing of it can leak into the answer for the bad one
      assert.deepEqual(ecdsaCompactForVerify(good), compact(5n, 7n));
      assert.equal(ecdsaCompactForVerify(b), undefined, toHex(b));
    }
  });

  test('a two-byte long-form length (256) and an empty S followed by a zero byte', () => {
    const r256 = Uint8Array.of(0x30, 0x00, 0x02, 0x82, 0x01, 0x00, ...new Uint8Array(256).fill(1), 0x02, 0x01, 0x07);
    assert.equal(ecdsaCompactForVerify(r256), undefined, '256-byte R overflows');
    assert.equal(isLowS(r256), true, 'an overflowing R: Core’s all-zero signature, low');
    assert.equal(isLowS(bytes(0x30, 0x00, 0x02, 0x01, 0x05, 0x02, 0x82, 0x01)), false, 'S length past the end: unparseable');
    assert.equal(ecdsaCompactForVerify(bytes(0x30, 0x00, 0x02, 0x01, 0x05, 0x02, 0x00, 0x00)), undefined);
    // an S of length 0 in long form at the very end parses (and is low)
    assert.equal(isLowS(bytes(0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x81, 0x00)), true);
  });

  test('a three-byte long-form length is accepted', () => {
    assert.deepEqual(ecdsaCompactForVerify(bytes(0x30, 0x00, 0x02, 0x83, 0x00, 0x00, 0x01, 0x05, 0x02, 0x01, 0x07)), compact(5n, 7n));
  });
});

describe('hash types and public keys', () => {
  test('IsDefinedHashtypeSignature: ALL, NONE, SINGLE with or without ANYONECANPAY', () => {
    for (const t of [1, 2, 3, 0x81, 0x82, 0x83]) assert.equal(isDefinedHashtype(bytes(0x30, t)), true, t.toString(16));
    for (const t of [0, 4, 0x80, 0x84, 0x41, 0x21]) assert.equal(isDefinedHashtype(bytes(0x30, t)), false, t.toString(16));
    assert.equal(isDefinedHashtype(bytes()), false);
  });

  const key = (h: number, len: number, fill = 1) => Uint8Array.of(h, ...new Uint8Array(len - 1).fill(fill));
  test('IsCompressedOrUncompressedPubKey and IsCompressedPubKey', () => {
    for (const k of [key(2, 33), key(3, 33), key(4, 65)]) assert.equal(isCompressedOrUncompressedPubKey(k), true);
    for (const k of [key(2, 32), key(2, 34), key(4, 33), key(2, 65), key(4, 64), key(4, 66), key(6, 65), key(5, 33), bytes()]) {
      assert.equal(isCompressedOrUncompressedPubKey(k), false, `${k[0]} / ${k.length}`);
    }
    assert.equal(isCompressedPubKey(key(2, 33)), true);
    assert.equal(isCompressedPubKey(key(3, 33)), true);
    for (const k of [key(4, 65), key(4, 33), key(2, 34), key(2, 32)]) assert.equal(isCompressedPubKey(k), false);
  });

  test('CPubKey sizes: 33 for 02/03, 65 for 04/06/07; x must be below p', () => {
    const c = key(2, 33);
    assert.equal(pubkeyForVerify(c), c);
    assert.equal(pubkeyForVerify(key(3, 34)), undefined);
    assert.equal(pubkeyForVerify(key(2, 32)), undefined);
    assert.equal(pubkeyForVerify(Uint8Array.of(2, ...be(P))), undefined);
    assert.equal(pubkeyForVerify(Uint8Array.of(3, ...be(P + 1n))), undefined);
    const below = Uint8Array.of(3, ...be(P - 1n));
    assert.equal(pubkeyForVerify(below), below);
    const u = key(4, 65);
    assert.equal(pubkeyForVerify(u), u);
    assert.equal(pubkeyForVerify(key(4, 64)), undefined);
    assert.equal(pubkeyForVerify(key(4, 66)), undefined);
    for (const h of [0, 1, 5, 8, 0x30]) assert.equal(pubkeyForVerify(key(h, 65)), undefined);
    assert.equal(pubkeyForVerify(bytes()), undefined);
  });

  test('hybrid keys (06 even y, 07 odd y) become 04; the wrong parity is no key', () => {
    const even = key(6, 65, 2), odd = key(7, 65, 3);
    assert.deepEqual(pubkeyForVerify(even), key(4, 65, 2));
    assert.deepEqual(pubkeyForVerify(odd), key(4, 65, 3));
    assert.equal(even[0], 6, 'the input is not modified');
    assert.equal(pubkeyForVerify(key(6, 65, 3)), undefined);
    assert.equal(pubkeyForVerify(key(7, 65, 2)), undefined);
    assert.equal(pubkeyForVerify(key(6, 33, 2)), undefined);
  });
});
