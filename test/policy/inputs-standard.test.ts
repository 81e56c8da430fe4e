// AreInputsStandard (with v30's BIP54 legacy sigop limit) and IsWitnessStandard (policy/policy.cpp).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { areInputsStandard, evalPushOnly, isWitnessStandard, legacySigopsWithinBip54 } from '../../src/policy/inputs.ts';
import { OP } from '../../src/script/opcodes.ts';
import { pushData } from '../../src/script/script.ts';
import type { TxIn, TxOut } from '../../src/primitives/tx.ts';
import { b, input, multisig, P2A, p2pkh, p2sh, p2tr, p2wpkh, p2wsh, privKey, pubKey, tx } from './helpers.ts';

const k1 = pubKey(privKey(1));
const out = (spk: Uint8Array, value = 10_000n): TxOut => ({ value, scriptPubKey: spk });
const spend = (ins: TxIn[]) => tx({ inputs: ins, outputs: [out(p2wpkh(k1))] });
function inp(i: number, scriptSig: Uint8Array = b(), witness: Uint8Array[] = []): TxIn {
  return { ...input(i), scriptSig, witness };
}

describe('evalPushOnly (EvalScript of a push-only scriptSig with SCRIPT_VERIFY_NONE)', () => {
  test('pushes data and small numbers', () => {
    assert.deepEqual(evalPushOnly(b(0, OP.OP_1NEGATE, OP.OP_16, 2, 7, 8)), [b(), b(0x81), b(16), b(7, 8)]);
  });
  test('fails like EvalScript: truncated push, oversize push, OP_RESERVED', () => {
    assert.equal(evalPushOnly(b(5, 1)), undefined);
    assert.equal(evalPushOnly(b(OP.OP_PUSHDATA2, 0x09, 0x02, new Uint8Array(521))), undefined);
    assert.ok(evalPushOnly(b(OP.OP_PUSHDATA2, 0x08, 0x02, new Uint8Array(520))));
    assert.equal(evalPushOnly(b(OP.OP_RESERVED)), undefined);
  });
  test('every push opcode pushes, OP_PUSHDATA4 included', () => {
    assert.deepEqual(evalPushOnly(b(OP.OP_PUSHDATA1, 1, 7, OP.OP_PUSHDATA2, 1, 0, 8, OP.OP_PUSHDATA4, 1, 0, 0, 0, 9)), [b(7), b(8), b(9)]);
    assert.equal(evalPushOnly(b(OP.OP_NOP)), undefined);
  });
});

/** A coinbase: one input spending the null outpoint; it spends nothing, so no `spent` entry. */
function coinbase(witness: Uint8Array[] = []) {
  const cb: TxIn = { prevout: { txid: new Uint8Array(32), vout: 0xffffffff }, scriptSig: b(3, 1, 2, 3), sequence: 0xffffffff, witness };
  return tx({ inputs: [cb], outputs: [out(p2wpkh(k1))] });
}

describe('coinbase transactions have no inputs to check', () => {
  test('AreInputsStandard and IsWitnessStandard accept them without spent outputs', () => {
    assert.equal(areInputsStandard(coinbase(), []), true);
    assert.equal(isWitnessStandard(coinbase([new Uint8Array(32)]), []), true);
  });
});

