/**
 * bcoin's historical transactions (test/data/tx1..tx10 with their undo files), as bcoin's
 * test/tx-test.js uses them, through the public verifyScript / decodeTransaction /
 * checkTransaction. Undo files give the spent outputs, one per input, in input order.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hashToHex, toHex } from '../../src/primitives/bytes.ts';
import { encodeTx, type TxOut } from '../../src/primitives/tx.ts';
import { SCRIPT_VERIFY as F } from '../../src/script/flags.ts';
import { verifyScript, decodeTransaction, checkTransaction } from '../../mod.ts';
import { readVector } from '../util/vectors.ts';
import { parseBcoinUndo } from '../util/bcoin-undo.ts';
import { showFlags } from '../util/flags.ts';

/** bcoin's Script.flags.STANDARD_VERIFY_FLAGS (lib/script/common.js), tx.verify(view)'s default. */
const BCOIN_STANDARD = F.P2SH | F.DERSIG | F.STRICTENC | F.MINIMALDATA | F.NULLDUMMY |
  F.DISCOURAGE_UPGRADABLE_NOPS | F.CLEANSTACK | F.MINIMALIF | F.NULLFAIL | F.CHECKLOCKTIMEVERIFY |
  F.CHECKSEQUENCEVERIFY | F.LOW_S | F.WITNESS | F.DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM | F.WITNESS_PUBKEYTYPE;

function load(name: string, withUndo: boolean) {
  const raw = readVector(`bcoin/${name}.raw`);
  const tx = decodeTransaction(raw);
  let spent: TxOut[] = [];
  if (withUndo) {
    spent = parseBcoinUndo(readVector(`bcoin/${name}-undo.raw`));
    // applyTXUndo: 'Undo coins data inconsistency.' unless one record per input.
    assert.equal(spent.length, tx.inputs.length, `${name}: undo records vs inputs`);
  }
  const prevouts = spent.map((s) => ({ scriptPubKey: s.scriptPubKey, amount: s.value }));
  return { raw, tx, prevouts };
}

type Loaded = ReturnType<typeof load>;

function verifyAll(t: Loaded, flags: number): { ok: true } | { ok: false; input: number; error: string } {
  for (let i = 0; i < t.tx.inputs.length; i++) {
    const r = verifyScript({ tx: t.raw, index: i, prevouts: t.prevouts, flags });
    if (!r.ok) return { ok: false, input: i, error: r.error };
  }
  return { ok: true };
}

function assertValid(t: Loaded, flags: number, name: string): void {
  assert.deepEqual(verifyAll(t, flags), { ok: true }, `${name} with [${showFlags(flags)}]`);
}

describe('bcoin tx1-tx10', () => {
  test('tx1: non-minimal output, valid with P2SH', () => {
    const t = load('tx1', true);
    assert.ok(checkTransaction(t.raw).ok);
    assertValid(t, F.P2SH, 'tx1');
  });

  test('tx2: version 0, valid with P2SH', () => {
    const t = load('tx2', true);
    assert.equal(t.tx.version, 0);
    assert.ok(checkTransaction(t.raw).ok);
    assertValid(t, F.P2SH, 'tx2');
  });

  test('tx3: SIGHASH_SINGLE bug + FindAndDelete, valid with P2SH; CONST_SCRIPTCODE rejects it', () => {
    const t = load('tx3', true);
    assert.ok(t.tx.inputs.length > t.tx.outputs.length, 'input 1 has no matching output (SINGLE bug)');
    assertValid(t, F.P2SH, 'tx3');
    // The signature of input 1 is also pushed by the spent scriptPubKey: FindAndDelete removes it,
    // which CONST_SCRIPTCODE forbids (interpreter.cpp: SCRIPT_ERR_SIG_FINDANDDELETE).
    assert.deepEqual(verifyAll(t, F.P2SH | F.CONST_SCRIPTCODE), { ok: false, input: 1, error: 'SIG_FINDANDDELETE' });
  });

  test('tx4: high-S signature, valid with P2SH|DERSIG only, SIG_HIGH_S with LOW_S', () => {
    const t = load('tx4', true);
    const r = verifyScript({ tx: t.raw, index: 0, prevouts: t.prevouts, flags: F.P2SH | F.DERSIG });
    assert.deepEqual(r, { ok: true });
    const low = verifyScript({ tx: t.raw, index: 0, prevouts: t.prevouts, flags: F.P2SH | F.DERSIG | F.LOW_S });
    assert.deepEqual(low, { ok: false, error: 'SIG_HIGH_S' });
  });

  test('tx5: witness tx parses (5 inputs, 1980 outputs, sizes, weight, wtxid) and re-encodes', () => {
    const t = load('tx5', false);
    assert.equal(t.tx.inputs.length, 5);
    assert.equal(t.tx.outputs.length, 1980);
    assert.equal(t.tx.hasWitness, true);
    assert.notEqual(hashToHex(t.tx.txid), hashToHex(t.tx.wtxid));
    // bcoin's hash('hex') / witnessHash('hex') print internal byte order (not reversed).
    assert.equal(toHex(t.tx.wtxid), '088c919cd8408005f255c411f786928385688a9e8fdb2db4c9bc3578ce8c94cf');
    assert.equal(t.tx.totalSize, 62138);
    assert.equal(t.tx.vsize, 61813);
    assert.equal(t.tx.weight, 247250);
    assert.deepEqual(encodeTx(t.tx), t.raw);
    const again = decodeTransaction(encodeTx(t.tx));
    assert.equal(hashToHex(again.txid), hashToHex(t.tx.txid));
    assert.equal(hashToHex(again.wtxid), hashToHex(t.tx.wtxid));
  });

  test('tx6: "the coolest tx ever sent", valid with NONE', () => {
    const t = load('tx6', true);
    assertValid(t, F.NONE, 'tx6');
  });

  test("tx7: historical transaction, valid with tx.verify(view)'s default (bcoin standard flags)", () => {
    const t = load('tx7', true);
    assertValid(t, BCOIN_STANDARD, 'tx7');
  });

  for (const name of ['tx8', 'tx9']) {
    test(`${name}: parses, re-encodes byte for byte, passes CheckTransaction`, () => {
      const t = load(name, false);
      assert.equal(t.tx.hasWitness, false);
      assert.deepEqual(encodeTx(t.tx), t.raw);
      assert.equal(t.tx.weight, 4 * t.raw.length);
      assert.deepEqual(checkTransaction(t.raw), { ok: true });
    });
  }

  test('tx10: three bare-multisig spends, valid with P2SH', () => {
    const t = load('tx10', true);
    assert.equal(t.tx.inputs.length, 3);
    for (const p of t.prevouts) assert.equal(p.scriptPubKey[p.scriptPubKey.length - 1], 0xae, 'bare CHECKMULTISIG output');
    assertValid(t, F.P2SH, 'tx10');
  });

  test('a different spent script does not verify (the undo data matters)', () => {
    const t = load('tx7', true);
    const spk = t.prevouts[0]!.scriptPubKey.slice();
    spk[3]! ^= 1; // a byte of the P2PKH key hash
    const wrong = { ...t, prevouts: [{ ...t.prevouts[0]!, scriptPubKey: spk }] };
    assert.deepEqual(verifyAll(wrong, F.P2SH), { ok: false, input: 0, error: 'EQUALVERIFY' });
  });
});
