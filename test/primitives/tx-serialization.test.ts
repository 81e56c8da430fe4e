/**
 * Transaction codec: Core's UnserializeTransaction/SerializeTransaction with BIP144 witness
 * serialization, txid/wtxid, BIP141 weight and vsize, and every DecodeError code.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { concatBytes, fromHex, hashToHex, toHex } from '../../src/primitives/bytes.ts';
import { compactSizeLength } from '../../src/primitives/codec.ts';
import { DecodeError } from '../../src/primitives/decode-error.ts';
import { decodeTx, encodeTx, isCoinBase, makeTx, txidHex, wtxidHex, type Transaction } from '../../src/primitives/tx.ts';
import { readVector } from './vectors.ts';

// bcoin test/tx-test.js `inp`: the transaction tx7 spends.
const TX7_PARENT =
  '01000000052fa236559f51f343f0905ea627a955f421a198541d928798b8186980273942ec010000006b483045022100ae27626778eba264d56883f5' +
  'edc1a49897bf209e98f21c870a55d13bec916e1802204b66f4e3235143d11aef327d9454754cd1f28807c3bf9996c107900df9d19ea60121022ebabe' +
  'fede28804b331608d8ef11e1d65b5a920720db8a644f046d156b3a73c0ffffffffe2136f72e4a25e300137b98b402cda91db5c6db6373ba81c722ae1' +
  'a85315b591000000006b483045022100f84293ea9bfb6d150f3a72d8b5ceb294a77b31442bf9d4ab2058f046a9b65a9f022075935dc0a6a628df26eb' +
  'b7215634fd33b65f4da105665595028837680b87ea360121039708df196709c5041dc9a26457a0cfa303076329f389687bdc9709d5862fd664ffffff' +
  'fff6e67655a42a2f955ec8610940c983042516c32298e57684b3c29fcade7e637a000000006a47304402203bbfb53c3011d742f3f942db18a44d8c3d' +
  'd111990ee7cc42959383dd7a3e8e8d02207f0f5ed3e165d9db81ac69d36c60a1a4a482f22cb0048dafefa5e704e84dd18e0121039708df196709c504' +
  '1dc9a26457a0cfa303076329f389687bdc9709d5862fd664ffffffff9a02e72123a149570c11696d3c798593785e95b8a3c3fc49ae1d07d809d94d5a' +
  '000000006b483045022100ad0e6f5f73221aa4eda9ad82c7074882298bcf668f34ae81126df0213b2961850220020ba23622d75fb8f95199063b804f' +
  '62ba103545af4e16b5be0b6dc0cb51aac60121039708df196709c5041dc9a26457a0cfa303076329f389687bdc9709d5862fd664ffffffffd7db5a38' +
  '72589ca8aa3cd5ebb0f22dbb3956f8d691e15dc010fe1093c045c3de000000006b48304502210082b91a67da1f02dcb0d00e63b67f10af8ba9639b16' +
  '5f9ff974862a9d4900e27c022069e4a58f591eb3fc7d7d0b176d64d59e90aef0c601b3c84382abad92f6973e630121039708df196709c5041dc9a264' +
  '57a0cfa303076329f389687bdc9709d5862fd664ffffffff0254150000000000001976a9140740345f114e1a1f37ac1cc442b432b91628237e88ac4b' +
  '0f7c00000000001976a91495ad422bb5911c2c9fe6ce4f82a13c85f03d9b2e88ac00000000';
const TX_FILES = ['tx1', 'tx2', 'tx3', 'tx4', 'tx5', 'tx6', 'tx7', 'tx8', 'tx9', 'tx10'];
const raw = (name: string) => readVector(`bcoin/${name}.raw`);
const dsha = (b: Uint8Array) => nobleSha256(nobleSha256(b));

function decodeCode(bytes: Uint8Array): string {
  try {
    decodeTx(bytes);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    return e.code;
  }
  return 'ok';
}

/** Witness section size computed by hand from the items: Σ (CompactSize(n) + Σ varBytes). */
function witnessBytes(tx: Transaction): number {
  let n = 0;
  for (const i of tx.inputs) {
    n += compactSizeLength(i.witness.length);
    for (const w of i.witness) n += compactSizeLength(w.length) + w.length;
  }
  return n;
}