describe('AreInputsStandard', () => {
  test('standard prevout types pass', () => {
    const t = spend([inp(1), inp(2), inp(3), inp(4)]);
    assert.equal(areInputsStandard(t, [out(p2pkh(k1)), out(p2wpkh(k1)), out(p2tr(new Uint8Array(32))), out(P2A)]), true);
  });
  test('spending NONSTANDARD or WITNESS_UNKNOWN outputs is not', () => {
    assert.equal(areInputsStandard(spend([inp(1)]), [out(b(OP.OP_TRUE))]), false);
    assert.equal(areInputsStandard(spend([inp(1)]), [out(b(OP.OP_2, 32, new Uint8Array(32)))]), false);
  });
  test('P2SH redeem scripts: at most 15 sigops (accurate count)', () => {
    const fifteen = b(...Array(15).fill(OP.OP_CHECKSIG), OP.OP_1);
    const sixteen = b(...Array(16).fill(OP.OP_CHECKSIG), OP.OP_1);
    assert.equal(areInputsStandard(spend([inp(1, pushData(fifteen))]), [out(p2sh(fifteen))]), true);
    assert.equal(areInputsStandard(spend([inp(1, pushData(sixteen))]), [out(p2sh(sixteen))]), false);
    // CHECKMULTISIG counts its key count when accurate: 1-of-3 is 3 sigops; without OP_n it is 20.
    const ms = multisig(1, [k1, k1, k1]);
    assert.equal(areInputsStandard(spend([inp(1, b(0, pushData(ms)))]), [out(p2sh(ms))]), true);
    const ms20 = b(OP.OP_CHECKMULTISIG);
    assert.equal(areInputsStandard(spend([inp(1, pushData(ms20))]), [out(p2sh(ms20))]), false);
    // An empty scriptSig leaves no redeem script.
    assert.equal(areInputsStandard(spend([inp(1)]), [out(p2sh(fifteen))]), false);
  });
  test('BIP54: at most 2500 potentially executed legacy sigops per transaction', () => {
    // Each P2SH input's redeem script holds 15 CHECKSIGs: 167 inputs = 2505 > 2500, 166 = 2490.
    const redeem = b(...Array(15).fill(OP.OP_CHECKSIG), OP.OP_1);
    const mk = (n: number) => {
      const ins = Array.from({ length: n }, (_, i) => inp(i, pushData(redeem)));
      return { t: spend(ins), spent: ins.map(() => out(p2sh(redeem))) };
    };
    const ok = mk(166), bad = mk(167);
    assert.equal(legacySigopsWithinBip54(ok.t, ok.spent), true);
    assert.equal(areInputsStandard(ok.t, ok.spent), true);
    assert.equal(legacySigopsWithinBip54(bad.t, bad.spent), false);
    assert.equal(areInputsStandard(bad.t, bad.spent), false);
    // Sigops in the spent scriptPubKeys count too (bare CHECKMULTISIG 1-of-3 = 3 each).
    const bare = multisig(1, [k1, k1, k1]);
    const ins = Array.from({ length: 834 }, (_, i) => inp(i, b(0, 0)));
    assert.equal(legacySigopsWithinBip54(spend(ins), ins.map(() => out(bare))), false); // 2502
    assert.equal(legacySigopsWithinBip54(spend(ins.slice(1)), ins.slice(1).map(() => out(bare))), true); // 2499
  });
  test('BIP54 counts the scriptSig\'s own sigops too', () => {
    // n CHECKSIGs in a (non-push-only) scriptSig plus the P2PKH scriptPubKey's one.
    const withSigs = (n: number) => legacySigopsWithinBip54(spend([inp(1, new Uint8Array(n).fill(OP.OP_CHECKSIG))]), [out(p2pkh(k1))]);
    assert.deepEqual([withSigs(2498), withSigs(2499), withSigs(2500)], [true, true, false]);
    // Counted accurately: OP_1 OP_CHECKMULTISIG is 1 sigop, not 20 (100 + 2399 + 1 = 2500).
    const accurate = b(...Array(100).fill(b(OP.OP_1, OP.OP_CHECKMULTISIG)), new Uint8Array(2399).fill(OP.OP_CHECKSIG));
    assert.equal(legacySigopsWithinBip54(spend([inp(1, accurate)]), [out(p2pkh(k1))]), true);
  });
});

