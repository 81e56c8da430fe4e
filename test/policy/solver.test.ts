// Core's Solver (script/solver.cpp) and IsStandard (policy/policy.cpp), per TxoutType.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { commonOutputType, solver } from '../../src/policy/solver.ts';
import { isStandardScriptPubKey } from '../../src/policy/standard.ts';
import { OP } from '../../src/script/opcodes.ts';
import { toHex } from '../../src/primitives/bytes.ts';
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
    hybrid[0] = 0x07;
    assert.equal(solver(p2pk(hybrid)).type, 'pubkey');
    const odd = k1.slice();
    odd[0] = 0x03;
    assert.equal(solver(p2pk(odd)).type, 'pubkey');
    // A 65-byte push is a key only with a 0x04/0x06/0x07 header; 0x02 and 0x05 are not.
    for (const h of [0x02, 0x05]) {
      const wrong = u1.slice();
      wrong[0] = h;
      assert.equal(solver(p2pk(wrong)).type, 'nonstandard', `header ${h}`);
    }
    // The push must be followed by OP_CHECKSIG, and its length byte must match the script size.
    assert.equal(solver(b(33, k1, OP.OP_CHECKSIGVERIFY)).type, 'nonstandard');
    assert.equal(solver(b(65, u1, OP.OP_CHECKSIGVERIFY)).type, 'nonstandard');
    assert.equal(solver(b(OP.OP_PUSHDATA1, 33, k1, OP.OP_CHECKSIG)).type, 'nonstandard');
    assert.equal(solver(b(OP.OP_PUSHDATA1, 65, u1, OP.OP_CHECKSIG)).type, 'nonstandard');
    // Script size and push length must agree: 35 bytes with a 33-byte push, 67 with a 65-byte one.
    for (const spk of [b(32, k1, OP.OP_CHECKSIG), b(65, k1, OP.OP_CHECKSIG), b(33, u1, OP.OP_CHECKSIG), b(64, u1, OP.OP_CHECKSIG)]) {
      assert.equal(solver(spk).type, 'nonstandard', toHex(spk));
    }
  });

  test('solutions per type (vSolutionsRet)', () => {
    const x32 = Uint8Array.from({ length: 32 }, (_, i) => i);
    const h = p2pkh(k1).subarray(3, 23);
    const redeem = b(OP.OP_1);
    assert.deepEqual(solver(p2pkh(k1)), { type: 'pubkeyhash', solutions: [h] });
    assert.deepEqual(solver(p2sh(redeem)), { type: 'scripthash', solutions: [p2sh(redeem).subarray(2, 22)] });
    assert.deepEqual(solver(p2wpkh(k1)), { type: 'witness_v0_keyhash', solutions: [h] });
    assert.deepEqual(solver(p2wsh(x32)), { type: 'witness_v0_scripthash', solutions: [x32] });
    assert.deepEqual(solver(p2tr(x32)), { type: 'witness_v1_taproot', solutions: [x32] });
    assert.deepEqual(solver(opReturn(x32)), { type: 'nulldata', solutions: [] });
    assert.deepEqual(solver(b(0, 21, new Uint8Array(21))), { type: 'nonstandard', solutions: [] });
    assert.deepEqual(solver(b(OP.OP_TRUE)), { type: 'nonstandard', solutions: [] });
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

  test('MULTISIG: uncompressed keys; m and n as pushed numbers up to 20', () => {
    const ms = solver(b(OP.OP_1, 65, u1, 33, k1, OP.OP_2, OP.OP_CHECKMULTISIG));
    assert.deepEqual(ms, { type: 'multisig', solutions: [Uint8Array.of(1), u1, k1, Uint8Array.of(2)] });
    const keys = (n: number) => Array.from({ length: n }, (_, i) => b(33, pubKey(privKey(i + 1))));
    // m = n = 20 as one-byte pushes: accepted; 21 exceeds MAX_PUBKEYS_PER_MULTISIG.
    const ms20 = solver(b(1, 20, ...keys(20), 1, 20, OP.OP_CHECKMULTISIG));
    assert.equal(ms20.type, 'multisig');
    assert.deepEqual(ms20.solutions[0], Uint8Array.of(20));
    assert.equal(ms20.solutions.length, 22);
    assert.equal(solver(b(1, 21, ...keys(21), 1, 21, OP.OP_CHECKMULTISIG)).type, 'nonstandard');
    assert.equal(solver(b(OP.OP_1, ...keys(21), 1, 21, OP.OP_CHECKMULTISIG)).type, 'nonstandard');
    // m as a pushed number: minimal (1 byte) for 17; a non-minimal encoding (0x11 0x00), a
    // negative number (0x91 = -17) or a PUSHDATA1 push is not a number here.
    assert.equal(solver(b(1, 17, ...keys(17), 1, 17, OP.OP_CHECKMULTISIG)).type, 'multisig');
    assert.equal(solver(b(2, 17, 0, ...keys(17), 1, 17, OP.OP_CHECKMULTISIG)).type, 'nonstandard');
    assert.equal(solver(b(1, 0x91, ...keys(17), 1, 17, OP.OP_CHECKMULTISIG)).type, 'nonstandard');
    assert.equal(solver(b(OP.OP_PUSHDATA1, 1, 17, ...keys(17), 1, 17, OP.OP_CHECKMULTISIG)).type, 'nonstandard');
    assert.equal(solver(b(OP.OP_1, ...keys(17), OP.OP_PUSHDATA1, 1, 17, OP.OP_CHECKMULTISIG)).type, 'nonstandard');
    // n must also be at least m; the 1NEGATE opcode is no number here.
    assert.equal(solver(b(OP.OP_1NEGATE, 33, k1, OP.OP_1, OP.OP_CHECKMULTISIG)).type, 'nonstandard');
    assert.equal(solver(b(OP.OP_1, 33, k1, OP.OP_1NEGATE, OP.OP_CHECKMULTISIG)).type, 'nonstandard');
  });

  test('MULTISIG: what is not a key or not a number', () => {
    const keys = (n: number) => Array.from({ length: n }, (_, i) => b(33, pubKey(privKey(i + 1))));
    // An empty push is no key (and OP_0 no n ≥ 1).
    assert.equal(solver(b(OP.OP_1, OP.OP_0, OP.OP_1, OP.OP_CHECKMULTISIG)).type, 'nonstandard');
    // OP_16 is the largest small number; the opcode after it (OP_NOP, 0x61) is none.
    assert.equal(solver(b(OP.OP_1, ...keys(16), OP.OP_16, OP.OP_CHECKMULTISIG)).type, 'multisig');
    assert.equal(solver(b(OP.OP_1, ...keys(17), OP.OP_NOP, OP.OP_CHECKMULTISIG)).type, 'nonstandard');
    // A two-byte number is at least 128 (0x05 0x01 = 261): out of range, not 5.
    assert.equal(solver(b(2, 0x05, 0x01, ...keys(6), OP.OP_6, OP.OP_CHECKMULTISIG)).type, 'nonstandard');
  });

  test('MULTISIG: truncated and empty scripts', () => {
    assert.equal(solver(b(OP.OP_CHECKMULTISIG)).type, 'nonstandard');
    assert.equal(solver(b(OP.OP_1, 33, k1.subarray(0, 10), OP.OP_CHECKMULTISIG)).type, 'nonstandard');
    assert.equal(solver(b(OP.OP_1, 33, k1, OP.OP_PUSHDATA2, 0xff, OP.OP_CHECKMULTISIG)).type, 'nonstandard');
    assert.equal(solver(b(OP.OP_PUSHDATA2, 0xff, OP.OP_CHECKMULTISIG)).type, 'nonstandard');
    // The last key push swallows OP_CHECKMULTISIG: the script ends before n.
    assert.equal(solver(b(OP.OP_1, 33, k1, 34, k2, OP.OP_CHECKMULTISIG)).type, 'nonstandard');
  });

  test('anything else is NONSTANDARD', () => {
    assert.equal(solver(new Uint8Array(0)).type, 'nonstandard');
    assert.equal(solver(b(OP.OP_TRUE)).type, 'nonstandard');
    assert.equal(solver(b(OP.OP_HASH160, 20, new Uint8Array(20), OP.OP_EQUAL, OP.OP_NOP)).type, 'nonstandard');
    assert.equal(solver(b(p2pkh(k1), OP.OP_CHECKSIG)).type, 'nonstandard'); // P2PKH with a byte more
  });
});