/** version ‖ [marker flag] ‖ vin ‖ vout ‖ [witness] ‖ locktime, written out by hand. */
function handSerialize(tx: Transaction, marker: Uint8Array | null, witness: Uint8Array | null): Uint8Array {
  const cs = (n: number) => (n < 0xfd ? Uint8Array.of(n) : Uint8Array.of(0xfd, n & 0xff, n >> 8));
  const u32 = (v: number) => Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
  const parts: Uint8Array[] = [u32(tx.version)];
  if (marker) parts.push(marker);
  parts.push(cs(tx.inputs.length));
  for (const i of tx.inputs) parts.push(i.prevout.txid, u32(i.prevout.vout), cs(i.scriptSig.length), i.scriptSig, u32(i.sequence));
  parts.push(cs(tx.outputs.length));
  for (const o of tx.outputs) {
    const v = BigInt.asUintN(64, o.value);
    parts.push(u32(Number(v & 0xffffffffn)), u32(Number(v >> 32n)), cs(o.scriptPubKey.length), o.scriptPubKey);
  }
  if (witness) parts.push(witness);
  parts.push(u32(tx.locktime));
  return concatBytes(...parts);
}

describe('decode real transactions (bcoin test data)', () => {
  for (const name of TX_FILES) {
    test(`${name}: decode, re-encode byte-exact, txid = SHA256d(no-witness serialization)`, () => {
      const bytes = raw(name);
      const tx = decodeTx(bytes);
      assert.deepEqual(tx.raw, bytes);
      assert.deepEqual(encodeTx(tx), bytes);
      assert.deepEqual(tx.txid, dsha(encodeTx(tx, false)));
      assert.deepEqual(tx.wtxid, dsha(bytes));
      assert.equal(tx.totalSize, bytes.length);
      assert.equal(tx.weight, tx.baseSize * 3 + tx.totalSize);
      assert.equal(tx.vsize, Math.ceil(tx.weight / 4));
      assert.equal(isCoinBase(tx), false);
      if (!tx.hasWitness) {
        assert.equal(tx.baseSize, bytes.length);
        assert.equal(tx.weight, 4 * bytes.length);
        assert.deepEqual(tx.txid, tx.wtxid);
      }
      const again = makeTx(tx);
      assert.deepEqual(again.txid, tx.txid);
    });
  }

  test('known ids and fields', () => {
    // bcoin tx-test.js "should verify tx.version == 0"
    assert.equal(decodeTx(raw('tx2')).version, 0);
    const tx7 = decodeTx(raw('tx7'));
    assert.equal(txidHex(tx7), '7f2dc9bcc0b1b0d19a4cb62d0f6474990c12a5b996d2fa2c4be54ca1beb5d339');
    assert.equal(tx7.inputs.length, 1);
    // tx7 spends output 1 of this parent (bcoin tx-test.js 'should be verifiable'): its txid,
    // computed by our decoder, must be the prevout tx7 names.
    const parent = decodeTx(fromHex(TX7_PARENT));
    assert.deepEqual(parent.txid, tx7.inputs[0]!.prevout.txid);
    assert.equal(tx7.inputs[0]!.prevout.vout, 1);
    assert.equal(parent.inputs.length, 5);
    assert.equal(toHex(parent.outputs[1]!.scriptPubKey), toHex(tx7.outputs[1]!.scriptPubKey));
    assert.equal(tx7.outputs.length, 2);
    assert.equal(tx7.outputs[0]!.value, 0x1554n);
    assert.equal(toHex(tx7.outputs[0]!.scriptPubKey), '76a9140740345f114e1a1f37ac1cc442b432b91628237e88ac');
    assert.equal(tx7.outputs[1]!.value, 0x7bd2e7n);
    assert.equal(tx7.locktime, 0);
    assert.equal(tx7.inputs[0]!.sequence, 0xffffffff);
  });

  test('tx5: the 62,138-byte witness tx (5 inputs, 1980 outputs), weight by hand', () => {
    const bytes = raw('tx5');
    const tx = decodeTx(bytes);
    assert.equal(tx.hasWitness, true);
    assert.equal(tx.inputs.length, 5);
    assert.equal(tx.outputs.length, 1980);
    assert.equal(tx.totalSize, 62138);
    // base size = total - marker/flag (2) - witness section
    const base = 62138 - 2 - witnessBytes(tx);
    assert.equal(tx.baseSize, base);
    assert.equal(tx.baseSize, encodeTx(tx, false).length);
    assert.equal(tx.weight, base * 3 + 62138);
    // bcoin tx-test.js: getWeight() 247250, getVirtualSize() 61813, witnessHash (internal order) 088c…94cf
    assert.equal(tx.weight, 247250);
    assert.equal(tx.vsize, 61813);
    assert.equal(wtxidHex(tx), 'cf948cce7835bcc9b42ddb8f9e8a6885839286f711c455f2058040d89c918c08');
    assert.notDeepEqual(tx.txid, tx.wtxid);
    assert.equal(txidHex(tx), hashToHex(dsha(handSerialize(tx, null, null))));
  });

  test('coinbase of the genesis block', () => {
    const cb = fromHex(
      '01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000',
    );
    const tx = decodeTx(cb);
    assert.equal(txidHex(tx), '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b');
    assert.equal(isCoinBase(tx), true);
    assert.equal(tx.outputs[0]!.value, 5000000000n);
  });
});

