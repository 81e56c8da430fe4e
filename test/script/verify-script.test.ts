/**
 * VerifyScript and VerifyWitnessProgram (interpreter.cpp; src/script/verify.ts) with a stub
 * signature checker (test/util/eval.ts), so that only the script rules decide: SIGPUSHONLY,
 * EVAL_FALSE, BIP16 P2SH, BIP141 witness programs (P2WSH/P2WPKH, malleation, WITNESS_UNEXPECTED,
 * the 520-byte witness element limit), CLEANSTACK, BIP341 taproot (annex, key path, control
 * block sizes 33 + 32·m for m ≤ 128 at N-1/N/N+1, the commitment, leaf versions), BIP342
 * (OP_SUCCESSx before anything else, the 1000-element initial stack, the validation weight
 * budget = witness size + 50) and the future-version and pay-to-anchor rules. Taproot
 * commitments come from test/util/taproot.ts (its own BIP341 hashing with noble's points).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { concatBytes, toHex } from '../../src/primitives/bytes.ts';
import { hash160, sha256 } from '../../src/primitives/hash.ts';
import { SCRIPT_VERIFY as F } from '../../src/script/flags.ts';
import type { ScriptTracer, TracePhaseKind } from '../../src/script/exec.ts';
import type { SigVerifier } from '../../src/script/sigcheck.ts';
import { nobleVerifier } from '../../src/script/sigcheck-noble.ts';
import { tapleafHash, taprootMerkleRoot, verifyInput, verifyInputs, verifyScriptWith } from '../../src/script/verify.ts';
import { parseAsm, pushBytes } from '../util/asm.ts';
import { stubChecker } from '../util/eval.ts';
import { tapLeafHash, taprootOutput, tapTree, type TapLeaf } from '../util/taproot.ts';
import { keyPathSpend, p2wpkhSpend } from '../util/trace-spends.ts';

const STD = F.P2SH | F.WITNESS;
const TAP = STD | F.TAPROOT;
const b = (...x: number[]) => Uint8Array.from(x);
const asm = parseAsm;
const verify = (scriptSig: Uint8Array, spk: Uint8Array, witness: Uint8Array[], flags: number, checker = stubChecker()) => {
  const r = verifyScriptWith(scriptSig, spk, witness, flags, checker);
  return r.ok ? 'OK' : r.error;
};
const p2sh = (redeem: Uint8Array) => concatBytes(b(0xa9, 0x14), hash160(redeem), b(0x87));
const p2wsh = (script: Uint8Array) => concatBytes(b(0x00, 0x20), sha256(script));

describe('VerifyScript: scriptSig, scriptPubKey, P2SH', () => {
  test('SIGPUSHONLY; errors of either script; an empty or false result is EVAL_FALSE', () => {
    assert.equal(verify(asm('1 NOP'), asm('1'), [], F.SIGPUSHONLY), 'SIG_PUSHONLY');
    assert.equal(verify(asm('1 NOP'), asm('1'), [], 0), 'OK');
    assert.equal(verify(asm('1 RETURN'), asm('1'), [], 0), 'OP_RETURN');
    assert.equal(verify(asm('1'), asm('VERIFY 0 VERIFY'), [], 0), 'VERIFY');
    assert.equal(verify(asm(''), asm(''), [], 0), 'EVAL_FALSE');
    assert.equal(verify(asm('1'), asm('0'), [], 0), 'EVAL_FALSE');
    assert.equal(verify(asm('1 0'), asm(''), [], 0), 'EVAL_FALSE');
    assert.equal(verify(asm('0 1'), asm(''), [], 0), 'OK');
  });
  test('scriptSig and scriptPubKey run as two scripts on one stack (an IF cannot span them)', () => {
    assert.equal(verify(asm('1 IF'), asm('ENDIF 1'), [], 0), 'UNBALANCED_CONDITIONAL');
    assert.equal(verify(asm('2'), asm('2 EQUAL'), [], 0), 'OK');
  });
  test('P2SH: the redeem script runs on the scriptSig’s stack, only with the flag', () => {
    const redeem = asm('2 EQUAL');
    assert.equal(verify(concatBytes(asm('2'), pushBytes(redeem)), p2sh(redeem), [], F.P2SH), 'OK');
    assert.equal(verify(concatBytes(asm('3'), pushBytes(redeem)), p2sh(redeem), [], F.P2SH), 'EVAL_FALSE');
    assert.equal(verify(concatBytes(asm('3'), pushBytes(redeem)), p2sh(redeem), [], 0), 'OK');
    assert.equal(verify(concatBytes(asm('1'), pushBytes(asm('RETURN'))), p2sh(asm('RETURN')), [], F.P2SH), 'OP_RETURN');
    assert.equal(verify(pushBytes(asm('0')), p2sh(asm('0')), [], F.P2SH), 'EVAL_FALSE');
    assert.equal(verify(pushBytes(asm('')), p2sh(asm('')), [], F.P2SH), 'EVAL_FALSE');
    assert.equal(verify(concatBytes(asm('2 NOP'), pushBytes(redeem)), p2sh(redeem), [], F.P2SH), 'SIG_PUSHONLY');
    assert.equal(verify(concatBytes(asm('2 NOP'), pushBytes(redeem)), p2sh(redeem), [], 0), 'OK');
  });
  test('CLEANSTACK: exactly one element after P2SH', () => {
    const redeem = asm('1');
    assert.equal(verify(pushBytes(redeem), p2sh(redeem), [], STD | F.CLEANSTACK), 'OK');
    assert.equal(verify(concatBytes(asm('1'), pushBytes(redeem)), p2sh(redeem), [], STD | F.CLEANSTACK), 'CLEANSTACK');
    assert.equal(verify(asm('1 1'), asm(''), [], STD | F.CLEANSTACK), 'CLEANSTACK');
    assert.equal(verify(asm('1 1'), asm(''), [], STD), 'OK');
  });
});

describe('witness v0 (BIP141)', () => {
  const script = asm('2 EQUAL');
  test('P2WSH: the last witness element is the script, hashed with SHA256', () => {
    assert.equal(verify(b(), p2wsh(script), [b(2), script], STD), 'OK');
    assert.equal(verify(b(), p2wsh(script), [b(3), script], STD), 'EVAL_FALSE');
    assert.equal(verify(b(), p2wsh(script), [], STD), 'WITNESS_PROGRAM_WITNESS_EMPTY');
    for (const i of [0, 31]) {
      const spk = p2wsh(script);
      spk[2 + i]! ^= 1;
      assert.equal(verify(b(), spk, [b(2), script], STD), 'WITNESS_PROGRAM_MISMATCH', `byte ${i}`);
    }
    assert.equal(verify(b(), p2wsh(asm('1 1')), [asm('1 1')], STD), 'CLEANSTACK', 'implicit cleanstack');
    assert.equal(verify(b(), p2wsh(asm('')), [b(), asm('')], STD), 'EVAL_FALSE');
    assert.equal(verify(b(), p2wsh(asm('RETURN')), [asm('RETURN')], STD), 'OP_RETURN');
  });
  test('witness elements up to 520 bytes (the script itself is not one of them)', () => {
    const drop = asm('DROP 1');
    assert.equal(verify(b(), p2wsh(drop), [new Uint8Array(520), drop], STD), 'OK');
    assert.equal(verify(b(), p2wsh(drop), [new Uint8Array(521), drop], STD), 'PUSH_SIZE');
    const long = concatBytes(asm('1'), new Uint8Array(600).fill(0x61));
    assert.equal(verify(b(), p2wsh(long), [long], STD), 'OP_COUNT');
  });
  test('P2WPKH: exactly two elements, run as DUP HASH160 <program> EQUALVERIFY CHECKSIG in witness v0', () => {
    const key = b(2, ...new Uint8Array(32).fill(5));
    const sig = b(0x30, 1);
    const spk = concatBytes(b(0x00, 0x14), hash160(key));
    const c = stubChecker();
    assert.equal(verify(b(), spk, [sig, key], STD, c), 'OK');
    assert.deepEqual(c.calls.ecdsa, [{ sig: '3001', key: toHex(key), code: `76a914${toHex(hash160(key))}88ac`, sv: 1 }]);
    assert.equal(verify(b(), spk, [sig, key, key], STD), 'WITNESS_PROGRAM_MISMATCH');
    assert.equal(verify(b(), spk, [key], STD), 'WITNESS_PROGRAM_MISMATCH');
    assert.equal(verify(b(), spk, [b(0x31), key], STD), 'EVAL_FALSE');
    assert.equal(verify(b(), spk, [sig, b(3, ...key.subarray(1))], STD), 'EQUALVERIFY');
  });
  test('other v0 program sizes are WITNESS_PROGRAM_WRONG_LENGTH', () => {
    for (const n of [2, 19, 21, 31, 33, 40]) assert.equal(verify(b(), b(0x00, n, ...new Uint8Array(n).fill(9)), [b(1)], STD), 'WITNESS_PROGRAM_WRONG_LENGTH', `${n}`);
  });
  test('malleation: a native program needs an empty scriptSig; a P2SH one exactly the push of the program', () => {
    assert.equal(verify(asm('0'), p2wsh(script), [b(2), script], STD), 'WITNESS_MALLEATED');
    const redeem = p2wsh(script);
    assert.equal(verify(pushBytes(redeem), p2sh(redeem), [b(2), script], STD), 'OK');
    assert.equal(verify(concatBytes(asm('1'), pushBytes(redeem)), p2sh(redeem), [b(2), script], STD), 'WITNESS_MALLEATED_P2SH');
    const viaPushdata1 = b(0x4c, redeem.length, ...redeem);
    assert.equal(verify(viaPushdata1, p2sh(redeem), [b(2), script], STD), 'WITNESS_MALLEATED_P2SH');
    assert.equal(verify(pushBytes(redeem), p2sh(redeem), [b(3), script], STD), 'EVAL_FALSE');
    assert.equal(verify(pushBytes(redeem), p2sh(redeem), [b(2), script], F.P2SH), 'OK', 'without WITNESS a plain P2SH');
  });
  test('WITNESS_UNEXPECTED: a witness on a non-witness spend, with the WITNESS flag only', () => {
    assert.equal(verify(asm('1'), asm(''), [b(1)], STD), 'WITNESS_UNEXPECTED');
    assert.equal(verify(asm('1'), asm(''), [b(1)], F.P2SH), 'OK');
    assert.equal(verify(asm('1'), asm(''), [], STD), 'OK');
    const redeem = asm('1');
    assert.equal(verify(pushBytes(redeem), p2sh(redeem), [b(1)], STD), 'WITNESS_UNEXPECTED');
  });
});

describe('taproot (BIP341) and tapscript (BIP342)', () => {
  const INTERNAL = secp256k1.Point.BASE.toBytes(true).subarray(1);
  const leaf = (script: Uint8Array, leafVersion = 0xc0): TapLeaf => ({ leafVersion, script });
  const one = (script: Uint8Array, leafVersion = 0xc0) => taprootOutput(INTERNAL, leaf(script, leafVersion));
  const SIG = new Uint8Array(64).fill(7);
  const KEY = new Uint8Array(32).fill(8);

  test('without TAPROOT anything goes; an empty witness is WITNESS_PROGRAM_WITNESS_EMPTY', () => {
    const out = one(asm('1'));
    assert.equal(verify(b(), out.scriptPubKey, [], STD), 'OK');
    assert.equal(verify(b(), out.scriptPubKey, [], TAP), 'WITNESS_PROGRAM_WITNESS_EMPTY');
  });
  test('key path: one element (after an annex) is the signature, checked against the output key', () => {
    const out = one(asm('1'));
    const c = stubChecker({ schnorr: () => 'SCHNORR_SIG' });
    assert.equal(verify(b(), out.scriptPubKey, [SIG], TAP, c), 'SCHNORR_SIG');
    assert.deepEqual(c.calls.schnorr, [{ sig: toHex(SIG), key: toHex(out.outputKey), sv: 2, codesepPos: 0xffffffff }]);
    assert.equal(verify(b(), out.scriptPubKey, [SIG, b(0x50, 1)], TAP), 'OK');
    const c2 = stubChecker();
    verify(b(), out.scriptPubKey, [b(0x50, 2), b(0x50, 3)], TAP, c2);
    verify(b(), out.scriptPubKey, [b(0x50, 4)], TAP, c2);
    assert.deepEqual(c2.calls.schnorr.map((x) => x.sig), ['5002', '5004'], 'the last of two is the annex; a lone element is the signature');
  });
  test('the annex (0x50…) is hashed into the execution data; an element not starting 0x50 is no annex', () => {
    const out = one(asm('1'));
    let annex: Uint8Array | undefined;
    const c = stubChecker();
    c.checkSchnorr = (_s, _k, _v, exec) => ((annex = exec.annexHash), true);
    verify(b(), out.scriptPubKey, [SIG, b(0x50, 1)], TAP, c);
    assert.deepEqual(annex, sha256(b(2, 0x50, 1)));
    annex = undefined;
    assert.equal(verify(b(), out.scriptPubKey, [SIG, b(0x51, 1)], TAP, c), 'TAPROOT_WRONG_CONTROL_SIZE');
    assert.equal(verify(b(), out.scriptPubKey, [SIG, b()], TAP, c), 'TAPROOT_WRONG_CONTROL_SIZE');
  });
  test('script path: the leaf runs as tapscript and must leave one true element', () => {
    const s = asm('2 EQUAL');
    const out = one(s);
    const control = out.controlBlocks[0]!.controlBlock;
    assert.equal(verify(b(), out.scriptPubKey, [b(2), s, control], TAP), 'OK');
    assert.equal(verify(b(), out.scriptPubKey, [b(3), s, control], TAP), 'EVAL_FALSE');
    assert.equal(verify(b(), out.scriptPubKey, [b(2), b(2), s, control], TAP), 'CLEANSTACK');
    assert.equal(verify(b(), out.scriptPubKey, [b(2), s, control, b(0x50)], TAP), 'OK', 'with an annex');
    assert.equal(verify(b(), out.scriptPubKey, [b(2), asm('3 EQUAL'), control], TAP), 'WITNESS_PROGRAM_MISMATCH');
    const flipped = control.slice();
    flipped[0]! ^= 1;
    assert.equal(verify(b(), out.scriptPubKey, [b(2), s, flipped], TAP), 'WITNESS_PROGRAM_MISMATCH', 'wrong parity');
    const otherKey = control.slice();
    otherKey[5]! ^= 1;
    assert.equal(verify(b(), out.scriptPubKey, [b(2), s, otherKey], TAP), 'WITNESS_PROGRAM_MISMATCH', 'another internal key');
  });
  test('control block sizes: 33 + 32·m bytes, m ≤ 128', () => {
    const s = asm('1');
    const out = one(s);
    const control = out.controlBlocks[0]!.controlBlock;
    for (const n of [0, 1, 32, 34, 64, 66, 33 + 32 * 129, 33 + 32 * 128 + 1]) {
      const c = concatBytes(control, new Uint8Array(Math.max(0, n - 33))).subarray(0, n);
      assert.equal(verify(b(), out.scriptPubKey, [s, c], TAP), 'TAPROOT_WRONG_CONTROL_SIZE', `${n}`);
    }
    for (const m of [1, 127, 128]) {
      assert.equal(verify(b(), out.scriptPubKey, [s, concatBytes(control, new Uint8Array(32 * m))], TAP), 'WITNESS_PROGRAM_MISMATCH', `${m}`);
    }
  });
  test('merkle paths: each leaf of a three-leaf tree verifies, hashed in lexicographic order', () => {
    const leaves = [leaf(asm('1')), leaf(asm('2 DROP 1')), leaf(asm('3 DROP 1'))];
    const out = taprootOutput(INTERNAL, [leaves[0]!, [leaves[1]!, leaves[2]!]]);
    for (const cb of out.controlBlocks) {
      assert.equal(verify(b(), out.scriptPubKey, [cb.leaf.script, cb.controlBlock], TAP), 'OK');
      assert.deepEqual(tapleafHash(0xc0, cb.leaf.script), tapLeafHash(0xc0, cb.leaf.script));
      assert.deepEqual(taprootMerkleRoot(cb.controlBlock, cb.leafHash), tapTree([leaves[0]!, [leaves[1]!, leaves[2]!]]).root);
    }
  });
  test('merkle paths: siblings sharing their first bytes are still ordered by their first differing byte', () => {
    // ground leaves: two leaf hashes with the same first byte (about 1 in 256 pairs)
    const seen = new Map<number, TapLeaf>();
    let pair: [TapLeaf, TapLeaf] | undefined;
    for (let i = 0; !pair; i++) {
      const l = leaf(concatBytes(pushBytes(Uint8Array.of(i & 0xff, i >> 8)), asm('DROP 1')));
      const first = tapLeafHash(0xc0, l.script)[0]!;
      const other = seen.get(first);
      if (other) pair = [other, l];
      else seen.set(first, l);
    }
    const out = taprootOutput(INTERNAL, pair);
    for (const cb of out.controlBlocks) assert.equal(verify(b(), out.scriptPubKey, [cb.leaf.script, cb.controlBlock], TAP), 'OK');
  });
  test('leaf versions other than 0xc0 succeed unexecuted unless DISCOURAGE_UPGRADABLE_TAPROOT_VERSION', () => {
    const s = asm('RETURN');
    const out = one(s, 0xc2);
    const control = out.controlBlocks[0]!.controlBlock;
    assert.equal(verify(b(), out.scriptPubKey, [s, control], TAP), 'OK');
    assert.equal(verify(b(), out.scriptPubKey, [s, control], TAP | F.DISCOURAGE_UPGRADABLE_TAPROOT_VERSION), 'DISCOURAGE_UPGRADABLE_TAPROOT_VERSION');
    const c0 = one(s);
    assert.equal(verify(b(), c0.scriptPubKey, [s, c0.controlBlocks[0]!.controlBlock], TAP | F.DISCOURAGE_UPGRADABLE_TAPROOT_VERSION), 'OP_RETURN');
  });
  test('OP_SUCCESSx anywhere decides first (unless discouraged); a truncated push before it is BAD_OPCODE', () => {
    for (const op of [0x50, 0x62, 0x7e, 0x89, 0xbb, 0xfe]) {
      const s = b(0x6a, 0x4c, 0x01, 0x00, op, 0x61);
      const out = one(s);
      const w = [...Array(1001).fill(new Uint8Array(600)), s, out.controlBlocks[0]!.controlBlock];
      assert.equal(verify(b(), out.scriptPubKey, w, TAP), 'OK', op.toString(16));
      assert.equal(verify(b(), out.scriptPubKey, w, TAP | F.DISCOURAGE_OP_SUCCESS), 'DISCOURAGE_OP_SUCCESS', op.toString(16));
    }
    const bad = b(0x4c, 0x05, 0x01, 0x50);
    const out = one(bad);
    assert.equal(verify(b(), out.scriptPubKey, [bad, out.controlBlocks[0]!.controlBlock], TAP), 'BAD_OPCODE');
  });
  test('OP_SUCCESSx is tapscript only: in P2WSH OP_RESERVED is a bad opcode when executed', () => {
    const s = asm('RESERVED');
    assert.equal(verify(b(), p2wsh(s), [s], STD), 'BAD_OPCODE');
    const w = [...Array(1001).fill(b(1)), asm('DROP')];
    assert.equal(verify(b(), p2wsh(asm('DROP')), w, STD), 'CLEANSTACK', 'no initial stack limit in witness v0 (1000 after the first opcode)');
  });
  test('tapscript: at most 1000 initial stack elements; no 201-op limit; 520-byte elements', () => {
    const out = one(asm('DEPTH'));
    const script = concatBytes(new Uint8Array(999).fill(0x75), asm('1')); // 999 × DROP, then 1
    const big = one(script);
    const cb = big.controlBlocks[0]!.controlBlock;
    const spk = big.scriptPubKey;
    assert.equal(verify(b(), spk, [...Array(999).fill(b(1)), script, cb], TAP), 'OK');
    assert.equal(verify(b(), spk, [...Array(1000).fill(b(1)), script, cb], TAP), 'CLEANSTACK', '1000 pass the limit');
    assert.equal(verify(b(), spk, [...Array(1001).fill(b(1)), script, cb], TAP), 'STACK_SIZE');
    assert.equal(verify(b(), out.scriptPubKey, [new Uint8Array(521), asm('DEPTH'), out.controlBlocks[0]!.controlBlock], TAP), 'PUSH_SIZE');
  });
  test('validation weight: witness size + 50, 50 per signature checked', () => {
    const s = concatBytes(b(0x20), KEY, b(0xac, 0x75), b(0x20), KEY, b(0xac)); // <K> CHECKSIG DROP <K> CHECKSIG (one signature each)
    const out = one(s);
    const cb = out.controlBlocks[0]!.controlBlock;
    const seen: number[] = [];
    const c = stubChecker();
    c.checkSchnorr = (_s, _k, _v, exec) => (seen.push(exec.validationWeightLeft!), true);
    // witness [sig, sig, script (69 bytes), control (33)]: 1 + 65 + 65 + 70 + 34 = 235 bytes serialized
    assert.equal(verify(b(), out.scriptPubKey, [SIG, SIG, s, cb], TAP, c), 'OK');
    assert.deepEqual(seen, [235 + 50 - 50, 235 + 50 - 100]);
    // k × (DUP <K> CHECKSIGVERIFY) <K> CHECKSIG on one signature: k + 1 checks of 50 against
    // 50 + the witness size (1 + 65 + the script with its compact size + 34); first failing at k = 10
    const K = concatBytes(b(0x20), KEY);
    for (let k = 1; k <= 12; k++) {
      const script = concatBytes(...Array(k).fill(concatBytes(b(0x76), K, b(0xad))), K, b(0xac));
      const o = one(script);
      const size = 1 + 65 + (script.length < 253 ? 1 : 3) + script.length + 34;
      const want = 50 * (k + 1) > size + 50 ? 'TAPSCRIPT_VALIDATION_WEIGHT' : 'OK';
      assert.equal(verify(b(), o.scriptPubKey, [SIG, script, o.controlBlocks[0]!.controlBlock], TAP), want, `k = ${k}`);
      assert.equal(want === 'OK', k < 10);
    }
  });
});

describe('other witness versions, P2SH-wrapped taproot, pay-to-anchor', () => {
  const v = (version: number, n: number) => b(version === 0 ? 0 : 0x50 + version, n, ...new Uint8Array(n).fill(9));
  test('unknown versions and sizes succeed unless DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM', () => {
    for (const spk of [v(2, 32), v(16, 2), v(1, 31), v(1, 33), v(1, 20)]) {
      assert.equal(verify(b(), spk, [b(1)], TAP), 'OK');
      assert.equal(verify(b(), spk, [b(1)], TAP | F.DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM), 'DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM');
    }
  });
  test('P2A (OP_1 <4e73>) is never discouraged natively; wrapped in P2SH it is', () => {
    const p2a = b(0x51, 0x02, 0x4e, 0x73);
    assert.equal(verify(b(), p2a, [], TAP | F.DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM), 'OK');
    assert.equal(verify(b(), b(0x51, 0x02, 0x4e, 0x74), [], TAP | F.DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM), 'DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM');
    assert.equal(verify(pushBytes(p2a), p2sh(p2a), [], TAP | F.DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM), 'DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM');
  });
  test('a P2SH-wrapped v1 32-byte program is not taproot', () => {
    const prog = v(1, 32);
    assert.equal(verify(pushBytes(prog), p2sh(prog), [], TAP), 'OK');
    assert.equal(verify(pushBytes(prog), p2sh(prog), [], TAP | F.DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM), 'DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM');
  });
});

describe('the tracer and verifyInput(s)', () => {
  test('a wrong control block size is reported in the tapscript phase', () => {
    const phases: TracePhaseKind[] = [];
    const tracer: ScriptTracer = { phase: (k) => void phases.push(k), begin() {}, step() {}, end() {} };
    const spk = b(0x51, 0x20, ...new Uint8Array(32).fill(3));
    const r = verifyScriptWith(b(), spk, [asm('1'), new Uint8Array(34)], TAP, stubChecker(), tracer);
    assert.deepEqual(r, { ok: false, error: 'TAPROOT_WRONG_CONTROL_SIZE' });
    assert.deepEqual(phases, ['scriptSig', 'scriptPubKey', 'tapscript']);
  });
  test('an input or spent output out of range is a RangeError', () => {
    const s = keyPathSpend(false);
    assert.throws(() => verifyInput(s.tx, 1, s.spent, TAP), (e: unknown) => e instanceof RangeError && e.message === 'input 1 out of range');
    assert.throws(() => verifyInput(s.tx, 0, [], TAP), RangeError);
  });
  test('a shared txdata without the spent outputs gets them (BIP341 signs every spent output)', () => {
    const s = keyPathSpend(false);
    assert.deepEqual(verifyInput(s.tx, 0, s.spent, TAP, { txdata: {} }), { ok: true });
    const txdata = {};
    verifyInput(s.tx, 0, s.spent, TAP, { txdata });
    assert.equal((txdata as { spent?: unknown }).spent, s.spent);
  });
  test('verifyInputs keeps the caller’s verifier and reports the failing input', () => {
    const calls: string[] = [];
    const spy: SigVerifier = { name: 'spy', verifyEcdsa: (...a) => (calls.push('e'), nobleVerifier.verifyEcdsa(...a)), verifySchnorr: (...a) => (calls.push('s'), nobleVerifier.verifySchnorr(...a)) };
    const good = p2wpkhSpend(false);
    assert.deepEqual(verifyInputs(good.tx, good.spent, STD, { verifier: spy }), { ok: true });
    assert.deepEqual(calls, ['e']);
    const bad = keyPathSpend(true);
    assert.deepEqual(verifyInputs(bad.tx, bad.spent, TAP, { verifier: spy }), { ok: false, error: 'SCHNORR_SIG', input: 0 });
    assert.deepEqual(calls, ['e', 's']);
  });
});
