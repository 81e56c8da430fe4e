/**
 * The script helpers of src/script/script.ts against hand-written scripts: GetScriptOp
 * (readOp, truncated pushes of each push opcode), CScript::IsPushOnly, IsPayToScriptHash,
 * IsPayToAnchor, IsWitnessProgram (2..40-byte programs, versions 0..16), IsUnspendable
 * (MAX_SCRIPT_SIZE 10,000 at N-1/N/N+1), GetSigOpCount (fAccurate, 20 per multisig), the
 * P2SH sigop count of a scriptSig, CheckMinimalPush and CScript << vector (pushData).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkMinimalPush, decodeOpN, getP2SHSigOpCount, getSigOpCount, isP2SH, isPayToAnchor, isPushOnly, isUnspendable, pushData, readOp, witnessProgram,
} from '../../src/script/script.ts';

const b = (...x: number[]) => Uint8Array.from(x);
const fill = (n: number, v = 0x11) => new Uint8Array(n).fill(v);
const cat = (...parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('GetScriptOp (readOp)', () => {
  test('non-push opcodes and direct pushes', () => {
    assert.deepEqual(readOp(b(0x76, 0xa9), 0), { opcode: 0x76, data: undefined, start: 0, end: 1 });
    assert.deepEqual(readOp(b(0x76, 0x02, 0xaa, 0xbb), 1), { opcode: 0x02, data: b(0xaa, 0xbb), start: 1, end: 4 });
    assert.deepEqual(readOp(b(0x00), 0), { opcode: 0, data: b(), start: 0, end: 1 });
    assert.equal(readOp(b(0x76), 1), undefined);
    assert.equal(readOp(b(0x02, 0xaa), 0), undefined);
  });
  test('PUSHDATA1/2/4 with their little-endian lengths, and truncated', () => {
    assert.deepEqual(readOp(b(0x4c, 0x02, 1, 2), 0)?.data, b(1, 2));
    assert.deepEqual(readOp(b(0x4d, 0x02, 0x00, 1, 2), 0)?.data, b(1, 2));
    assert.deepEqual(readOp(cat([0x4d, 0x00, 0x01], fill(256)), 0)?.end, 259);
    assert.deepEqual(readOp(b(0x4e, 0x02, 0x00, 0x00, 0x00, 1, 2), 0)?.data, b(1, 2));
    assert.deepEqual(readOp(cat([0x4e, 0x00, 0x01, 0x00, 0x00], fill(256)), 0)?.end, 261);
    for (const s of [b(0x4c), b(0x4c, 0x02, 1), b(0x4d, 0x02), b(0x4d, 0x02, 0x00, 1), b(0x4e, 0x01, 0, 0), b(0x4e, 0x01, 0, 0, 0), b(0x4e, 0, 0, 0, 0x80, 1)]) {
      assert.equal(readOp(s, 0), undefined, Array.from(s).join(','));
    }
    assert.deepEqual(readOp(b(0x4c, 0x00), 0), { opcode: 0x4c, data: b(), start: 0, end: 2 });
    assert.deepEqual(readOp(b(0x4d, 0x00, 0x00), 0)?.end, 3);
    assert.deepEqual(readOp(b(0x4e, 0, 0, 0, 0), 0)?.end, 5);
  });
});

describe('CScript::IsPushOnly', () => {
  test('pushes, OP_1NEGATE, OP_RESERVED and OP_1..OP_16 are push-only; OP_NOP is not', () => {
    assert.equal(isPushOnly(b()), true);
    assert.equal(isPushOnly(b(0x00, 0x4f, 0x50, 0x51, 0x60, 0x01, 0xff, 0x4c, 0x01, 0x61)), true);
    assert.equal(isPushOnly(b(0x60, 0x61)), false);
    assert.equal(isPushOnly(b(0x61)), false);
  });
  test('a truncated push is not push-only, at any push opcode', () => {
    for (const s of [b(0x01), b(0x51, 0x02, 0x00), b(0x4c), b(0x4d, 0x01), b(0x4e, 0x01, 0, 0, 0), b(0x4e, 0x01, 0x00)]) assert.equal(isPushOnly(s), false);
  });
  test('PUSHDATA2/4 of zero bytes at the very end, and all four length bytes of PUSHDATA4', () => {
    assert.equal(isPushOnly(b(0x4d, 0x00, 0x00)), true);
    assert.equal(isPushOnly(b(0x4e, 0x00, 0x00, 0x00, 0x00)), true);
    assert.equal(isPushOnly(b(0x01, 0xff, 0x4e, 0x01, 0x00, 0x00, 0x00, 0x07)), true);
    assert.equal(isPushOnly(b(0x01, 0x00, 0x4d, 0x01, 0x00, 0x07)), true);
    assert.equal(getSigOpCount(b(0x4d, 0x01, 0x00, 0xac, 0xac), true), 1);
    assert.equal(getSigOpCount(b(0x01, 0xff, 0x4e, 0x01, 0x00, 0x00, 0x00, 0xac, 0xac), true), 1);
  });
});

describe('script templates', () => {
  const p2sh = cat([0xa9, 0x14], fill(20), [0x87]);
  test('IsPayToScriptHash: exactly OP_HASH160 <20> OP_EQUAL', () => {
    assert.equal(isP2SH(p2sh), true);
    for (const [i, v] of [[0, 0xaa], [1, 0x15], [22, 0x88]] as const) {
      const x = p2sh.slice(); x[i] = v;
      assert.equal(isP2SH(x), false, `byte ${i}`);
    }
    assert.equal(isP2SH(cat(p2sh, [0x87])), false);
    assert.equal(isP2SH(p2sh.subarray(0, 22)), false);
  });
  test('IsPayToAnchor: OP_1 <0x4e73>', () => {
    assert.equal(isPayToAnchor(b(0x51, 0x02, 0x4e, 0x73)), true);
    for (const x of [b(0x52, 0x02, 0x4e, 0x73), b(0x51, 0x03, 0x4e, 0x73), b(0x51, 0x02, 0x4f, 0x73), b(0x51, 0x02, 0x4e, 0x74), b(0x51, 0x02, 0x4e, 0x73, 0x00), b(0x51, 0x02, 0x4e)]) {
      assert.equal(isPayToAnchor(x), false);
    }
  });
  test('IsWitnessProgram: version OP_0 or OP_1..OP_16, one direct push of 2..40 bytes', () => {
    assert.deepEqual(witnessProgram(cat([0x00, 0x14], fill(20))), { version: 0, program: fill(20) });
    assert.deepEqual(witnessProgram(cat([0x51, 0x20], fill(32))), { version: 1, program: fill(32) });
    assert.deepEqual(witnessProgram(cat([0x60, 0x02], fill(2))), { version: 16, program: fill(2) });
    assert.deepEqual(witnessProgram(cat([0x52, 0x28], fill(40)))?.program.length, 40);
    assert.equal(witnessProgram(cat([0x00, 0x01], fill(1))), undefined);
    assert.equal(witnessProgram(cat([0x00, 0x29], fill(41))), undefined);
    for (const v of [0x4f, 0x50, 0x61, 0x01]) assert.equal(witnessProgram(cat([v, 0x14], fill(20))), undefined, `version byte ${v}`);
    assert.equal(witnessProgram(cat([0x00, 0x15], fill(20))), undefined);
    assert.equal(witnessProgram(cat([0x00, 0x13], fill(20))), undefined);
    assert.equal(witnessProgram(cat([0x00, 0x4c, 0x14], fill(20))), undefined);
  });
  test('IsUnspendable: OP_RETURN first, or larger than MAX_SCRIPT_SIZE (10,000)', () => {
    assert.equal(isUnspendable(b(0x6a)), true);
    assert.equal(isUnspendable(b(0x51, 0x6a)), false);
    assert.equal(isUnspendable(b()), false);
    assert.equal(isUnspendable(fill(9_999, 0x51)), false);
    assert.equal(isUnspendable(fill(10_000, 0x51)), false);
    assert.equal(isUnspendable(fill(10_001, 0x51)), true);
  });
  test('DecodeOP_N', () => {
    assert.equal(decodeOpN(0x00), 0);
    assert.equal(decodeOpN(0x51), 1);
    assert.equal(decodeOpN(0x60), 16);
  });
});

describe('GetSigOpCount', () => {
  test('CHECKSIG(VERIFY) count 1, CHECKMULTISIG(VERIFY) 20 or the preceding OP_n when accurate', () => {
    const s = b(0xac, 0xad, 0x53, 0xae, 0x60, 0xaf, 0x00, 0xae, 0x4f, 0xae, 0x51, 0x61, 0xae, 0xae);
    // inaccurate: 1 + 1 + 20 × 6; accurate: 1 + 1 + 3 + 16 + 20 (after OP_0) + 20 (OP_1NEGATE) + 20 (OP_NOP) + 20
    assert.equal(getSigOpCount(s, false), 122);
    assert.equal(getSigOpCount(s, true), 101);
    assert.equal(getSigOpCount(b(0x51, 0xae), true), 1);
    assert.equal(getSigOpCount(b(0x51, 0xaf), true), 1);
    assert.equal(getSigOpCount(b(0xae), true), 20);
  });
  test('pushed bytes are not opcodes; a truncated push ends the count', () => {
    assert.equal(getSigOpCount(b(0x02, 0xac, 0xac, 0xac), true), 1);
    assert.equal(getSigOpCount(b(0xac, 0x4c, 0x05, 0xac, 0xac), true), 1);
    assert.equal(getSigOpCount(b(0xac, 0xac, 0x4d, 0x01), false), 2);
  });
  test('P2SH: the accurate count of the redeem script, the last push of a push-only scriptSig', () => {
    const p2sh = cat([0xa9, 0x14], fill(20), [0x87]);
    const redeem = b(0x52, 0xac, 0xac, 0x52, 0xae);
    assert.equal(getP2SHSigOpCount(p2sh, cat([0x00, 0x01, 0xac], pushData(redeem))), 4);
    assert.equal(getP2SHSigOpCount(p2sh, cat(pushData(redeem), [0x00])), 0, 'the last push is OP_0: an empty script');
    assert.equal(getP2SHSigOpCount(p2sh, cat(pushData(redeem), [0x61])), 0, 'not push-only');
    assert.equal(getP2SHSigOpCount(p2sh, cat([0x61], pushData(redeem))), 0, 'not push-only, before the redeem script');
    assert.equal(getP2SHSigOpCount(p2sh, cat([0x60], pushData(redeem))), 4, 'OP_16 is a push');
    assert.equal(getP2SHSigOpCount(p2sh, cat(pushData(redeem), [0x51])), 0, 'OP_1 pushes no data');
    assert.equal(getP2SHSigOpCount(p2sh, b(0x05, 0xac)), 0, 'truncated');
    assert.equal(getP2SHSigOpCount(p2sh, b()), 0);
    assert.equal(getP2SHSigOpCount(b(0xac, 0x52, 0xae), cat(pushData(redeem))), 3, 'not P2SH: the scriptPubKey itself, accurately');
  });
});

describe('CheckMinimalPush and CScript << vector', () => {
  test('each size class has exactly one minimal push', () => {
    assert.equal(checkMinimalPush(b(), 0x00), true);
    assert.equal(checkMinimalPush(b(), 0x4c), false);
    for (let v = 1; v <= 16; v++) {
      assert.equal(checkMinimalPush(b(v), 0x50 + v), true);
      assert.equal(checkMinimalPush(b(v), 0x01), false);
    }
    assert.equal(checkMinimalPush(b(0x81), 0x4f), true);
    assert.equal(checkMinimalPush(b(0x81), 0x01), false);
    assert.equal(checkMinimalPush(b(0x81, 0x00), 0x02), true);
    assert.equal(checkMinimalPush(b(0x00), 0x01), true);
    assert.equal(checkMinimalPush(b(0x11), 0x01), true);
    assert.equal(checkMinimalPush(b(0x80), 0x01), true);
    assert.equal(checkMinimalPush(fill(75), 75), true);
    assert.equal(checkMinimalPush(fill(75), 0x4c), false);
    assert.equal(checkMinimalPush(fill(76), 0x4c), true);
    assert.equal(checkMinimalPush(fill(76), 0x4d), false);
    assert.equal(checkMinimalPush(fill(255), 0x4c), true);
    assert.equal(checkMinimalPush(fill(256), 0x4c), false);
    assert.equal(checkMinimalPush(fill(256), 0x4d), true);
    assert.equal(checkMinimalPush(fill(65535), 0x4d), true);
    assert.equal(checkMinimalPush(fill(65535), 0x4e), false);
    assert.equal(checkMinimalPush(fill(65536), 0x4e), true);
  });
  test('pushData picks the smallest push opcode', () => {
    assert.deepEqual(pushData(b()), b(0x00));
    assert.deepEqual(pushData(b(5)), b(0x01, 5));
    assert.deepEqual(pushData(fill(75)).subarray(0, 1), b(75));
    assert.deepEqual(pushData(fill(76)).subarray(0, 2), b(0x4c, 76));
    assert.deepEqual(pushData(fill(255)).subarray(0, 2), b(0x4c, 255));
    assert.deepEqual(pushData(fill(256)).subarray(0, 3), b(0x4d, 0x00, 0x01));
    assert.deepEqual(pushData(fill(65535)).subarray(0, 3), b(0x4d, 0xff, 0xff));
    const big = pushData(fill(65536 + 0x0203));
    assert.deepEqual(big.subarray(0, 5), b(0x4e, 0x03, 0x02, 0x01, 0x00));
    assert.equal(big.length, 5 + 65536 + 0x0203);
    assert.deepEqual(pushData(b(7, 8)), b(0x02, 7, 8));
  });
});
