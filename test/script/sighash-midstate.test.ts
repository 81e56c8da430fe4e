import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsSha256Backend, nobleSha256Backend, setSha256Backend, sha256Backend } from '../../src/primitives/hash.ts';
import { toHex } from '../../src/primitives/bytes.ts';
import type { TxFields } from '../../src/primitives/tx.ts';
import { segwitV0Sighash, type PrecomputedTxData } from '../../src/script/sighash.ts';

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const txArb: fc.Arbitrary<TxFields> = fc.record({
  version: fc.nat({ max: 0xffffffff }),
  locktime: fc.nat({ max: 0xffffffff }),
  inputs: fc.array(fc.record({
    prevout: fc.record({ txid: bytes32, vout: fc.nat({ max: 0xffffffff }) }),
    scriptSig: fc.constant(new Uint8Array(0)),
    sequence: fc.nat({ max: 0xffffffff }),
    witness: fc.constant([] as Uint8Array[]),
  }), { minLength: 1, maxLength: 4 }),
  outputs: fc.array(fc.record({ value: fc.bigInt({ min: 0n, max: 21n * 10n ** 14n }), scriptPubKey: fc.uint8Array({ maxLength: 40 }) }), { maxLength: 4 }),
});
// Every base type (ALL, NONE, SINGLE, the undefined ones that act as ALL) with and without ANYONECANPAY.
const hashTypes = [0, 1, 2, 3, 4, 0x1f, 0x41, 0x80, 0x81, 0x82, 0x83, 0x84, 0xff, -1];

test('BIP143 sighashes through the per-transaction midstate equal the plain preimage hash, for every input and hash type of one shared PrecomputedTxData', () => {
  const prev = sha256Backend();
  try {
    fc.assert(fc.property(txArb, fc.uint8Array({ maxLength: 80 }), fc.bigInt({ min: 0n, max: 21n * 10n ** 14n }), (tx, scriptCode, amount) => {
      // The reference: a backend without midstates (the preimage hashed whole), nothing shared.
      setSha256Backend(nobleSha256Backend);
      const want = tx.inputs.flatMap((_, i) => hashTypes.map((t) => toHex(segwitV0Sighash(tx, i, scriptCode, amount, t))));
      setSha256Backend(jsSha256Backend);
      const pre: PrecomputedTxData = {};
      const got = tx.inputs.flatMap((_, i) => hashTypes.map((t) => toHex(segwitV0Sighash(tx, i, scriptCode, amount, t, pre))));
      assert.ok(pre.bip143Mid instanceof Int32Array, 'the midstate was used');
      assert.deepEqual(got, want);
      // Another transaction never meets this one's midstate: it has its own PrecomputedTxData.
      const other: TxFields = { ...tx, version: (tx.version + 1) >>> 0 };
      setSha256Backend(nobleSha256Backend);
      const wantOther = toHex(segwitV0Sighash(other, 0, scriptCode, amount, 1));
      setSha256Backend(jsSha256Backend);
      assert.equal(toHex(segwitV0Sighash(other, 0, scriptCode, amount, 1, {})), wantOther);
    }), { numRuns: 60 });
  } finally {
    setSha256Backend(prev);
  }
});
