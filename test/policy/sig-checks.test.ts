// The signature-check bound the edge's per-request budget compares with
// (src/policy/sig-checks.ts): one per P2PKH, P2WPKH, P2SH-P2WPKH and taproot key-path
// input, n per n-key CHECKMULTISIG, 1 + the tapscript's CHECKSIG ops (bounded by the
// validation weight) per script-path input, 0 for an input whose prevout is unknown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTx } from '../../src/primitives/tx.ts';
import { makeTx, type TxFields } from '../../src/primitives/tx.ts';
import { fromHex } from '../../src/primitives/bytes.ts';
import { hash160, sha256 } from '../../src/primitives/hash.ts';
import { OP } from '../../src/script/opcodes.ts';
import { pushData } from '../../src/script/script.ts';
import { maxSignatureChecks } from '../../src/policy/sig-checks.ts';
import { manyCheckSigSpend, spends, taprootScriptPathSpend } from '../util/edge-fixtures.ts';
import { b, input, multisig, p2sh, p2wpkh, p2wsh, privKey, pubKey } from './helpers.ts';

const decoded = (body: { tx: string; prevouts: { scriptPubKey: string }[] }) =>
  [decodeTx(fromHex(body.tx)), body.prevouts.map((p) => fromHex(p.scriptPubKey))] as const;
const checks = (body: { tx: string; prevouts: { scriptPubKey: string }[] }) => maxSignatureChecks(...decoded(body));

function spend(scriptSig: Uint8Array, witness: Uint8Array[]) {
  const fields: TxFields = { version: 2, locktime: 0, inputs: [{ ...input(1), scriptSig, witness }], outputs: [{ value: 1n, scriptPubKey: p2wpkh(pubKey(privKey(2))) }] };
  return makeTx(fields);
}

test('standard spends: P2PKH, P2WPKH, P2TR key path 1; 2-of-3 P2WSH 3; P2TR script path 1 + 1', () => {
  assert.equal(checks(spends('p2pkh', 1)[0]!), 1);
  assert.equal(checks(spends('p2wpkh', 1)[0]!), 1);
  assert.equal(checks(spends('p2tr', 1)[0]!), 1);
  assert.equal(checks(spends('p2wsh-multisig', 1)[0]!), 3);
  assert.equal(checks(taprootScriptPathSpend()), 2);
  assert.equal(checks(manyCheckSigSpend(500)), 500);
});

test('inputs without a known prevout count nothing; inputs add up', () => {
  const [tx, spent] = decoded(spends('p2wsh-multisig', 1)[0]!);
  assert.equal(maxSignatureChecks(tx, []), 0);
  const two = makeTx({ version: 2, locktime: 0, inputs: [...tx.inputs, ...tx.inputs], outputs: tx.outputs });
  assert.equal(maxSignatureChecks(two, [spent[0], spent[0]]), 6);
  assert.equal(maxSignatureChecks(two, [undefined, spent[0]]), 3);
});

test('P2SH: the redeem script counts (accurately), P2SH-P2WPKH one, P2SH-P2WSH its witness script', () => {
  const keys = [1, 2, 3, 4].map((i) => pubKey(privKey(i)));
  const redeem = multisig(2, keys);
  assert.equal(maxSignatureChecks(spend(b(OP.OP_0, pushData(redeem)), []), [p2sh(redeem)]), 4);
  const wpkh = p2wpkh(keys[0]!);
  assert.equal(maxSignatureChecks(spend(pushData(wpkh), [new Uint8Array(71), keys[0]!]), [p2sh(wpkh)]), 1);
  const ws = multisig(1, keys.slice(0, 3));
  const wsh = p2wsh(sha256(ws));
  assert.equal(maxSignatureChecks(spend(pushData(wsh), [new Uint8Array(0), new Uint8Array(71), ws]), [p2sh(wsh)]), 3);
  // A bare CHECKMULTISIG without OP_n before it: 20 keys at most.
  assert.equal(maxSignatureChecks(spend(b(OP.OP_0), []), [b(OP.OP_CHECKMULTISIG)]), 20);
  // Ops in scriptSig run too.
  assert.equal(maxSignatureChecks(spend(b(OP.OP_CHECKSIG, OP.OP_CHECKSIG), []), [b(OP.OP_DUP, OP.OP_HASH160, 20, hash160(keys[0]!), OP.OP_EQUALVERIFY, OP.OP_CHECKSIG)]), 3);
});

