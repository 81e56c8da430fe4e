/** Block and header codec (primitives/block.h), BIP141 block weight. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { concatBytes, hashToHex } from '../../src/primitives/bytes.ts';
import { compactSizeLength } from '../../src/primitives/codec.ts';
import { DecodeError } from '../../src/primitives/decode-error.ts';
import { decodeBlock, decodeHeader } from '../../src/primitives/block.ts';
import { isCoinBase } from '../../src/primitives/tx.ts';
import { RAW_BLOCKS, readBlk0to4, readVector } from './vectors.ts';

const dsha = (b: Uint8Array) => nobleSha256(nobleSha256(b));

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    return e.code;
  }
  return 'ok';
}

describe('decode every raw block in test/vectors', () => {
  for (const { file, hash, txs } of RAW_BLOCKS) {
    test(file, () => {
      const bytes = readVector(file);
      const b = decodeBlock(bytes);
      assert.equal(b.txs.length, txs);
      assert.deepEqual(b.header.raw, bytes.subarray(0, 80));
      assert.deepEqual(b.header.hash, dsha(bytes.subarray(0, 80)));
      if (hash) assert.equal(hashToHex(b.header.hash), hash);
      assert.equal(isCoinBase(b.txs[0]!), true);
      for (let i = 1; i < b.txs.length; i++) assert.equal(isCoinBase(b.txs[i]!), false);
      // The txs tile the block exactly.
      let o = 80 + compactSizeLength(b.txs.length);
      for (const t of b.txs) {
        assert.equal(t.raw.byteOffset - bytes.byteOffset, o);
        o += t.raw.length;
      }
      assert.equal(o, bytes.length);
      // Stripped size and BIP141 weight, by hand.
      const stripped = 80 + compactSizeLength(b.txs.length) + b.txs.reduce((s, t) => s + t.baseSize, 0);
      assert.equal(b.strippedSize, stripped);
      assert.equal(b.weight, stripped * 3 + bytes.length);
      if (!b.txs.some((t) => t.hasWitness)) {
        assert.equal(b.weight, 4 * bytes.length);
        assert.equal(b.strippedSize, bytes.length);
      } else {
        assert.ok(b.weight < 4 * bytes.length);
      }
      assert.equal(decodeHeader(bytes.subarray(0, 80)).bits, b.header.bits);
    });
  }

  test('block413567: 1557 txs, no witness, weight = 4 × size', () => {
    const bytes = readVector('bitcoin-core/block413567.raw');
    const b = decodeBlock(bytes);
    assert.equal(hashToHex(b.header.hash), '0000000000000000025aff8be8a55df8f89c77296db6198f272d6577325d4069');
    assert.equal(b.txs.length, 1557);
    assert.equal(b.raw.length, 999887);
    assert.equal(b.weight, 4 * 999887);
  });

  test('btcd blk_0_to_4.dat: genesis hash, header fields and chain linkage', () => {
    const blocks = readBlk0to4().map(decodeBlock);
    assert.equal(blocks.length, 5);
    const g = blocks[0]!;
    assert.equal(hashToHex(g.header.hash), '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
    assert.equal(g.header.version, 1);
    assert.equal(g.header.time, 1231006505);
    assert.equal(g.header.bits, 0x1d00ffff);
    assert.equal(g.header.nonce, 2083236893);
    assert.deepEqual(g.header.prevHash, new Uint8Array(32));
    assert.equal(hashToHex(g.header.merkleRoot), '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b');
    for (let i = 1; i < blocks.length; i++) assert.deepEqual(blocks[i]!.header.prevHash, blocks[i - 1]!.header.hash);
  });

  test('header version is signed (int32)', () => {
    const h = new Uint8Array(readVector('bcoin/block1.raw').subarray(0, 80));
    h[3] = 0xff;
    assert.equal(decodeHeader(h).version, (0xff000001 | 0));
    assert.ok(decodeHeader(h).version < 0);
  });
});

describe('block DecodeErrors', () => {
  const bytes = readVector('bcoin/block482683.raw');

  test('truncated: every prefix of the header, and prefixes across the body', () => {
    for (let n = 0; n < bytes.length; n += n < 200 ? 1 : 37) {
      assert.equal(code(() => decodeBlock(bytes.subarray(0, n))), 'truncated', `prefix ${n}`);
    }
    assert.equal(code(() => decodeBlock(bytes.subarray(0, bytes.length - 1))), 'truncated');
    for (let n = 0; n < 80; n++) assert.equal(code(() => decodeHeader(bytes.subarray(0, n))), 'truncated');
  });

  test('trailing bytes after a block or a header', () => {
    assert.equal(code(() => decodeBlock(concatBytes(bytes, Uint8Array.of(0)))), 'trailing-bytes');
    assert.equal(code(() => decodeHeader(bytes.subarray(0, 81))), 'trailing-bytes');
  });

  test('non-canonical and oversize tx counts', () => {
    const hdr = bytes.subarray(0, 80), body = bytes.subarray(81);
    assert.equal(bytes[80], 12);
    assert.equal(code(() => decodeBlock(concatBytes(hdr, Uint8Array.of(0xfd, 12, 0), body))), 'non-canonical-compactsize');
    assert.equal(code(() => decodeBlock(concatBytes(hdr, Uint8Array.of(0xfe, 1, 0, 0, 2), body))), 'oversize');
  });

  test('a block of tiny (invalid but decodable) transactions decodes: the count bound is the 10-byte minimum tx', () => {
    const tiny = Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0, 0); // version 1, no vin, flag 0, locktime 0
    const blk = concatBytes(bytes.subarray(0, 80), Uint8Array.of(3), tiny, tiny, tiny);
    const b = decodeBlock(blk);
    assert.equal(b.txs.length, 3);
    assert.equal(b.weight, 4 * blk.length);
  });

  test('a segwit tx inside a block with a bad flag is invalid', () => {
    const b = decodeBlock(bytes);
    const seg = b.txs.findIndex((t, i) => i > 0 && t.hasWitness);
    assert.ok(seg > 0);
    const at = b.txs[seg]!.raw.byteOffset - bytes.byteOffset + 5; // version, marker, then flag
    assert.equal(bytes[at], 1);
    const bad = new Uint8Array(bytes);
    bad[at] = 2;
    assert.equal(code(() => decodeBlock(bad)), 'invalid');
  });
});
