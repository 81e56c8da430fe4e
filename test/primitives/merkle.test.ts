/**
 * Merkle roots (consensus/merkle.cpp ComputeMerkleRoot, BlockMerkleRoot, BlockWitnessMerkleRoot),
 * CVE-2012-2459 mutation detection, and the BIP141 witness commitment.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { concatBytes, equalBytes, toHex } from '../../src/primitives/bytes.ts';
import { ByteWriter } from '../../src/primitives/codec.ts';
import { blockMerkleRoot, blockWitnessMerkleRoot, decodeBlock, merkleRoot, type Block } from '../../src/primitives/block.ts';
import { RAW_BLOCKS, readVector } from './vectors.ts';

const dsha = (b: Uint8Array) => nobleSha256(nobleSha256(b));

/** An independent recursive merkle root (no mutation tracking). */
function refRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return new Uint8Array(32);
  let level = leaves;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(dsha(concatBytes(level[i]!, level[i + 1] ?? level[i]!)));
    level = next;
  }
  return level[0]!;
}

/** Re-serializes a block with another tx list (the txs' original bytes). */
function blockWith(b: Block, txRaws: Uint8Array[]): Uint8Array {
  const w = new ByteWriter(b.raw.length + 1000);
  w.bytes(b.header.raw).compactSize(txRaws.length);
  for (const t of txRaws) w.bytes(t);
  return w.finish();
}

const WITNESS_COMMITMENT_HEADER = '6a24aa21a9ed';

/** BIP141 / Core's GetWitnessCommitmentIndex: the last coinbase output matching the header. */
function commitmentOutput(b: Block): Uint8Array | undefined {
  let found: Uint8Array | undefined;
  for (const o of b.txs[0]!.outputs) {
    if (o.scriptPubKey.length >= 38 && toHex(o.scriptPubKey.subarray(0, 6)) === WITNESS_COMMITMENT_HEADER) found = o.scriptPubKey;
  }
  return found;
}

describe('merkle root of every block matches its header', () => {
  for (const { file } of RAW_BLOCKS) {
    test(file, () => {
      const b = decodeBlock(readVector(file));
      const { root, mutated } = blockMerkleRoot(b);
      assert.deepEqual(root, b.header.merkleRoot);
      assert.equal(mutated, false);
      assert.deepEqual(root, refRoot(b.txs.map((t) => t.txid)));
    });
  }
});

describe('merkleRoot', () => {
  const leaf = (i: number) => dsha(Uint8Array.of(i));

  test('empty and single-leaf trees', () => {
    assert.deepEqual(merkleRoot([]), { root: new Uint8Array(32), mutated: false });
    assert.deepEqual(merkleRoot([leaf(1)]).root, leaf(1));
    assert.equal(merkleRoot([leaf(1)]).mutated, false);
  });

  test('matches an independent implementation for 1..40 leaves and does not modify its input', () => {
    for (let n = 1; n <= 40; n++) {
      const leaves = Array.from({ length: n }, (_, i) => leaf(i));
      const copy = leaves.map((l) => l.slice());
      const r = merkleRoot(leaves);
      assert.deepEqual(r.root, refRoot(leaves), `n=${n}`);
      assert.equal(r.mutated, false);
      assert.deepEqual(leaves, copy);
    }
  });

  test('two equal adjacent leaves at an even position are a mutation, at an odd position are not', () => {
    const a = leaf(1), b = leaf(2);
    assert.equal(merkleRoot([a, a]).mutated, true);
    assert.equal(merkleRoot([a, b, b]).mutated, false); // positions 1,2 are not a pair
    assert.equal(merkleRoot([a, b, a, b]).mutated, true); // level 1: H(a,b) twice
  });
});

describe('CVE-2012-2459: duplicated transactions keep the root and are detected', () => {
  test('odd tx count (block413567, 1557 txs): duplicating the last tx', () => {
    const b = decodeBlock(readVector('bitcoin-core/block413567.raw'));
    assert.equal(b.txs.length % 2, 1);
    const raws = b.txs.map((t) => t.raw);
    const mutatedBlock = decodeBlock(blockWith(b, [...raws, raws.at(-1)!]));
    assert.equal(mutatedBlock.txs.length, 1558);
    const r = blockMerkleRoot(mutatedBlock);
    assert.deepEqual(r.root, b.header.merkleRoot);
    assert.equal(r.mutated, true);
    assert.deepEqual(mutatedBlock.header.hash, b.header.hash, 'same header, same block hash');
  });

  test('odd count at level 1 (block898352, 10 txs): duplicating the last two txs', () => {
    const b = decodeBlock(readVector('bcoin/block898352.raw'));
    assert.equal(b.txs.length, 10);
    const raws = b.txs.map((t) => t.raw);
    const m = decodeBlock(blockWith(b, [...raws, raws[8]!, raws[9]!]));
    const r = blockMerkleRoot(m);
    assert.deepEqual(r.root, b.header.merkleRoot);
    assert.equal(r.mutated, true);
    // Duplicating only the last one changes the root.
    const m1 = blockMerkleRoot(decodeBlock(blockWith(b, [...raws, raws[9]!])));
    assert.equal(equalBytes(m1.root, b.header.merkleRoot), false);
  });

  test('odd count (block300025, 461 txs; level 1 has 231): last tx duplicated twice', () => {
    const b = decodeBlock(readVector('bcoin/block300025.raw'));
    const raws = b.txs.map((t) => t.raw);
    const r = blockMerkleRoot(decodeBlock(blockWith(b, [...raws, raws.at(-1)!, raws.at(-1)!])));
    assert.deepEqual(r.root, b.header.merkleRoot);
    assert.equal(r.mutated, true);
  });
});

describe('BIP141 witness merkle root and commitment', () => {
  const segwitBlocks = ['bcoin/block482683.raw', 'bcoin/block1087400.raw', 'bcoin/block928816.raw', 'bcoin/block928831.raw', 'bcoin/block928848.raw', 'bcoin/block928849.raw', 'bcoin/block928927.raw'];
  for (const file of segwitBlocks) {
    test(`${file}: SHA256d(witness root ‖ witness nonce) is in the coinbase`, () => {
      const b = decodeBlock(readVector(file));
      assert.ok(b.txs.some((t) => t.hasWitness));
      const commitment = commitmentOutput(b);
      assert.ok(commitment, 'coinbase has a witness commitment output');
      const nonce = b.txs[0]!.inputs[0]!.witness;
      assert.equal(nonce.length, 1);
      assert.equal(nonce[0]!.length, 32);
      const root = blockWitnessMerkleRoot(b);
      assert.deepEqual(root, refRoot(b.txs.map((t, i) => (i === 0 ? new Uint8Array(32) : t.wtxid))));
      assert.equal(toHex(commitment.subarray(6, 38)), toHex(dsha(concatBytes(root, nonce[0]!))));
    });
  }

  test('the witness root differs from the txid root when a tx has a witness', () => {
    const b = decodeBlock(readVector('bcoin/block482683.raw'));
    assert.notDeepEqual(blockWitnessMerkleRoot(b), blockMerkleRoot(b).root);
  });
});