test('tapscript: the validation weight bounds the count; the annex is not the control block', () => {
  const p2tr = b(OP.OP_1, 32, new Uint8Array(32));
  const control = Uint8Array.of(0xc0, ...new Uint8Array(32));
  const many = new Uint8Array(300).fill(OP.OP_CHECKSIGADD);
  // witness: script (3 bytes of CompactSize + 300) + control (1 + 33) + count (1) = 338, + 50 → 7 by weight.
  assert.equal(maxSignatureChecks(spend(new Uint8Array(0), [many, control]), [p2tr]), 1 + 7);
  // Two CHECKSIGs and two signatures: 1 + 65 + 65 + 3 + 34 + 50 = 218 → up to 4 by weight, 2 by count.
  const few = b(OP.OP_CHECKSIGVERIFY, OP.OP_CHECKSIG);
  const sig = new Uint8Array(64);
  assert.equal(maxSignatureChecks(spend(new Uint8Array(0), [sig, sig, few, control]), [p2tr]), 1 + 2);
  // Without the signatures the witness weighs 88: one check at most.
  assert.equal(maxSignatureChecks(spend(new Uint8Array(0), [few, control]), [p2tr]), 1 + 1);
  const annex = Uint8Array.of(0x50, 1, 2);
  assert.equal(maxSignatureChecks(spend(new Uint8Array(0), [sig, sig, few, control, annex]), [p2tr]), 1 + 2);
  assert.equal(maxSignatureChecks(spend(new Uint8Array(0), [new Uint8Array(64), annex]), [p2tr]), 1);
  // A leaf version other than tapscript: only the commitment.
  assert.equal(maxSignatureChecks(spend(new Uint8Array(0), [few, Uint8Array.of(0xc2, ...new Uint8Array(32))]), [p2tr]), 1);
  // Taproot wrapped in P2SH is not taproot (BIP341).
  const wrapped = b(OP.OP_1, 32, new Uint8Array(32));
  assert.equal(maxSignatureChecks(spend(pushData(wrapped), [new Uint8Array(64)]), [p2sh(wrapped)]), 0);
});

test('witness programs that are not P2WPKH, P2WSH or taproot count nothing; an empty P2WSH witness nothing', () => {
  const checks2 = b(OP.OP_CHECKSIG, OP.OP_CHECKSIG);
  const sig = new Uint8Array(64);
  // v0 with a 25-byte program: neither P2WPKH nor P2WSH (fails WITNESS_PROGRAM_WRONG_LENGTH).
  assert.equal(maxSignatureChecks(spend(new Uint8Array(0), [sig, checks2]), [b(OP.OP_0, 25, new Uint8Array(25))]), 0);
  assert.equal(maxSignatureChecks(spend(new Uint8Array(0), []), [p2wsh(sha256(checks2))]), 0);
  assert.equal(maxSignatureChecks(spend(new Uint8Array(0), [checks2]), [p2wsh(sha256(checks2))]), 2);
  // Version 2 and a 20-byte version 1 program: unencumbered (future upgrades), not taproot.
  assert.equal(maxSignatureChecks(spend(new Uint8Array(0), [sig]), [b(OP.OP_2, 32, new Uint8Array(32))]), 0);
  assert.equal(maxSignatureChecks(spend(new Uint8Array(0), [sig]), [b(OP.OP_1, 20, new Uint8Array(20))]), 0);
  // Taproot with an empty witness runs nothing (it fails at once).
  assert.equal(maxSignatureChecks(spend(new Uint8Array(0), []), [b(OP.OP_1, 32, new Uint8Array(32))]), 0);
});

test('taproot key path: one element is the signature even when it starts with the annex tag', () => {
  const p2tr = b(OP.OP_1, 32, new Uint8Array(32));
  const sig = new Uint8Array(64).fill(0x50);
  assert.equal(maxSignatureChecks(spend(new Uint8Array(0), [sig]), [p2tr]), 1);
  // With an annex after it: still the key path.
  assert.equal(maxSignatureChecks(spend(new Uint8Array(0), [sig, Uint8Array.of(0x50)]), [p2tr]), 1);
});

test('truncated pushes: a tapscript counts the ops before the truncation; a P2SH redeem script is the last whole push', () => {
  const p2tr = b(OP.OP_1, 32, new Uint8Array(32));
  const control = Uint8Array.of(0xc0, ...new Uint8Array(32));
  const sig = new Uint8Array(64);
  // witness 1 + 65 + 65 + 5 + 34 = 170, + 50 → 4 by weight; 2 CHECKSIGs before the truncated push.
  const truncated = b(OP.OP_CHECKSIG, OP.OP_CHECKSIG, 0x05, 0x01);
  assert.equal(maxSignatureChecks(spend(new Uint8Array(0), [sig, sig, truncated, control]), [p2tr]), 1 + 2);
  const wpkh = p2wpkh(pubKey(privKey(3)));
  assert.equal(maxSignatureChecks(spend(b(pushData(wpkh), 0x05, 0x01), [sig, pubKey(privKey(3))]), [p2sh(wpkh)]), 1);
});

test('scriptSig ops are counted accurately (OP_n CHECKMULTISIG is n); only P2SH looks inside the scriptSig', () => {
  assert.equal(maxSignatureChecks(spend(b(OP.OP_2, OP.OP_CHECKMULTISIG), []), [b(OP.OP_1)]), 2);
  // A bare script whose scriptSig pushes a witness program: no witness program is run.
  const wpkh = p2wpkh(pubKey(privKey(4)));
  assert.equal(maxSignatureChecks(spend(pushData(wpkh), [new Uint8Array(71), pubKey(privKey(4))]), [b(OP.OP_1)]), 0);
});
