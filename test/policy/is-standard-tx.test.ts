// IsStandardTx, GetDustThreshold, IsDust, GetDust and PreCheckEphemeralTx (policy/policy.cpp,
// policy/ephemeral_policy.cpp) with Core v30 defaults.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_POLICY, MAX_OP_RETURN_RELAY, policyOptions } from '../../src/policy/constants.ts';
import { getDust, getDustThreshold, isDust, isStandardTx, preCheckEphemeralTx } from '../../src/policy/standard.ts';
import { OP } from '../../src/script/opcodes.ts';
import { pushData } from '../../src/script/script.ts';
import type { TxOut } from '../../src/primitives/tx.ts';
import { toHex } from '../../src/primitives/bytes.ts';
import { b, input, multisig, opReturn, P2A, p2pk, p2pkh, p2sh, p2tr, p2wpkh, p2wsh, privKey, pubKey, tx } from './helpers.ts';

const k1 = pubKey(privKey(1)), k2 = pubKey(privKey(2)), k3 = pubKey(privKey(3)), k4 = pubKey(privKey(4));
const pay = (value: bigint, spk = p2wpkh(k1)): TxOut => ({ value, scriptPubKey: spk });
const std = (t: ReturnType<typeof tx>, o = DEFAULT_POLICY) => isStandardTx(t, o);
const reason = (t: ReturnType<typeof tx>, o = DEFAULT_POLICY) => {
  const r = std(t, o);
  return r.ok ? 'ok' : r.reason;
};

describe('GetDustThreshold at 3 sat/vB', () => {
  test('the thresholds Core documents', () => {
    assert.equal(getDustThreshold(pay(0n, p2pkh(k1)), 3000), 546n);
    assert.equal(getDustThreshold(pay(0n, p2wpkh(k1)), 3000), 294n);
    assert.equal(getDustThreshold(pay(0n, p2sh(b(1))), 3000), 540n);
    assert.equal(getDustThreshold(pay(0n, p2wsh(new Uint8Array(32))), 3000), 330n);
    assert.equal(getDustThreshold(pay(0n, p2tr(new Uint8Array(32))), 3000), 330n);
    assert.equal(getDustThreshold(pay(0n, P2A), 3000), 240n);
    assert.equal(getDustThreshold(pay(0n, opReturn(new Uint8Array(10))), 3000), 0n); // unspendable
  });
  test('rounds up at other rates', () => {
    // P2WPKH: 31 + 67 = 98 vbytes; at 1001 sat/kvB that is 98.098 → 99.
    assert.equal(getDustThreshold(pay(0n, p2wpkh(k1)), 1001), 99n);
    assert.equal(getDustThreshold(pay(0n, p2wpkh(k1)), 0), 0n);
  });
  test('IsDust agrees with GetDustThreshold for every output shape and rate', () => {
    const x = (n: number) => new Uint8Array(n).fill(7);
    const shapes = [
      p2pkh(k1), p2wpkh(k1), p2sh(b(1)), p2tr(x(32)), P2A, p2pk(k1), multisig(1, [k1, k2]),
      // Witness programs at both ends: 2 and 40 bytes, versions 0, 1 and 16.
      b(0, 2, x(2)), b(OP.OP_1, 40, x(40)), b(OP.OP_16, 40, x(40)), b(OP.OP_16, 2, x(2)),
      // Look-alikes that are no witness program: 41-byte program, version byte OP_RESERVED
      // (0x50) or OP_NOP (0x61), push length that does not match, 3 bytes.
      b(0, 41, x(41)), b(0x50, 20, x(20)), b(0x61, 20, x(20)), b(0, 21, x(20)), b(0, 1, 7), b(OP.OP_TRUE),
    ];
    for (const spk of shapes) {
      for (const rate of [0, 1, 999, 1000, 1001, 3000, 98_000, 2 ** 40, 2 ** 53 - 1, -1001]) {
        const t = getDustThreshold(pay(0n, spk), rate);
        assert.deepEqual([isDust(pay(t - 1n, spk), rate), isDust(pay(t, spk), rate)], [true, false], `${toHex(spk)} at ${rate}`);
      }
    }
  });
  test('an unspendable output is dust only with a negative value', () => {
    assert.equal(isDust(pay(0n, opReturn(b())), 3000), false);
    assert.equal(isDust(pay(-1n, opReturn(b())), 3000), true);
  });
  test('GetDust lists dust outputs by index', () => {
    assert.deepEqual(getDust({ outputs: [pay(294n), pay(293n), pay(0n, opReturn(b())), pay(0n, P2A)] }, 3000), [1, 3]);
  });
});

