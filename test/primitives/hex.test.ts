import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareBytes, concatBytes, equalBytes, fromHex, hashToHex, hexToHash, isHex, readU32LE,
  reverseBytes, toHex, writeU32LE,
} from '../../src/primitives/bytes.ts';
import { DecodeError } from '../../src/primitives/decode-error.ts';

function decodeErrorCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof DecodeError, `expected DecodeError, got ${String(e)}`);
    return e.code;
  }
  assert.fail('expected a DecodeError');
}

describe('hex helpers', () => {
  test('toHex/fromHex round-trip every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const h = toHex(all);
    assert.equal(h.length, 512);
    assert.equal(h.slice(0, 8), '00010203');
    assert.equal(h.slice(-4), 'feff');
    assert.deepEqual(fromHex(h), all);
    assert.equal(toHex(new Uint8Array(0)), '');
    assert.deepEqual(fromHex(''), new Uint8Array(0));
  });

  test('fromHex accepts upper and mixed case, toHex writes lower case', () => {
    assert.deepEqual(fromHex('DEADbeef'), Uint8Array.of(0xde, 0xad, 0xbe, 0xef));
    assert.equal(toHex(fromHex('ABCDEF')), 'abcdef');
  });

  test('fromHex rejects odd length and non-hex characters with bad-hex', () => {
    assert.equal(decodeErrorCode(() => fromHex('abc')), 'bad-hex');
    for (const s of ['0g', 'g0', 'zz', '0x', ' 0', '0 ', '+1', '\u00e9\u00e9', '/0', ':0', '@0', 'G0', '`0']) {
      assert.equal(decodeErrorCode(() => fromHex(s)), 'bad-hex', JSON.stringify(s));
    }
  });

  test('isHex', () => {
    assert.equal(isHex(''), true);
    assert.equal(isHex('00aAfF'), true);
    assert.equal(isHex('0'), false);
    assert.equal(isHex('0g'), false);
    assert.equal(isHex('0x00'), false);
  });

  test('hashToHex/hexToHash reverse byte order (uint256 display order)', () => {
    const internal = Uint8Array.from({ length: 32 }, (_, i) => i);
    const display = hashToHex(internal);
    assert.equal(display.slice(0, 4), '1f1e');
    assert.equal(display.slice(-4), '0100');
    assert.deepEqual(hexToHash(display), internal);
    assert.equal(decodeErrorCode(() => hexToHash('00'.repeat(31))), 'invalid');
    assert.equal(decodeErrorCode(() => hexToHash('00'.repeat(33))), 'invalid');
    assert.equal(decodeErrorCode(() => hexToHash('x'.repeat(64))), 'bad-hex');
  });
});

describe('byte helpers', () => {
  test('concatBytes, equalBytes, reverseBytes', () => {
    assert.deepEqual(concatBytes(), new Uint8Array(0));
    assert.deepEqual(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)), Uint8Array.of(1, 2, 3));
    assert.equal(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2)), true);
    assert.equal(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3)), false);
    assert.equal(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0)), false);
    const a = Uint8Array.of(1, 2, 3);
    assert.deepEqual(reverseBytes(a), Uint8Array.of(3, 2, 1));
    assert.deepEqual(a, Uint8Array.of(1, 2, 3), 'reverseBytes must not modify its input');
  });

  test('compareBytes orders by memcmp then length', () => {
    const sign = (x: number) => Math.sign(x);
    assert.equal(sign(compareBytes(Uint8Array.of(1), Uint8Array.of(2))), -1);
    assert.equal(sign(compareBytes(Uint8Array.of(2), Uint8Array.of(1, 0xff))), 1);
    assert.equal(sign(compareBytes(Uint8Array.of(1), Uint8Array.of(1, 0))), -1);
    assert.equal(sign(compareBytes(Uint8Array.of(1, 0), Uint8Array.of(1))), 1);
    assert.equal(compareBytes(Uint8Array.of(7, 8), Uint8Array.of(7, 8)), 0);
    assert.equal(compareBytes(new Uint8Array(0), new Uint8Array(0)), 0);
    assert.equal(sign(compareBytes(Uint8Array.of(0x7f), Uint8Array.of(0x80))), -1, 'bytes compare unsigned');
  });

  test('readU32LE/writeU32LE including the top bit', () => {
    const b = new Uint8Array(6);
    writeU32LE(b, 1, 0xfedcba98);
    assert.deepEqual(b, Uint8Array.of(0, 0x98, 0xba, 0xdc, 0xfe, 0));
    assert.equal(readU32LE(b, 1), 0xfedcba98);
    writeU32LE(b, 0, 0xffffffff);
    assert.equal(readU32LE(b, 0), 0xffffffff);
    writeU32LE(b, 2, 1);
    assert.equal(readU32LE(b, 2), 1);
  });
});
