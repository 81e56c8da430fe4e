/**
 * Core's consensus/tx_verify.cpp: IsFinalTx, BIP68 sequence locks, sigop counting
 * (legacy, P2SH, witness) and CheckTxInputs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  calculateSequenceLocks, checkTxInputs, evaluateSequenceLocks, getLegacySigOpCount, getP2SHSigOpCount,
  getTransactionSigOpCost, isFinalTx,
} from '../../src/consensus/tx-verify.ts';
import { countWitnessSigOps } from '../../src/consensus/witness-sigops.ts';
import { LOCKTIME_VERIFY_SEQUENCE, MAX_MONEY, SEQUENCE_LOCKTIME_DISABLE_FLAG, SEQUENCE_LOCKTIME_TYPE_FLAG } from '../../src/consensus/constants.ts';
import { makeTx, type TxFields, type TxIn } from '../../src/primitives/tx.ts';
import { concatBytes, fromHex } from '../../src/primitives/bytes.ts';
import { hash160, sha256 } from '../../src/primitives/hash.ts';
import { pushData } from '../../src/script/script.ts';
import { SCRIPT_VERIFY } from '../../src/script/flags.ts';
import type { Coin } from '../../src/utxo/coin.ts';

const input = (b: number, sequence = 0xffffffff, scriptSig: Uint8Array = new Uint8Array(0), witness: Uint8Array[] = []): TxIn =>
  ({ prevout: { txid: new Uint8Array(32).fill(b), vout: 0 }, scriptSig, sequence, witness });
const tx = (f: Partial<TxFields>) => makeTx({ version: 2, inputs: [input(1)], outputs: [{ value: 1n, scriptPubKey: Uint8Array.of(0x51) }], locktime: 0, ...f });

test('IsFinalTx: zero, height and time locks, all-final sequences', () => {
  assert.ok(isFinalTx(tx({ locktime: 0, inputs: [input(1, 0)] }), 100, 0));
  const h = tx({ locktime: 100, inputs: [input(1, 0)] });
  assert.ok(!isFinalTx(h, 100, 2e9)); // strictly below the height
  assert.ok(isFinalTx(h, 101, 0));
  const t = tx({ locktime: 500_000_000 + 10, inputs: [input(1, 0)] });
  assert.ok(!isFinalTx(t, 1e6, 500_000_010));
  assert.ok(isFinalTx(t, 0, 500_000_011));
  // every input SEQUENCE_FINAL: final regardless
  assert.ok(isFinalTx(tx({ locktime: 100, inputs: [input(1), input(2)] }), 1, 0));
  assert.ok(!isFinalTx(tx({ locktime: 100, inputs: [input(1), input(2, 0xfffffffe)] }), 1, 0));
});

test('BIP68: height and time locks, disable flag, version < 2, flag off', () => {
  const mtp = (h: number) => 1_000_000 + h * 600;
  // height lock of 10 on a coin at height 50 → minHeight 59
  const t = tx({ inputs: [input(1, 10), input(2, SEQUENCE_LOCKTIME_DISABLE_FLAG | 5)] });
  const heights = [50, 70];
  const lock = calculateSequenceLocks(t, LOCKTIME_VERIFY_SEQUENCE, heights, mtp);
  assert.deepEqual(lock, { minHeight: 59, minTime: -1 });
  assert.deepEqual(heights, [50, 0]); // disabled inputs' heights are zeroed, as Core
  assert.ok(!evaluateSequenceLocks(59, undefined, lock));
  assert.ok(evaluateSequenceLocks(60, undefined, lock));
  // time lock of 3 units (3*512 s) on a coin at height 50 → MTP of block 49 + 1536 - 1
  const tt = tx({ inputs: [input(1, SEQUENCE_LOCKTIME_TYPE_FLAG | 3)] });
  const tl = calculateSequenceLocks(tt, LOCKTIME_VERIFY_SEQUENCE, [50], mtp);
  assert.deepEqual(tl, { minHeight: -1, minTime: mtp(49) + 1536 - 1 });
  assert.ok(!evaluateSequenceLocks(1000, mtp(49) + 1535, tl));
  assert.ok(evaluateSequenceLocks(1000, mtp(49) + 1536, tl));
  // version 1 or without LOCKTIME_VERIFY_SEQUENCE: nothing enforced
  assert.deepEqual(calculateSequenceLocks(tx({ version: 1, inputs: [input(1, 10)] }), LOCKTIME_VERIFY_SEQUENCE, [50], mtp), { minHeight: -1, minTime: -1 });
  assert.deepEqual(calculateSequenceLocks(t, 0, [50, 70], mtp), { minHeight: -1, minTime: -1 });
  // version is unsigned: 0xffffffff >= 2
  assert.deepEqual(calculateSequenceLocks(tx({ version: 0xffffffff, inputs: [input(1, 10)] }), LOCKTIME_VERIFY_SEQUENCE, [50], mtp).minHeight, 59);
});

test('sigop counting: legacy (inaccurate), P2SH (accurate redeem script), witness', () => {
  const pk = new Uint8Array(33).fill(2);
  const ms2of3 = concatBytes(Uint8Array.of(0x52), pushData(pk), pushData(pk), pushData(pk), Uint8Array.of(0x53, 0xae));
  const p2sh = concatBytes(Uint8Array.of(0xa9, 0x14), hash160(ms2of3), Uint8Array.of(0x87));
  const p2wsh = concatBytes(Uint8Array.of(0x00, 0x20), sha256(ms2of3));
  const p2wpkh = concatBytes(Uint8Array.of(0x00, 0x14), new Uint8Array(20));
  const t = tx({
    inputs: [input(1, 0, concatBytes(Uint8Array.of(0x00), pushData(ms2of3))), input(2, 0, new Uint8Array(0), [new Uint8Array(0), ms2of3]), input(3, 0, new Uint8Array(0), [new Uint8Array(71), pk])],
    outputs: [{ value: 1n, scriptPubKey: fromHex('76a914' + '00'.repeat(20) + '88ac') }, { value: 1n, scriptPubKey: ms2of3 }],
  });
  // legacy: scriptSig push contains no ops; outputs: CHECKSIG 1 + CHECKMULTISIG 20
  assert.equal(getLegacySigOpCount(t), 21);
  const spent = [{ value: 1n, scriptPubKey: p2sh }, { value: 1n, scriptPubKey: p2wsh }, { value: 1n, scriptPubKey: p2wpkh }];
  assert.equal(getP2SHSigOpCount(t, spent), 3);
  assert.equal(countWitnessSigOps(t.inputs[1]!.scriptSig, p2wsh, t.inputs[1]!.witness, SCRIPT_VERIFY.P2SH | SCRIPT_VERIFY.WITNESS), 3);
  assert.equal(countWitnessSigOps(new Uint8Array(0), p2wpkh, [], SCRIPT_VERIFY.P2SH | SCRIPT_VERIFY.WITNESS), 1);
  // P2SH-wrapped P2WPKH
  const nested = concatBytes(Uint8Array.of(0xa9, 0x14), hash160(p2wpkh), Uint8Array.of(0x87));
  assert.equal(countWitnessSigOps(pushData(p2wpkh), nested, [], SCRIPT_VERIFY.P2SH | SCRIPT_VERIFY.WITNESS), 1);
  assert.equal(countWitnessSigOps(pushData(p2wpkh), nested, [], SCRIPT_VERIFY.P2SH), 0);
  // cost = 4*legacy + 4*p2sh + witness
  assert.equal(getTransactionSigOpCost(t, spent, SCRIPT_VERIFY.P2SH | SCRIPT_VERIFY.WITNESS), 4 * 21 + 4 * 3 + 3 + 1);
  assert.equal(getTransactionSigOpCost(t, spent, 0), 4 * 21);
});

test('CheckTxInputs: missing, coinbase maturity, value ranges, in below out, fee', () => {
  const coin = (value: bigint, height = 10, coinbase = false): Coin => ({ value, scriptPubKey: Uint8Array.of(0x51), height, coinbase });
  const t = tx({ inputs: [input(1), input(2)], outputs: [{ value: 100n, scriptPubKey: Uint8Array.of(0x51) }] });
  assert.equal((checkTxInputs(t, [coin(60n), undefined], 200) as { reason: string }).reason, 'bad-txns-inputs-missingorspent');
  assert.equal((checkTxInputs(t, [coin(60n, 150, true), coin(60n)], 249) as { reason: string }).reason, 'bad-txns-premature-spend-of-coinbase');
  assert.deepEqual(checkTxInputs(t, [coin(60n, 150, true), coin(60n)], 250), { ok: true, fee: 20n });
  assert.equal((checkTxInputs(t, [coin(MAX_MONEY + 1n), coin(1n)], 200) as { reason: string }).reason, 'bad-txns-inputvalues-outofrange');
  assert.equal((checkTxInputs(t, [coin(MAX_MONEY), coin(1n)], 200) as { reason: string }).reason, 'bad-txns-inputvalues-outofrange');
  assert.equal((checkTxInputs(t, [coin(50n), coin(49n)], 200) as { reason: string }).reason, 'bad-txns-in-belowout');
  assert.deepEqual(checkTxInputs(t, [coin(50n), coin(50n)], 200), { ok: true, fee: 0n });
});
