/**
 * Property tests for the transaction codec (Core's SerializeTransaction /
 * UnserializeTransaction, BIP144): round trips, the zero-input ambiguity, and
 * robustness against arbitrary and mutated bytes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { concatBytes, fromHex, toHex } from '../../src/primitives/bytes.ts';
import { DecodeError } from '../../src/primitives/decode-error.ts';
import { decodeTx, encodeTx, txHasWitness, type Transaction, type TxFields } from '../../src/primitives/tx.ts';
import { decodeOrError, mutate, mutationArb, txFieldsArb } from './fuzz-helpers.ts';
import { readVector } from './vectors.ts';

const dsha = (b: Uint8Array) => nobleSha256(nobleSha256(b));
const RUNS = 300;

function assertSameFields(d: TxFields, tx: TxFields): void {
  assert.equal(d.version, tx.version);
  assert.equal(d.locktime, tx.locktime);
  assert.equal(d.inputs.length, tx.inputs.length);
  assert.equal(d.outputs.length, tx.outputs.length);
  tx.inputs.forEach((i, k) => {
    const o = d.inputs[k]!;
    assert.deepEqual(o.prevout.txid, i.prevout.txid);
    assert.equal(o.prevout.vout, i.prevout.vout);
    assert.deepEqual(o.scriptSig, i.scriptSig);
    assert.equal(o.sequence, i.sequence);
    assert.deepEqual(o.witness, i.witness);
  });
  tx.outputs.forEach((x, k) => {
    assert.equal(d.outputs[k]!.value, x.value);
    assert.deepEqual(d.outputs[k]!.scriptPubKey, x.scriptPubKey);
  });
}

/** Any successful decode is canonical: re-encoding gives back exactly the input bytes. */
function assertCanonical(bytes: Uint8Array, d: Transaction): void {
  assert.deepEqual(encodeTx(d), bytes);
  assert.deepEqual(d.raw, bytes);
  assert.equal(d.totalSize, bytes.length);
  assert.equal(d.hasWitness, txHasWitness(d));
  const stripped = encodeTx(d, false);
  assert.equal(d.baseSize, stripped.length);
  assert.deepEqual(d.txid, dsha(stripped));
  assert.deepEqual(d.wtxid, dsha(bytes));
  assert.equal(d.weight, 3 * d.baseSize + d.totalSize);
  assert.equal(d.vsize, Math.ceil(d.weight / 4));
}

