// Core's Solver (script/solver.cpp) and IsStandard (policy/policy.cpp), per TxoutType.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { solver } from '../../src/policy/solver.ts';
import { isStandardScriptPubKey } from '../../src/policy/standard.ts';
import { OP } from '../../src/script/opcodes.ts';
import { b, multisig, opReturn, P2A, p2pk, p2pkh, p2sh, p2tr, p2wpkh, p2wsh, privKey, pubKey, pubKeyUncompressed } from './helpers.ts';

const k1 = pubKey(privKey(1)), k2 = pubKey(privKey(2)), k3 = pubKey(privKey(3)), k4 = pubKey(privKey(4));
const u1 = pubKeyUncompressed(privKey(1));

describe('Solver', () => {
  test('P2PK with compressed and uncompressed keys', () => {
    assert.deepEqual(solver(p2pk(k1)), { type: 'pubkey', solutions: [k1] });
    assert.deepEqual(solver(p2pk(u1)), { type: 'pubkey', solutions: [u1] });
    // A 33-byte push whose header byte is not 0x02/0x03 is not a valid key size.
    const bad = k1.slice();
    bad[0] = 0x04;
    assert.equal(solver(p2pk(bad)).type, 'nonstandard');
    // Hybrid (0x06/0x07) 65-byte keys have a valid size.
    const hybrid = u1.slice();
    hybrid[0] = 0x06;
    assert.equal(solver(p2pk(hybrid)).type, 'pubkey');
  });

  test('P2PKH, P2SH, segwit v0, taproot, anchor', () => {
    assert.equal(solver(p2pkh(k1)).type, 'pubkeyhash');
    assert.equal(solver(p2sh(b(OP.OP_1))).type, 'scripthash');
    assert.equal(solver(p2wpkh(k1)).type, 'witness_v0_keyhash');
    assert.equal(solver(p2wsh(new Uint8Array(32))).type, 'witness_v0_scripthash');
    assert.equal(solver(p2tr(new Uint8Array(32))).type, 'witness_v1_taproot');
    assert.deepEqual(solver(P2A), { type: 'anchor', solutions: [] });
  });

  test('witness programs: unknown versions are WITNESS_UNKNOWN, odd v0 lengths NONSTANDARD', () => {
    const v2 = b(OP.OP_2, 32, new Uint8Array(32));
    assert.deepEqual(solver(v2), { type: 'witness_unknown', solutions: [Uint8Array.of(2), new Uint8Array(32)] });
    assert.equal(solver(b(OP.OP_1, 20, new Uint8Array(20))).type, 'witness_unknown');
    assert.equal(solver(b(OP.OP_1, 2, 0x4e, 0x74)).type, 'witness_unknown'); // not the anchor program
    assert.equal(solver(b(0, 21, new Uint8Array(21))).type, 'nonstandard');
  });

  test('NULL_DATA: OP_RETURN followed by pushes only', () => {
    assert.equal(solver(b(OP.OP_RETURN)).type, 'nulldata');
    assert.equal(solver(opReturn(new Uint8Array(80))).type, 'nulldata');
    assert.equal(solver(b(OP.OP_RETURN, OP.OP_1, OP.OP_RESERVED, 0)).type, 'nulldata');
    assert.equal(solver(b(OP.OP_RETURN, OP.OP_DUP)).type, 'nonstandard');
    assert.equal(solver(b(OP.OP_RETURN, 5, 1, 2)).type, 'nonstandard'); // truncated push
  });

  test('MULTISIG: m/n numbers, key sizes, trailing bytes', () => {
    const ms = solver(multisig(2, [k1, k2, k3]));
    assert.equal(ms.type, 'multisig');
    assert.deepEqual(ms.solutions, [Uint8Array.of(2), k1, k2, k3, Uint8Array.of(3)]);
    // n must equal the key count, m ≤ n.
    assert.equal(solver(b(OP.OP_1, 33, k1, OP.OP_2, OP.OP_CHECKMULTISIG)).type, 'nonstandard');
    assert.equal(solver(b(OP.OP_3, 33, k1, 33, k2, OP.OP_2, OP.OP_CHECKMULTISIG)).type, 'nonstandard');
    // Numbers may be minimal pushes (17 = 0x01 0x11), but not non-minimal ones (0x01 0x02 for 2).
    const keys17 = Array.from({ length: 17 }, (_, i) => pubKey(privKey(i + 1)));
    assert.equal(solver(b(OP.OP_1, ...keys17.map((k) => b(33, k)), 1, 17, OP.OP_CHECKMULTISIG)).type, 'multisig');
    assert.equal(solver(b(1, 1, 33, k1, OP.OP_1, OP.OP_CHECKMULTISIG)).type, 'nonstandard');
    // Anything between n and OP_CHECKMULTISIG, or a missing OP_CHECKMULTISIG, is not multisig.
    assert.equal(solver(b(OP.OP_1, 33, k1, OP.OP_1, OP.OP_NOP, OP.OP_CHECKMULTISIG)).type, 'nonstandard');
    assert.equal(solver(b(OP.OP_1, 33, k1, OP.OP_1, OP.OP_CHECKMULTISIGVERIFY)).type, 'nonstandard');
    assert.equal(solver(b(OP.OP_0, 33, k1, OP.OP_1, OP.OP_CHECKMULTISIG)).type, 'nonstandard'); // m = 0
  });

  test('anything else is NONSTANDARD', () => {
    assert.equal(solver(new Uint8Array(0)).type, 'nonstandard');
    assert.equal(solver(b(OP.OP_TRUE)).type, 'nonstandard');
    assert.equal(solver(b(OP.OP_HASH160, 20, new Uint8Array(20), OP.OP_EQUAL, OP.OP_NOP)).type, 'nonstandard');
  });
});

describe('IsStandard(scriptPubKey)', () => {
  test('bare multisig is standard up to n = 3', () => {
    assert.equal(isStandardScriptPubKey(multisig(1, [k1, k2, k3])).standard, true);
    assert.equal(isStandardScriptPubKey(multisig(3, [k1, k2, k3])).standard, true);
    assert.equal(isStandardScriptPubKey(multisig(1, [k1, k2, k3, k4])).standard, false);
  });
  test('WITNESS_UNKNOWN, ANCHOR and large NULL_DATA outputs are standard; NONSTANDARD is not', () => {
    assert.equal(isStandardScriptPubKey(b(OP.OP_16, 40, new Uint8Array(40))).standard, true);
    assert.equal(isStandardScriptPubKey(P2A).standard, true);
    assert.equal(isStandardScriptPubKey(opReturn(new Uint8Array(1000))).standard, true);
    assert.equal(isStandardScriptPubKey(b(OP.OP_TRUE)).standard, false);
  });
});