describe('IsWitnessStandard', () => {
  const script = (n: number) => new Uint8Array(n).fill(OP.OP_NOP);
  const item = (n: number) => new Uint8Array(n);
  const wsh = (ws: Uint8Array[]) => ({ t: spend([inp(1, b(), ws)]), spent: [out(p2wsh(new Uint8Array(32)))] });

  test('inputs without witness are skipped; a witness on a non-witness output is not standard', () => {
    assert.equal(isWitnessStandard(spend([inp(1)]), [out(b(OP.OP_TRUE))]), true);
    assert.equal(isWitnessStandard(spend([inp(1, b(), [b(1)])]), [out(p2pkh(k1))]), false);
  });
  test('P2A: no witness at all (witness stuffing)', () => {
    assert.equal(isWitnessStandard(spend([inp(1, b(), [b(1)])]), [out(P2A)]), false);
    assert.equal(isWitnessStandard(spend([inp(1)]), [out(P2A)]), true);
  });
  test('P2WSH: script ≤ 3600 bytes, ≤ 100 items, items ≤ 80 bytes', () => {
    let c = wsh([item(80), script(3600)]);
    assert.equal(isWitnessStandard(c.t, c.spent), true);
    c = wsh([item(80), script(3601)]);
    assert.equal(isWitnessStandard(c.t, c.spent), false);
    c = wsh([item(81), script(10)]);
    assert.equal(isWitnessStandard(c.t, c.spent), false);
    c = wsh([...Array(100).fill(item(1)), script(10)]);
    assert.equal(isWitnessStandard(c.t, c.spent), true);
    c = wsh([...Array(101).fill(item(1)), script(10)]);
    assert.equal(isWitnessStandard(c.t, c.spent), false);
  });
  test('P2SH-wrapped P2WSH uses the redeem script', () => {
    const prog = p2wsh(new Uint8Array(32));
    const t = spend([inp(1, pushData(prog), [item(81), script(10)])]);
    assert.equal(isWitnessStandard(t, [out(p2sh(prog))]), false);
    const t2 = spend([inp(1, pushData(prog), [item(80), script(10)])]);
    assert.equal(isWitnessStandard(t2, [out(p2sh(prog))]), true);
    // A witness on a P2SH output needs a redeem script in the scriptSig.
    assert.equal(isWitnessStandard(spend([inp(1, b(), [item(1)])]), [out(p2sh(prog))]), false);
    assert.equal(isWitnessStandard(spend([inp(1, b(5, 1), [item(1)])]), [out(p2sh(prog))]), false);
  });
  test('the P2WSH limits apply to P2WSH only, not to P2WPKH or other witness programs', () => {
    const big = [item(81), item(81)];
    assert.equal(isWitnessStandard(spend([inp(1, b(), big)]), [out(p2wpkh(k1))]), true);
    assert.equal(isWitnessStandard(spend([inp(1, b(), big)]), [out(b(0, 20, new Uint8Array(20)))]), true);
    assert.equal(isWitnessStandard(spend([inp(1, b(), [item(81), script(5), b(0xc0, new Uint8Array(32))])]), [out(b(OP.OP_2, 32, new Uint8Array(32)))]), true);
  });
  test('taproot: no annex; tapscript items ≤ 80 bytes; other leaf versions unrestricted', () => {
    const tr = [out(p2tr(new Uint8Array(32)))];
    const ctl = (leaf: number) => b(leaf, new Uint8Array(32));
    const t = (ws: Uint8Array[]) => isWitnessStandard(spend([inp(1, b(), ws)]), tr);
    assert.equal(t([item(64)]), true); // key path
    assert.equal(t([item(64), b(0x50, 1)]), false); // annex
    assert.equal(t([b(0x50)]), true); // a single element is never an annex
    assert.equal(t([b()]), true); // nor a control block (an empty signature fails later)
    assert.equal(t([item(80), script(5), ctl(0xc0)]), true);
    assert.equal(t([item(81), script(5), ctl(0xc0)]), false);
    assert.equal(t([item(81), script(5), ctl(0xc2)]), true); // unknown leaf version
    assert.equal(t([script(5), b()]), false); // empty control block
    assert.equal(t([item(80), script(81), ctl(0xc0)]), true); // the script itself is not an input
    assert.equal(t([item(81), script(5), ctl(0xc1)]), false); // leaf 0xc0 with the parity bit set
    assert.equal(t([item(81), script(5), ctl(0xc2)]), true);
  });
  test('taproot rules are for v1 32-byte programs spent directly, not P2SH-wrapped or other versions', () => {
    const annexed = [item(64), b(0x50, 1)];
    const tapInputs = [item(81), script(5), b(0xc0, new Uint8Array(32))];
    const v1 = b(OP.OP_1, 32, new Uint8Array(32));
    const wrapped = (ws: Uint8Array[]) => isWitnessStandard(spend([inp(1, pushData(v1), ws)]), [out(p2sh(v1))]);
    assert.equal(wrapped(annexed), true);
    assert.equal(wrapped(tapInputs), true);
    const v1short = b(OP.OP_1, 20, new Uint8Array(20));
    assert.equal(isWitnessStandard(spend([inp(1, b(), annexed)]), [out(v1short)]), true);
    assert.equal(isWitnessStandard(spend([inp(1, b(), tapInputs)]), [out(v1short)]), true);
  });
});
