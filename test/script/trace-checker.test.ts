/**
 * What a trace reports of each signature check (src/script/trace-checker.ts): the hash type
 * names, and the parts each algorithm hashed, on checks that fail (the signatures are
 * placeholders: a trace reports the message whether or not the signature matches it). The
 * message hashes are compared with @scure/btc-signer's preimages (legacy, BIP143, BIP341
 * with ANYONECANPAY, SINGLE and an annex), the sha_* parts with SHA256 over the fields as
 * BIP341 serializes them, written out here.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Transaction as ScureTransaction } from '@scure/btc-signer';
import { concatBytes, toHex } from '../../src/primitives/bytes.ts';
import { hash160, sha256 } from '../../src/primitives/hash.ts';
import { encodeTx, type TxFields, type TxOut } from '../../src/primitives/tx.ts';
import { SCRIPT_VERIFY as F } from '../../src/script/flags.ts';
import { sighashTypeName } from '../../src/script/trace-checker.ts';
import { traceInput, type SigCheckTrace } from '../../src/script/trace.ts';
import { keyPathSpend } from '../util/trace-spends.ts';

const b = (...x: number[]) => Uint8Array.from(x);
const u32 = (v: number) => b(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
const u64 = (v: bigint) => Uint8Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
const ser = (o: TxOut) => concatBytes(u64(o.value), b(o.scriptPubKey.length), o.scriptPubKey);

test('hash type names: BIP341 DEFAULT, base types masked as each algorithm masks them, ANYONECANPAY', () => {
  const cases: [number, boolean, string][] = [
    [0, true, 'DEFAULT'], [0, false, 'UNDEFINED(0x00)'], [1, false, 'ALL'], [2, false, 'NONE'], [3, false, 'SINGLE'], [1, true, 'ALL'],
    [0x81, false, 'ALL|ANYONECANPAY'], [0x82, true, 'NONE|ANYONECANPAY'], [0x83, true, 'SINGLE|ANYONECANPAY'],
    [0x21, false, 'ALL'], [0x21, true, 'UNDEFINED(0x21)'], [0x04, false, 'UNDEFINED(0x04)'], [0x84, true, 'UNDEFINED(0x84)|ANYONECANPAY'],
    [0x80, false, 'UNDEFINED(0x80)|ANYONECANPAY'], [0x40, true, 'UNDEFINED(0x40)'], [0x0f, false, 'UNDEFINED(0x0f)'],
  ];
  for (const [t, schnorr, name] of cases) assert.equal(sighashTypeName(t, schnorr), name, `0x${t.toString(16)} ${schnorr ? 'schnorr' : 'ecdsa'}`);
});

const KEY = b(2, ...new Uint8Array(32).fill(0x11));
const XKEY = new Uint8Array(32).fill(0x22);
const P2WPKH = concatBytes(b(0x00, 0x14), hash160(KEY));
const P2PKH = concatBytes(b(0x76, 0xa9, 0x14), hash160(KEY), b(0x88, 0xac));
const P2TR = concatBytes(b(0x51, 0x20), XKEY);
const spent: TxOut[] = [{ value: 70_000n, scriptPubKey: P2TR }, { value: 50_000n, scriptPubKey: P2WPKH }, { value: 30_000n, scriptPubKey: P2PKH }];

function txWith(nIn: number, scriptSig: Uint8Array, witness: Uint8Array[]): TxFields {
  const inputs: TxFields['inputs'] = spent.map((_, i) => ({ prevout: { txid: new Uint8Array(32).fill(0xa0 + i), vout: i * 3 + 1 }, scriptSig: b(), sequence: 0xfffffff0 - i, witness: [] }));
  inputs[nIn] = { ...inputs[nIn]!, scriptSig, witness };
  return { version: 2, inputs, outputs: [{ value: 1000n, scriptPubKey: b(0x51) }, { value: 2000n, scriptPubKey: b(0x52, 0x53) }, { value: 3000n, scriptPubKey: b(0x00, 0x14, ...new Uint8Array(20).fill(9)) }], locktime: 77 };
}
const scure = (tx: TxFields) => ScureTransaction.fromRaw(encodeTx(tx, false), { allowUnknownOutputs: true, allowUnknownInputs: true, disableScriptCheck: true });
const checksOf = (tx: TxFields, nIn: number, flags = F.P2SH | F.WITNESS | F.TAPROOT): SigCheckTrace[] => traceInput(tx, nIn, spent, flags).phases.flatMap((p) => p.sigchecks);

describe('BIP341 checks', () => {
  const sig = (t?: number) => (t === undefined ? new Uint8Array(64).fill(5) : b(...new Uint8Array(64).fill(5), t));

  test('SIGHASH_DEFAULT: every sha_* field, the input index, no annex', () => {
    const tx = txWith(0, b(), [sig()]);
    const [c] = checksOf(tx, 0);
    const i = tx.inputs;
    assert.deepEqual(c!.parts, {
      sha_prevouts: toHex(sha256(concatBytes(...i.map((x) => concatBytes(x.prevout.txid, u32(x.prevout.vout)))))),
      sha_amounts: toHex(sha256(concatBytes(...spent.map((s) => u64(s.value))))),
      sha_scriptpubkeys: toHex(sha256(concatBytes(...spent.map((s) => concatBytes(b(s.scriptPubKey.length), s.scriptPubKey))))),
      sha_sequences: toHex(sha256(concatBytes(...i.map((x) => u32(x.sequence))))),
      sha_outputs: toHex(sha256(concatBytes(...tx.outputs.map(ser)))),
      spend_type: 0, input_index: 0, sigMsg: c!.parts.sigMsg!,
    });
    assert.equal(c!.sighash, toHex(scure(tx).preimageWitnessV1(0, spent.map((s) => s.scriptPubKey), 0, spent.map((s) => s.value))));
    assert.deepEqual([c!.sighashType, c!.sighashTypeName, c!.result, c!.error, c!.pubkey], [0, 'DEFAULT', false, 'SCHNORR_SIG', toHex(XKEY)]);
    assert.ok(String(c!.parts.sigMsg).startsWith('0000'), 'epoch 0, hash type 0');
  });

  test('SINGLE|ANYONECANPAY with an annex: this input’s fields, the annex and its output only', () => {
    const annex = b(0x50, 0xaa, 0xbb);
    const tx = txWith(0, b(), [sig(0x83), annex]);
    const [c] = checksOf(tx, 0);
    const me = tx.inputs[0]!;
    assert.deepEqual(c!.parts, {
      spend_type: 1,
      outpoint: toHex(concatBytes(me.prevout.txid, u32(me.prevout.vout))),
      amount: 70_000, scriptPubKey: toHex(P2TR), nSequence: me.sequence,
      sha_annex: toHex(sha256(concatBytes(b(annex.length), annex))),
      sha_single_output: toHex(sha256(ser(tx.outputs[0]!))),
      sigMsg: c!.parts.sigMsg!,
    });
    assert.equal(c!.sighash, toHex(scure(tx).preimageWitnessV1(0, spent.map((s) => s.scriptPubKey), 0x83, spent.map((s) => s.value), -1, undefined, 0xc0, annex)));
    assert.equal(c!.sighashTypeName, 'SINGLE|ANYONECANPAY');
  });

  test('NONE: no outputs hashed; ALL|ANYONECANPAY: the outputs but no other input', () => {
    const none = checksOf(txWith(0, b(), [sig(0x02)]), 0)[0]!;
    assert.equal(none.parts.sha_outputs, undefined);
    assert.equal(none.parts.sha_single_output, undefined);
    assert.equal(none.parts.input_index, 0);
    assert.equal(typeof none.parts.sha_prevouts, 'string');
    const acp = checksOf(txWith(0, b(), [sig(0x81)]), 0)[0]!;
    assert.equal(typeof acp.parts.sha_outputs, 'string');
    assert.equal(acp.parts.sha_prevouts, undefined);
    assert.equal(acp.parts.input_index, undefined);
  });

  test('a passing check carries no error', () => {
    const s = keyPathSpend(false);
    const [c] = traceInput(s.tx, 0, s.spent, F.P2SH | F.WITNESS | F.TAPROOT).phases.flatMap((p) => p.sigchecks);
    assert.equal(c!.result, true);
    assert.equal('error' in c!, false);
  });

  test('no message for a wrong size or an undefined hash type', () => {
    const short = checksOf(txWith(0, b(), [new Uint8Array(63)]), 0)[0]!;
    assert.deepEqual([short.sighashType, short.sighashTypeName, short.sighash, short.parts, short.error], [null, null, null, {}, 'SCHNORR_SIG_SIZE']);
    const undef = checksOf(txWith(0, b(), [sig(0x04)]), 0)[0]!;
    assert.deepEqual([undef.sighashType, undef.sighashTypeName, undef.sighash, undef.parts, undef.error], [4, 'UNDEFINED(0x04)', null, {}, 'SCHNORR_SIG_HASHTYPE']);
  });
});

describe('ECDSA checks', () => {
  // DER-shaped placeholder (lax-parsable, r = s = 1) with the hash type appended; no DERSIG flag
  const sig = (t: number) => b(0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, t);
  const flags = F.P2SH | F.WITNESS;

  test('BIP143: the scriptCode, hashPrevouts, hashSequence, hashOutputs, the amount and nSequence', () => {
    const tx = txWith(1, b(), [sig(0x01), KEY]);
    const [c] = checksOf(tx, 1, flags);
    const code = concatBytes(b(0x76, 0xa9, 0x14), hash160(KEY), b(0x88, 0xac));
    const dsha = (x: Uint8Array) => sha256(sha256(x));
    assert.deepEqual(c!.parts, {
      scriptCode: toHex(code),
      hashPrevouts: toHex(dsha(concatBytes(...tx.inputs.map((x) => concatBytes(x.prevout.txid, u32(x.prevout.vout)))))),
      hashSequence: toHex(dsha(concatBytes(...tx.inputs.map((x) => u32(x.sequence))))),
      hashOutputs: toHex(dsha(concatBytes(...tx.outputs.map(ser)))),
      amount: 50_000, nSequence: tx.inputs[1]!.sequence,
    });
    assert.equal(c!.sighash, toHex(scure(tx).preimageWitnessV0(1, code, 0x01, 50_000n)));
    assert.deepEqual([c!.algorithm, c!.sighashType, c!.sighashTypeName, c!.result, c!.step], ['bip143', 1, 'ALL', false, 4]);
    const acp = checksOf(txWith(1, b(), [sig(0x83), KEY]), 1, flags)[0]!;
    assert.equal(acp.sighashTypeName, 'SINGLE|ANYONECANPAY');
    assert.equal(acp.sighash, toHex(scure(txWith(1, b(), [])).preimageWitnessV0(1, code, 0x83, 50_000n)));
  });

  test('legacy: the scriptCode only; the message as SignatureHash computes it', () => {
    const tx = txWith(2, concatBytes(b(sig(0x02).length), sig(0x02), b(KEY.length), KEY), []);
    const [c] = checksOf(tx, 2, flags);
    assert.deepEqual(c!.parts, { scriptCode: toHex(P2PKH) });
    const legacy = (scure(tx) as unknown as { preimageLegacy(i: number, s: Uint8Array, t: number): Uint8Array }).preimageLegacy(2, P2PKH, 0x02);
    assert.deepEqual([c!.algorithm, c!.sighash, c!.sighashTypeName], ['legacy', toHex(legacy), 'NONE']);
  });

  test('ECDSA hash types are named as legacy/BIP143 mask them: 0x00 is undefined (not DEFAULT), 0x21 is ALL', () => {
    assert.equal(checksOf(txWith(1, b(), [sig(0x00), KEY]), 1, flags)[0]!.sighashTypeName, 'UNDEFINED(0x00)');
    assert.equal(checksOf(txWith(1, b(), [sig(0x21), KEY]), 1, flags)[0]!.sighashTypeName, 'ALL');
  });

  test('an empty signature: no hash type and no message', () => {
    const tx = txWith(1, b(), [b(), KEY]);
    const [c] = checksOf(tx, 1, flags);
    assert.deepEqual([c!.sighashType, c!.sighashTypeName, c!.sighash, c!.signature, c!.result], [null, null, null, '', false]);
  });
});