describe('IsStandardTx', () => {
  const base = () => ({ inputs: [input(1)], outputs: [pay(10_000n)] });

  test('a plain v1/v2/v3 spend is standard', () => {
    for (const version of [1, 2, 3]) assert.equal(reason(tx({ ...base(), version })), 'ok');
  });

  test('version: outside 1..3', () => {
    assert.equal(reason(tx({ ...base(), version: 0 })), 'version');
    assert.equal(reason(tx({ ...base(), version: 4 })), 'version');
    assert.equal(reason(tx({ ...base(), version: 0xffffffff })), 'version');
  });

  test('tx-size: weight above 400,000', () => {
    // One output of 99,990 script bytes: weight = 4 × (≈100,050) > 400,000.
    const big = tx({ inputs: [input(1)], outputs: [pay(10_000n, b(OP.OP_TRUE, new Uint8Array(99_990).fill(OP.OP_NOP)))] });
    assert.ok(big.weight > 400_000);
    assert.equal(reason(big), 'tx-size');
  });

  test('scriptsig-size: more than 1650 bytes', () => {
    const mk = (n: number) => {
      const i = input(1);
      i.scriptSig = b(OP.OP_PUSHDATA2, n & 0xff, n >> 8, new Uint8Array(n));
      return tx({ inputs: [i], outputs: [pay(10_000n)] });
    };
    assert.equal(reason(mk(1647)), 'ok'); // 3 + 1647 = 1650
    assert.equal(reason(mk(1648)), 'scriptsig-size');
  });

  test('scriptsig-not-pushonly', () => {
    const i = input(1);
    i.scriptSig = b(OP.OP_1, OP.OP_DUP);
    assert.equal(reason(tx({ inputs: [i], outputs: [pay(10_000n)] })), 'scriptsig-not-pushonly');
  });

  test('scriptpubkey: nonstandard output or bare multisig with n > 3', () => {
    assert.equal(reason(tx({ inputs: [input(1)], outputs: [pay(10_000n, b(OP.OP_TRUE))] })), 'scriptpubkey');
    assert.equal(reason(tx({ inputs: [input(1)], outputs: [pay(10_000n, multisig(1, [k1, k2, k3, k4]))] })), 'scriptpubkey');
  });

  test('every Solver type but NONSTANDARD is a standard output', () => {
    const x32 = new Uint8Array(32);
    const outs = [p2pkh(k1), p2sh(b(OP.OP_1)), p2wpkh(k1), p2wsh(x32), p2tr(x32), P2A, b(OP.OP_2, 32, x32), p2pk(k1)];
    for (const spk of outs) assert.equal(reason(tx({ inputs: [input(1)], outputs: [pay(10_000n, spk)] })), 'ok', toHex(spk));
    assert.equal(reason(tx({ inputs: [input(1)], outputs: outs.map((spk) => pay(10_000n, spk)) })), 'ok');
  });

  test('bare-multisig: only when -permitbaremultisig=0', () => {
    const t = tx({ inputs: [input(1)], outputs: [pay(10_000n, multisig(1, [k1, k2, k3]))] });
    assert.equal(reason(t), 'ok');
    assert.equal(reason(t, policyOptions({ permitBareMultisig: false })), 'bare-multisig');
    assert.equal(reason(tx({ inputs: [input(1)], outputs: [pay(10_000n), pay(10_000n, p2pk(k1))] }), policyOptions({ permitBareMultisig: false })), 'ok');
  });

  test('datacarrier: one 100,000-byte budget shared by every OP_RETURN output', () => {
    const ret = (n: number) => pay(0n, b(OP.OP_RETURN, pushData(new Uint8Array(n))));
    // Several OP_RETURN outputs are fine (no more multi-op-return).
    assert.equal(reason(tx({ inputs: [input(1)], outputs: [pay(10_000n), ret(80), ret(80), ret(0)] })), 'ok');
    // The default budget lets large OP_RETURN data through, split or not, up to the weight limit.
    assert.equal(MAX_OP_RETURN_RELAY, 100_000);
    assert.equal(reason(tx({ inputs: [input(1)], outputs: [pay(10_000n), ret(40_000), ret(40_000)] })), 'ok');
    // The budget counts whole scriptPubKeys (OP_RETURN + push header + data) across outputs.
    const two = (first: number, second: number) => tx({ inputs: [input(1)], outputs: [pay(10_000n), ret(first), ret(second)] });
    const budget = policyOptions({ maxDatacarrierBytes: 1000 });
    // 1 + 3 (PUSHDATA2) + 496 = 500 bytes each: exactly 1000.
    assert.equal(reason(two(496, 496), budget), 'ok');
    assert.equal(reason(two(496, 497), budget), 'datacarrier');
    assert.equal(reason(two(0, 994), budget), 'ok'); // 2 + 998
    // A custom -datacarriersize, and -datacarrier=0 (no budget at all).
    assert.equal(reason(tx({ inputs: [input(1)], outputs: [pay(10_000n), ret(80)] }), policyOptions({ maxDatacarrierBytes: 83 })), 'ok');
    assert.equal(reason(tx({ inputs: [input(1)], outputs: [pay(10_000n), ret(81)] }), policyOptions({ maxDatacarrierBytes: 83 })), 'datacarrier');
    assert.equal(reason(tx({ inputs: [input(1)], outputs: [pay(10_000n), pay(0n, b(OP.OP_RETURN))] }), policyOptions({ maxDatacarrierBytes: null })), 'datacarrier');
  });

  test('dust: one dust output is allowed (ephemeral dust), two are not', () => {
    assert.equal(reason(tx({ inputs: [input(1)], outputs: [pay(10_000n), pay(0n, P2A)] })), 'ok');
    assert.equal(reason(tx({ inputs: [input(1)], outputs: [pay(293n)] })), 'ok');
    assert.equal(reason(tx({ inputs: [input(1)], outputs: [pay(293n), pay(0n, P2A)] })), 'dust');
    assert.equal(reason(tx({ inputs: [input(1)], outputs: [pay(294n), pay(294n)] })), 'ok');
    // -dustrelayfee=0 makes nothing dust.
    assert.equal(reason(tx({ inputs: [input(1)], outputs: [pay(0n), pay(0n)] }), policyOptions({ dustRelayFeeRate: 0 })), 'ok');
  });

  test('checks run in Core order: version before tx-size before scriptSig before outputs', () => {
    const i = input(1);
    i.scriptSig = b(OP.OP_DUP);
    assert.equal(reason(tx({ version: 7, inputs: [i], outputs: [pay(1n, b(OP.OP_TRUE))] })), 'version');
    assert.equal(reason(tx({ inputs: [i], outputs: [pay(1n, b(OP.OP_TRUE))] })), 'scriptsig-not-pushonly');
    assert.equal(reason(tx({ inputs: [input(1)], outputs: [pay(1n), pay(1n, b(OP.OP_TRUE))] })), 'scriptpubkey');
  });
});

describe('PreCheckEphemeralTx', () => {
  test('a transaction with a dust output must pay zero fee', () => {
    const t = tx({ inputs: [input(1)], outputs: [pay(10_000n), pay(0n, P2A)] });
    assert.deepEqual(preCheckEphemeralTx(t, 3000, 0n), { ok: true });
    assert.deepEqual(preCheckEphemeralTx(t, 3000, 1n), { ok: false, reason: 'dust', details: 'tx with dust output must be 0-fee' });
    assert.deepEqual(preCheckEphemeralTx(tx({ inputs: [input(1)], outputs: [pay(10_000n)] }), 3000, 500n), { ok: true });
  });
});