describe('DecodeError codes', () => {
  test('every prefix of a valid transaction is truncated', () => {
    for (const name of TX_FILES) {
      const bytes = raw(name);
      // tx5 is 62 KB: every prefix would be quadratic; take the first and last 400 and a stride.
      const lengths: number[] = [];
      for (let n = 0; n < bytes.length; n++) {
        if (bytes.length < 5000 || n < 400 || n > bytes.length - 400 || n % 211 === 0) lengths.push(n);
      }
      for (const n of lengths) {
        assert.equal(decodeCode(bytes.subarray(0, n)), 'truncated', `${name} prefix ${n}/${bytes.length}`);
      }
    }
  });

  test('trailing bytes after a valid transaction', () => {
    for (const name of ['tx1', 'tx5']) {
      const bytes = raw(name);
      assert.equal(decodeCode(concatBytes(bytes, Uint8Array.of(0))), 'trailing-bytes');
      assert.equal(decodeCode(concatBytes(bytes, bytes)), 'trailing-bytes');
    }
  });

  test('non-canonical CompactSize for the input count, a script length and a witness count', () => {
    const tx = decodeTx(raw('tx1'));
    const b = raw('tx1');
    // input count 0x01 at byte 4 → fd 01 00
    assert.equal(b[4], 1);
    assert.equal(decodeCode(concatBytes(b.subarray(0, 4), fromHex('fd0100'), b.subarray(5))), 'non-canonical-compactsize');
    // scriptSig length (1 byte at 41) → fd xx 00
    const len = tx.inputs[0]!.scriptSig.length;
    assert.ok(len < 0xfd && b[41] === len);
    assert.equal(decodeCode(concatBytes(b.subarray(0, 41), Uint8Array.of(0xfd, len, 0), b.subarray(42))), 'non-canonical-compactsize');
    // a witness stack count in tx5: the witness section starts after the outputs
    const w = raw('tx5');
    const t5 = decodeTx(w);
    const witStart = 2 + t5.baseSize - 4; // marker+flag, then vin/vout, minus locktime
    const n0 = t5.inputs[0]!.witness.length;
    assert.equal(w[witStart], n0);
    assert.equal(decodeCode(concatBytes(w.subarray(0, witStart), Uint8Array.of(0xfd, n0, 0), w.subarray(witStart + 1))), 'non-canonical-compactsize');
  });

  test('an oversize count (> MAX_SIZE) for inputs, outputs and scripts', () => {
    const b = raw('tx7');
    for (const big of ['fe01000002', 'feffffffff', 'ff0000000001000000']) {
      assert.equal(decodeCode(concatBytes(b.subarray(0, 4), fromHex(big), b.subarray(5))), 'oversize', big);
    }
    // output count in tx7 (1 input: 4 + 1 + 32 + 4 + 1 + 0x6b + 4 = 153)
    const outCountAt = 4 + 1 + 32 + 4 + 1 + b[41]! + 4;
    assert.equal(b[outCountAt], 2);
    assert.equal(decodeCode(concatBytes(b.subarray(0, outCountAt), fromHex('fe01000002'), b.subarray(outCountAt + 1))), 'oversize');
  });

  test('a count within MAX_SIZE but larger than the data is truncated', () => {
    const b = raw('tx7');
    assert.equal(decodeCode(concatBytes(b.subarray(0, 4), fromHex('fe00000002'), b.subarray(5))), 'truncated');
  });

  test('the witness flag with every witness empty: witness-flag-without-witness', () => {
    const tx = decodeTx(raw('tx5'));
    const empty = new Uint8Array(tx.inputs.length); // one 0x00 count per input
    const bytes = handSerialize(tx, Uint8Array.of(0, 1), empty);
    assert.equal(decodeCode(bytes), 'witness-flag-without-witness');
    // Same for a legacy tx given a marker and empty witnesses.
    const t1 = decodeTx(raw('tx1'));
    assert.equal(decodeCode(handSerialize(t1, Uint8Array.of(0, 1), new Uint8Array(t1.inputs.length))), 'witness-flag-without-witness');
    // Marker + flag + an empty vin and vout: no input can carry a witness.
    assert.equal(decodeCode(fromHex('01000000' + '0001' + '00' + '00' + '00000000')), 'witness-flag-without-witness');
    // A single non-empty stack anywhere is enough.
    const some = new Uint8Array(tx.inputs.length);
    const oneItem = concatBytes(some.subarray(0, tx.inputs.length - 1), fromHex('0101aa'));
    const ok = decodeTx(handSerialize(tx, Uint8Array.of(0, 1), oneItem));
    assert.equal(ok.hasWitness, true);
    assert.deepEqual(ok.inputs.at(-1)!.witness, [Uint8Array.of(0xaa)]);
    assert.deepEqual(ok.txid, tx.txid);
  });

  test('an unknown flag byte is invalid', () => {
    const tx = decodeTx(raw('tx1'));
    for (const flag of [2, 4, 0x80, 0xfe]) {
      assert.equal(decodeCode(handSerialize(tx, Uint8Array.of(0, flag), null)), 'invalid', `flag ${flag}`);
    }
    // flag 3: the witness bit is consumed, the other bit stays unknown (Core reads witnesses first).
    assert.equal(decodeCode(handSerialize(tx, Uint8Array.of(0, 3), fromHex('0101aa'))), 'invalid');
    assert.equal(decodeCode(handSerialize(tx, Uint8Array.of(0, 1), fromHex('0101aa'))), 'ok');
  });

  test('zero inputs: the 0x00 count is the segwit marker; flag 0 means an empty vin and vout', () => {
    const tx = decodeTx(fromHex('02000000' + '00' + '00' + 'ffffffff'));
    assert.equal(tx.version, 2);
    assert.equal(tx.inputs.length, 0);
    assert.equal(tx.outputs.length, 0);
    assert.equal(tx.locktime, 0xffffffff);
    assert.equal(tx.hasWitness, false);
    assert.equal(tx.weight, 40);
    // A zero-input tx with one output reads its output count (1) as the witness flag.
    const t7 = decodeTx(raw('tx7'));
    const zeroIn = encodeTx({ version: 1, inputs: [], outputs: t7.outputs.slice(0, 1), locktime: 0 });
    assert.equal(toHex(zeroIn.subarray(4, 6)), '0001');
    assert.notEqual(decodeCode(zeroIn), 'ok');
  });

  test('decoded fields are views into the input (no copies) and negative values decode', () => {
    const b = raw('tx1');
    const tx = decodeTx(b);
    assert.equal(tx.inputs[0]!.scriptSig.buffer, b.buffer);
    const neg = encodeTx({ ...tx, outputs: [{ value: -1n, scriptPubKey: new Uint8Array(0) }] });
    assert.equal(decodeTx(neg).outputs[0]!.value, -1n);
    const min = encodeTx({ ...tx, outputs: [{ value: -(1n << 63n), scriptPubKey: new Uint8Array(0) }] });
    assert.equal(decodeTx(min).outputs[0]!.value, -(1n << 63n));
  });
});
