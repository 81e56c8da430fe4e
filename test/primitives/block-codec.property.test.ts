/** Property tests for the block and header codecs (primitives/block.h) and merkle roots. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '../../src/primitives/bytes.ts';
import { ByteWriter, compactSizeLength } from '../../src/primitives/codec.ts';
import { DecodeError } from '../../src/primitives/decode-error.ts';
import { blockMerkleRoot, decodeBlock, decodeHeader, type Block } from '../../src/primitives/block.ts';
import { encodeTx, type TxFields } from '../../src/primitives/tx.ts';
import { decodeOrError, mutate, mutationArb, txFieldsArb } from './fuzz-helpers.ts';
import { readVector } from './vectors.ts';

const dsha = (b: Uint8Array) => nobleSha256(nobleSha256(b));
const RUNS = 200;

/** Re-encoding a decoded block from its parts gives the input bytes back. */
function assertBlockCanonical(bytes: Uint8Array, b: Block): void {
  const w = new ByteWriter(bytes.length + 16);
  w.bytes(b.header.raw).compactSize(b.txs.length);
  for (const t of b.txs) {
    assert.deepEqual(encodeTx(t), t.raw);
    w.bytes(t.raw);
  }
  assert.deepEqual(w.finish(), bytes);
  assert.deepEqual(b.header.hash, dsha(bytes.subarray(0, 80)));
  const stripped = 80 + compactSizeLength(b.txs.length) + b.txs.reduce((s, t) => s + t.baseSize, 0);
  assert.equal(b.strippedSize, stripped);
  assert.equal(b.weight, 3 * stripped + bytes.length);
}

/** Txs that encode unambiguously (Core's zero-input ambiguity is covered in tx-codec.property). */
const blockTxArb: fc.Arbitrary<TxFields> = txFieldsArb.filter((t) => t.inputs.length > 0 || t.outputs.length === 0);

describe('header and block codec properties', () => {
  test('any 80 bytes decode as a header; fields read back little-endian, version signed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 80, maxLength: 80 }), (h) => {
        const d = decodeHeader(h);
        const dv = new DataView(h.buffer, h.byteOffset, 80);
        assert.equal(d.version, dv.getInt32(0, true));
        assert.deepEqual(d.prevHash, h.subarray(4, 36));
        assert.deepEqual(d.merkleRoot, h.subarray(36, 68));
        assert.equal(d.time, dv.getUint32(68, true));
        assert.equal(d.bits, dv.getUint32(72, true));
        assert.equal(d.nonce, dv.getUint32(76, true));
        assert.deepEqual(d.hash, dsha(h));
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }).filter((b) => b.length !== 80), (h) => {
        const e = decodeOrError(() => decodeHeader(h));
        assert.ok(e instanceof DecodeError);
        assert.equal(e.code, h.length < 80 ? 'truncated' : 'trailing-bytes');
      }),
      { numRuns: RUNS },
    );
  });

  test('blocks built from random txs round-trip; merkle root = recomputed from txids', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 80, maxLength: 80 }), fc.array(blockTxArb, { maxLength: 6 }), (hdr, txs) => {
        const raws = txs.map((t) => encodeTx(t));
        const w = new ByteWriter();
        w.bytes(hdr).compactSize(raws.length);
        for (const r of raws) w.bytes(r);
        const bytes = w.finish();
        const b = decodeBlock(bytes);
        assert.equal(b.txs.length, txs.length);
        b.txs.forEach((t, i) => assert.deepEqual(t.raw, raws[i]));
        assertBlockCanonical(bytes, b);
        const { root } = blockMerkleRoot(b);
        let level: Uint8Array[] = b.txs.map((t) => dsha(encodeTx(t, false)));
        if (level.length === 0) assert.deepEqual(root, new Uint8Array(32));
        while (level.length > 1) {
          const next: Uint8Array[] = [];
          for (let i = 0; i < level.length; i += 2) next.push(dsha(concatBytes(level[i]!, level[i + 1] ?? level[i]!)));
          level = next;
        }
        if (level.length) assert.deepEqual(root, level[0]);
      }),
      { numRuns: RUNS },
    );
  });

  test('mutated real blocks: only DecodeError, and whatever decodes is canonical', () => {
    const seeds = [readVector('bcoin/block482683.raw'), readVector('bcoin/block898352.raw'), readVector('bcoin/block1.raw')];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (k, ms) => {
        const bytes = mutate(seeds[k]!, ms);
        const b = decodeOrError(() => decodeBlock(bytes));
        if (!(b instanceof DecodeError)) assertBlockCanonical(bytes, b);
      }),
      { numRuns: RUNS },
    );
  });

  test('arbitrary bytes after a header: only DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 80, maxLength: 80 }), fc.uint8Array({ maxLength: 400 }), (hdr, body) => {
        const bytes = concatBytes(hdr, body);
        const b = decodeOrError(() => decodeBlock(bytes));
        if (!(b instanceof DecodeError)) assertBlockCanonical(bytes, b);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});
