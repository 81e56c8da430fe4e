/** Property tests for the block and header codecs (primitives/block.h) and merkle roots. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '../../src/primitives/bytes.ts';
import { ByteReader, ByteWriter, compactSizeLength } from '../../src/primitives/codec.ts';
import { DecodeError } from '../../src/primitives/decode-error.ts';
import { blockMerkleRoot, decodeBlock, decodeHeader, type Block } from '../../src/primitives/block.ts';
import { encodeTx, readTransaction, type Transaction, type TxFields } from '../../src/primitives/tx.ts';
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

/**
 * decodeBlock through the labelled reader alone (readTransaction for every transaction, no
 * fast path): the reference the fast path must match, value for value and error for error.
 */
function slowBlockTxs(bytes: Uint8Array): Transaction[] {
  const r = new ByteReader(bytes, 'block');
  r.bytes(80, 'block header');
  const n = r.count(10, 'transactions');
  const txs: Transaction[] = [];
  for (let i = 0; i < n; i++) txs.push(readTransaction(r));
  r.end();
  return txs;
}

/** decodeBlock and the reference agree: the same transactions, or the same DecodeError. */
function assertAsSlowPath(bytes: Uint8Array): void {
  const fast = decodeOrError(() => decodeBlock(bytes).txs);
  const slow = decodeOrError(() => slowBlockTxs(bytes));
  if (slow instanceof DecodeError || fast instanceof DecodeError) {
    assert.ok(fast instanceof DecodeError && slow instanceof DecodeError, `fast ${String(fast)}, slow ${String(slow)}`);
    assert.deepEqual([fast.code, fast.offset, fast.message], [slow.code, slow.offset, slow.message]);
    return;
  }
  assert.deepEqual(fast, slow);
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
        assertAsSlowPath(bytes);
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

  test("a block's transaction with the witness flag and only empty witnesses: Core's superfluous-witness error, as the reference", () => {
    const tx = (witnessCount: number): Uint8Array => {
      const w = new ByteWriter();
      w.u32(2).u8(0).u8(1).compactSize(1).bytes(new Uint8Array(32).fill(7)).u32(0).varBytes(new Uint8Array(0)).u32(0xffffffff);
      w.compactSize(1).i64(5000n).varBytes(Uint8Array.of(0x51));
      w.compactSize(witnessCount);
      for (let i = 0; i < witnessCount; i++) w.varBytes(Uint8Array.of(1, 2));
      return w.u32(0).finish();
    };
    for (const n of [0, 1]) {
      const bytes = new ByteWriter().bytes(new Uint8Array(80)).compactSize(2).bytes(tx(1)).bytes(tx(n)).finish();
      assertAsSlowPath(bytes);
      const e = decodeOrError(() => decodeBlock(bytes));
      if (n === 0) assert.ok(e instanceof DecodeError && e.code === 'witness-flag-without-witness', String(e));
      else assert.ok(!(e instanceof DecodeError) && e.txs[1]!.hasWitness);
    }
  });

  test('mutated real blocks: only DecodeError, and whatever decodes is canonical', () => {
    const seeds = [readVector('bcoin/block482683.raw'), readVector('bcoin/block898352.raw'), readVector('bcoin/block1.raw')];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (k, ms) => {
        const bytes = mutate(seeds[k]!, ms);
        const b = decodeOrError(() => decodeBlock(bytes));
        if (!(b instanceof DecodeError)) assertBlockCanonical(bytes, b);
        assertAsSlowPath(bytes);
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
        assertAsSlowPath(bytes);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});