describe('tx codec properties', () => {
  test('encodeTx → decodeTx round-trips fields and bytes (modelling the zero-input ambiguity)', () => {
    fc.assert(
      fc.property(txFieldsArb, (tx) => {
        const bytes = encodeTx(tx);
        const d = decodeOrError(() => decodeTx(bytes));
        if (tx.inputs.length === 0 && tx.outputs.length > 0) {
          // Core's ambiguity: the empty vin's 0x00 reads as the segwit marker and the output
          // count's first byte as the flag. Flag 1 is the only one that can parse (as a witness
          // tx with inputs); any other flag is unknown optional data or runs out of bytes.
          assert.equal(bytes[4], 0);
          assert.equal(bytes[5], tx.outputs.length);
          if (d instanceof DecodeError) return;
          assert.equal(tx.outputs.length, 1);
          assert.equal(d.hasWitness, true);
          assert.ok(d.inputs.length > 0);
          assertCanonical(bytes, d);
          return;
        }
        assert.ok(!(d instanceof DecodeError), `decode failed: ${d instanceof DecodeError ? d.message : ''}`);
        assertSameFields(d, tx);
        assertCanonical(bytes, d);
        assert.equal(d.hasWitness, txHasWitness(tx));
        // Without witness flag set the txid and wtxid agree.
        if (!d.hasWitness) assert.deepEqual(d.txid, d.wtxid);
      }),
      { numRuns: RUNS },
    );
  });

  test('encodeTx(tx, false) decodes as the witness-stripped transaction (when not ambiguous)', () => {
    fc.assert(
      fc.property(txFieldsArb.filter((t) => t.inputs.length > 0), (tx) => {
        const d = decodeTx(encodeTx(tx, false));
        assert.equal(d.hasWitness, false);
        assertSameFields(d, { ...tx, inputs: tx.inputs.map((i) => ({ ...i, witness: [] })) });
        assert.deepEqual(d.txid, decodeTx(encodeTx(tx)).txid, 'the witness never changes the txid');
      }),
      { numRuns: RUNS / 2 },
    );
  });

  test('a zero-input, one-output tx can be crafted to decode as a different witness tx', () => {
    // X = the body of a 1-in, 0-out witness tx; split as an output: value = X[0..8], script = X[9..]
    const X = concatBytes(
      Uint8Array.of(1), // vin count
      Uint8Array.from({ length: 32 }, (_, i) => (i === 7 ? 37 : i)), // txid; byte 7 doubles as the script length
      Uint8Array.of(5, 0, 0, 0), Uint8Array.of(0), Uint8Array.of(0xff, 0xff, 0xff, 0xff), // vout, scriptSig, sequence
      Uint8Array.of(0), // vout count
      Uint8Array.of(1, 1, 0xaa), // witness: one item 0xaa
    );
    assert.equal(X.length - 9, 37);
    let value = 0n;
    for (let i = 7; i >= 0; i--) value = (value << 8n) | BigInt(X[i]!);
    const zeroIn: TxFields = { version: 2, inputs: [], outputs: [{ value: BigInt.asIntN(64, value), scriptPubKey: X.subarray(9) }], locktime: 7 };
    const bytes = encodeTx(zeroIn);
    const d = decodeTx(bytes);
    assert.equal(d.inputs.length, 1);
    assert.equal(d.outputs.length, 0);
    assert.equal(d.inputs[0]!.prevout.vout, 5);
    assert.deepEqual(d.inputs[0]!.witness, [Uint8Array.of(0xaa)]);
    assert.equal(d.locktime, 7);
    assertCanonical(bytes, d);
    assert.equal(toHex(encodeTx(d)), toHex(bytes));
  });

  test('arbitrary bytes: only DecodeError, and whatever decodes is canonical', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const d = decodeOrError(() => decodeTx(bytes));
        if (!(d instanceof DecodeError)) assertCanonical(bytes, d);
      }),
      { numRuns: RUNS * 3 },
    );
    // Byte strings that look like transactions: a version, a marker/flag or a count, then noise.
    const prefix = fc.constantFrom('01000000', '02000000', '0100000000', '010000000001', '01000000fd', '01000000fe', '01000000ff', '0200000001');
    fc.assert(
      fc.property(prefix, fc.uint8Array({ maxLength: 200 }), (p, rest) => {
        const bytes = concatBytes(fromHex(p), rest);
        const d = decodeOrError(() => decodeTx(bytes));
        if (!(d instanceof DecodeError)) assertCanonical(bytes, d);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  test('mutated valid transactions (bit flips, truncation, insertion, deletion, overwrite)', () => {
    const seeds = ['tx1', 'tx3', 'tx6', 'tx10'].map((n) => readVector(`bcoin/${n}.raw`));
    // A small real witness tx: the segwit spends of block482683 are too big; build one.
    const witnessSeed = encodeTx({
      version: 2,
      inputs: [{ prevout: { txid: new Uint8Array(32).fill(3), vout: 1 }, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [new Uint8Array(71).fill(0x30), new Uint8Array(33).fill(2)] }],
      outputs: [{ value: 12345n, scriptPubKey: Uint8Array.of(0, 20, ...new Uint8Array(20)) }],
      locktime: 0,
    });
    const all = [...seeds, witnessSeed];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: all.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (k, ms) => {
        const bytes = mutate(all[k]!, ms);
        const d = decodeOrError(() => decodeTx(bytes));
        if (!(d instanceof DecodeError)) assertCanonical(bytes, d);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  test('random txs with random mutations', () => {
    fc.assert(
      fc.property(txFieldsArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (tx, ms) => {
        const bytes = mutate(encodeTx(tx), ms);
        const d = decodeOrError(() => decodeTx(bytes));
        if (!(d instanceof DecodeError)) assertCanonical(bytes, d);
      }),
      { numRuns: RUNS },
    );
  });
});
