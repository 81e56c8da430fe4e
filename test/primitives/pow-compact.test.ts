/** Compact difficulty (arith_uint256 SetCompact/GetCompact) and GetBlockProof (chain.cpp). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bitsToTarget, blockProof, decodeBlock, hashToBigInt, targetToBits } from '../../src/primitives/block.ts';
import { RAW_BLOCKS, readVector } from './vectors.ts';

describe('bitsToTarget / targetToBits', () => {
  test('genesis bits 0x1d00ffff', () => {
    const { target, negative, overflow } = bitsToTarget(0x1d00ffff);
    assert.equal(target, 0xffffn << 208n);
    assert.equal(target.toString(16).padStart(64, '0'), '00000000ffff0000000000000000000000000000000000000000000000000000');
    assert.equal(negative, false);
    assert.equal(overflow, false);
    assert.equal(targetToBits(target), 0x1d00ffff);
  });

  // Core src/test/arith_uint256_tests.cpp (bignum_SetCompact): [bits, target hex, GetCompact, negative, overflow]
  const CORE: [number, bigint, number, boolean, boolean][] = [
    [0, 0n, 0, false, false],
    [0x00123456, 0n, 0, false, false],
    [0x01003456, 0n, 0, false, false],
    [0x02000056, 0n, 0, false, false],
    [0x03000000, 0n, 0, false, false],
    [0x04000000, 0n, 0, false, false],
    [0x00923456, 0n, 0, false, false],
    [0x01803456, 0n, 0, false, false],
    [0x02800056, 0n, 0, false, false],
    [0x03800000, 0n, 0, false, false],
    [0x04800000, 0n, 0, false, false],
    [0x01123456, 0x12n, 0x01120000, false, false],
    [0x02123456, 0x1234n, 0x02123400, false, false],
    [0x03123456, 0x123456n, 0x03123456, false, false],
    [0x04123456, 0x12345600n, 0x04123456, false, false],
    [0x05009234, 0x92340000n, 0x05009234, false, false],
    [0x20123456, 0x123456n << 232n, 0x20123456, false, false],
  ];
  for (const [bits, target, compact, negative, overflow] of CORE) {
    test(`SetCompact(0x${bits.toString(16).padStart(8, '0')})`, () => {
      const r = bitsToTarget(bits);
      assert.equal(r.target, target);
      assert.equal(r.negative, negative);
      assert.equal(r.overflow, overflow);
      assert.equal(targetToBits(r.target), compact);
    });
  }

  test('negative and overflow flags (Core: 0x01fedcba, 0x04923456, 0xff123456)', () => {
    const a = bitsToTarget(0x01fedcba);
    assert.equal(a.target, 0x7en);
    assert.equal(a.negative, true);
    assert.equal(a.overflow, false);
    const b = bitsToTarget(0x04923456);
    assert.equal(b.target, 0x12345600n);
    assert.equal(b.negative, true);
    const c = bitsToTarget(0xff123456);
    assert.equal(c.negative, false);
    assert.equal(c.overflow, true);
    // Overflow boundaries: size 34 with one byte, 33 with two, 32 with three.
    assert.equal(bitsToTarget(0x220000ff).overflow, false);
    assert.equal(bitsToTarget(0x23000001).overflow, true);
    assert.equal(bitsToTarget(0x2100ffff).overflow, false);
    assert.equal(bitsToTarget(0x22000100).overflow, true);
    assert.equal(bitsToTarget(0x207fffff).overflow, false);
    assert.equal(bitsToTarget(0x21010000).overflow, true);
  });

  test('GetCompact never sets the sign bit (0x80 → 0x02008000)', () => {
    assert.equal(targetToBits(0x80n), 0x02008000);
    assert.equal(targetToBits(0x7fn), 0x017f0000);
  });

  test('round trip of normalised compacts', () => {
    for (const bits of [0x1d00ffff, 0x1b0404cb, 0x18058436, 0x207fffff, 0x1a0202f0, 0x03123456, 0x17034219]) {
      assert.equal(targetToBits(bitsToTarget(bits).target), bits, bits.toString(16));
    }
  });
});

describe('blockProof (GetBlockProof)', () => {
  test('genesis difficulty is 0x100010001 work', () => {
    assert.equal(blockProof(0x1d00ffff), 0x100010001n);
  });

  test('known values and zero for negative/overflow/zero targets', () => {
    assert.equal(blockProof(0x207fffff), 2n); // regtest: 2^256 / (0x7fffff << 232 + 1)
    assert.equal(blockProof(0x01010000), 1n << 255n); // target 1
    assert.equal(blockProof(0), 0n);
    assert.equal(blockProof(0x01803456), 0n); // zero target (not negative)
    assert.equal(blockProof(0x04923456), 0n); // negative
    assert.equal(blockProof(0xff123456), 0n); // overflow
  });

  test('equals (~target / (target + 1)) + 1 as Core computes it', () => {
    const MAX = (1n << 256n) - 1n;
    for (const bits of [0x1d00ffff, 0x18058436, 0x1903a30c, 0x1a0202f0, 0x05009234]) {
      const t = bitsToTarget(bits).target;
      assert.equal(blockProof(bits), (MAX - t) / (t + 1n) + 1n);
    }
  });
});

describe('proof of work of the real blocks', () => {
  for (const { file } of RAW_BLOCKS) {
    test(`${file}: hash <= target`, () => {
      const h = decodeBlock(readVector(file)).header;
      const { target, negative, overflow } = bitsToTarget(h.bits);
      assert.equal(negative || overflow, false);
      assert.ok(hashToBigInt(h.hash) <= target);
      assert.ok(blockProof(h.bits) > 0n);
    });
  }
});
