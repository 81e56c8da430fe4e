/**
 * Legacy signature hashes (SignatureHash, SigVersion::BASE): every row of Core's
 * sighash.json, as sighash_tests.cpp sighash_from_data runs them. The scriptCode is passed
 * as the raw bytes (OP_CODESEPARATORs are removed by the serializer), hashType is the full
 * int32 (negative values included), and the expected hash is in uint256 display order.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, hashToHex } from '../../src/primitives/bytes.ts';
import { decodeTx } from '../../src/primitives/tx.ts';
import { legacySighash, precomputeTxData } from '../../src/script/sighash.ts';
import { checkTransaction } from '../../src/consensus/tx-check.ts';
import { readVectorJson } from '../util/vectors.ts';

type Row = [string, string, number, number, string];
const all = readVectorJson<unknown[][]>('bitcoin-core/sighash.json');
const rows = all.filter((r) => r.length !== 1) as Row[];

test('sighash.json has 500 test rows', () => assert.equal(rows.length, 500));

describe('sighash.json', () => {
  rows.forEach((row, i) => {
    const [txHex, scriptHex, nIn, hashType, expected] = row;
    test(`#${i} nIn=${nIn} hashType=${hashType} -> ${expected.slice(0, 16)}…`, () => {
      const tx = decodeTx(fromHex(txHex));
      const ct = checkTransaction(tx);
      assert.ok(ct.ok, `CheckTransaction failed (${ct.ok ? '' : ct.reason}) for row ${JSON.stringify(row)}`);
      const got = hashToHex(legacySighash(tx, nIn, fromHex(scriptHex), hashType));
      assert.equal(got, expected, `row ${i} ${JSON.stringify([scriptHex, nIn, hashType])}: expected ${expected}, got ${got}`);
      // The precomputed path (used by the interpreter) gives the same digest.
      const pre = precomputeTxData(tx);
      assert.equal(hashToHex(legacySighash(tx, nIn, fromHex(scriptHex), hashType, pre)), expected, 'with precomputed data');
      assert.equal(hashToHex(legacySighash(tx, nIn, fromHex(scriptHex), hashType, pre)), expected, 'with precomputed data, second use');
    });
  });
});

describe('SIGHASH_SINGLE bug and out-of-range input', () => {
  const tx = decodeTx(fromHex(rows[0]![0]));
  const one = '0000000000000000000000000000000000000000000000000000000000000001';
  test('SINGLE with no matching output signs uint256 one', () => {
    const nIn = tx.outputs.length; // first input without an output, if any
    if (nIn < tx.inputs.length) assert.equal(hashToHex(legacySighash(tx, nIn, new Uint8Array(0), 3)), one);
    const noOuts = { ...tx, outputs: [] };
    assert.equal(hashToHex(legacySighash(noOuts, 0, new Uint8Array(0), 3)), one);
    assert.equal(hashToHex(legacySighash(noOuts, 0, new Uint8Array(0), 0x83)), one);
  });
  test('nIn past the inputs signs uint256 one', () => {
    assert.equal(hashToHex(legacySighash(tx, tx.inputs.length, new Uint8Array(0), 1)), one);
  });
  test('each call returns its own copy of one', () => {
    const noOuts = { ...tx, outputs: [] };
    for (const [nIn, hashType] of [[tx.inputs.length, 1], [0, 3]] as const) {
      const src = nIn === 0 ? noOuts : tx;
      legacySighash(src, nIn, new Uint8Array(0), hashType).fill(7);
      assert.equal(hashToHex(legacySighash(src, nIn, new Uint8Array(0), hashType)), one);
    }
  });
});

describe('scriptCode serialization (SerializeScriptCode)', () => {
  const tx = decodeTx(fromHex(rows[0]![0]));
  test('OP_CODESEPARATORs are left out, also before a push truncated by the end of the script', () => {
    // OP_CODESEPARATOR OP_1 OP_CODESEPARATOR OP_PUSHDATA1 5 0x01 (the push runs past the end).
    const withSeps = new Uint8Array([0xab, 0x51, 0xab, 0x4c, 0x05, 0x01]);
    const without = new Uint8Array([0x51, 0x4c, 0x05, 0x01]);
    assert.equal(hashToHex(legacySighash(tx, 0, withSeps, 1)), hashToHex(legacySighash(tx, 0, without, 1)));
  });
});
