/**
 * Core's coin compression (compressor.cpp) and VARINT (serialize.h), as used by the
 * snapshot format and the in-memory table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import {
  compressAmount, coreScriptLength, decompressAmount, expandScript, kindPayload, KIND_RAW, readVarIntAt, scriptKind,
  varIntLength, writeCoreScript, writeVarInt, writeVarIntBig,
} from '../../src/utxo/compress.ts';
import { fromHex, toHex } from '../../src/primitives/bytes.ts';

const COIN = 100_000_000n;

test('CompressAmount: the pairs of Core compress_tests.cpp and the round trip', () => {
  const pairs: [bigint, number][] = [[0n, 0x0], [1n, 0x1], [1_000_000n, 0x7], [COIN, 0x9], [50n * COIN, 0x32], [21_000_000n * COIN, 0x1406f40]];
  for (const [a, c] of pairs) {
    assert.equal(compressAmount(a), c);
    assert.equal(decompressAmount(c), a);
  }
  // compress_amounts: every 1..100000 and multiples of CENT/COIN round-trip
  for (let i = 1n; i <= 100_000n; i += 7n) assert.equal(decompressAmount(compressAmount(i)), i);
  for (let i = 1n; i <= 10_000n; i += 3n) assert.equal(decompressAmount(compressAmount(i * COIN)), i * COIN);
  // any amount a coin can carry, and well beyond (Core's uint64 arithmetic wraps above ~2^64/9)
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 1n << 60n }), (a) => decompressAmount(compressAmount(a)) === a));
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 21_000_000n * COIN }), (a) => decompressAmount(compressAmount(a)) === a));
});

test('VARINT: Core encodings, length, big values and overflow rejection', () => {
  const cases: [number, string][] = [[0, '00'], [0x7f, '7f'], [0x80, '8000'], [0x1234, 'a334'], [0xffff, '82fe7f'], [0x123456, 'c7e756'], [0x80123456, '86ffc7e756'], [0xffffffff, '8efefefe7f']];
  for (const [n, h] of cases) {
    const b = new Uint8Array(10);
    const end = writeVarInt(b, 0, n);
    assert.equal(toHex(b.subarray(0, end)), h);
    assert.equal(varIntLength(n), h.length / 2);
    assert.deepEqual(readVarIntAt(b, 0, end, 32), { value: n, pos: end });
  }
  const b = new Uint8Array(12);
  const end = writeVarIntBig(b, 0, 0xffffffffffffffffn);
  assert.equal(readVarIntAt(b, 0, end, 64).value, 0xffffffffffffffffn);
  assert.throws(() => readVarIntAt(b, 0, end, 32), /size too large/);
  assert.throws(() => readVarIntAt(fromHex('8efefeff00'), 0, 5, 32), /size too large/);
  assert.throws(() => readVarIntAt(fromHex('80'), 0, 1, 32), /truncated/);
});

test('CompressScript cases: P2PKH, P2SH, P2PK compressed and uncompressed, raw; witness kinds in memory', () => {
  const h20 = new Uint8Array(20).fill(0x42);
  const p2pkh = Uint8Array.from([0x76, 0xa9, 20, ...h20, 0x88, 0xac]);
  const p2sh = Uint8Array.from([0xa9, 20, ...h20, 0x87]);
  const priv = new Uint8Array(32).fill(9);
  const pub65 = secp256k1.getPublicKey(priv, false);
  const pub33 = secp256k1.getPublicKey(priv, true);
  const p2pkU = Uint8Array.from([65, ...pub65, 0xac]);
  const p2pkC = Uint8Array.from([33, ...pub33, 0xac]);
  const offCurve = Uint8Array.from([65, 4, ...new Uint8Array(64).fill(1), 0xac]);
  const badPrefix = Uint8Array.from([33, 5, ...new Uint8Array(32).fill(1), 0xac]);
  const p2wpkh = Uint8Array.from([0, 20, ...h20]);
  const p2tr = Uint8Array.from([0x51, 32, ...new Uint8Array(32).fill(7)]);
  const p2wsh = Uint8Array.from([0, 32, ...new Uint8Array(32).fill(8)]);
  assert.equal(scriptKind(p2pkh), 0);
  assert.equal(scriptKind(p2sh), 1);
  assert.equal(scriptKind(p2pkC), pub33[0]);
  assert.equal(scriptKind(p2pkU, true), 4 | (pub65[64]! & 1));
  assert.equal(scriptKind(p2pkU), 10, 'in memory: x and y kept');
  assert.equal(scriptKind(offCurve), KIND_RAW);
  assert.equal(scriptKind(badPrefix), KIND_RAW);
  assert.equal(scriptKind(p2wpkh), 6);
  assert.equal(scriptKind(p2wsh), 7);
  assert.equal(scriptKind(p2tr), 8);
  assert.equal(scriptKind(p2tr, true), KIND_RAW);
  for (const s of [p2pkh, p2sh, p2pkC, p2pkU, p2wpkh, p2wsh, p2tr]) {
    const k = scriptKind(s);
    assert.deepEqual(expandScript(k, kindPayload(s, k), 0), s);
  }
  // Core's serialization: specials take 21 or 33 bytes, others VARINT(size+6)+bytes
  const out = new Uint8Array(200);
  assert.equal(writeCoreScript(out, 0, p2pkU), 33);
  assert.equal(out[0], 4 | (pub65[64]! & 1));
  assert.deepEqual(out.subarray(1, 33), pub65.subarray(1, 33));
  assert.equal(coreScriptLength(p2pkh), 21);
  assert.equal(coreScriptLength(p2tr), 35);
  assert.equal(writeCoreScript(out, 0, p2tr), 35);
  assert.equal(out[0], 34 + 6);
  // Core's type 4/5 expand through the curve; an x with no curve point fails like DecompressScript
  assert.deepEqual(expandScript(4 | (pub65[64]! & 1), pub65, 1), p2pkU);
  assert.equal(expandScript(4, new Uint8Array(32).fill(0xff), 0), undefined);
});
