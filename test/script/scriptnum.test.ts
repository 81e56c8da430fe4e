/**
 * CScriptNum (script/script.h) as src/script/scriptnum.ts implements it: the 4-byte operand
 * limit (5 for CHECKLOCKTIMEVERIFY/CHECKSEQUENCEVERIFY) at 3/4/5/6 bytes, MINIMALDATA's
 * minimal encoding (the 0x00/0x80 last byte allowed only before a sign-bit byte),
 * sign-magnitude decoding, serialize() and CastToBool. Expected values are written out by
 * hand (little-endian magnitude, sign in the top bit of the last byte).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { castToBool, decodeScriptNum, encodeScriptNum, ScriptNumError } from '../../src/script/scriptnum.ts';

const b = (...x: number[]) => Uint8Array.from(x);
const throwsNum = (f: () => unknown, msg: RegExp) => assert.throws(f, (e: unknown) => e instanceof ScriptNumError && e.name === 'ScriptNumError' && msg.test(e.message));

describe('CScriptNum decoding', () => {
  test('sizes: 4 bytes by default, the caller’s maximum otherwise (5 for CLTV/CSV)', () => {
    assert.equal(decodeScriptNum(b(1, 2, 3), true), 0x030201);
    assert.equal(decodeScriptNum(b(0xff, 0xff, 0xff, 0x7f), true), 2147483647);
    assert.equal(decodeScriptNum(b(0xff, 0xff, 0xff, 0xff), true), -2147483647);
    throwsNum(() => decodeScriptNum(b(0, 0, 0, 0, 1), false), /overflow/);
    assert.equal(decodeScriptNum(b(0, 0, 0, 0, 1), false, 5), 2 ** 32);
    assert.equal(decodeScriptNum(b(0xff, 0xff, 0xff, 0xff, 0x7f), true, 5), 2 ** 39 - 1);
    assert.equal(decodeScriptNum(b(0xff, 0xff, 0xff, 0xff, 0xff), true, 5), -(2 ** 39 - 1));
    throwsNum(() => decodeScriptNum(b(1, 0, 0, 0, 0, 1), false, 5), /overflow/);
  });

  test('the empty vector is zero; every byte counts with its place value', () => {
    assert.equal(decodeScriptNum(b(), true), 0);
    assert.equal(decodeScriptNum(b(0x01), true), 1);
    assert.equal(decodeScriptNum(b(0x81), true), -1);
    assert.equal(decodeScriptNum(b(0x7f), true), 127);
    assert.equal(decodeScriptNum(b(0x80, 0x00), true), 128);
    assert.equal(decodeScriptNum(b(0x80, 0x80), true), -128);
    assert.equal(decodeScriptNum(b(0x34, 0x12), true), 0x1234);
    assert.equal(decodeScriptNum(b(0x34, 0x92), true), -0x1234);
    assert.equal(decodeScriptNum(b(0x78, 0x56, 0x34, 0x12), true), 0x12345678);
    assert.equal(decodeScriptNum(b(0x78, 0x56, 0x34, 0x92), true), -0x12345678);
  });

  test('MINIMALDATA: a last byte of 0x00/0x80 only when the byte before has its top bit set', () => {
    for (const v of [b(0x00), b(0x80), b(0x01, 0x00), b(0x01, 0x80), b(0x7f, 0x00), b(0x00, 0x00, 0x00), b(0xff, 0x00, 0x00), b(0xff, 0x7f, 0x80)]) {
      throwsNum(() => decodeScriptNum(v, true), /non-minimally/);
    }
    // Without MINIMALDATA the same bytes decode (negative zero is zero).
    assert.equal(decodeScriptNum(b(0x00), false), 0);
    assert.equal(decodeScriptNum(b(0x80), false) + 0, 0);
    assert.equal(decodeScriptNum(b(0x01, 0x00), false), 1);
    assert.equal(decodeScriptNum(b(0x01, 0x80), false), -1);
    assert.equal(decodeScriptNum(b(0xff, 0x7f, 0x80), false), -0x7fff);
    // Needed sign bytes are minimal.
    assert.equal(decodeScriptNum(b(0xff, 0x00), true), 255);
    assert.equal(decodeScriptNum(b(0xff, 0x80), true), -255);
    assert.equal(decodeScriptNum(b(0x00, 0x80, 0x00), true), 0x8000);
    // A high last byte that is not 0x00/0x80 needs no check.
    assert.equal(decodeScriptNum(b(0x00, 0x81), true), -0x100);
    assert.equal(decodeScriptNum(b(0x00, 0x01), true), 0x100);
  });
});

describe('CScriptNum::serialize', () => {
  const cases: [number, number[]][] = [
    [0, []], [1, [0x01]], [-1, [0x81]], [127, [0x7f]], [-127, [0xff]], [128, [0x80, 0x00]], [-128, [0x80, 0x80]],
    [255, [0xff, 0x00]], [256, [0x00, 0x01]], [-256, [0x00, 0x81]], [0x7fff, [0xff, 0x7f]], [0x8000, [0x00, 0x80, 0x00]],
    [-0x8000, [0x00, 0x80, 0x80]], [2147483647, [0xff, 0xff, 0xff, 0x7f]], [-2147483647, [0xff, 0xff, 0xff, 0xff]],
    [2147483648, [0x00, 0x00, 0x00, 0x80, 0x00]], [-2147483648, [0x00, 0x00, 0x00, 0x80, 0x80]], [2 ** 32, [0, 0, 0, 0, 1]],
  ];
  for (const [n, bytes] of cases) {
    test(`${n}`, () => {
      const e = encodeScriptNum(n);
      assert.deepEqual(e, Uint8Array.from(bytes));
      assert.equal(decodeScriptNum(e, true, 5), n);
    });
  }
});

describe('CastToBool', () => {
  test('any non-zero byte is true except a lone sign bit in the last byte', () => {
    assert.equal(castToBool(b()), false);
    assert.equal(castToBool(b(0)), false);
    assert.equal(castToBool(b(0, 0, 0)), false);
    assert.equal(castToBool(b(0x80)), false);
    assert.equal(castToBool(b(0, 0, 0x80)), false);
    assert.equal(castToBool(b(1)), true);
    assert.equal(castToBool(b(0x81)), true);
    assert.equal(castToBool(b(0x80, 0)), true);
    assert.equal(castToBool(b(0, 0x80, 0)), true);
    assert.equal(castToBool(b(0, 0, 1)), true);
    assert.equal(castToBool(b(0x80, 0x80)), true);
  });
});