describe('the common templates without solutions (commonOutputType)', () => {
  const x20 = new Uint8Array(20), x32 = new Uint8Array(32);
  test('the five common types, as Solver names them', () => {
    for (const spk of [p2pkh(k1), p2sh(b(OP.OP_1)), p2wpkh(k1), p2wsh(x32), p2tr(x32)]) {
      assert.equal(commonOutputType(spk), solver(spk).type);
      assert.deepEqual(isStandardScriptPubKey(spk), { standard: true, type: solver(spk).type });
    }
  });
  test('near misses of each length are left to Solver', () => {
    const p2pkhBytes = p2pkh(k1);
    const misses = [
      b(OP.OP_1, 20, x20), b(0, 19, x20), // 22 bytes: v1 program, wrong push length
      b(OP.OP_2, 32, x32), b(0, 31, x32), b(OP.OP_1, 31, x32), // 34 bytes
      b(OP.OP_HASH160, 20, x20, OP.OP_EQUALVERIFY), b(OP.OP_HASH160, 21, x20, OP.OP_EQUAL), // 23 bytes
      b(0, 23, new Uint8Array(23)), new Uint8Array(33), // 25 and 33 bytes
    ];
    // P2PKH with any one of its five template bytes changed.
    for (const at of [0, 1, 2, 23, 24]) {
      const s = p2pkhBytes.slice();
      s[at] = OP.OP_NOP;
      misses.push(s);
    }
    assert.deepEqual(misses.map((m) => m.length), [22, 22, 34, 34, 34, 23, 23, 25, 33, 25, 25, 25, 25, 25]);
    for (const spk of misses) {
      assert.equal(commonOutputType(spk), undefined, toHex(spk));
      assert.notEqual(solver(spk).type, 'pubkeyhash', toHex(spk));
    }
    assert.equal(solver(misses[0]!).type, 'witness_unknown');
    assert.equal(solver(misses[2]!).type, 'witness_unknown');
    assert.equal(solver(misses[1]!).type, 'nonstandard');
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
